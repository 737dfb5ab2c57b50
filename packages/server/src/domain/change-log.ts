/**
 * The change log that pull reads, and why it never skips a change.
 *
 * A database sequence hands out numbers in call order, but transactions
 * commit in another order; a reader that saw seq 7 committed may later see
 * seq 5 commit and skip it. Here seq numbers come from one counter row that
 * each writing transaction increments as its LAST statement: the row lock
 * is held until commit, so a transaction that takes numbers after another
 * cannot commit before it. Seq order is commit order on PostgreSQL, and on
 * SQLite writers are serialised anyway. The lock is held only for the final
 * insert and the commit, so writers still overlap for all their other work.
 */
import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/schema'

export interface PendingChange {
  entity_type: string
  entity_id: string
  version: number
  deleted: boolean
}

/** Appends `changes` with consecutive seq numbers; returns the last seq, or null if none. */
export async function appendChanges(
  trx: Transaction<Database>,
  changes: PendingChange[],
  now: string,
  notifyChannel?: string,
): Promise<number | null> {
  if (changes.length === 0) return null
  const { value } = await trx
    .updateTable('counters')
    .set({ value: sql`value + ${changes.length}` })
    .where('name', '=', 'change_seq')
    .returning('value')
    .executeTakeFirstOrThrow()
  const last = Number(value)
  const first = last - changes.length + 1
  await trx
    .insertInto('change_log')
    .values(
      changes.map((c, i) => ({
        seq: first + i,
        entity_type: c.entity_type,
        entity_id: c.entity_id,
        version: c.version,
        deleted: c.deleted ? 1 : 0,
        created_at: now,
      })),
    )
    .execute()
  // Delivered at commit, to every server process LISTENing (live pokes across processes).
  if (notifyChannel) await sql`select pg_notify(${notifyChannel}, ${String(last)})`.execute(trx)
  return last
}
