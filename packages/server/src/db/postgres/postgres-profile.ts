/** PostgreSQL as TrackVault uses it: its capabilities, how to open it, and how its errors read. */
import { Kysely, PostgresAdapter } from 'kysely'
import type { DbHandle, DialectProfile } from '../db-types'
import type { Database } from '../schema'
import { openPostgres } from './postgres-dialect'
import { listenPostgres } from './postgres-listen'

export const postgresProfile: DialectProfile = {
  caps: { dialect: 'postgres', rowLocks: true, groupCommit: true, jsonFunctions: 'postgres' },
  owns: (adapter) => adapter instanceof PostgresAdapter,
  uniqueViolationCodes: ['23505'],
  lockConflictCodes: ['40001', '40P01'], // serialization_failure, deadlock_detected
  transientCodes: [
    '57P01', // admin_shutdown
    '57P02', // crash_shutdown
    '57P03', // cannot_connect_now
    '08000',
    '08001',
    '08003',
    '08004',
    '08006', // connection exceptions
    '40001', // serialization_failure
    '40P01', // deadlock_detected
    '53300', // too_many_connections
  ],
  transientMessage: /Connection terminated|connection timeout|Client has encountered a connection error/i,
}

/** Opens PostgreSQL at `url`, working in `schema` if given; live pokes cross processes through LISTEN/NOTIFY. */
export function openPostgresHandle(url: string, schema?: string, poolSize?: number): DbHandle {
  const { dialect, describe, end, pool, max } = openPostgres(url, schema, poolSize)
  const db = new Kysely<Database>({ dialect })
  const notifyChannel = `trackvault_changes_${schema ?? 'public'}`
  return {
    db,
    caps: { ...postgresProfile.caps, notifyChannel },
    describe,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    listen: (onSeq) => listenPostgres(url, schema, notifyChannel, onSeq),
    close: async () => {
      await db.destroy().catch(() => end())
    },
  }
}
