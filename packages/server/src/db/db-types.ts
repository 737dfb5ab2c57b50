/** The types every dialect profile and the rest of the server share (no code: no import cycles). */
import type { DialectAdapter, Kysely } from 'kysely'
import type { Database } from './schema'

/** What the rest of the server may assume about the database it runs on. */
export interface DbCapabilities {
  dialect: 'sqlite' | 'postgres'
  /** `SELECT ... FOR UPDATE` row locks exist (PostgreSQL). SQLite serialises writers instead. */
  rowLocks: boolean
  /** LISTEN/NOTIFY channel that tells every server process of new changes (PostgreSQL only). */
  notifyChannel?: string
  /**
   * The writes that arrive together are folded into one transaction and one durable commit
   * (domain/group-commit.ts): SQLite, whose writes run one at a time anyway, and PostgreSQL, where
   * it saves a commit, a counter take and a change-log insert per request.
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
  /** Error codes of a statement refused because of a concurrent transaction (deadlock victim, serialization). */
  lockConflictCodes: readonly string[]
  /** Driver messages with no code that mean the same. */
  transientMessage?: RegExp
}

export interface DbHandle {
  db: Kysely<Database>
  caps: DbCapabilities
  /** Human-readable location for logs, without credentials. */
  describe: string
  /** Calls `onSeq` for every change committed by any process on this database; returns a stop function. */
  listen?(onSeq: (seq: number, audience: string[] | null) => void): Promise<() => Promise<void>>
  /** The connection pool of this process now (PostgreSQL; SQLite has one connection and no pool). */
  poolStats?(): PoolStats
  close(): Promise<void>
}

export interface PoolStats {
  /** Connections open (idle or checked out). */
  total: number
  idle: number
  /** Queries waiting for a connection. */
  waiting: number
  /** Most connections the pool may open. */
  max: number
}

export interface DbOptions {
  /** `postgres://...` selects PostgreSQL; otherwise SQLite at `sqliteFile`. */
  databaseUrl?: string
  sqliteFile?: string
  /** PostgreSQL schema to use (tests isolate themselves with one schema each). */
  pgSchema?: string
  poolSize?: number
}
