/** SQLite via better-sqlite3: one file, WAL, a busy timeout, foreign keys on. */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { SqliteDialect } from 'kysely'

export function openSqlite(file: string) {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SqliteDatabase(file)
  sqlite.pragma('journal_mode = WAL')
  // FULL: a commit acknowledged to a client survives power loss, not only a crash.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  return { dialect: new SqliteDialect({ database: sqlite }), sqlite }
}
