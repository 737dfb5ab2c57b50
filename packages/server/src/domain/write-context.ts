/**
 * The context every write runs in: one database transaction, the acting
 * user and device, and the change-log entries collected so far. The entries
 * are written last (see change-log.ts) so that the change sequence follows
 * commit order.
 */
import type { Kysely, Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { forgetMessagesSince, writeOutbox } from '../sms/outbox'
import { appendChanges, audienceOf } from './change-log'
import { writeHistory } from './history'
import { forgetReceiptsSince, returnUnusedReceipts } from './receipt-numbers'
import { resolveScopes } from './sync-scope'
import type { Actor, WriteContext, WriteMemo, WriteOutcome, WriteSetup, WriteWork } from './write-types'

export type { Actor, WriteContext, WriteMemo, WriteOutcome, WriteSetup, WriteWork } from './write-types'

/**
 * Undoes, in memory, what the operations since `mark` (a length of `ctx.changes`) queued: for the
 * caller that has just rolled their writes back (or found they wrote nothing).
 */
export function forgetSince(ctx: WriteContext, mark: number): void {
  ctx.changes.length = mark
  forgetMessagesSince(ctx, mark)
  forgetReceiptsSince(ctx, mark)
  ctx.memo = undefined // lookups made since may describe undone writes (or, on PostgreSQL, released locks)
}

export function memoOf(ctx: WriteContext): WriteMemo {
  ctx.memo ??= { live: new Set(), rates: new Map(), products: new Map() }
  return ctx.memo
}

/** A write that has run in its transaction, its change-log entries not yet appended. */
export interface WriteBody<T> {
  result: T
  ctx: WriteContext
  queuedMessages: number
}

/**
 * Runs `work` in the open transaction `trx`, then writes what it queued: the receipt numbers it did
 * not use go back, its text messages go to the outbox (sms/outbox.ts), its history rows are
 * inserted. Its change-log entries are left for `logWrites`.
 */
export async function writeBody<T>(
  trx: Transaction<Database>,
  caps: DbCapabilities,
  actor: Actor,
  work: WriteWork<T>,
  setup: WriteSetup = {},
): Promise<WriteBody<T>> {
  const ctx: WriteContext = { trx, caps, actor, changes: [], now: new Date().toISOString(), sms: setup.sms }
  const result = await work(ctx)
  await returnUnusedReceipts(ctx)
  const queuedMessages = ctx.messages?.length ? await writeOutbox(ctx) : 0
  await writeHistory(trx, ctx.changes, ctx.now)
  return { result, ctx, queuedMessages }
}

/**
 * Appends the change-log entries of `bodies` (writes that ran in `trx`, in that order) with one
 * take of the counter, as the transaction's last statements, and returns each write's outcome: its
 * last seq (its entries are consecutive) and whose rows it changed.
 */
export async function logWrites<T>(
  trx: Transaction<Database>,
  caps: DbCapabilities,
  bodies: WriteBody<T>[],
): Promise<WriteOutcome<T>[]> {
  const changes = bodies.length === 1 ? bodies[0].ctx.changes : bodies.flatMap((b) => b.ctx.changes)
  const audiences = bodies.map((b) => audienceOf(b.ctx.changes))
  const notify = caps.notifyChannel
    ? { channel: caps.notifyChannel, audience: bodies.length === 1 ? audiences[0] : audienceOf(changes) }
    : undefined
  const now = bodies[bodies.length - 1]?.ctx.now ?? new Date().toISOString()
  // The routes of the entries are read under the counter's lock: a supplier's move that commits
  // while these writes are under way is either before them in the log (and seen) or after them.
  const last = await appendChanges(trx, changes, now, notify, () => resolveScopes(trx, changes))
  let seq = last === null ? 0 : last - changes.length
  return bodies.map((b, i) => {
    seq += b.ctx.changes.length
    const lastSeq = b.ctx.changes.length > 0 ? seq : null
    return { result: b.result, lastSeq, audience: audiences[i], queuedMessages: b.queuedMessages }
  })
}

/** Runs `work` in the open transaction `trx` and appends its change-log entries after it. */
export async function writeIn<T>(
  trx: Transaction<Database>,
  caps: DbCapabilities,
  actor: Actor,
  work: WriteWork<T>,
  setup: WriteSetup = {},
): Promise<WriteOutcome<T>> {
  const [outcome] = await logWrites(trx, caps, [await writeBody(trx, caps, actor, work, setup)])
  return outcome
}

/**
 * Runs `work` in a transaction of its own and appends its change-log entries
 * just before commit. Returns what `work` returned, plus the new change cursor.
 */
export function runWrite<T>(
  db: Kysely<Database>,
  caps: DbCapabilities,
  actor: Actor,
  work: WriteWork<T>,
  setup: WriteSetup = {},
): Promise<WriteOutcome<T>> {
  return db.transaction().execute((trx) => writeIn(trx, caps, actor, work, setup))
}
