/**
 * Settlement: deductions (synced, written by the office), settlement runs and
 * their lines (synced, written by the server only), and the items each
 * approved run settled: a collection or payment is settled by one run at most
 * (the unique index), so no approval can count it twice and an edit of a
 * settled record can be refused.
 */
import { type CreateTableBuilder, type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
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

const money = (name: string) => [name, 'bigint'] as const

export async function up(db: AnyDb): Promise<void> {
  await synced(db.schema.createTable('deductions'))
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('effective_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text')
    .addColumn(...money('amount_minor'))
    .addColumn(...money('rate_minor'))
    .addColumn('unit', 'text')
    .addColumn('product_id', 'text', (c) => c.references('products.id'))
    .addColumn('purpose', 'text')
    .addColumn(...money('principal_minor'))
    .addColumn(...money('instalment_minor'))
    .addColumn('notes', 'text')
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('deductions_supplier').on('deductions').column('supplier_id').execute()

  let runs = synced(db.schema.createTable('settlement_runs'))
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('approved_by', 'text', (c) => c.references('users.id'))
    .addColumn('approved_at', 'text')
    .addColumn('suppliers', 'integer', (c) => c.notNull())
    .addColumn('unpriced', 'integer', (c) => c.notNull())
    .addColumn('late', 'integer', (c) => c.notNull())
  for (const f of ['floor', 'gross', 'advances', 'deducted', 'net_payable', 'payout', 'carried_forward']) {
    runs = runs.addColumn(`${f}_minor`, 'bigint', (c) => c.notNull())
  }
  await runs.execute()
  await db.schema
    .createIndex('settlement_runs_reference')
    .on('settlement_runs')
    .column('reference')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute()

  let lines = synced(db.schema.createTable('settlement_lines'))
    .addColumn('run_id', 'text', (c) => c.notNull().references('settlement_runs.id'))
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('unpriced', 'integer', (c) => c.notNull())
    .addColumn('late', 'integer', (c) => c.notNull())
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addColumn('payout_status', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text', (c) => c.references('payments.id'))
    .addColumn('payout_note', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
  for (const f of [
    'opening',
    'gross',
    'advances',
    'available',
    'deducted',
    'net_payable',
    'payout',
    'carried_forward',
  ]) {
    lines = lines.addColumn(`${f}_minor`, 'bigint', (c) => c.notNull())
  }
  await lines.execute()
  await db.schema
    .createIndex('settlement_lines_run')
    .on('settlement_lines')
    .columns(['run_id', 'supplier_id'])
    .execute()
  await db.schema
    .createIndex('settlement_lines_supplier')
    .on('settlement_lines')
    .columns(['supplier_id', 'period_to'])
    .execute()

  await db.schema
    .createTable('settlement_items')
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('settlement_runs.id'))
    .addColumn('late', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('settlement_items_pk', ['entity_type', 'entity_id'])
    .execute()
  await db.schema.createIndex('settlement_items_run').on('settlement_items').column('run_id').execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('settlement_items').execute()
  await db.schema.dropTable('settlement_lines').execute()
  await db.schema.dropTable('settlement_runs').execute()
  await db.schema.dropTable('deductions').execute()
}
