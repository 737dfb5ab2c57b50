/**
 * The business's settings (one JSON document), receipt numbers (a prefix per
 * device and user, made unique here; the device counts its own collections),
 * the confirmation of unusually large quantities and payments, and the record
 * of each repricing of a period.
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute()
  await db.schema
    .createTable('receipt_prefixes')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('prefix', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('receipt_prefixes_pk', ['device_id', 'user_id'])
    .execute()
  await db.insertInto('counters').values({ name: 'receipt_prefix', value: 0 }).execute()
  await db.insertInto('counters').values({ name: 'receipt_server', value: 0 }).execute()
  await db.schema.alterTable('collections').addColumn('receipt_number', 'text').execute()
  await db.schema
    .alterTable('collections')
    .addColumn('confirmed_large', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('payments')
    .addColumn('confirmed_large', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createIndex('collections_receipt_number')
    .on('collections')
    .column('receipt_number')
    .unique()
    .where(sql.ref('receipt_number'), 'is not', null)
    .execute()
  await db.schema
    .createTable('reprices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('date_from', 'text', (c) => c.notNull())
    .addColumn('date_to', 'text', (c) => c.notNull())
    .addColumn('unit', 'text')
    .addColumn('grade', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    .addColumn('total_before_minor', 'bigint', (c) => c.notNull())
    .addColumn('total_after_minor', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('reprices').execute()
  await db.schema.dropIndex('collections_receipt_number').execute()
  await db.schema.alterTable('payments').dropColumn('confirmed_large').execute()
  await db.schema.alterTable('collections').dropColumn('confirmed_large').execute()
  await db.schema.alterTable('collections').dropColumn('receipt_number').execute()
  await db.deleteFrom('counters').where('name', 'in', ['receipt_prefix', 'receipt_server']).execute()
  await db.schema.dropTable('receipt_prefixes').execute()
  await db.schema.dropTable('settings').execute()
}
