/**
 * The write side of the text-message outbox (docs/collection-point.md, "SMS"). A write that records
 * something a supplier is told of queues the message on its context (`queueMessage`: nothing at all
 * when SMS is off); when the write ends, in its transaction, `writeOutbox` turns what is queued into
 * outbox rows: one read of the suppliers (phone, opted out, language) and products named, one
 * multi-row insert. So a message exists exactly when what it tells of committed, and a message id
 * already in the outbox (a write retried) is left as it is (`ON CONFLICT DO NOTHING`).
 *
 * No row for a supplier who opted out or has no phone; a phone not written internationally is
 * stored `skipped` with the reason, so the office sees whom to fix (GET /api/notifications).
 */
import {
  collectionMessageId,
  type MessageFacts,
  messageLanguage,
  newId,
  renderMessage,
  settlementMessageId,
  smsNumber,
} from '@trackvault/core'
import type { Insertable } from 'kysely'
import type { NotificationsTable } from '../db/schema'
import { chunks } from '../domain/change-log'
import { loadSettings } from '../domain/settings'
import type { QueuedMessage, WriteContext } from '../domain/write-types'

type Queued = QueuedMessage extends infer Q ? (Q extends unknown ? Omit<Q, 'at'> : never) : never

/** The outbox row statuses: to send, being sent (leased), sent, given up on, not sendable. */
export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'failed', 'skipped'] as const
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number]

/** Why a message is `skipped`. */
export const NOT_INTERNATIONAL = 'the phone number is not in international format (+<country code><number>)'

/** Queues a message of this write (when SMS is on); written to the outbox when the write ends. */
export function queueMessage(ctx: WriteContext, message: Queued): void {
  if (!ctx.sms) return
  ctx.messages ??= []
  ctx.messages.push({ ...message, at: ctx.changes.length } as QueuedMessage)
}

/** Drops the messages queued after `mark` (a length of the write's changes): their operations were undone. */
export function forgetMessagesSince(ctx: WriteContext, mark: number): void {
  if (ctx.messages) ctx.messages = ctx.messages.filter((m) => m.at <= mark)
}

/**
 * Writes the queued messages to the outbox, in the write's transaction. Returns how many are
 * waiting to be sent (the worker is woken for them after commit).
 */
export async function writeOutbox(ctx: WriteContext): Promise<number> {
  const queued = ctx.messages ?? []
  ctx.messages = []
  if (queued.length === 0) return 0
  const { trx } = ctx
  const settings = ctx.memo?.settings ?? (await loadSettings(trx))
  const supplierIds = [...new Set(queued.map(supplierOf))]
  const suppliers = new Map<string, { phone: string | null; sms_opt_out: number; language: string | null }>()
  for (const part of chunks(supplierIds)) {
    const rows = await trx
      .selectFrom('suppliers')
      .select(['id', 'phone', 'sms_opt_out', 'language'])
      .where('id', 'in', part)
      .execute()
    for (const r of rows) suppliers.set(r.id, r)
  }
  const productIds = [
    ...new Set(queued.flatMap((m) => (m.kind === 'collection_recorded' ? [m.collection.product_id] : []))),
  ]
  const products = new Map<string, string>()
  for (const part of chunks(productIds)) {
    const rows = await trx.selectFrom('products').select(['id', 'name']).where('id', 'in', part).execute()
    for (const r of rows) products.set(r.id, r.name)
  }

  const rows: Insertable<NotificationsTable>[] = []
  for (const message of queued) {
    const supplier = suppliers.get(supplierOf(message))
    if (!supplier?.phone?.trim() || supplier.sms_opt_out) continue
    const language = messageLanguage(supplier.language, settings.locale)
    const { id, facts } = factsOf(message, products)
    const recipient = smsNumber(supplier.phone)
    rows.push({
      id: newId(),
      message_id: id,
      kind: facts.kind,
      supplier_id: supplierOf(message),
      recipient: recipient ?? supplier.phone.trim(),
      language,
      body: renderMessage(facts, language, settings),
      status: recipient ? 'pending' : 'skipped',
      attempts: 0,
      next_attempt_at: ctx.now,
      last_error: recipient ? null : NOT_INTERNATIONAL,
      created_at: ctx.now,
    })
  }
  for (const part of chunks(rows, 200)) {
    await trx
      .insertInto('notifications')
      .values(part)
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute()
  }
  return rows.filter((r) => r.status === 'pending').length
}

function supplierOf(message: Queued): string {
  return message.kind === 'collection_recorded' ? message.collection.supplier_id : message.line.supplier_id
}

function factsOf(message: Queued, products: Map<string, string>): { id: string; facts: MessageFacts } {
  if (message.kind === 'collection_recorded') {
    const c = message.collection
    return {
      id: collectionMessageId(c.id),
      facts: {
        kind: 'collection_recorded',
        receipt_number: c.receipt_number ?? '',
        collection_date: c.collection_date,
        product: products.get(c.product_id) ?? '',
        net_quantity: c.net_quantity,
        unit: c.unit,
        amount: c.total_amount,
      },
    }
  }
  return {
    id: settlementMessageId(message.run.id, message.line.supplier_id),
    facts: {
      kind: 'settlement_paid',
      period_from: message.run.period_from,
      period_to: message.run.period_to,
      payout: message.line.payout,
    },
  }
}
