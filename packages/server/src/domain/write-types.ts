/**
 * The types of a write: who acts, the transaction they act in, what the write
 * queued so far. In a file of their own so that the modules a write runs
 * through (history, the change log, the domain service) depend on the types,
 * not on the module that runs writes (write-context.ts).
 */
import type { BusinessSettings, EntityRows, PricedProduct, ProductRate, Role } from '@trackvault/core'
import type { Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import type { PendingChange } from './change-log'

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
  /**
   * Text messages to suppliers are on (TRACKVAULT_SMS_PROVIDER): a collection created and a
   * settlement run approved queue theirs (sms/outbox.ts). Off: nothing is queued or read for them.
   */
  sms?: boolean
  /** The messages this write queued, written to the outbox when it ends; savepoint rollbacks drop theirs. */
  messages?: QueuedMessage[]
  /** How many more server receipt numbers the write expects to need (receipt-numbers.ts). */
  receiptDemand?: number
  /** The server receipt numbers the write has taken (receipt-numbers.ts). */
  receipts?: ReceiptBlock
}

/** What a write has taken from the counter; `at` is the length of the write's changes at the time. */
export interface ReceiptBlock {
  /** The next number to hand out. */
  next: number
  /** The counter's value: the last number taken. */
  last: number
  /** Each take of the counter: the last number before it (undone with the savepoint it was in). */
  takes: { at: number; lastBefore: number }[]
  /** Each number handed out, in order. */
  handed: { at: number; n: number }[]
}

/**
 * A text message a write queued: what it tells of, and `at`, the length of the write's changes
 * when it was queued (an undo to a shorter length drops it, with the change it tells of).
 */
export type QueuedMessage = { at: number } & (
  | { kind: 'collection_recorded'; collection: EntityRows['collection'] }
  | {
      kind: 'settlement_paid'
      run: { id: string; period_from: string; period_to: string }
      line: { supplier_id: string; payout: string }
    }
)

/** How writes are run: set once per app (plugins/database.ts). */
export interface WriteSetup {
  /** Queue text messages (WriteContext.sms). */
  sms?: boolean
}

export interface WriteMemo {
  /** `type/id` of references found to exist and be live (users, suppliers, products). */
  live: Set<string>
  /** Active rates by `product_id/unit`, read (and on PostgreSQL share-locked) by pricing. */
  rates: Map<string, ProductRate[]>
  /** How products are priced (mode and grades), by id, for the rules rates and collections keep with them. */
  products: Map<string, PricedProduct>
  /** The business's settings, once read. */
  settings?: BusinessSettings
  /** Collections' receipt numbers a pushed batch brings, each with the ids of the collections that carry it. */
  receipts?: Map<string, Set<string>>
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
  /** Text messages the write put in the outbox to send (the worker is woken for them). */
  queuedMessages: number
}
