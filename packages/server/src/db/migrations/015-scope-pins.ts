/**
 * Directory lookups: a collector meeting a supplier of another route looks it
 * up online and adds it to its device (`scope_pins`, one row per user and
 * supplier). The change log records the supplier each supplier-keyed entry is
 * about (`scope_subject`), so a pull sends a pinned supplier's changes too.
 */
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('scope_pins')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scope_pins_pk', ['user_id', 'supplier_id'])
    .execute()
  await db.schema.alterTable('change_log').addColumn('scope_subject', 'text').execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('change_log').dropColumn('scope_subject').execute()
  await db.schema.dropTable('scope_pins').execute()
}
