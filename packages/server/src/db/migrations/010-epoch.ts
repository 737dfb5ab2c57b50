/**
 * The database's identity (its epoch): one row, made here with a random id and made again by
 * every restore from a backup (`trackvault restore`). Cursors and push answers carry it, so a
 * device can tell that the server no longer has what it once confirmed and heal it from its
 * journal (docs/sync-protocol.md, Epochs).
 */
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('server_identity')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('epoch', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('restored_at', 'text')
    .addColumn('restored_from', 'text')
    .execute()
  const epoch = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(-12) // 12 base-36 characters
  await db
    .insertInto('server_identity')
    .values({ id: 1, epoch, created_at: new Date().toISOString(), restored_at: null, restored_from: null })
    .execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('server_identity').execute()
}
