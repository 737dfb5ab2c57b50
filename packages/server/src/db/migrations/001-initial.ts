/**
 * The initial schema. Written with Kysely's schema builder only, using types
 * both SQLite and PostgreSQL understand, so one migration set serves both.
 */
import { type CreateTableBuilder, type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's types
type AnyDb = Kysely<any>

function synced<T extends string>(table: CreateTableBuilder<T, never>) {
  return table
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('device_id', 'text')
    .addColumn('sync_metadata', 'text')
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('auth_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('device_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute()

  await synced(db.schema.createTable('suppliers'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('address', 'text')
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('suppliers_code_live')
    .on('suppliers')
    .column('code')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute()

  await synced(db.schema.createTable('products'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('default_unit', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('products_code_live')
    .on('products')
    .column('code')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute()

  await synced(db.schema.createTable('product_rates'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('rate_minor', 'bigint', (c) => c.notNull())
    .addColumn('effective_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text')
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('product_rates_lookup')
    .on('product_rates')
    .columns(['product_id', 'unit', 'effective_date'])
    .execute()

  await synced(db.schema.createTable('collections'))
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('collection_date', 'text', (c) => c.notNull())
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('product_rate_id', 'text', (c) => c.notNull().references('product_rates.id'))
    .addColumn('rate_minor', 'bigint', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('collections_supplier_date')
    .on('collections')
    .columns(['supplier_id', 'collection_date'])
    .execute()
  await db.schema.createIndex('collections_user').on('collections').column('user_id').execute()

  await synced(db.schema.createTable('payments'))
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('payment_date', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('payment_type', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('reference_number', 'text')
    .addColumn('notes', 'text')
    .execute()
  await db.schema
    .createIndex('payments_supplier_date')
    .on('payments')
    .columns(['supplier_id', 'payment_date'])
    .execute()

  await db.schema
    .createTable('entity_history')
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('sync_operation_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('entity_history_pk', ['entity_type', 'entity_id', 'version'])
    .execute()

  await db.schema
    .createTable('change_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute()
  await db.insertInto('counters').values({ name: 'change_seq', value: 0 }).execute()
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'counters',
    'change_log',
    'entity_history',
    'payments',
    'collections',
    'product_rates',
    'products',
    'suppliers',
    'auth_tokens',
    'users',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
