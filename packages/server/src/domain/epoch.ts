/**
 * The database's identity (its epoch, migration 010). A restore from a backup gives the database a
 * new one (`markRestored`), so every cursor and push answer of the restored server names another
 * epoch than the devices hold, and they heal it from their journals (docs/sync-protocol.md, Epochs).
 *
 * A server process reads the epoch once and keeps it: a restore is done with every server process
 * stopped (`trackvault restore` refuses while one serves a SQLite file; docs/deploy.md for PostgreSQL).
 */
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'

const known = new WeakMap<object, Promise<string>>()

/** A new random epoch: 12 base-36 characters. */
export function newEpoch(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(-12)
}

/** The epoch stored in the database (read once per database handle). */
export function currentEpoch(db: Kysely<Database>): Promise<string> {
  let epoch = known.get(db)
  if (!epoch) {
    epoch = readEpoch(db)
    epoch.catch(() => known.delete(db)) // not migrated yet: ask again next time
    known.set(db, epoch)
  }
  return epoch
}

async function readEpoch(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('server_identity').select('epoch').where('id', '=', 1).executeTakeFirstOrThrow()
  return row.epoch
}

/** Gives the database a new epoch: it was restored from a backup (`from` names it). Returns the epoch. */
export async function markRestored(db: Kysely<Database>, from: string | null): Promise<string> {
  const epoch = newEpoch()
  await db
    .updateTable('server_identity')
    .set({ epoch, restored_at: new Date().toISOString(), restored_from: from })
    .where('id', '=', 1)
    .execute()
  known.delete(db)
  return epoch
}
