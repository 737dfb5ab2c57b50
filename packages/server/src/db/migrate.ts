/** Runs the migrations in this folder, in name order, on either dialect. */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import { capsOf } from './database'
import * as m001 from './migrations/001-initial'
import * as m002 from './migrations/002-sync'
import * as m003 from './migrations/003-change-owner'
import * as m004 from './migrations/004-auth-token-kind'
import * as m005 from './migrations/005-ledger-per-user'
import * as m006 from './migrations/006-unpriced-collections'
import * as m007 from './migrations/007-net-weight'
import * as m008 from './migrations/008-grades-and-quality'
import * as m012 from './migrations/012-waiting-operations-index'
import type { Database } from './schema'

/** Static provider: migrations are imported, so bundlers and tsx see them. */
class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '001-initial': m001,
      '002-sync': m002,
      '003-change-owner': m003,
      '004-auth-token-kind': m004,
      '005-ledger-per-user': m005,
      '006-unpriced-collections': m006,
      '007-net-weight': m007,
      '008-grades-and-quality': m008,
      '012-waiting-operations-index': m012,
    }
  }
}

/**
 * The schema the migration bookkeeping lives in on PostgreSQL: the current
 * one (first on search_path). Without it Kysely looks for its tables in
 * every schema and, when another schema already has them, skips creating
 * them in ours.
 */
async function migrationSchema(db: Kysely<Database>): Promise<string | undefined> {
  if (capsOf(db).dialect !== 'postgres') return undefined
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
  return rows[0]?.schema ?? undefined
}

/**
 * Brings the schema to the newest version, or to `upTo` (tests of a migration start from the one
 * before it); throws if a migration fails.
 */
export async function migrateToLatest(db: Kysely<Database>, upTo?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(),
    migrationTableSchema: await migrationSchema(db),
  })
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
