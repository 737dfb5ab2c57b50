/**
 * A settlement run written straight into the test database, computed by core's one rule
 * (`settleRun`, `lineFields`, `runTotalsFields`) from the rows stored, with change-log entries so
 * it syncs to the browser like any server write: the run detail, statement and print checks of
 * settlement.test.ts run before the settlement routes exist.
 *
 * TODO(lead): once POST /api/settlement-runs (and /approve) are on main, settlement.test.ts can
 * create its runs through them instead (the skipped tests there do) and this file can go.
 */
import {
  type EntityRows,
  type EntityType,
  lineFields,
  newId,
  ownerOf,
  runTotalsFields,
  type SettlementPeriod,
  settleRun,
} from '@trackvault/core'
import { runWrite, TABLES, toColumns, toWire } from '@trackvault/server/testing'
import type { WebHarness } from './harness'

export async function seedRun(
  h: WebHarness,
  opts: {
    period: SettlementPeriod
    reference: string
    status: 'draft' | 'approved'
    creator: string
    /** Periods taken as settled already: rows dated in them arrive late. */
    settled?: SettlementPeriod[]
  },
): Promise<{ runId: string; lineIds: Record<string, string> }> {
  const { db, caps } = h.db.handle
  const rows = async <T extends EntityType>(type: T) =>
    (
      await db
        .selectFrom(TABLES[type] as 'suppliers')
        .selectAll()
        .where('deleted_at', 'is', null)
        .execute()
    ).map((r) => toWire(type, r as never) as unknown as EntityRows[T])
  const [suppliers, collections, payments, deductions] = await Promise.all([
    rows('supplier'),
    rows('collection'),
    rows('payment'),
    rows('deduction'),
  ])
  // Up to the period's end: core includes the period's rows and the late ones, and leaves the rest out.
  const inPeriod = (date: string) => date <= opts.period.to_date
  const settled = settleRun(
    { period: opts.period, settled: opts.settled ?? [], floor: 0n },
    suppliers
      .map((s) => ({
        supplier_id: s.id,
        opening: 0n,
        collections: collections.filter((c) => c.supplier_id === s.id && inPeriod(c.collection_date)),
        payments: payments.filter((p) => p.supplier_id === s.id && inPeriod(p.payment_date)),
        deductions: deductions.filter((d) => d.supplier_id === s.id),
      }))
      .filter((s) => s.collections.length + s.payments.length > 0),
  )
  const extra: Record<string, Record<string, unknown>> = {}
  for (const c of collections) {
    extra[c.id] = { quantity: c.net_quantity, unit: c.unit, product_id: c.product_id, receipt_number: c.receipt_number }
  }
  for (const p of payments) extra[p.id] = { payment_type: p.payment_type }

  const now = new Date().toISOString()
  const synced = (id: string) => ({
    id,
    version: 1,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    created_by: opts.creator,
    updated_by: opts.creator,
    sync_metadata: null,
  })
  const run = {
    ...synced(newId()),
    period_from: opts.period.from_date,
    period_to: opts.period.to_date,
    status: opts.status,
    reference: opts.reference,
    floor: '0.00',
    notes: null,
    approved_by: opts.status === 'approved' ? h.users.manager.id : null,
    approved_at: opts.status === 'approved' ? now : null,
    ...runTotalsFields(settled.totals),
  }
  const lines = settled.lines.map((l) => ({
    ...synced(newId()),
    ...lineFields({ id: run.id, period_from: run.period_from, period_to: run.period_to, status: run.status }, l, extra),
  }))
  const actor = { id: opts.creator, role: 'finance' as const, name: 'seed', deviceId: null }
  await runWrite(db, caps, actor, async (ctx) => {
    const write = async (type: EntityType, row: Record<string, unknown>) => {
      await (ctx.trx as unknown as { insertInto(t: string): { values(v: unknown): { execute(): Promise<unknown> } } })
        .insertInto(TABLES[type])
        .values(toColumns(type, row as never, null))
        .execute()
      ctx.changes.push({
        entity_type: type,
        entity_id: row.id as string,
        version: 1,
        deleted: false,
        operation: 'create',
        data: JSON.stringify(row),
        user_id: opts.creator,
        device_id: null,
        sync_operation_id: null,
        owner_id: ownerOf(type, row) ?? null,
        previous_owner_id: null,
      })
    }
    await write('settlement_run', run)
    for (const line of lines) await write('settlement_line', line)
  })
  return { runId: run.id, lineIds: Object.fromEntries(lines.map((l) => [l.supplier_id, l.id])) }
}
