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

/**
 * Runs `work` in the open transaction `trx` and appends its change-log entries after it (and
 * before them, the text messages it queued: sms/outbox.ts).
 */
export async function writeIn<T>(
  trx: Transaction<Database>,
  caps: DbCapabilities,
  actor: Actor,
  work: WriteWork<T>,
  setup: WriteSetup = {},
): Promise<WriteOutcome<T>> {
  const ctx: WriteContext = { trx, caps, actor, changes: [], now: new Date().toISOString(), sms: setup.sms }
  const result = await work(ctx)
  await returnUnusedReceipts(ctx)
  const queuedMessages = ctx.messages?.length ? await writeOutbox(ctx) : 0
  await writeHistory(trx, ctx.changes, ctx.now)
  const audience = audienceOf(ctx.changes)
  const notify = caps.notifyChannel ? { channel: caps.notifyChannel, audience } : undefined
  // The routes of the entries are read under the counter's lock: a supplier's move that commits
  // while this write is under way is either before it in the log (and seen) or after it.
  const lastSeq = await appendChanges(trx, ctx.changes, ctx.now, notify, () => resolveScopes(trx, ctx.changes))
  return { result, lastSeq, audience, queuedMessages }
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
