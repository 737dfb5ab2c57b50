/**
 * Runs the migrations in this folder, in name order, on either dialect, and
 * says which are applied and pending. Safe when several processes start at
 * once: PostgreSQL runs them under Kysely's advisory lock in one
 * transaction; SQLite (where Kysely takes no lock) in one `BEGIN IMMEDIATE`
 * transaction, so the others wait for the writer and then find nothing to do.
 */
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
import * as m009 from './migrations/009-settings-and-receipts'
import * as m010 from './migrations/010-epoch'
import * as m011 from './migrations/011-waiting-operations-index'
import * as m012 from './migrations/012-settlement'
import * as m013 from './migrations/013-supplier-payout'
import * as m014 from './migrations/014-routes'
import * as m015 from './migrations/015-scope-pins'
import * as m016 from './migrations/016-collection-point'
import * as m017 from './migrations/017-notifications'
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
      '009-settings-and-receipts': m009,
      '010-epoch': m010,
      '011-waiting-operations-index': m011,
      '012-settlement': m012,
      '013-supplier-payout': m013,
      '014-routes': m014,
      '015-scope-pins': m015,
      '016-collection-point': m016,
      '017-notifications': m017,
    }
  }
}

/** The migrations of this version, in the order they run. */
export async function migrationNames(): Promise<string[]> {
  return Object.keys(await new StaticMigrationProvider().getMigrations()).sort()
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
  if (capsOf(db).dialect === 'sqlite') {
    return db.connection().execute(async (conn) => {
      await beginImmediate(conn)
      try {
        const applied = await runMigrator(conn, upTo)
        await sql`commit`.execute(conn)
        return applied
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => {})
        throw err
      }
    })
  }
  return runMigrator(db, upTo)
}

async function runMigrator(db: Kysely<Database>, upTo?: string): Promise<string[]> {
  const migrator = await migratorOf(db)
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

async function migratorOf(db: Kysely<Database>): Promise<Migrator> {
  return new Migrator({ db, provider: new StaticMigrationProvider(), migrationTableSchema: await migrationSchema(db) })
}

/** How long a SQLite migration waits for another process's migration to finish. */
const SQLITE_MIGRATION_WAIT_MS = 120_000

/** Takes SQLite's write lock, waiting (busy_timeout at a time) while another process holds it. */
async function beginImmediate(conn: Kysely<Database>): Promise<void> {
  const deadline = Date.now() + SQLITE_MIGRATION_WAIT_MS
  for (;;) {
    try {
      await sql`begin immediate`.execute(conn)
      return
    } catch (err) {
      if (!String((err as { code?: string }).code).startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err
    }
  }
}

export interface MigrationStatus {
  /** Applied migrations this version knows, oldest first, with when they ran. */
  applied: { name: string; executedAt: Date }[]
  /** Migrations this version would apply, in order. */
  pending: string[]
  /** Migrations recorded in the database that this version does not know (a newer version ran). */
  unknown: string[]
}

/** Which migrations are applied and pending. Reads only: creates nothing on an empty database. */
export async function migrationStatus(db: Kysely<Database>): Promise<MigrationStatus> {
  const migrator = await migratorOf(db)
  const known = await migrator.getMigrations()
  const applied = known.flatMap((m) => (m.executedAt ? [{ name: m.name, executedAt: m.executedAt }] : []))
  const pending = known.filter((m) => !m.executedAt).map((m) => m.name)
  const names = new Set(known.map((m) => m.name))
  // Kysely's bookkeeping table (not in the schema); missing on an empty database.
  // biome-ignore lint/suspicious/noExplicitAny: a table outside the typed schema
  const recorded: { name: string }[] = await (db as Kysely<any>)
    .selectFrom('kysely_migration')
    .select('name')
    .execute()
    .catch(() => [])
  return { applied, pending, unknown: recorded.map((r) => r.name).filter((n) => !names.has(n)) }
}
