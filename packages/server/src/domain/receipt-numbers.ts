/**
 * The receipt numbers the server gives collections that arrive without one (REST, the original
 * app): `S-<n>` from the `receipt_server` counter, with no gaps among committed collections.
 *
 * A write that will number several collections (a batch of the original app's operations) says so
 * first (`expectReceipts`), and the first number it needs takes them all with one counter statement
 * instead of one statement per collection. The counter row stays locked by the write from then on
 * (PostgreSQL's row lock; SQLite has one writer), so the numbers it takes later follow on. Numbers
 * handed to an operation that is undone are handed out again, a block taken in an undone savepoint
 * is forgotten (the database undid it too), and what is left unused when the write ends goes back
 * to the counter (`returnUnusedReceipts`), so the committed numbers stay consecutive.
 */
import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/schema'
import type { WriteContext } from './write-types'

const COUNTER = 'receipt_server'

/** The write will number up to `count` more collections (an upper bound: the rest is returned). */
export function expectReceipts(ctx: WriteContext, count: number): void {
  ctx.receiptDemand = count
}

/** The next server receipt number for a collection of this write. */
export async function nextServerReceipt(ctx: WriteContext): Promise<string> {
  const at = ctx.changes.length
  let block = ctx.receipts
  if (!block || block.next > block.last) {
    const size = Math.max(1, ctx.receiptDemand ?? 1)
    const last = await takeFromCounter(ctx.trx, size)
    const lastBefore = last - size
    // Nobody else can take from the counter while this write holds it: a new take follows on.
    block ??= { next: lastBefore + 1, last: lastBefore, takes: [], handed: [] }
    block.takes.push({ at, lastBefore })
    block.last = last
    ctx.receipts = block
  }
  const n = block.next
  block.next += 1
  block.handed.push({ at, n })
  if (ctx.receiptDemand !== undefined) ctx.receiptDemand = Math.max(0, ctx.receiptDemand - 1)
  return `S-${n}`
}

/** Undoes, in memory, what operations since `mark` (a length of the write's changes) took and were handed. */
export function forgetReceiptsSince(ctx: WriteContext, mark: number): void {
  const block = ctx.receipts
  if (!block) return
  while (block.handed.length > 0 && block.handed[block.handed.length - 1].at >= mark) {
    const handed = block.handed.pop() as { n: number }
    block.next = handed.n
    if (ctx.receiptDemand !== undefined) ctx.receiptDemand += 1
  }
  while (block.takes.length > 0 && block.takes[block.takes.length - 1].at >= mark) {
    block.last = (block.takes.pop() as { lastBefore: number }).lastBefore
  }
  if (block.takes.length === 0) ctx.receipts = undefined
}

/** Gives back to the counter the numbers the write took and did not hand out (before it commits). */
export async function returnUnusedReceipts(ctx: WriteContext): Promise<void> {
  const block = ctx.receipts
  ctx.receipts = undefined
  if (!block || block.next > block.last) return
  await ctx.trx
    .updateTable('counters')
    .set({ value: block.next - 1 })
    .where('name', '=', COUNTER)
    .execute()
}

async function takeFromCounter(trx: Transaction<Database>, count: number): Promise<number> {
  const { value } = await trx
    .updateTable('counters')
    .set({ value: sql`value + ${count}` })
    .where('name', '=', COUNTER)
    .returning('value')
    .executeTakeFirstOrThrow()
  return Number(value)
}
