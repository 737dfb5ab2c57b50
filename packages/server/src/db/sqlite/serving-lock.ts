/**
 * Who is using a SQLite database file, told by the operating system's file locks so that a process
 * that dies (even killed) lets go at once: every `trackvault serve` on the file holds a shared lock
 * on `<file>.serving` (a read transaction on a small SQLite file beside it), and `trackvault restore`
 * takes it exclusively. So a restore refuses while any server runs on the database, and no server
 * starts while a restore runs.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'

export interface ServingLock {
  release(): void
}

/** The lock file of the database `file`. */
export const servingLockFile = (file: string) => `${file}.serving`

const isBusy = (err: unknown) => (err as { code?: string }).code?.startsWith('SQLITE_BUSY') === true

function open(file: string) {
  mkdirSync(dirname(file), { recursive: true })
  const db = new SqliteDatabase(servingLockFile(file), { timeout: 0 })
  db.pragma('journal_mode = DELETE')
  return db
}

/**
 * A server's shared hold on `file`, until released or the process ends; undefined if a restore
 * holds the file now. An in-memory database has no file and needs none.
 */
export function holdServing(file: string): ServingLock | undefined {
  if (file === ':memory:') return { release() {} }
  const db = open(file)
  try {
    db.exec('BEGIN')
    db.prepare('select count(*) from sqlite_master').get() // the read takes the shared lock, kept until released
  } catch (err) {
    db.close()
    if (isBusy(err)) return undefined
    throw err
  }
  return { release: () => db.close() }
}

/** The exclusive hold a restore needs; undefined while any server (or another restore) holds the file. */
export function holdExclusive(file: string): ServingLock | undefined {
  const db = open(file)
  try {
    db.exec('BEGIN EXCLUSIVE')
  } catch (err) {
    db.close()
    if (isBusy(err)) return undefined
    throw err
  }
  return { release: () => db.close() }
}
