/**
 * The exactly-once key becomes (device_id, local_id, user_id): device ids are
 * claimed by clients, so a key without the user let one user record operations
 * under another's device id and local ids ahead of them, and the other's real
 * operations were then refused as replays (issue 11). Each operation also keeps
 * a fingerprint of what was sent, so a replay of the same operation by another
 * user of a shared phone is still recognised (sync/push.ts).
 *
 * Device ids are no longer part of a row on the wire (only admins and managers
 * see them, in history): the copies stored inside row JSON are removed.
 *
 * SQLite cannot drop a table constraint, so the ledger is rebuilt (on both
 * databases, one code path).
 */
import { type Kysely, sql } from 'kysely'
import { capsOf } from '../database'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

const LEDGER_COLUMNS = [
  'id',
  'device_id',
  'local_id',
  'user_id',
  'seq',
  'entity_type',
  'entity_id',
  'operation_type',
  'base_version',
  'payload',
  'client_timestamp',
  'status',
  'result_version',
  'error_code',
  'error_message',
  'conflict_data',
  'resolution',
  'attempted_at',
  'completed_at',
]

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sync_operations_v2')
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
    .addColumn('fingerprint', 'text')
    // local_id before user_id: a push looks its local ids up for every user of the device at once.
    .addUniqueConstraint('sync_operations_device_local_user', ['device_id', 'local_id', 'user_id'])
    .execute()
  const columns = sql.join(LEDGER_COLUMNS.map((c) => sql.ref(c)))
  await sql`insert into sync_operations_v2 (${columns}) select ${columns} from sync_operations`.execute(db)
  await db.schema.dropTable('sync_operations').execute()
  await db.schema.alterTable('sync_operations_v2').renameTo('sync_operations').execute()
  await db.schema
    .createIndex('sync_operations_device_user_status')
    .on('sync_operations')
    .columns(['device_id', 'user_id', 'status'])
    .execute()

  // Device ids inside stored row JSON: the row itself and a resolution's note.
  const tables = ['suppliers', 'products', 'product_rates', 'collections', 'payments']
  if (capsOf(db).jsonFunctions === 'postgres') {
    await sql`update entity_history set data = ((data::jsonb - 'device_id') #- '{sync_metadata,resolved,device_id}')::text`.execute(
      db,
    )
    for (const t of tables) {
      await sql`update ${sql.table(t)} set sync_metadata = (sync_metadata::jsonb #- '{resolved,device_id}')::text where sync_metadata is not null`.execute(
        db,
      )
    }
    await sql`update sync_operations set conflict_data = ((conflict_data::jsonb #- '{server,device_id}') #- '{base,device_id}')::text where conflict_data is not null`.execute(
      db,
    )
  } else {
    await sql`update entity_history set data = json_remove(data, '$.device_id', '$.sync_metadata.resolved.device_id')`.execute(
      db,
    )
    for (const t of tables) {
      await sql`update ${sql.table(t)} set sync_metadata = json_remove(sync_metadata, '$.resolved.device_id') where sync_metadata is not null`.execute(
        db,
      )
    }
    await sql`update sync_operations set conflict_data = json_remove(conflict_data, '$.server.device_id', '$.base.device_id') where conflict_data is not null`.execute(
      db,
    )
  }
}

export async function down(): Promise<void> {
  throw new Error('005-ledger-per-user cannot be undone: restore the backup taken before the upgrade')
}
