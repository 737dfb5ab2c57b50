/** What every verb of the `trackvault` command line (one file each in this folder) shares. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { AppError } from '@trackvault/core'
import { type Config, loadConfig } from '../config'
import { type DbHandle, openDatabase } from '../db/database'
import { packageRoot } from '../package-root'

/**
 * Runs a verb with the arguments after its name and resolves with the exit
 * code: 0 done, 1 failed, 2 bad usage. A long-running verb (serve) resolves
 * once it is up; the process lives on while it serves.
 */
export type Run = (args: string[]) => Promise<number>

export interface ParsedArgs {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>
  positionals: string[]
}

/**
 * Parses a verb's options with node:util's parseArgs. `--help` prints `help`
 * and ends with 0; an unknown or malformed option prints the error and `help`
 * and ends with 2: then the exit code comes back instead of the values.
 */
export function parseOptions(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  help: string,
): ParsedArgs | number {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
    if (parsed.values.help) {
      process.stdout.write(`${help}\n`)
      return 0
    }
    return parsed
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${help}\n`)
    return 2
  }
}

/** Writes `message` to stderr as `trackvault <verb>: message`. */
export function fail(verb: string, message: string): void {
  process.stderr.write(`trackvault ${verb}: ${message}\n`)
}

/**
 * Loads the configuration, opens the database and runs `work` with them,
 * closing the database after. A configuration problem, a database that
 * cannot be reached or a refused change (an AppError such as LAST_ADMIN)
 * prints one message and ends with 1; a secret never appears in it.
 */
export async function withDatabase(
  verb: string,
  work: (handle: DbHandle, config: Config) => Promise<number>,
  /** Runs instead of `work` when the SQLite file does not exist (a read-only verb then creates nothing). */
  noSqliteFile?: (file: string) => Promise<number>,
): Promise<number> {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    fail(verb, (err as Error).message)
    return 1
  }
  if (noSqliteFile && !config.DATABASE_URL && !existsSync(config.TRACKVAULT_DB))
    return noSqliteFile(config.TRACKVAULT_DB)
  let handle: DbHandle | undefined
  try {
    handle = openDatabase({
      databaseUrl: config.DATABASE_URL,
      sqliteFile: config.TRACKVAULT_DB,
      pgSchema: config.TRACKVAULT_PG_SCHEMA,
      poolSize: 2,
    })
    return await work(handle, config)
  } catch (err) {
    fail(verb, messageOf(err))
    return 1
  } finally {
    await handle?.close().catch(() => {})
  }
}

/** An error as one line for the operator: the code of a refused change, the message of anything else. */
export function messageOf(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`
  const e = err as { code?: string; message?: string }
  return e.code && !e.message?.includes(e.code) ? `${e.message} (${e.code})` : String(e.message ?? err)
}

/** The built web app `serve` serves: TRACKVAULT_WEB_ROOT, else the server package's web folder (`npm run build` puts it there); undefined if not built. */
export function webRootOf(config: Config): { path: string; built: boolean } {
  const path = config.TRACKVAULT_WEB_ROOT ?? join(packageRoot(), 'web')
  return { path, built: existsSync(join(path, 'index.html')) }
}

/** How to create the first admin, for a database without users. */
export const CREATE_ADMIN_HINT =
  'create the first admin with `trackvault user create --email you@example.com --role admin` ' +
  '(or set TRACKVAULT_ADMIN_EMAIL and TRACKVAULT_ADMIN_PASSWORD and start again)'
