/** Configuration from the environment, validated once at start. */
import { isIP } from 'node:net'
import { z } from 'zod'

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

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().optional(),
  /** PostgreSQL schema to work in (default: the connection's search_path). */
  TRACKVAULT_PG_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  TRACKVAULT_DB: z.string().default('./data/trackvault.db'),
  TRACKVAULT_DEMO: z.enum(['0', '1']).default('0'),
  TRACKVAULT_ADMIN_EMAIL: z.email().optional(),
  TRACKVAULT_ADMIN_PASSWORD: z.string().min(8).optional(),
  TRACKVAULT_TOKEN_TTL_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 30),
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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export type Config = z.output<typeof schema>

/** Reads and validates the environment; throws a readable error for bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return parsed.data
}
