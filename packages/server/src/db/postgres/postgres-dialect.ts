/** PostgreSQL via pg: a pool, optional schema isolation, credentials kept out of logs. */
import {
  type DatabaseIntrospector,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely'
import pg from 'pg'

/**
 * The tables of the current schema, for the migrator. Kysely's own PostgreSQL introspector reads
 * every schema's columns through `pg_get_serial_sequence`, which fails when another schema is
 * dropped meanwhile (test files and simulation seeds drop theirs while others migrate).
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  // biome-ignore lint/suspicious/noExplicitAny: the introspector works on any schema
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<SchemaMetadata>`select current_schema() as name`.execute(this.db)
    return rows
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; is_view: boolean }>`
      select table_name as name, table_schema as schema, table_type = 'VIEW' as is_view
      from information_schema.tables where table_schema = current_schema()`.execute(this.db)
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.is_view, columns: [] }))
  }

  async getMetadata() {
    return { tables: await this.getTables() }
  }
}

class CurrentSchemaPostgresDialect extends PostgresDialect {
  // biome-ignore lint/suspicious/noExplicitAny: as in Kysely's Dialect interface
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db)
  }
}

export function openPostgres(url: string, schema?: string, poolSize = 10) {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Each connection works in its own schema when asked (tests run in parallel that way).
    options: schema ? `-c search_path=${schema}` : undefined,
  })
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  // Nor one dropped while checked out (PostgreSQL restarting between two statements of a
  // transaction): pg emits 'error' on that client, and with no listener the process dies. The
  // next statement on it fails as transient (503), and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => {}))
  const safe = new URL(url)
  safe.password = ''
  return {
    dialect: new CurrentSchemaPostgresDialect({ pool }),
    describe: `postgres:${safe.host}${safe.pathname}${schema ? `#${schema}` : ''}`,
    end: () => pool.end(),
    pool,
    max: poolSize,
  }
}
