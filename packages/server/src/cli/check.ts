/**
 * `trackvault check`: validates the configuration and the database without
 * changing anything, prints what `serve` would run, and ends with 1 on any
 * problem (so a deploy script or a container health gate can stop there).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { sql } from 'kysely'
import { type Config, loadConfig } from '../config'
import { openDatabase } from '../db/database'
import { maskDatabaseUrl } from '../db/database-url'
import { type MigrationStatus, migrationStatus } from '../db/migrate'
import { activeDemoAccounts } from '../seed/bootstrap'
import { CREATE_ADMIN_HINT, messageOf, parseOptions, webRootOf } from './command'

const HELP = `Usage: trackvault check

Validates the configuration (the environment, as \`serve\` reads it) and the
database connection, changing nothing, and prints what would run: the
database (password masked), the address, the web app, demo mode, users and
admins, applied and pending migrations. Pending migrations are fine (serve
applies them).

Problems (exit code 1): an invalid variable; a database that cannot be
reached; migrations from a newer version; nobody able to sign in as an admin
(no active admin, and neither TRACKVAULT_ADMIN_* nor demo mode to create
one); demo accounts active while TRACKVAULT_DEMO=0.

Exit codes: 0 ready, 1 a problem (each printed), 2 bad usage.`

interface DbFacts {
  status: MigrationStatus | undefined
  users: number
  activeAdmins: number
  demoAccounts: string[]
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, {}, HELP)
  if (typeof parsed === 'number') return parsed
  if (parsed.positionals.length > 0) {
    process.stderr.write(`trackvault check: unexpected argument '${parsed.positionals[0]}'\n\n${HELP}\n`)
    return 2
  }
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\ntrackvault check: FAILED\n`)
    return 1
  }
  const problems: string[] = []
  const line = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(15)} ${value}\n`)
  const demo = config.TRACKVAULT_DEMO === '1'
  const web = webRootOf(config)
  process.stdout.write('TrackVault would run with:\n')
  const sqliteFile = resolve(config.TRACKVAULT_DB)
  line(
    'database',
    config.DATABASE_URL
      ? `PostgreSQL ${maskDatabaseUrl(config.DATABASE_URL)}${config.TRACKVAULT_PG_SCHEMA ? `, schema ${config.TRACKVAULT_PG_SCHEMA}` : ''}`
      : `SQLite ${sqliteFile}${existsSync(sqliteFile) ? '' : ' (not created yet: serve creates it)'}`,
  )
  line('listen', `${config.HOST}:${config.PORT}`)
  line('web app', `${web.path}${web.built ? '' : ' (not built: serve answers the API only)'}`)
  line('demo', demo ? 'on (TRACKVAULT_DEMO=1: demo accounts with a published password)' : 'off')
  line('token lifetime', `${config.TRACKVAULT_TOKEN_TTL_HOURS} h`)
  line(
    'sms',
    config.TRACKVAULT_SMS_PROVIDER === 'off'
      ? 'off'
      : `${config.TRACKVAULT_SMS_PROVIDER}${config.TRACKVAULT_SMS_BASE_URL ? ` at ${config.TRACKVAULT_SMS_BASE_URL}` : ''}`,
  )

  let facts: DbFacts | undefined
  try {
    facts = await readDatabase(config, sqliteFile)
  } catch (err) {
    problems.push(`the database cannot be used: ${messageOf(err)}`)
  }
  if (facts) {
    const { status } = facts
    line(
      'migrations',
      status
        ? `${status.applied.length} applied, ${status.pending.length} pending${status.pending.length ? ' (serve applies them)' : ''}`
        : 'none applied (a new database)',
    )
    line('users', `${facts.users} (${facts.activeAdmins} active admin${facts.activeAdmins === 1 ? '' : 's'})`)
    if (status && status.unknown.length > 0) {
      problems.push(
        `the database has migrations this version does not know (${status.unknown.join(', ')}): a newer version ran on it`,
      )
    }
    if (!demo && facts.demoAccounts.length > 0) {
      problems.push(
        `demo accounts are active while TRACKVAULT_DEMO=0 (${facts.demoAccounts.join(', ')}): anyone who knows the published demo password can sign in; deactivate them with \`trackvault demo --remove\``,
      )
    }
    const adminComing = demo || (facts.users === 0 && config.TRACKVAULT_ADMIN_EMAIL !== undefined)
    if (facts.activeAdmins === 0 && !adminComing) {
      problems.push(
        facts.users === 0
          ? `no users: nobody can sign in; ${CREATE_ADMIN_HINT}`
          : 'no active admin: nobody can manage users; make one with `trackvault user set-role USER admin` or `trackvault user activate USER`',
      )
    }
  }
  for (const p of problems) process.stderr.write(`problem: ${p}\n`)
  process.stdout.write(problems.length === 0 ? 'OK\n' : '')
  if (problems.length > 0) process.stderr.write('trackvault check: FAILED\n')
  return problems.length === 0 ? 0 : 1
}

/** What the database holds; an SQLite file that does not exist yet is not created. */
async function readDatabase(config: Config, sqliteFile: string): Promise<DbFacts> {
  if (!config.DATABASE_URL && !existsSync(sqliteFile)) {
    return { status: undefined, users: 0, activeAdmins: 0, demoAccounts: [] }
  }
  const handle = openDatabase({
    databaseUrl: config.DATABASE_URL,
    sqliteFile,
    pgSchema: config.TRACKVAULT_PG_SCHEMA,
    poolSize: 1,
  })
  try {
    await sql`select 1`.execute(handle.db)
    const status = await migrationStatus(handle.db)
    if (status.applied.length === 0) return { status, users: 0, activeAdmins: 0, demoAccounts: [] }
    const counts = await handle.db
      .selectFrom('users')
      .select((eb) => [
        eb.fn.countAll<number>().as('users'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.and([eb('role', '=', 'admin'), eb('is_active', '=', 1)]))
              .then(1)
              .else(0)
              .end(),
          )
          .as('admins'),
      ])
      .executeTakeFirstOrThrow()
    return {
      status,
      users: Number(counts.users),
      activeAdmins: Number(counts.admins ?? 0),
      demoAccounts: await activeDemoAccounts(handle.db),
    }
  } finally {
    await handle.close()
  }
}
