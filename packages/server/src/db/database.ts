/**
 * Opens the database: embedded SQLite (default) or PostgreSQL when the URL
 * says so. Dialect differences are confined to this folder and expressed as
 * capability flags, never as `if (dialect === 'pg')` in queries.
 */
import { Kysely } from 'kysely'
import { listenPostgres, openPostgres } from './postgres-database'
import type { Database } from './schema'
import { openSqlite } from './sqlite-database'

/** What the rest of the server may assume about the database it runs on. */
export interface DbCapabilities {
  dialect: 'sqlite' | 'postgres'
  /** `SELECT ... FOR UPDATE` row locks exist (PostgreSQL). SQLite serialises writers instead. */
  rowLocks: boolean
  /** LISTEN/NOTIFY channel that tells every server process of new changes (PostgreSQL only). */
  notifyChannel?: string
  /**
   * Write transactions run one at a time on one connection (SQLite), so the
   * writes that arrive together are folded into one transaction and one
   * durable commit (domain/group-commit.ts).
   */
  groupCommit: boolean
}

export interface DbHandle {
  db: Kysely<Database>
  caps: DbCapabilities
  /** Human-readable location for logs, without credentials. */
  describe: string
  /** Calls `onSeq` for every change committed by any process on this database; returns a stop function. */
  listen?(onSeq: (seq: number, audience: string[] | null) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

export interface DbOptions {
  /** `postgres://...` selects PostgreSQL; otherwise SQLite at `sqliteFile`. */
  databaseUrl?: string
  sqliteFile?: string
  /** PostgreSQL schema to use (tests isolate themselves with one schema each). */
  pgSchema?: string
  poolSize?: number
}

/** Opens the database described by `opts`. */
export function openDatabase(opts: DbOptions): DbHandle {
  const url = opts.databaseUrl
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { dialect, describe, end } = openPostgres(url, opts.pgSchema, opts.poolSize)
    const db = new Kysely<Database>({ dialect })
    const notifyChannel = `trackvault_changes_${opts.pgSchema ?? 'public'}`
    return {
      db,
      caps: { dialect: 'postgres', rowLocks: true, notifyChannel, groupCommit: false },
      describe,
      listen: (onSeq) => listenPostgres(url, opts.pgSchema, notifyChannel, onSeq),
      close: async () => {
        await db.destroy().catch(() => end())
      },
    }
  }
  const file = opts.sqliteFile ?? './data/trackvault.db'
  const { dialect } = openSqlite(file)
  const db = new Kysely<Database>({ dialect })
  return {
    db,
    caps: { dialect: 'sqlite', rowLocks: false, groupCommit: true },
    describe: `sqlite:${file}`,
    close: () => db.destroy(),
  }
}
