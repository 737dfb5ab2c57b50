/**
 * `trackvault restore FILE`: replaces the SQLite database with a backup and gives it a new epoch, so
 * every device knows its confirmations may be gone and heals the server from its journal
 * (docs/sync-protocol.md, Epochs). It refuses while a server runs on the database (the serving lock,
 * db/sqlite/serving-lock.ts), and no server starts while it runs. `--mark-restored` only sets the
 * new epoch: for PostgreSQL after pg_restore, or a SQLite file put back by other means.
 */
import { existsSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { type Config, loadConfig, usesPostgres } from '../config'
import { openDatabase } from '../db/database'
import { migrateToLatest } from '../db/migrate'
import { holdExclusive } from '../db/sqlite/serving-lock'
import { markRestored } from '../domain/epoch'
import { parseOptions } from './command'

const HELP = `Usage: trackvault restore FILE
       trackvault restore --mark-restored

Stop every server on the database first.

FILE            SQLite: replace the database (TRACKVAULT_DB) with the backup
                FILE made by \`trackvault backup\`, migrate it and give it a new
                epoch. Refuses while a server runs on the database.
--mark-restored Give the database a new epoch only: PostgreSQL after
                pg_restore, or a SQLite file put back by hand.

Devices that sync afterwards re-send what the backup lacks from their journals
(docs/deploy.md, Backups and restore).`

/** Problems that make `file` no TrackVault backup, or none. */
function checkBackup(file: string): string | undefined {
  let db: SqliteDatabase.Database | undefined
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true })
    const ok = db.pragma('quick_check', { simple: true })
    if (ok !== 'ok') return `${file} is damaged (${String(ok)})`
    const tables = db.prepare("select name from sqlite_master where type = 'table' and name = 'change_log'").all()
    if (tables.length === 0) return `${file} is not a TrackVault database`
    return undefined
  } catch (err) {
    return `${file} cannot be read: ${(err as Error).message}`
  } finally {
    db?.close()
  }
}

/**
 * Puts the backup `source` into the database file `target`, page by page (its write-ahead log
 * handled by SQLite), not a file copy. No connection may be open on `target`; the caller then gives
 * it a new epoch (`markRestored`).
 */
export async function restoreSqliteFile(source: string, target: string): Promise<void> {
  const backup = new SqliteDatabase(source, { readonly: true, fileMustExist: true })
  try {
    await backup.backup(target, { progress: () => Number.MAX_SAFE_INTEGER })
  } finally {
    backup.close()
  }
}

/** Sets a new epoch on the configured database (migrated first); returns it. */
async function newEpochOn(config: Config, from: string | null): Promise<string> {
  const handle = openDatabase({
    databaseUrl: config.DATABASE_URL,
    sqliteFile: config.TRACKVAULT_DB,
    pgSchema: config.TRACKVAULT_PG_SCHEMA,
  })
  try {
    await migrateToLatest(handle.db)
    return await markRestored(handle.db, from)
  } finally {
    await handle.close()
  }
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, { 'mark-restored': { type: 'boolean' } }, HELP)
  if (typeof parsed === 'number') return parsed
  const mark = parsed.values['mark-restored'] === true
  const [file, ...extra] = parsed.positionals
  if (extra.length > 0 || (mark ? file !== undefined : file === undefined)) {
    process.stderr.write(`trackvault restore: name one backup FILE, or --mark-restored alone\n\n${HELP}\n`)
    return 2
  }
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    process.stderr.write(`trackvault restore: ${(err as Error).message}\n`)
    return 1
  }
  const say = (epoch: string) =>
    process.stdout.write(`database restored; new epoch ${epoch}: devices re-send what the backup lacks\n`)

  if (usesPostgres(config)) {
    if (!mark) {
      process.stderr.write(
        'trackvault restore: PostgreSQL is restored with pg_restore (docs/deploy.md):\n\n  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" FILE\n\nthen run `trackvault restore --mark-restored` before starting the servers.\n',
      )
      return 1
    }
    say(await newEpochOn(config, 'pg_restore'))
    return 0
  }

  const target = resolve(config.TRACKVAULT_DB)
  const source = file === undefined ? undefined : resolve(file)
  if (source !== undefined) {
    const problem = !existsSync(source) ? `no backup at ${source}` : checkBackup(source)
    if (problem) {
      process.stderr.write(`trackvault restore: ${problem}\n`)
      return 1
    }
    if (source === target) {
      process.stderr.write('trackvault restore: FILE is the database itself\n')
      return 2
    }
  }
  const lock = holdExclusive(target)
  if (!lock) {
    process.stderr.write(`trackvault restore: a server is running on ${target}; stop it first\n`)
    return 1
  }
  try {
    if (source !== undefined) await restoreSqliteFile(source, target)
    say(await newEpochOn(config, source === undefined ? 'marked' : basename(source)))
    return 0
  } catch (err) {
    process.stderr.write(`trackvault restore: ${(err as Error).message}\n`)
    return 1
  } finally {
    lock.release()
  }
}
