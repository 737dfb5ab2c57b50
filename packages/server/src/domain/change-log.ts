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
 * insert and the commit (and, just before the insert, for reading the routes
 * the entries record: sync-scope.ts), so writers still overlap for all their
 * other work.
 */
import { encodeCursor } from '@trackvault/core'
import { type Kysely, sql, type Transaction } from 'kysely'
import { firstKeyed, insertRows, runKeyedSql } from '../db/compiled-statements'
import { notification } from '../db/postgres/notify-payload'
import type { Database } from '../db/schema'
import { currentEpoch } from './epoch'

/** One accepted change of a write: its history row and its change-log entry, written at the end. */
export interface PendingChange {
  entity_type: string
  entity_id: string
  version: number
  deleted: boolean
  operation: 'create' | 'update' | 'delete'
  /** The full new version of the row, as JSON. */
  data: string
  user_id: string | null
  device_id: string | null
  sync_operation_id: string | null
  /** Who owns the row at this version, and who did before if this change moved it (see migration 003). */
  owner_id: string | null
  previous_owner_id: string | null
  /** The route a collector's device holds the row for (sync-scope.ts), and the one before a move. */
  scope: string | null
  previous_scope: string | null
  /** The supplier a supplier-keyed change is about (pinned suppliers, sync-scope.ts). */
  scope_subject?: string
  /** A deduction's or settlement line's supplier, whose route is its scope (resolved under the counter's lock). */
  scope_supplier?: string
  previous_scope_supplier?: string
}

/** Rows per multi-row insert: well under SQLite's and PostgreSQL's bound-parameter limits. */
export const INSERT_CHUNK = 500

export function chunks<T>(items: T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Whose rows `changes` touch (owners, and owners before a move), or null if one of them is a row
 * everyone reads (suppliers, products, rates): live pokes go only to the streams it can concern.
 */
export function audienceOf(changes: PendingChange[]): string[] | null {
  const owners = new Set<string>()
  for (const c of changes) {
    if (c.owner_id === null) return null
    owners.add(c.owner_id)
    if (c.previous_owner_id !== null) owners.add(c.previous_owner_id)
  }
  return [...owners]
}

/**
 * The seq of the newest committed change: every change up to it has committed (seq order is commit
 * order), so it is where a pull may move a cursor to, and what a push that wrote nothing answers.
 */
export async function headSeq(db: Kysely<Database>): Promise<number> {
  const row = await firstKeyed(db, 'change-log:head', ['change_seq'], () =>
    db.selectFrom('counters').select('value').where('name', '=', 'change_seq'),
  )
  if (!row) throw new Error('no change_seq counter')
  return Number(row.value)
}

/** `headSeq` as a cursor (of the database's epoch). */
export async function headCursor(db: Kysely<Database>): Promise<string> {
  return encodeCursor(await headSeq(db), await currentEpoch(db))
}

/**
 * Appends `changes` with consecutive seq numbers; returns the last seq, or null if none.
 * `placed` runs once the numbers are taken, under the counter's lock: what it reads of other rows
 * is as they stand at this place in the log (no writer numbered later has committed, every one
 * numbered earlier has), so what it fills in of the entries (their routes) agrees with the log.
 */
export async function appendChanges(
  trx: Transaction<Database>,
  changes: PendingChange[],
  now: string,
  /** PostgreSQL: NOTIFY every server process of the new seq, and of whose rows changed (`audienceOf`). */
  notify?: { channel: string; audience: string[] | null },
  placed?: () => Promise<void>,
): Promise<number | null> {
  if (changes.length === 0) return null
  const counter = await firstKeyed(trx, 'change-log:take-seqs', [changes.length, 'change_seq'], () =>
    trx
      .updateTable('counters')
      .set({ value: sql`value + ${changes.length}` })
      .where('name', '=', 'change_seq')
      .returning('value'),
  )
  if (!counter) throw new Error('no change_seq counter')
  const { value } = counter
  await placed?.()
  const last = Number(value)
  const first = last - changes.length + 1
  const entries = changes.map((c, i) => ({
    seq: first + i,
    entity_type: c.entity_type,
    entity_id: c.entity_id,
    version: c.version,
    deleted: c.deleted ? 1 : 0,
    created_at: now,
    owner_id: c.owner_id,
    previous_owner_id: c.previous_owner_id,
    scope: c.scope,
    previous_scope: c.previous_scope,
    scope_subject: c.scope_subject ?? null,
  }))
  for (const part of chunks(entries)) await insertRows(trx, 'change_log', part)
  // Delivered at commit, to every server process LISTENing (live pokes across processes).
  if (notify) {
    const payload = notification(last, notify.audience)
    await runKeyedSql(
      trx,
      'change-log:notify',
      [notify.channel, payload],
      () => sql`select pg_notify(${notify.channel}, ${payload})`,
    )
  }
  return last
}
