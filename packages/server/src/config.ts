/** Configuration from the environment, validated once at start. */
import { accessSync, constants, existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import { postgresUrlProblem } from './db/database-url'

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])
/** An address, a CIDR range (`10.0.0.0/8`, `fd00::/8`) or a named range of proxy-addr. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true
  const [address, bits, extra] = entry.split('/')
  const family = isIP(address)
  if (!family || extra !== undefined) return false
  if (bits === undefined) return true
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)
}

/**
 * Which reverse proxies to believe about the client's address
 * (X-Forwarded-For): unset = none (the socket's address counts), a number =
 * that many hops, else a comma-separated list of addresses and CIDR ranges.
 * Fastify's `trustProxy` takes each form as it is.
 */
export const trustProxySchema = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx): false | number | string[] => {
    if (value === undefined || value === '' || value === '0') return false
    if (/^\d+$/.test(value)) return Number(value)
    const entries = value.split(',').map((e) => e.trim())
    const bad = entries.filter((e) => !isProxyAddress(e))
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `not a hop count, address or CIDR range: ${bad.join(', ')}`,
      })
      return z.NEVER
    }
    return entries
  })

/**
 * A whole number from the environment within [min, max], `fallback` when
 * unset; empty, fractional or out of range is an error that says which.
 */
function wholeNumber(fallback: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): number => {
      if (raw === undefined) return fallback
      const value = raw.trim()
      const n = Number(value)
      if (value === '')
        ctx.addIssue({ code: 'custom', message: `is empty: unset it for ${fallback}, or give ${min}-${max}` })
      else if (!/^\d+$/.test(value))
        ctx.addIssue({ code: 'custom', message: `'${raw}' is not a whole number (${min}-${max})` })
      else if (n < min || n > max) ctx.addIssue({ code: 'custom', message: `${n} is out of range (${min}-${max})` })
      else return n
      return z.NEVER
    })
}

/** Bearer token lifetime bounds, in hours: an hour at least, a year at most (devices sync offline for days). */
export const TOKEN_TTL_HOURS = { min: 1, max: 24 * 365 }

/** `https://app.example.com` exactly as a browser sends it in `Origin`: scheme, host, port; no path, no slash. */
function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry
  } catch {
    return false
  }
}

/**
 * Origins of browser apps served elsewhere that may call the API (plugins/cors.ts): a
 * comma-separated list of exact origins. Unset or empty = none (closed); there is no wildcard.
 */
export const corsOriginsSchema = z
  .string()
  .optional()
  .transform((value, ctx): string[] => {
    const entries = (value ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)
    const bad = entries.filter((e) => !isOrigin(e))
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `not an origin (scheme://host[:port], no path or trailing slash): ${bad.join(', ')}`,
      })
      return z.NEVER
    }
    return entries
  })

/** A base URL of an SMS provider's API (a sandbox, or the fake in tests): http(s), no query. */
const baseUrlSchema = z
  .string()
  .trim()
  .optional()
  .superRefine((value, ctx) => {
    if (value === undefined) return
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {}
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not an http(s) URL without a query` })
    }
  })

/** A credential or sender from the environment: set means not blank. */
const secretish = () => z.string().trim().min(1, 'is empty: unset it or give a value').optional()

const schema = z.object({
  PORT: wholeNumber(8080, 1, 65535),
  HOST: z.string().default('0.0.0.0'),
  /** Set: PostgreSQL (postgres:// or postgresql://); anything else is an error, never a silent SQLite. */
  DATABASE_URL: z
    .string()
    .optional()
    .superRefine((url, ctx) => {
      const problem = url === undefined ? undefined : postgresUrlProblem(url)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    }),
  /** PostgreSQL schema to work in (default: the connection's search_path). */
  TRACKVAULT_PG_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  TRACKVAULT_DB: z
    .string()
    .trim()
    .min(1, 'is empty: unset it for ./data/trackvault.db')
    .default('./data/trackvault.db'),
  TRACKVAULT_DEMO: z.enum(['0', '1']).default('0'),
  TRACKVAULT_ADMIN_EMAIL: z.email().optional(),
  TRACKVAULT_ADMIN_PASSWORD: z.string().min(8).optional(),
  TRACKVAULT_TOKEN_TTL_HOURS: wholeNumber(24 * 30, TOKEN_TTL_HOURS.min, TOKEN_TTL_HOURS.max),
  TRACKVAULT_RATE_LIMIT: z.coerce.number().int().positive().default(1200),
  TRACKVAULT_TRUST_PROXY: trustProxySchema,
  TRACKVAULT_CORS_ORIGINS: corsOriginsSchema,
  /** Connections one client address may hold at once; 0 = no cap. */
  TRACKVAULT_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(64),
  /** Bearer token of the metrics scraper (GET /metrics); without it and without PUBLIC, /metrics is 404. */
  TRACKVAULT_METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  TRACKVAULT_METRICS_PUBLIC: z.enum(['0', '1']).default('0'),
  /** How often each process re-checks the sessions of its open event streams. */
  TRACKVAULT_LIVE_SESSION_CHECK_SECONDS: z.coerce.number().positive().max(3600).default(15),
  /** Built web app to serve at / (default: the `web` folder of the server package, where the build puts it). */
  TRACKVAULT_WEB_ROOT: z.string().optional(),
  /**
   * Text messages to suppliers (docs/collection-point.md, "SMS"): off (the default: nothing is
   * queued), or the provider that sends them, with its credentials below.
   */
  TRACKVAULT_SMS_PROVIDER: z.enum(['off', 'africastalking', 'twilio']).default('off'),
  /** The provider API's base URL instead of its own (a sandbox, a test double). */
  TRACKVAULT_SMS_BASE_URL: baseUrlSchema,
  /** Sender: Africa's Talking's sender id or short code, Twilio's From number. */
  TRACKVAULT_SMS_FROM: secretish(),
  TRACKVAULT_AFRICASTALKING_USERNAME: secretish(),
  TRACKVAULT_AFRICASTALKING_API_KEY: secretish(),
  TRACKVAULT_TWILIO_ACCOUNT_SID: secretish(),
  TRACKVAULT_TWILIO_AUTH_TOKEN: secretish(),
  TRACKVAULT_TWILIO_MESSAGING_SERVICE_SID: secretish(),
  /** Retries: the first waits about this long, each next twice as long up to the cap, jittered. */
  TRACKVAULT_SMS_RETRY_BASE_MS: wholeNumber(30_000, 10, 3_600_000),
  TRACKVAULT_SMS_RETRY_MAX_MS: wholeNumber(3_600_000, 10, 86_400_000),
  /** Tries before a message is given up on (failed). */
  TRACKVAULT_SMS_MAX_ATTEMPTS: wholeNumber(10, 1, 100),
  /** How often the worker looks for due messages (a write that queues some wakes it at once). */
  TRACKVAULT_SMS_POLL_MS: wholeNumber(5_000, 10, 600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export type Config = z.output<typeof schema>

/**
 * Why the SQLite file `file` could not be written, or undefined: the file
 * must be writable if it exists, else its folder (created at start if
 * missing, so then the nearest existing folder above it) must take a new file.
 * Tried for real (a probe file), as permissions alone do not show a
 * read-only mount or a root-owned folder seen by root.
 */
export function dataFolderProblem(file: string): string | undefined {
  const path = resolve(file)
  try {
    if (existsSync(path)) {
      if (!statSync(path).isFile()) return `${path} is not a file`
      accessSync(path, constants.R_OK | constants.W_OK)
      return undefined
    }
    let folder = dirname(path)
    while (!existsSync(folder)) folder = dirname(folder)
    if (!statSync(folder).isDirectory()) return `${folder} is not a folder, so ${path} cannot be created`
    const probe = join(folder, `.trackvault-write-test-${process.pid}`)
    writeFileSync(probe, '')
    unlinkSync(probe)
    return undefined
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    return `the data folder of ${path} is not writable (${code}): create it and give the server's user write access`
  }
}

/**
 * Rules between variables: the admin variables come as a pair; the SMS
 * provider has its credentials; the SQLite file (when there is no
 * DATABASE_URL) can be written.
 */
function crossChecks(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = []
  const email = env.TRACKVAULT_ADMIN_EMAIL
  const password = env.TRACKVAULT_ADMIN_PASSWORD
  if ((email === undefined) !== (password === undefined)) {
    problems.push(
      `  ${email === undefined ? 'TRACKVAULT_ADMIN_EMAIL' : 'TRACKVAULT_ADMIN_PASSWORD'}: is missing; the first admin needs both TRACKVAULT_ADMIN_EMAIL and TRACKVAULT_ADMIN_PASSWORD`,
    )
  }
  problems.push(...smsChecks(env))
  const file = env.TRACKVAULT_DB ?? './data/trackvault.db'
  if (env.DATABASE_URL === undefined && file.trim() !== '') {
    const problem = dataFolderProblem(file.trim())
    if (problem) problems.push(`  TRACKVAULT_DB: ${problem}`)
  }
  return problems
}

/** The SMS provider chosen has what it needs to send. */
function smsChecks(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = []
  const need = (name: string, why: string) => {
    if (!env[name]?.trim()) problems.push(`  ${name}: is missing; ${why}`)
  }
  const provider = env.TRACKVAULT_SMS_PROVIDER
  if (provider === 'africastalking') {
    need('TRACKVAULT_AFRICASTALKING_USERNAME', "Africa's Talking needs the app's username (sandbox for its sandbox)")
    need('TRACKVAULT_AFRICASTALKING_API_KEY', "Africa's Talking needs the app's API key")
  }
  if (provider === 'twilio') {
    need('TRACKVAULT_TWILIO_ACCOUNT_SID', 'Twilio needs the account SID')
    need('TRACKVAULT_TWILIO_AUTH_TOKEN', "Twilio needs the account's auth token")
    if (!env.TRACKVAULT_SMS_FROM?.trim() && !env.TRACKVAULT_TWILIO_MESSAGING_SERVICE_SID?.trim()) {
      problems.push(
        '  TRACKVAULT_SMS_FROM: is missing; Twilio sends from a number (TRACKVAULT_SMS_FROM) or a messaging service (TRACKVAULT_TWILIO_MESSAGING_SERVICE_SID)',
      )
    }
  }
  const base = Number(env.TRACKVAULT_SMS_RETRY_BASE_MS ?? 30_000)
  const max = Number(env.TRACKVAULT_SMS_RETRY_MAX_MS ?? 3_600_000)
  if (Number.isInteger(base) && Number.isInteger(max) && max < base) {
    problems.push(`  TRACKVAULT_SMS_RETRY_MAX_MS: ${max} is below TRACKVAULT_SMS_RETRY_BASE_MS (${base})`)
  }
  return problems
}

/** Reads and validates the environment; throws one readable error listing every problem, one line each. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env)
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
  lines.push(...crossChecks(env))
  if (!parsed.success || lines.length > 0) throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  return parsed.data
}

/** Whether the configuration names a PostgreSQL database (else the SQLite file TRACKVAULT_DB). */
export const usesPostgres = (config: Pick<Config, 'DATABASE_URL'>) =>
  !!config.DATABASE_URL && /^postgres(ql)?:\/\//.test(config.DATABASE_URL)
