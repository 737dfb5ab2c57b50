/**
 * Balances and statements, summed in SQL over every matching row (never a
 * loaded page) and formatted exactly: balance = collections - payments -
 * deductions applied by approved settlement runs (core's `balanceOf`; a run's
 * deductions are dated its last day).
 * Sums are exact at any size (splitSum); grand totals and running balances
 * are BigInt. The statement's order and running balance are core's
 * (statement.ts), the rule the screens use too.
 */
import {
  AppError,
  addDays,
  balanceOf as balanceRule,
  closingBalance,
  deductionEntries,
  formatDecimal,
  joinSplitSum,
  type LineDetail,
  moneyOf as money,
  QUANTITY_SCALE,
  SUM_SPLIT,
  statementLines,
} from '@trackvault/core'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema'
import { type SyncScope, suppliersInScope } from './sync-scope'

export interface DateRange {
  from_date?: string
  to_date?: string
}

export interface Balance {
  supplier_id: string
  /** Sum of the priced collections. */
  total_collections: string
  total_payments: string
  /** Deductions applied by approved settlement runs. */
  total_deductions: string
  balance: string
  /** Collections with no rate in force yet: recorded, not in the sums. */
  unpriced_collections: number
}

const big = (v: unknown) => BigInt((v as string | number | bigint | null) ?? 0)

function balanceOf(
  supplierId: string,
  collections: bigint,
  payments: bigint,
  deducted: bigint,
  unpriced: number,
): Balance {
  return {
    supplier_id: supplierId,
    total_collections: money(collections),
    total_payments: money(payments),
    total_deductions: money(deducted),
    balance: money(balanceRule({ collections, payments, deducted })),
    unpriced_collections: unpriced,
  }
}

/**
 * SUM(column) in two exact parts, read as text: the quotient and remainder by SUM_SPLIT. core's
 * money.ts has the arithmetic: SQLite's 64-bit sum() cannot overflow on either part, PostgreSQL's
 * numeric never does, and no sum passes through a JS number (joinSplitSum makes the BigInt).
 */
function splitSum(column: 'total_minor' | 'amount_minor' | 'deducted_minor') {
  const split = sql.lit(Number(SUM_SPLIT))
  return [
    sql<string>`cast(sum(${sql.ref(column)} / ${split}) as text)`.as('quotients'),
    sql<string>`cast(sum(${sql.ref(column)} % ${split}) as text)`.as('remainders'),
  ] as const
}

/** Whose sums: one supplier, the suppliers of a device's scope, or (undefined) everyone. */
type Suppliers = string | SyncScope | undefined

async function sumsBySupplier(db: Kysely<Database>, range: DateRange, suppliers?: Suppliers) {
  let c = db
    .selectFrom('collections')
    .select((eb) => [
      'supplier_id',
      ...splitSum('total_minor'),
      eb.fn.countAll<number>().as('rows'),
      eb.fn.count<number>('total_minor').as('priced'),
    ])
    .where('deleted_at', 'is', null)
    .groupBy('supplier_id')
  let p = db
    .selectFrom('payments')
    .select(['supplier_id', ...splitSum('amount_minor')])
    .where('deleted_at', 'is', null)
    .groupBy('supplier_id')
  // Deductions applied by approved settlement runs, dated each run's last day.
  let d = db
    .selectFrom('settlement_lines')
    .select(['supplier_id', ...splitSum('deducted_minor')])
    .where('deleted_at', 'is', null)
    .where('status', '=', 'approved')
    .groupBy('supplier_id')
  if (typeof suppliers === 'string') {
    c = c.where('supplier_id', '=', suppliers)
    p = p.where('supplier_id', '=', suppliers)
    d = d.where('supplier_id', '=', suppliers)
  } else if (suppliers) {
    const held = sql<boolean>`supplier_id in (select s.id from suppliers s where ${suppliersInScope(suppliers, 's')})`
    c = c.where(held)
    p = p.where(held)
    d = d.where(held)
  }
  if (range.from_date) {
    c = c.where('collection_date', '>=', range.from_date)
    p = p.where('payment_date', '>=', range.from_date)
    d = d.where('period_to', '>=', range.from_date)
  }
  if (range.to_date) {
    c = c.where('collection_date', '<=', range.to_date)
    p = p.where('payment_date', '<=', range.to_date)
    d = d.where('period_to', '<=', range.to_date)
  }
  const [cs, ps, ds] = await Promise.all([c.execute(), p.execute(), d.execute()])
  return {
    collections: new Map(cs.map((r) => [r.supplier_id, joinSplitSum(r.quotients, r.remainders)])),
    unpriced: new Map(cs.map((r) => [r.supplier_id, Number(r.rows) - Number(r.priced)])),
    payments: new Map(ps.map((r) => [r.supplier_id, joinSplitSum(r.quotients, r.remainders)])),
    deducted: new Map(ds.map((r) => [r.supplier_id, joinSplitSum(r.quotients, r.remainders)])),
  }
}

async function requireSupplier(db: Kysely<Database>, id: string) {
  const s = await db
    .selectFrom('suppliers')
    .select(['id', 'code', 'name'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!s) throw new AppError('NOT_FOUND', `supplier ${id} does not exist`)
  return s
}

/** One supplier's balance over an optional date range. */
export async function supplierBalance(db: Kysely<Database>, id: string, range: DateRange): Promise<Balance> {
  await requireSupplier(db, id)
  const sums = await sumsBySupplier(db, range, id)
  return balanceOf(
    id,
    sums.collections.get(id) ?? 0n,
    sums.payments.get(id) ?? 0n,
    sums.deducted.get(id) ?? 0n,
    sums.unpriced.get(id) ?? 0,
  )
}

/**
 * The balance of every supplier a device with `scope` holds and that has any record (the others owe
 * nothing): a collector's device caches them with each sync, so it can answer "how much am I owed?"
 * at a supplier's gate without signal (its replica holds neither the payments nor others' collections).
 */
export async function scopeBalances(db: Kysely<Database>, scope: SyncScope): Promise<Balance[]> {
  const sums = await sumsBySupplier(db, {}, scope)
  const ids = new Set([...sums.collections.keys(), ...sums.payments.keys(), ...sums.deducted.keys()])
  return [...ids]
    .sort()
    .map((id) =>
      balanceOf(
        id,
        sums.collections.get(id) ?? 0n,
        sums.payments.get(id) ?? 0n,
        sums.deducted.get(id) ?? 0n,
        sums.unpriced.get(id) ?? 0,
      ),
    )
}

/** What each supplier was owed before `from_date` (everything up to the day before): empty without one. */
async function openingBalances(db: Kysely<Database>, range: DateRange, supplierId?: string) {
  const out = new Map<string, bigint>()
  if (!range.from_date) return out
  const prev = await sumsBySupplier(db, { to_date: addDays(range.from_date, -1) }, supplierId)
  for (const id of new Set([...prev.collections.keys(), ...prev.payments.keys(), ...prev.deducted.keys()])) {
    out.set(
      id,
      balanceRule({
        collections: prev.collections.get(id) ?? 0n,
        payments: prev.payments.get(id) ?? 0n,
        deducted: prev.deducted.get(id) ?? 0n,
      }),
    )
  }
  return out
}

/**
 * Every live supplier's balance over the range, and the grand totals: `opening_balance` (everything
 * before from_date), the range's sums and `balance` (their net), `closing_balance` = opening + balance
 * (core's `closingBalance`, the rule of the device's report and the statements).
 */
export async function balancesReport(db: Kysely<Database>, range: DateRange) {
  const suppliers = await db
    .selectFrom('suppliers')
    .select(['id', 'code', 'name'])
    .where('deleted_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute()
  const [sums, openings] = await Promise.all([sumsBySupplier(db, range), openingBalances(db, range)])
  let to = 0n
  let tc = 0n
  let tp = 0n
  let td = 0n
  let tu = 0
  const data = suppliers.map((s) => {
    const c = sums.collections.get(s.id) ?? 0n
    const p = sums.payments.get(s.id) ?? 0n
    const d = sums.deducted.get(s.id) ?? 0n
    const u = sums.unpriced.get(s.id) ?? 0
    const o = openings.get(s.id) ?? 0n
    to += o
    tc += c
    tp += p
    td += d
    tu += u
    return {
      ...balanceOf(s.id, c, p, d, u),
      opening_balance: money(o),
      closing_balance: money(closingBalance(o, { collections: c, payments: p, deducted: d })),
      code: s.code,
      name: s.name,
    }
  })
  return {
    from_date: range.from_date ?? null,
    to_date: range.to_date ?? null,
    data,
    totals: {
      total_collections: money(tc),
      total_payments: money(tp),
      total_deductions: money(td),
      balance: money(balanceRule({ collections: tc, payments: tp, deducted: td })),
      unpriced_collections: tu,
      opening_balance: money(to),
      closing_balance: money(closingBalance(to, { collections: tc, payments: tp, deducted: td })),
    },
  }
}

export interface StatementLine {
  date: string
  kind: 'collection' | 'payment' | 'deduction'
  id: string
  description: string
  /** Null for a collection whose price is pending. */
  collected: string | null
  paid: string
  /** What an approved settlement run deducted (a deduction's line; negative: an adjustment owed back). */
  deducted: string
  running_balance: string
}

/** "48.480 kg (gross 52.000) @ 120.00": the net that is paid, the gross when they differ, and the rate or "price pending". */
function describeCollection(c: { quantity_milli: unknown; net_milli: unknown; unit: string; rate_minor: unknown }) {
  const net = formatDecimal(big(c.net_milli), QUANTITY_SCALE)
  const gross =
    big(c.quantity_milli) === big(c.net_milli) ? '' : ` (gross ${formatDecimal(big(c.quantity_milli), QUANTITY_SCALE)})`
  const price = c.rate_minor === null ? ', price pending' : ` @ ${money(big(c.rate_minor))}`
  return `${net} ${c.unit}${gross}${price}`
}

/** A supplier's collections and payments in a range, oldest first, with a running balance. */
export async function supplierStatement(db: Kysely<Database>, id: string, range: DateRange) {
  const supplier = await requireSupplier(db, id)
  const opening = (await openingBalances(db, range, id)).get(id) ?? 0n
  let cq = db
    .selectFrom('collections')
    .select(['id', 'collection_date', 'quantity_milli', 'net_milli', 'unit', 'rate_minor', 'total_minor', 'created_at'])
    .where('supplier_id', '=', id)
    .where('deleted_at', 'is', null)
  let pq = db
    .selectFrom('payments')
    .select(['id', 'payment_date', 'amount_minor', 'payment_type', 'payment_method', 'created_at'])
    .where('supplier_id', '=', id)
    .where('deleted_at', 'is', null)
  if (range.from_date) {
    cq = cq.where('collection_date', '>=', range.from_date)
    pq = pq.where('payment_date', '>=', range.from_date)
  }
  if (range.to_date) {
    cq = cq.where('collection_date', '<=', range.to_date)
    pq = pq.where('payment_date', '<=', range.to_date)
  }
  let lq = db
    .selectFrom('settlement_lines as l')
    .innerJoin('settlement_runs as r', 'r.id', 'l.run_id')
    .select(['l.id', 'l.period_to', 'l.detail', 'l.created_at', 'r.reference'])
    .where('l.supplier_id', '=', id)
    .where('l.deleted_at', 'is', null)
    .where('l.status', '=', 'approved')
  if (range.from_date) lq = lq.where('l.period_to', '>=', range.from_date)
  if (range.to_date) lq = lq.where('l.period_to', '<=', range.to_date)
  const [cs, ps, ls] = await Promise.all([cq.execute(), pq.execute(), lq.execute()])
  const deductions = deductionEntries(
    ls.map((l) => ({ ...l, status: 'approved' as const, detail: JSON.parse(l.detail) as LineDetail })),
    (l) => l.reference,
  )
  const entries = [
    ...deductions,
    ...cs.map((c) => ({
      kind: 'collection' as const,
      date: c.collection_date,
      created_at: c.created_at,
      id: c.id,
      amount: c.total_minor === null ? null : big(c.total_minor),
      description: describeCollection(c),
    })),
    ...ps.map((p) => ({
      kind: 'payment' as const,
      date: p.payment_date,
      created_at: p.created_at,
      id: p.id,
      amount: big(p.amount_minor),
      description: `${p.payment_type} payment (${p.payment_method.replace('_', ' ')})`,
    })),
  ]
  const statement = statementLines(entries, opening)
  const lines: StatementLine[] = statement.lines.map(({ entry, collected, paid, deducted, running }) => ({
    date: entry.date,
    kind: entry.kind,
    id: entry.id,
    description: entry.description,
    collected: entry.amount === null ? null : money(collected),
    paid: money(paid),
    deducted: money(deducted),
    running_balance: money(running),
  }))
  return {
    supplier,
    from_date: range.from_date ?? null,
    to_date: range.to_date ?? null,
    opening_balance: money(statement.opening),
    closing_balance: money(statement.closing),
    lines,
  }
}
