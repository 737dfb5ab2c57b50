/**
 * A supplier's balance from the local replica, exactly as the server computes
 * it: sum of collection amounts minus sum of payments (deleted rows skipped).
 * Collections without a known amount yet (offline, no local rate) are left out
 * and counted, so the screen can say so.
 */
import { formatDecimal, MONEY_SCALE } from '@trackvault/core'
import { tryParseDecimal } from './pricing'

export interface BalanceCollection {
  id: string
  supplier_id: string
  collection_date: string
  total_amount: string | null
  created_at?: string
  deleted_at?: string | null
}

export interface BalancePayment {
  id: string
  supplier_id: string
  payment_date: string
  amount: string
  created_at?: string
  deleted_at?: string | null
}

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

const cents = (minor: bigint) => formatDecimal(minor, MONEY_SCALE)

function build(collected: bigint, paid: bigint, unpriced: number): SupplierBalance {
  return {
    collected: cents(collected),
    paid: cents(paid),
    balance: cents(collected - paid),
    balanceMinor: collected - paid,
    unpriced,
  }
}

/** The balance of `supplierId` over the given rows (rows of other suppliers are ignored). */
export function supplierBalance(
  supplierId: string,
  collections: readonly BalanceCollection[],
  payments: readonly BalancePayment[],
): SupplierBalance {
  let collected = 0n
  let paid = 0n
  let unpriced = 0
  for (const c of collections) {
    if (c.supplier_id !== supplierId || c.deleted_at) continue
    const minor = tryParseDecimal(c.total_amount, MONEY_SCALE)
    if (minor === undefined) unpriced++
    else collected += minor
  }
  for (const p of payments) {
    if (p.supplier_id !== supplierId || p.deleted_at) continue
    paid += tryParseDecimal(p.amount, MONEY_SCALE) ?? 0n
  }
  return build(collected, paid, unpriced)
}

/**
 * The balance once a payment of `amountText` is made: undefined while the
 * amount is blank or not a valid money amount.
 */
export function balanceAfter(balanceMinor: bigint, amountText: string): string | undefined {
  const amount = tryParseDecimal(amountText, MONEY_SCALE)
  if (amount === undefined) return undefined
  return cents(balanceMinor - amount)
}

type Entry = { date: string; created_at: string; id: string; kind: 'c' | 'p'; minor: bigint; priced: boolean }

/**
 * The supplier's running balance just after payment `paymentId`, in statement
 * order (date, then creation time, then id; as the server's statement), or
 * undefined if the payment is not among `payments`.
 */
export function balanceAfterPayment(
  paymentId: string,
  collections: readonly BalanceCollection[],
  payments: readonly BalancePayment[],
): SupplierBalance | undefined {
  const payment = payments.find((p) => p.id === paymentId)
  if (!payment) return undefined
  const supplierId = payment.supplier_id
  const entries: Entry[] = []
  let unpriced = 0
  for (const c of collections) {
    if (c.supplier_id !== supplierId || c.deleted_at) continue
    const minor = tryParseDecimal(c.total_amount, MONEY_SCALE)
    entries.push({
      date: c.collection_date,
      created_at: c.created_at ?? '',
      id: c.id,
      kind: 'c',
      minor: minor ?? 0n,
      priced: minor !== undefined,
    })
  }
  for (const p of payments) {
    if (p.supplier_id !== supplierId || (p.deleted_at && p.id !== paymentId)) continue
    entries.push({
      date: p.payment_date,
      created_at: p.created_at ?? '',
      id: p.id,
      kind: 'p',
      minor: tryParseDecimal(p.amount, MONEY_SCALE) ?? 0n,
      priced: true,
    })
  }
  entries.sort(
    (a, b) => a.date.localeCompare(b.date) || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
  )
  let collected = 0n
  let paid = 0n
  for (const e of entries) {
    if (e.kind === 'c') {
      if (!e.priced) unpriced++
      collected += e.minor
    } else paid += e.minor
    if (e.id === paymentId) break
  }
  return build(collected, paid, unpriced)
}
