/**
 * The owner of each logged change (collections and payments: user_id), and
 * the owner before it when a change moved the row to someone else. Pull
 * filters a collector's changes with them in SQL instead of reading every
 * other collector's rows. Entries logged before this migration have neither
 * and are filtered the old way.
 */
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('change_log').addColumn('owner_id', 'text').execute()
  await db.schema.alterTable('change_log').addColumn('previous_owner_id', 'text').execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('change_log').dropColumn('previous_owner_id').execute()
  await db.schema.alterTable('change_log').dropColumn('owner_id').execute()
}
