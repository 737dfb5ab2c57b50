/** PostgreSQL via pg: a pool, optional schema isolation, credentials kept out of logs. */
import { PostgresDialect } from 'kysely'
import pg from 'pg'

export function openPostgres(url: string, schema?: string, poolSize = 10) {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Each connection works in its own schema when asked (tests run in parallel that way).
    options: schema ? `-c search_path=${schema}` : undefined,
  })
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  const safe = new URL(url)
  safe.password = ''
  return {
    dialect: new PostgresDialect({ pool }),
    describe: `postgres:${safe.host}${safe.pathname}${schema ? `#${schema}` : ''}`,
    end: () => pool.end(),
    pool,
  }
}
