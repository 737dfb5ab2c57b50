/**
 * The text-message outbox (docs/collection-point.md, "SMS"): one row per
 * message, written in the transaction of the collection or settlement
 * approval it tells of, sent later by the worker (sms/worker.ts). `message_id`
 * names the event (`collection:<id>`, `settlement:<run>:<supplier>`), unique,
 * so a write retried never queues a second. The worker's "due" query reads a
 * partial index of the rows still to send; the list (GET /api/notifications)
 * pages by id (UUIDv7: creation order), filtered by status or supplier.
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('supplier_id', 'text', (c) => c.notNull().references('suppliers.id'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('provider', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute()
  await db.schema
    .createIndex('notifications_due')
    .on('notifications')
    .column('next_attempt_at')
    .where(sql.ref('status'), 'in', ['pending', 'sending'])
    .execute()
  await db.schema.createIndex('notifications_status').on('notifications').columns(['status', 'id']).execute()
  await db.schema.createIndex('notifications_supplier').on('notifications').columns(['supplier_id', 'id']).execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('notifications').execute()
}
