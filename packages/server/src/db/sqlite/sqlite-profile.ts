/** SQLite as TrackVault uses it: its capabilities, how to open it, and how its errors read. */
import { Kysely, SqliteAdapter } from 'kysely'
import type { DbHandle, DialectProfile } from '../db-types'
import type { Database } from '../schema'
import { openSqlite } from './sqlite-dialect'

export const sqliteProfile: DialectProfile = {
  // One writer at a time: no row locks to take, and writes arriving together share one commit.
  caps: { dialect: 'sqlite', rowLocks: false, groupCommit: true, jsonFunctions: 'sqlite' },
  owns: (adapter) => adapter instanceof SqliteAdapter,
  uniqueViolationCodes: ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'],
  lockConflictCodes: [], // one writer: no transaction is refused for another's locks
  transientCodes: ['SQLITE_BUSY', 'SQLITE_LOCKED'],
}

/** Opens the SQLite file `file` (created with its folder if missing). */
export function openSqliteHandle(file: string): DbHandle {
  const { dialect } = openSqlite(file)
  const db = new Kysely<Database>({ dialect })
  return { db, caps: sqliteProfile.caps, describe: `sqlite:${file}`, close: () => db.destroy() }
}
