/** Runs the migrations in this folder, in name order, on either dialect. */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely'
import * as m001 from './migrations/001-initial'
import type { Database } from './schema'

/** Static provider: migrations are imported, so bundlers and tsx see them. */
class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '001-initial': m001 }
  }
}

/** Brings the schema to the newest version; throws if a migration fails. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
