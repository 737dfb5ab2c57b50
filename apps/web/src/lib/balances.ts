/**
 * Exact supplier balances and statements from local rows, as the server
 * computes them (core's `balanceOf`): sum of collection amounts minus sum of
 * payments minus what approved settlement runs deducted (core's
 * `deductionEntries` over the replica's settlement lines; deleted rows
 * skipped, drafts and discarded runs take nothing). Collections without a
 * known amount yet (offline, no local rate) are left out and counted, so the
 * screen can say so. Money stays a decimal string on the way in and out; in
 * between it is BigInt minor units (cents), so no float ever touches an amount.
 *
 *   const totals = balanceTotals(collections, payments, { lines })
 *   moneyOf(totals.balance) // "6060.00"
 *   supplierBalance('s1', collections, payments, { lines }).balance // "6060.00"
 */
import {
  type BalanceTotals,
  balanceOf,
  balancesBy,
  type DeductionEntry,
  deductionEntries,
  type LineForBalance,
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

/** The settlement line fields a balance needs (core's `LineForBalance`, and whose line of which run). */
export interface SettledLine extends LineForBalance {
  id: string
  supplier_id: string
  run_id: string
}

/**
 * What settlement runs took from balances: the replica's settlement lines (only approved ones
 * deduct), and its runs so a statement's deduction names the run's reference.
 */
export interface Settled {
  lines?: readonly SettledLine[]
  runs?: readonly { id: string; reference: string }[]
}

type Entry<C, P> =
  | (StatementEntry & { row: C | P; supplier_id: string; description?: undefined })
  | (DeductionEntry & { row: SettledLine; supplier_id: string; description: string })

/** The live rows as core's statement entries (deleted rows are skipped). */
function entriesOf<C extends CollectionAmount, P extends PaymentAmount>(
  collections: readonly C[],
  payments: readonly P[],
  settled: Settled = {},
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
  const references = new Map((settled.runs ?? []).map((r) => [r.id, r.reference]))
  for (const line of settled.lines ?? []) {
    for (const d of deductionEntries([line], (l) => references.get(l.run_id))) {
      entries.push({ ...d, supplier_id: line.supplier_id, row: line })
    }
  }
  return entries
}

/** Totals over all the given rows (deleted rows are skipped; `settled.lines` of approved runs deduct). */
export function balanceTotals(
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
  settled?: Settled,
): BalanceTotals {
  return totalsOf(entriesOf(collections, payments, settled))
}

/** Totals per supplier id; suppliers with no rows are absent (their balance is zero). */
export function balancesBySupplier(
  collections: readonly CollectionAmount[],
  payments: readonly PaymentAmount[],
  settled?: Settled,
): Map<string, BalanceTotals> {
  return balancesBy(entriesOf(collections, payments, settled), (e) => e.supplier_id)
}

export interface StatementLine<C, P> {
  kind: 'collection' | 'payment' | 'deduction'
  date: string
  /** The collection's or payment's id; a deduction line's deduction id (one per run that applied it). */
  id: string
  /** Cents collected on this line (0 for payments, deductions and unpriced collections). */
  collected: bigint
  /** Cents paid on this line (0 for collections and deductions). */
  paid: bigint
  /** Cents an approved settlement run deducted on this line (negative: an adjustment owed back). */
  deducted: bigint
  /** False for a collection with no price yet. */
  priced: boolean
  /** Balance after this line, in cents. */
  running: bigint
  /** A deduction line's description, with the run's reference when known ("Transport (settlement 2026-05)"). */
  description?: string
  /** The collection, payment, or (a deduction line) the settlement line that applied it. */
  row: C | P | SettledLine
}

export interface Statement<C, P> {
  /** Balance of everything before from_date (0 without from_date). */
  opening: bigint
  closing: bigint
  collected: bigint
  paid: bigint
  deducted: bigint
  unpriced: number
  lines: StatementLine<C, P>[]
}

export interface DateRange {
  from_date?: string
  to_date?: string
}

/**
 * One supplier's collections, payments and settled deductions in a date range (inclusive), in
 * statement order, with a running balance that starts at the opening balance (all rows before
 * from_date): core's rule (statement.ts), which the server's statement follows too.
 */
export function buildStatement<C extends CollectionAmount, P extends PaymentAmount>(
  collections: readonly C[],
  payments: readonly P[],
  range: DateRange = {},
  settled?: Settled,
): Statement<C, P> {
  const s = statementFor(entriesOf(collections, payments, settled), range)
  return {
    ...s,
    lines: s.lines.map(({ entry, collected, paid, deducted, running }) => ({
      kind: entry.kind,
      date: entry.date,
      id: entry.id,
      collected,
      paid,
      deducted,
      priced: entry.amount !== null,
      running,
      description: entry.description,
      row: entry.row,
    })),
  }
}

/** A balance as money strings, for the payment screens. */
export interface SupplierBalance {
  /** Money strings, two places. */
  collected: string
  paid: string
  /** What approved settlement runs deducted (negative adjustments lower it). */
  deducted: string
  balance: string
  /** The balance in cents, for further arithmetic. */
  balanceMinor: bigint
  /** Collections not priced yet (not in `collected`). */
  unpriced: number
}

function asStrings(t: Omit<BalanceTotals, 'balance'>): SupplierBalance {
  const balance = balanceOf(t)
  return {
    collected: moneyOf(t.collections),
    paid: moneyOf(t.payments),
    deducted: moneyOf(t.deducted),
    balance: moneyOf(balance),
    balanceMinor: balance,
    unpriced: t.unpriced,
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
  settled: Settled = {},
): SupplierBalance {
  const mine = ofSupplier(supplierId)
  return asStrings(
    balanceTotals(collections.filter(mine), payments.filter(mine), { ...settled, lines: settled.lines?.filter(mine) }),
  )
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
  settled: Settled = {},
): SupplierBalance | undefined {
  const payment = payments.find((p) => p.id === paymentId)
  if (!payment) return undefined
  const mine = ofSupplier(payment.supplier_id)
  const statement = buildStatement(
    collections.filter(mine),
    payments.filter(mine).map((p) => (p.id === paymentId ? { ...p, deleted_at: null } : p)),
    {},
    { ...settled, lines: settled.lines?.filter(mine) },
  )
  const t = { collections: 0n, payments: 0n, deducted: 0n, unpriced: 0 }
  for (const line of statement.lines) {
    t.collections += line.collected
    t.payments += line.paid
    t.deducted += line.deducted
    if (!line.priced) t.unpriced++
    if (line.kind === 'payment' && line.id === paymentId) break
  }
  return asStrings(t)
}
