/**
 * The context every write runs in: one database transaction, the acting
 * user and device, and the change-log entries collected so far. The entries
 * are written last (see change-log.ts) so that the change sequence follows
 * commit order.
 */
import type { ProductRate, Role } from '@trackvault/core'
import type { Kysely, Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { appendChanges, audienceOf, type PendingChange } from './change-log'
import { writeHistory } from './history'

/** The signed-in user a request or sync operation acts as. */
export interface Actor {
  id: string
  role: Role
  name: string
  deviceId: string | null
}

export interface WriteContext {
  trx: Transaction<Database>
  caps: DbCapabilities
  actor: Actor
  /** Change-log entries to append at commit; savepoint rollbacks truncate it. */
  changes: PendingChange[]
  /** Set when the write comes from a sync operation. */
  syncOperationId?: string
  /** One timestamp per transaction keeps a batch's rows consistent. */
  now: string
  /**
   * Lookups later operations of this write may reuse (see entity-service.ts).
   * Whoever rolls back to a savepoint drops it: a lookup made after the
   * savepoint may describe writes (or, on PostgreSQL, hold locks) that are gone.
   */
  memo?: WriteMemo
}

export interface WriteMemo {
  /** `type/id` of references found to exist and be live (users, suppliers, products). */
  live: Set<string>
  /** Active rates by `product_id/unit`, read (and on PostgreSQL share-locked) by pricing. */
  rates: Map<string, ProductRate[]>
}

/**
 * Undoes, in memory, what the operations since `mark` (a length of `ctx.changes`) queued: for the
 * caller that has just rolled their writes back (or found they wrote nothing).
 */
export function forgetSince(ctx: WriteContext, mark: number): void {
  ctx.changes.length = mark
  ctx.memo = undefined // lookups made since may describe undone writes (or, on PostgreSQL, released locks)
}

export function memoOf(ctx: WriteContext): WriteMemo {
  ctx.memo ??= { live: new Set(), rates: new Map() }
  return ctx.memo
}

export type WriteWork<T> = (ctx: WriteContext) => Promise<T>
export interface WriteOutcome<T> {
  result: T
  /** The last change seq the write logged, or null if it logged none. */
  lastSeq: number | null
  /**
   * Whose rows the write changed (owners, and owners before a move), or null if it changed a row
   * everyone reads (suppliers, products, rates). Live pokes go only to those it can concern.
   */
  audience: string[] | null
}

/** Runs `work` in the open transaction `trx` and appends its change-log entries after it. */
export async function writeIn<T>(
  trx: Transaction<Database>,
  caps: DbCapabilities,
  actor: Actor,
  work: WriteWork<T>,
): Promise<WriteOutcome<T>> {
  const ctx: WriteContext = { trx, caps, actor, changes: [], now: new Date().toISOString() }
  const result = await work(ctx)
  await writeHistory(trx, ctx.changes, ctx.now)
  const audience = audienceOf(ctx.changes)
  const notify = caps.notifyChannel ? { channel: caps.notifyChannel, audience } : undefined
  const lastSeq = await appendChanges(trx, ctx.changes, ctx.now, notify)
  return { result, lastSeq, audience }
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
): Promise<WriteOutcome<T>> {
  return db.transaction().execute((trx) => writeIn(trx, caps, actor, work))
}
