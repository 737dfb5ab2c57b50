/** Configuration from the environment, validated once at start. */
import { z } from 'zod'

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
  /** Built web app to serve at / (default: apps/web/dist of this checkout). */
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
