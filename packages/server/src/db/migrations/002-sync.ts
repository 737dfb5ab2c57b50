/** Sync bookkeeping: every operation a device sent, and each device's last applied seq per user. */
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sync_operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('operation_type', 'text', (c) => c.notNull())
    .addColumn('base_version', 'integer')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('client_timestamp', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result_version', 'integer')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('conflict_data', 'text')
    .addColumn('resolution', 'text')
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addUniqueConstraint('sync_operations_device_local', ['device_id', 'local_id'])
    .execute()
  await db.schema
    .createIndex('sync_operations_device_user_status')
    .on('sync_operations')
    .columns(['device_id', 'user_id', 'status'])
    .execute()

  await db.schema
    .createTable('sync_devices')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_devices_pk', ['device_id', 'user_id'])
    .execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('sync_devices').execute()
  await db.schema.dropTable('sync_operations').execute()
}
