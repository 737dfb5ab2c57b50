/**
 * Opens the database: embedded SQLite (default) or PostgreSQL when the URL
 * says so. What differs between the two lives in one folder per dialect
 * (`sqlite/`, `postgres/`), each with a profile: capabilities, how to open
 * it, how its errors read. The rest of the server asks the capabilities,
 * never `if (dialect === 'pg')`.
 */
import type { DialectAdapter, Kysely } from 'kysely'
import { postgresUrlProblem } from './database-url'
import type { DbCapabilities, DbHandle, DbOptions, DialectProfile } from './db-types'
import { openPostgresHandle, postgresProfile } from './postgres/postgres-profile'
import { openSqliteHandle, sqliteProfile } from './sqlite/sqlite-profile'

export type { DbCapabilities, DbHandle, DbOptions, DialectProfile, PoolStats } from './db-types'

export const PROFILES: readonly DialectProfile[] = [sqliteProfile, postgresProfile]

/** Opens the database described by `opts`; a `databaseUrl` that is not PostgreSQL's is an error. */
export function openDatabase(opts: DbOptions): DbHandle {
  const url = opts.databaseUrl
  if (url !== undefined) {
    const problem = postgresUrlProblem(url)
    if (problem) throw new Error(`DATABASE_URL ${problem}`)
    return openPostgresHandle(url, opts.pgSchema, opts.poolSize)
  }
  return openSqliteHandle(opts.sqliteFile ?? './data/trackvault.db')
}

/** The capabilities of the database behind `db` (or a transaction or connection of it). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run on a loosely typed handle
export function capsOf(db: Kysely<any> | { getExecutor(): { adapter: DialectAdapter } }): DbCapabilities {
  const adapter = db.getExecutor().adapter
  const profile = PROFILES.find((p) => p.owns(adapter))
  if (!profile) throw new Error('TrackVault runs on SQLite or PostgreSQL only')
  return profile.caps
}
