/**
 * What a settlement run reads, set-based: one query per kind of row for the whole run (never one
 * per supplier or per item). The rows no approved run has settled (`settlement_items`), each
 * supplier's deductions, where each supplier's last approved line left it (core `carriedFrom`),
 * and the periods approved runs settled for each supplier (rows dated in them arrive late): those
 * of the runs that included it, and of the runs over every supplier with something to settle (a
 * supplier without a line in one had nothing to settle then; a delivery of then that syncs later
 * is a late item of its next run, never left out).
 */
import {
  carriedFrom,
  formatDecimal,
  type LineItem,
  MONEY_SCALE,
  QUANTITY_SCALE,
  type SettlementCollection,
  type SettlementDeduction,
  type SettlementLineRow,
  type SettlementPayment,
  type SettlementPeriod,
  type SupplierSettlementInput,
} from '@trackvault/core'
import type { Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { toWire } from './mappers'

type Trx = Transaction<Database>

/** Above this many suppliers named, the reads are not filtered in SQL (an IN list that long) but in memory. */
const IN_LIMIT = 500

export interface RunInputs {
  /** The suppliers the run covers, in a stable order (given, or every one with something to settle). */
  suppliers: string[]
  /** Per supplier: the input of core's settleSupplier (without pay_at_most). */
  inputs: Map<string, SupplierSettlementInput>
  /** Per supplier: the periods of approved runs that included it, and of approved runs over every supplier. */
  settled: Map<string, SettlementPeriod[]>
  /** What a statement shows of each item beyond its amount, by id. */
  extra: Record<string, Partial<LineItem>>
  /** Named suppliers that do not exist or are deleted. */
  missing: string[]
}

const money = (v: unknown) => formatDecimal(BigInt(v as string | number | bigint), MONEY_SCALE)

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const r of rows) {
    const k = key(r)
    const list = out.get(k)
    if (list) list.push(r)
    else out.set(k, [r])
  }
  return out
}

/**
 * Reads the inputs of a run over `period` for `supplierIds` (every live supplier with something to
 * settle when undefined: a collection or payment not yet settled, a deduction in force, or a
 * carried balance or arrears).
 */
export async function loadRunInputs(
  trx: Trx,
  period: SettlementPeriod,
  supplierIds?: readonly string[],
  /**
   * Approval, on PostgreSQL: share-lock the priced collections and the payments read (what approval
   * settles) until commit, so an edit waits and then finds them settled, or commits first and makes
   * the run stale. Unpriced ones are not settled, so not locked (a rate's pricing skips locked rows).
   */
  lock?: Pick<DbCapabilities, 'rowLocks'>,
): Promise<RunInputs> {
  const named = supplierIds ? new Set(supplierIds) : undefined
  const inSql = supplierIds && supplierIds.length <= IN_LIMIT ? [...supplierIds] : undefined
  const wanted = (id: string) => !named || named.has(id)

  let cq = trx
    .selectFrom('collections as c')
    .select([
      'c.id',
      'c.supplier_id',
      'c.collection_date',
      'c.product_id',
      'c.unit',
      'c.net_milli',
      'c.total_minor',
      'c.receipt_number',
    ])
    .where('c.deleted_at', 'is', null)
    .where('c.collection_date', '<=', period.to_date)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('settlement_items as i')
            .select('i.entity_id')
            .where('i.entity_type', '=', 'collection')
            .whereRef('i.entity_id', '=', 'c.id'),
        ),
      ),
    )
  let pq = trx
    .selectFrom('payments as p')
    .select(['p.id', 'p.supplier_id', 'p.payment_date', 'p.amount_minor', 'p.payment_type'])
    .where('p.deleted_at', 'is', null)
    .where('p.payment_date', '<=', period.to_date)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('settlement_items as i')
            .select('i.entity_id')
            .where('i.entity_type', '=', 'payment')
            .whereRef('i.entity_id', '=', 'p.id'),
        ),
      ),
    )
  let dq = trx
    .selectFrom('deductions')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('is_active', '=', 1)
    .where('effective_date', '<=', period.to_date)
  // Each supplier's last approved line: no approved line of the supplier ends later.
  let lq = trx
    .selectFrom('settlement_lines as l')
    .select(['l.supplier_id', 'l.carried_forward_minor', 'l.payout_minor', 'l.payout_status', 'l.detail'])
    .where('l.status', '=', 'approved')
    .where('l.deleted_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('settlement_lines as l2')
            .select('l2.id')
            .whereRef('l2.supplier_id', '=', 'l.supplier_id')
            .where('l2.status', '=', 'approved')
            .where('l2.deleted_at', 'is', null)
            .whereRef('l2.period_to', '>', 'l.period_to'),
        ),
      ),
    )
  let sq = trx
    .selectFrom('settlement_lines')
    .select(['supplier_id', 'period_from', 'period_to'])
    .where('status', '=', 'approved')
    .where('deleted_at', 'is', null)
  // A run over every supplier with something to settle settles its period for all (one without a line had nothing).
  const wholeRuns = (
    await trx
      .selectFrom('settlement_runs')
      .select(['period_from', 'period_to', 'sync_metadata'])
      .where('status', '=', 'approved')
      .where('deleted_at', 'is', null)
      .execute()
  ).filter((r) => r.sync_metadata && JSON.parse(r.sync_metadata)?.settlement?.all_suppliers === true)
  let vq = trx.selectFrom('suppliers').select('id').where('deleted_at', 'is', null)
  if (inSql) {
    cq = cq.where('c.supplier_id', 'in', inSql)
    pq = pq.where('p.supplier_id', 'in', inSql)
    dq = dq.where('supplier_id', 'in', inSql)
    lq = lq.where('l.supplier_id', 'in', inSql)
    sq = sq.where('supplier_id', 'in', inSql)
    vq = vq.where('id', 'in', inSql)
  }
  // One transaction, one connection: the reads run one after the other.
  const shared = Boolean(lock?.rowLocks)
  const collections = (
    shared
      ? [
          ...(await cq.where('c.total_minor', 'is not', null).forShare().execute()),
          ...(await cq.where('c.total_minor', 'is', null).execute()),
        ]
      : await cq.execute()
  ).filter((r) => wanted(r.supplier_id))
  const payments = (await (shared ? pq.forShare() : pq).execute()).filter((r) => wanted(r.supplier_id))
  // One order, whatever the plan: a draft and its approval list the same items alike.
  collections.sort(
    (x, y) => x.collection_date.localeCompare(y.collection_date) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  )
  payments.sort((x, y) => x.payment_date.localeCompare(y.payment_date) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  const deductions = (await dq.execute()).filter((r) => wanted(r.supplier_id))
  const lastLines = (await lq.execute()).filter((r) => wanted(r.supplier_id))
  const settledRows = (await sq.execute()).filter((r) => wanted(r.supplier_id))
  const live = new Set((await vq.execute()).map((r) => r.id))

  const extra: Record<string, Partial<LineItem>> = {}
  const byCollections = groupBy(collections, (r) => r.supplier_id)
  const byPayments = groupBy(payments, (r) => r.supplier_id)
  const byDeductions = groupBy(deductions, (r) => r.supplier_id)
  const last = new Map(lastLines.map((l) => [l.supplier_id, l]))
  const settled = new Map<string, SettlementPeriod[]>()
  for (const r of settledRows) {
    const list = settled.get(r.supplier_id) ?? []
    list.push({ from_date: r.period_from, to_date: r.period_to })
    settled.set(r.supplier_id, list)
  }

  const everyone = wholeRuns.map((r) => ({ from_date: r.period_from, to_date: r.period_to }))
  const settledOf = (id: string) => [...(settled.get(id) ?? []), ...everyone]

  let suppliers: string[]
  if (supplierIds) suppliers = [...new Set(supplierIds)]
  else {
    const candidates = new Set<string>([...byCollections.keys(), ...byPayments.keys(), ...byDeductions.keys()])
    for (const l of lastLines) {
      const state = carriedFrom(lineDoc(l))
      if (state.opening !== 0n || Object.values(state.deduction_state).some((s) => s.carried !== 0n)) {
        candidates.add(l.supplier_id)
      }
    }
    suppliers = [...candidates].filter((id) => live.has(id)).sort()
  }
  const missing = suppliers.filter((id) => !live.has(id))

  const inputs = new Map<string, SupplierSettlementInput>()
  for (const id of suppliers) {
    const prev = last.get(id)
    const from = prev ? carriedFrom(lineDoc(prev)) : { opening: 0n, deduction_state: {} }
    inputs.set(id, {
      supplier_id: id,
      opening: from.opening,
      deduction_state: from.deduction_state,
      collections: (byCollections.get(id) ?? []).map((c): SettlementCollection => {
        extra[c.id] = {
          quantity: formatDecimal(BigInt(c.net_milli), QUANTITY_SCALE),
          unit: c.unit,
          product_id: c.product_id,
          receipt_number: c.receipt_number,
        }
        return {
          id: c.id,
          collection_date: c.collection_date,
          product_id: c.product_id,
          unit: c.unit,
          net_quantity: formatDecimal(BigInt(c.net_milli), QUANTITY_SCALE),
          total_amount: c.total_minor === null ? null : money(c.total_minor),
        }
      }),
      payments: (byPayments.get(id) ?? []).map((p): SettlementPayment => {
        extra[p.id] = { payment_type: p.payment_type }
        return { id: p.id, payment_date: p.payment_date, amount: money(p.amount_minor) }
      }),
      deductions: (byDeductions.get(id) ?? []).map(
        (d) => toWire('deduction', d as never) as unknown as SettlementDeduction,
      ),
    })
  }
  return { suppliers, inputs, settled: new Map(suppliers.map((id) => [id, settledOf(id)])), extra, missing }
}

/** The fields of a stored line `carriedFrom` reads. */
function lineDoc(l: {
  carried_forward_minor: unknown
  payout_minor: unknown
  payout_status: string
  detail: string
}): Pick<SettlementLineRow, 'carried_forward' | 'detail' | 'payout' | 'payout_status'> {
  return {
    carried_forward: money(l.carried_forward_minor),
    payout: money(l.payout_minor),
    payout_status: l.payout_status as SettlementLineRow['payout_status'],
    detail: JSON.parse(l.detail),
  }
}
