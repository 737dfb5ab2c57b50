/**
 * `trackvault serve`: config, database, migrations, first-start accounts, the
 * HTTP server, and a graceful shutdown on SIGTERM/SIGINT.
 */
import closeWithGrace from 'close-with-grace'
import { buildApp } from '../app'
import { countUsers } from '../auth/users'
import { type Config, loadConfig, usesPostgres } from '../config'
import { openDatabase } from '../db/database'
import { migrateToLatest } from '../db/migrate'
import { holdServing } from '../db/sqlite/serving-lock'
import type { SmsOptions } from '../plugins/sms'
import { activeDemoAccounts, DEMO_ACCOUNTS, DEMO_PASSWORD, ensureAdmin, seedDemo } from '../seed/bootstrap'
import { providerFromConfig } from '../sms/choose-provider'
import { CREATE_ADMIN_HINT, parseOptions, webRootOf } from './command'

const HELP = `Usage: trackvault serve

Migrates the database to the newest schema, creates the first admin or the
demo data when asked to, and serves the API and the web app until SIGTERM or
SIGINT. Configuration comes from the environment (see the README).`

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, {}, HELP)
  if (typeof parsed === 'number') return parsed
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    process.stderr.write(`trackvault serve: ${(err as Error).message}\n`)
    return 1
  }
  // SQLite: hold the serving lock, so `trackvault restore` refuses while this process serves the file.
  const serving = usesPostgres(config) ? { release() {} } : holdServing(config.TRACKVAULT_DB)
  if (!serving) {
    process.stderr.write(`trackvault serve: ${config.TRACKVAULT_DB} is being restored; start again when it is done\n`)
    return 1
  }
  const { path: webRoot, built: webBuilt } = webRootOf(config)
  const handle = openDatabase({
    databaseUrl: config.DATABASE_URL,
    sqliteFile: config.TRACKVAULT_DB,
    pgSchema: config.TRACKVAULT_PG_SCHEMA,
  })
  const app = await buildApp({
    db: handle,
    logger: { level: config.LOG_LEVEL },
    tokenTtlMs: config.TRACKVAULT_TOKEN_TTL_HOURS * 3600 * 1000,
    rateLimit: { max: config.TRACKVAULT_RATE_LIMIT, timeWindowMs: 60_000 },
    trustProxy: config.TRACKVAULT_TRUST_PROXY,
    corsOrigins: config.TRACKVAULT_CORS_ORIGINS,
    liveSessionCheckMs: config.TRACKVAULT_LIVE_SESSION_CHECK_SECONDS * 1000,
    edge: { maxConnectionsPerAddress: config.TRACKVAULT_MAX_CONNECTIONS_PER_ADDRESS },
    metrics: { token: config.TRACKVAULT_METRICS_TOKEN, public: config.TRACKVAULT_METRICS_PUBLIC === '1' },
    webRoot: webBuilt ? webRoot : undefined,
    sms: smsOptionsOf(config),
  })
  const log = app.log
  if (app.smsWorker) log.info({ provider: config.TRACKVAULT_SMS_PROVIDER }, 'text messages to suppliers are on')
  if (!webBuilt) log.warn({ webRoot }, 'web app not built (npm run build); serving the API only')

  const applied = await migrateToLatest(handle.db)
  log.info({ database: handle.describe, applied }, 'database ready')

  if (await whileBusy(() => ensureAdmin(handle.db, config.TRACKVAULT_ADMIN_EMAIL, config.TRACKVAULT_ADMIN_PASSWORD))) {
    log.info({ email: config.TRACKVAULT_ADMIN_EMAIL }, 'created the first admin')
  }
  if (config.TRACKVAULT_DEMO === '1') {
    if (await whileBusy(() => seedDemo(handle.db, handle.caps))) log.info('seeded demo data')
    const accounts = DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(10)} ${a.email}  /  ${DEMO_PASSWORD}`).join('\n')
    process.stdout.write(
      `\nTrackVault demo accounts (demo mode only; set TRACKVAULT_DEMO=0 to turn off):\n${accounts}\n\n`,
    )
  } else {
    const demoAccounts = await activeDemoAccounts(handle.db)
    if (demoAccounts.length > 0) {
      log.warn(
        { accounts: demoAccounts },
        'demo accounts are active while TRACKVAULT_DEMO=0: anyone who knows the published demo password can sign in; ' +
          'deactivate them with `trackvault demo --remove`',
      )
    }
    if ((await countUsers(handle.db)) === 0) log.warn(`no users yet: nobody can sign in; ${CREATE_ADMIN_HINT}`)
  }

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error')
    else log.info({ signal }, 'shutting down')
    await app.close()
    await handle.close()
    serving.release()
  })

  await app.listen({ port: config.PORT, host: config.HOST })
  return 0
}

/** The app's SMS options from the environment: undefined when TRACKVAULT_SMS_PROVIDER is off. */
function smsOptionsOf(config: Config): SmsOptions | undefined {
  const provider = providerFromConfig(config)
  if (!provider) return undefined
  return {
    provider,
    pollMs: config.TRACKVAULT_SMS_POLL_MS,
    retry: {
      baseMs: config.TRACKVAULT_SMS_RETRY_BASE_MS,
      maxMs: config.TRACKVAULT_SMS_RETRY_MAX_MS,
      maxAttempts: config.TRACKVAULT_SMS_MAX_ATTEMPTS,
    },
  }
}

/** How long start-up waits for another process starting on the same SQLite file to finish its seeding. */
const STARTUP_WAIT_MS = 120_000

/**
 * Runs a start-up step again while the database is busy: another process starting on the same
 * SQLite file holds the write lock for its own seeding (longer than the 5 s busy timeout on a loaded
 * machine); its work is then there, and the step finds it (the steps are safe to repeat).
 */
async function whileBusy<T>(step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + STARTUP_WAIT_MS
  for (;;) {
    try {
      return await step()
    } catch (err) {
      const busy = String((err as { code?: string }).code).startsWith('SQLITE_BUSY')
      if (!busy || Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
