/**
 * `trackvault backup FILE`: a consistent copy of the SQLite database while the server keeps serving
 * (SQLite's online backup API, in one step: one read snapshot, so writes that commit meanwhile are
 * either wholly in the copy or not at all). For PostgreSQL it prints the pg_dump command.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { type Config, loadConfig, usesPostgres } from '../config'
import { parseOptions } from './command'

const HELP = `Usage: trackvault backup FILE [--force]

Writes a consistent copy of the database to FILE while the server runs.
SQLite (TRACKVAULT_DB): an online backup, safe while serving. PostgreSQL
(DATABASE_URL): prints the pg_dump command to run instead.
Restore it with \`trackvault restore FILE\` (see docs/deploy.md).

  --force  overwrite FILE if it exists`

/** The pg_dump command that backs up the configured PostgreSQL database to `file`. */
export function pgDumpCommand(config: Config, file: string): string {
  const schema = config.TRACKVAULT_PG_SCHEMA ? ` --schema=${config.TRACKVAULT_PG_SCHEMA}` : ''
  return `pg_dump --format=custom${schema} --file=${JSON.stringify(file)} "$DATABASE_URL"`
}

/** Copies the SQLite database `source` to `target` in one step of the online backup API. */
export async function backupSqlite(source: string, target: string): Promise<{ pages: number }> {
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true })
  try {
    const { totalPages } = await db.backup(target, { progress: () => Number.MAX_SAFE_INTEGER })
    return { pages: totalPages }
  } finally {
    db.close()
  }
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, { force: { type: 'boolean' } }, HELP)
  if (typeof parsed === 'number') return parsed
  const [file, ...extra] = parsed.positionals
  if (!file || extra.length > 0) {
    process.stderr.write(`trackvault backup: name one FILE to write\n\n${HELP}\n`)
    return 2
  }
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    process.stderr.write(`trackvault backup: ${(err as Error).message}\n`)
    return 1
  }
  if (usesPostgres(config)) {
    process.stdout.write(
      `PostgreSQL is backed up with its own tools. Run:\n\n  ${pgDumpCommand(config, file)}\n\nand restore with pg_restore, then \`trackvault restore --mark-restored\` (docs/deploy.md).\n`,
    )
    return 0
  }
  const source = resolve(config.TRACKVAULT_DB)
  const target = resolve(file)
  if (!existsSync(source)) {
    process.stderr.write(`trackvault backup: no database at ${source}\n`)
    return 1
  }
  if (target === source) {
    process.stderr.write('trackvault backup: FILE is the database itself\n')
    return 2
  }
  if (existsSync(target) && !parsed.values.force) {
    process.stderr.write(`trackvault backup: ${target} exists (--force to overwrite)\n`)
    return 1
  }
  try {
    const { pages } = await backupSqlite(source, target)
    process.stdout.write(`backed up ${source} to ${target} (${pages} pages)\n`)
    return 0
  } catch (err) {
    process.stderr.write(`trackvault backup: ${(err as Error).message}\n`)
    return 1
  }
}
