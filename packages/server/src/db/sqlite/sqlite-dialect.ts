/** SQLite via better-sqlite3: one file, WAL, a busy timeout, foreign keys on. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { type SqliteDatabase as KyselySqliteDatabase, SqliteDialect } from 'kysely'

/** Compiled statements kept per connection (the server issues a few dozen distinct ones). */
const STATEMENT_CACHE_SIZE = 256

/**
 * The connection as Kysely sees it, with prepared statements reused by SQL
 * text. Kysely's SQLite driver prepares every statement again on every call,
 * which was ~13% of the push path's CPU. Reuse is safe: the driver holds one
 * connection behind a mutex, so a statement never runs twice at once.
 */
export function withStatementCache(sqlite: SqliteDatabase.Database, size = STATEMENT_CACHE_SIZE): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql)
      if (stmt) {
        cache.delete(sql) // most recently used goes last
      } else {
        stmt = sqlite.prepare(sql)
        if (cache.size >= size) cache.delete(cache.keys().next().value as string)
      }
      cache.set(sql, stmt)
      return stmt
    },
  }
}

export function openSqlite(file: string): { dialect: SqliteDialect; sqlite: SqliteDatabase.Database } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SqliteDatabase(file)
  sqlite.pragma('journal_mode = WAL')
  // FULL: a commit acknowledged to a client survives power loss, not only a crash.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  return { dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), sqlite }
}
