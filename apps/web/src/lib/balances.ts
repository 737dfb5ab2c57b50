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
import {
  type BalanceTotals,
  balancesBy,
  moneyMinor,
  moneyOf,
  type StatementEntry,
  statementFor,
  toMinor,
  balanceTotals as totalsOf,
} from '@trackvault/core'

export type { BalanceTotals }

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

type Entry<C, P> = StatementEntry & { row: C | P; supplier_id: string }

/** The live rows as core's statement entries (deleted rows are skipped). */
function entriesOf<C extends CollectionAmount, P extends PaymentAmount>(
  collections: readonly C[],
  payments: readonly P[],
): Entry<C, P>[] {
  const entries: Entry<C, P>[] = []
  for (const c of collections) {
    if (c.deleted_at) continue
    const amount = c.total_amount === null || c.total_amount === undefined ? null : toMinor(c.total_amount)
    const base = { id: c.id, supplier_id: c.supplier_id, created_at: c.created_at ?? '', row: c }
    entries.push({ ...base, kind: 'collection', date: c.collection_date, amount })
  }
  for (const p of payments) {
    if (p.deleted_at) continue
    const base = { id: p.id, supplier_id: p.supplier_id, created_at: p.created_at ?? '', row: p }
    entries.push({ ...base, kind: 'payment', date: p.payment_date, amount: toMinor(p.amount) })
  }
  return entries
}

/** Totals over all the given rows (deleted rows are skipped). */
export function balanceTotals(
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
): BalanceTotals {
  return totalsOf(entriesOf(collections, payments))
}

/** Totals per supplier id; suppliers with no rows are absent (their balance is zero). */
export function balancesBySupplier(
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
): Map<string, BalanceTotals> {
  return balancesBy(entriesOf(collections, payments), (e) => e.supplier_id)
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
 * One supplier's collections and payments in a date range (inclusive), in statement order, with a
 * running balance that starts at the opening balance (all rows before from_date): core's rule
 * (statement.ts), which the server's statement follows too.
 */
export function buildStatement<C extends CollectionAmount, P extends PaymentAmount>(
  collections: readonly C[],
  payments: readonly P[],
  range: DateRange = {},
): Statement<C, P> {
  const s = statementFor(entriesOf(collections, payments), range)
  return {
    ...s,
    lines: s.lines.map(({ entry, collected, paid, running }) => ({
      kind: entry.kind,
      date: entry.date,
      id: entry.id,
      collected,
      paid,
      priced: entry.amount !== null,
      running,
      row: entry.row,
    })),
  }
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
 * How much a typed payment pays beyond what the supplier is owed (all of it
 * when nothing is owed), as money; undefined when it does not, or the amount
 * is blank or invalid.
 */
export function paysBeyondOwed(balanceMinor: bigint, amountText: string): string | undefined {
  const amount = moneyMinor(amountText)
  if (amount === null || amount <= 0n) return undefined
  const owed = balanceMinor > 0n ? balanceMinor : 0n
  return amount > owed ? moneyOf(amount - owed) : undefined
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
