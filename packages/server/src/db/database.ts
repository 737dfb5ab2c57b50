/**
 * Opens the database: embedded SQLite (default) or PostgreSQL when the URL
 * says so. What differs between the two lives in one folder per dialect
 * (`sqlite/`, `postgres/`), each with a profile: capabilities, how to open
 * it, how its errors read. The rest of the server asks the capabilities,
 * never `if (dialect === 'pg')`.
 */
import type { DialectAdapter, Kysely } from 'kysely'
import { openPostgresHandle, postgresProfile } from './postgres/postgres-profile'
import type { Database } from './schema'
import { openSqliteHandle, sqliteProfile } from './sqlite/sqlite-profile'

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
  /** Whose JSON functions a migration may use on stored JSON text. */
  jsonFunctions: 'sqlite' | 'postgres'
}

/** One dialect: its capabilities, which Kysely adapter is its own, and its error codes. */
export interface DialectProfile {
  caps: DbCapabilities
  owns(adapter: DialectAdapter): boolean
  /** Error codes of a unique or primary key violation (a race a pre-check lost). */
  uniqueViolationCodes: readonly string[]
  /** Error codes that mean "try again later": unreachable, restarting, overloaded, deadlock victim. */
  transientCodes: readonly string[]
  /** Driver messages with no code that mean the same. */
  transientMessage?: RegExp
}

export const PROFILES: readonly DialectProfile[] = [sqliteProfile, postgresProfile]

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
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgresHandle(url, opts.pgSchema, opts.poolSize)
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
