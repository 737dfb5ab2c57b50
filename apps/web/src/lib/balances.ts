/**
 * Exact supplier balances and statements from local rows, as the server
 * computes them: sum of collection amounts minus sum of payments (deleted
 * rows skipped). Collections without a known amount yet (offline, no local
 * rate) are left out and counted, so the screen can say so. Money stays a
 * decimal string on the way in and out; in between it is BigInt minor units
 * (cents), so no float ever touches an amount.
 *
 *   const totals = balanceTotals(collections, payments)
 *   moneyOf(totals.balance) // "6060.00"
 *   supplierBalance('s1', collections, payments).balance // "6060.00"
 */
import { sumMinor } from '@trackvault/core'
import { moneyMinor, moneyOf, toMinor } from './money'

/** The collection fields a balance needs. `total_amount` is null while no local rate prices it. */
export interface CollectionAmount {
  id: string
  supplier_id: string
  collection_date: string
  total_amount: string | null
  created_at?: string
  deleted_at?: string | null
}

/** The payment fields a balance needs. */
export interface PaymentAmount {
  id: string
  supplier_id: string
  payment_date: string
  amount: string
  created_at?: string
  deleted_at?: string | null
}

export interface BalanceTotals {
  /** Sum of priced collections, in cents. */
  collections: bigint
  /** Sum of payments, in cents. */
  payments: bigint
  /** collections - payments, in cents. */
  balance: bigint
  /** Collections without a known price yet (not in the sums). */
  unpriced: number
}

const live = <T extends { deleted_at?: string | null }>(rows: readonly T[]) => rows.filter((r) => !r.deleted_at)

/** Totals over all the given rows (deleted rows are skipped). */
export function balanceTotals(
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
): BalanceTotals {
  const cs = live(collections)
  const priced = cs.filter((c) => c.total_amount !== null && c.total_amount !== undefined)
  const c = sumMinor(priced.map((r) => toMinor(r.total_amount as string)))
  const p = sumMinor(live(payments).map((r) => toMinor(r.amount)))
  return { collections: c, payments: p, balance: c - p, unpriced: cs.length - priced.length }
}

/** Totals per supplier id; suppliers with no rows are absent (their balance is zero). */
export function balancesBySupplier(
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
): Map<string, BalanceTotals> {
  const out = new Map<string, BalanceTotals>()
  const entry = (id: string) => {
    let t = out.get(id)
    if (!t) {
      t = { collections: 0n, payments: 0n, balance: 0n, unpriced: 0 }
      out.set(id, t)
    }
    return t
  }
  for (const c of live(collections)) {
    const t = entry(c.supplier_id)
    if (c.total_amount === null || c.total_amount === undefined) t.unpriced += 1
    else t.collections += toMinor(c.total_amount)
  }
  for (const p of live(payments)) entry(p.supplier_id).payments += toMinor(p.amount)
  for (const t of out.values()) t.balance = t.collections - t.payments
  return out
}

export interface StatementLine<C, P> {
  kind: 'collection' | 'payment'
  date: string
  id: string
  /** Cents collected on this line (0 for payments and unpriced collections). */
  collected: bigint
  /** Cents paid on this line (0 for collections). */
  paid: bigint
  /** False for a collection with no price yet. */
  priced: boolean
  /** Balance after this line, in cents. */
  running: bigint
  row: C | P
}

export interface Statement<C, P> {
  /** Balance of everything before from_date (0 without from_date). */
  opening: bigint
  closing: bigint
  collected: bigint
  paid: bigint
  unpriced: number
  lines: StatementLine<C, P>[]
}

export interface DateRange {
  from_date?: string
  to_date?: string
}

/**
 * One supplier's collections and payments in a date range (inclusive), oldest
 * first (date, then creation time, then id: the server's order), with a
 * running balance that starts at the opening balance (all rows before
 * from_date).
 */
export function buildStatement<C extends CollectionAmount, P extends PaymentAmount>(
  collections: readonly C[],
  payments: readonly P[],
  range: DateRange = {},
): Statement<C, P> {
  const from = range.from_date || undefined
  const to = range.to_date || undefined
  const entries = [
    ...live(collections).map((c) => {
      const priced = c.total_amount !== null && c.total_amount !== undefined
      return {
        kind: 'collection' as const,
        date: c.collection_date,
        created_at: c.created_at ?? '',
        id: c.id,
        collected: priced ? toMinor(c.total_amount as string) : 0n,
        paid: 0n,
        priced,
        row: c as C | P,
      }
    }),
    ...live(payments).map((p) => ({
      kind: 'payment' as const,
      date: p.payment_date,
      created_at: p.created_at ?? '',
      id: p.id,
      collected: 0n,
      paid: toMinor(p.amount),
      priced: true,
      row: p as C | P,
    })),
  ].sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      a.created_at.localeCompare(b.created_at) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
  let opening = 0n
  for (const e of entries) if (from && e.date < from) opening += e.collected - e.paid
  let running = opening
  let collected = 0n
  let paid = 0n
  let unpriced = 0
  const lines: StatementLine<C, P>[] = []
  for (const e of entries) {
    if ((from && e.date < from) || (to && e.date > to)) continue
    running += e.collected - e.paid
    collected += e.collected
    paid += e.paid
    if (!e.priced) unpriced += 1
    lines.push({
      kind: e.kind,
      date: e.date,
      id: e.id,
      collected: e.collected,
      paid: e.paid,
      priced: e.priced,
      running,
      row: e.row,
    })
  }
  return { opening, closing: running, collected, paid, unpriced, lines }
}

/** A balance as money strings, for the payment screens. */
export interface SupplierBalance {
  /** Money strings, two places. */
  collected: string
  paid: string
  balance: string
  /** The balance in cents, for further arithmetic. */
  balanceMinor: bigint
  /** Collections not priced yet (not in `collected`). */
  unpriced: number
}

function asStrings(collected: bigint, paid: bigint, unpriced: number): SupplierBalance {
  return {
    collected: moneyOf(collected),
    paid: moneyOf(paid),
    balance: moneyOf(collected - paid),
    balanceMinor: collected - paid,
    unpriced,
  }
}

const ofSupplier =
  (supplierId: string) =>
  (row: { supplier_id: string }): boolean =>
    row.supplier_id === supplierId

/** The balance of `supplierId` over the given rows (rows of other suppliers are ignored). */
export function supplierBalance(
  supplierId: string,
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
): SupplierBalance {
  const mine = ofSupplier(supplierId)
  const t = balanceTotals(collections.filter(mine), payments.filter(mine))
  return asStrings(t.collections, t.payments, t.unpriced)
}

/**
 * The balance once a payment of `amountText` is made: undefined while the
 * amount is blank or not a valid money amount.
 */
export function balanceAfter(balanceMinor: bigint, amountText: string): string | undefined {
  const amount = moneyMinor(amountText)
  return amount === null ? undefined : moneyOf(balanceMinor - amount)
}

/**
 * The supplier's running balance just after payment `paymentId`, in statement
 * order (see buildStatement), or undefined if the payment is not among
 * `payments`. The payment itself counts even if it is deleted.
 */
export function balanceAfterPayment(
  paymentId: string,
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
): SupplierBalance | undefined {
  const payment = payments.find((p) => p.id === paymentId)
  if (!payment) return undefined
  const mine = ofSupplier(payment.supplier_id)
  const statement = buildStatement(
    collections.filter(mine),
    payments.filter(mine).map((p) => (p.id === paymentId ? { ...p, deleted_at: null } : p)),
  )
  let collected = 0n
  let paid = 0n
  let unpriced = 0
  for (const line of statement.lines) {
    collected += line.collected
    paid += line.paid
    if (!line.priced) unpriced++
    if (line.id === paymentId) break
  }
  return asStrings(collected, paid, unpriced)
}
