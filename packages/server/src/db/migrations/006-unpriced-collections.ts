/**
 * A delivery is a fact: a collection with no rate in force is stored unpriced
 * (product_rate_id, rate_minor and total_minor null) and priced once a rate
 * covering it appears. SQLite cannot drop NOT NULL, so the table is rebuilt
 * (on both databases, one code path); nothing references collections.
 */
import { type CreateTableBuilder, type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

const COLUMNS = [
  'id',
  'version',
  'created_at',
  'updated_at',
  'deleted_at',
  'created_by',
  'updated_by',
  'device_id',
  'sync_metadata',
  'supplier_id',
  'product_id',
  'user_id',
  'collection_date',
  'quantity_milli',
  'unit',
  'notes',
  'product_rate_id',
  'rate_minor',
  'total_minor',
]

function collections<T extends string>(table: CreateTableBuilder<T, never>) {
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
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('collection_date', 'text', (c) => c.notNull())
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('product_rate_id', 'text', (c) => c.references('product_rates.id'))
    .addColumn('rate_minor', 'bigint')
    .addColumn('total_minor', 'bigint')
}

export async function up(db: AnyDb): Promise<void> {
  await collections(db.schema.createTable('collections_v2')).execute()
  const columns = sql.join(COLUMNS.map((c) => sql.ref(c)))
  await sql`insert into collections_v2 (${columns}) select ${columns} from collections`.execute(db)
  await db.schema.dropTable('collections').execute()
  await db.schema.alterTable('collections_v2').renameTo('collections').execute()
  await db.schema
    .createIndex('collections_supplier_date')
    .on('collections')
    .columns(['supplier_id', 'collection_date'])
    .execute()
  await db.schema.createIndex('collections_user').on('collections').column('user_id').execute()
  // The unpriced collections a new or corrected rate may price (a partial index: few rows qualify).
  await db.schema
    .createIndex('collections_unpriced')
    .on('collections')
    .columns(['product_id', 'unit', 'collection_date'])
    .where(sql.ref('total_minor'), 'is', null)
    .execute()
}

export async function down(): Promise<void> {
  throw new Error('006-unpriced-collections cannot be undone: restore the backup taken before the upgrade')
}
