/**
 * Balances and statements, one rule for the server's reports and every screen:
 * balance = sum of priced collections - sum of payments - deductions applied by
 * approved settlement runs, deleted rows left out, unpriced collections counted
 * but not summed (so after a run's approval a supplier's balance is the run's
 * carried forward, plus a failed payout, until new records arrive); a statement lists a supplier's
 * collections and payments oldest first (date, then creation time, then id)
 * with a running balance that starts at the opening balance (everything before
 * the period). Amounts are BigInt minor units.
 *
 * @example
 *   const s = statementLines(entries, 0n)
 *   moneyOf(s.closing) // "6060.00"
 */

/** One line's input: a collection (its amount, null while unpriced) or a payment. */
export interface StatementEntry {
  kind: 'collection' | 'payment'
  /** YYYY-MM-DD: collection_date or payment_date. */
  date: string
  /** Breaks ties between entries of one date (creation order). */
  created_at: string
  id: string
  /** Minor units; null for a collection with no price yet. */
  amount: bigint | null
}

/**
 * What an approved settlement run's line took from the supplier's balance for one deduction
 * (settlement.ts; negative for an adjustment owed to the supplier), dated the run's last day.
 */
export interface DeductionEntry {
  kind: 'deduction'
  date: string
  created_at: string
  id: string
  amount: bigint
}

/** Any entry of a balance or statement. */
export type LedgerEntry = StatementEntry | DeductionEntry

export interface StatementLine<E extends LedgerEntry> {
  entry: E
  /** Minor units collected on this line (0 for payments and unpriced collections). */
  collected: bigint
  /** Minor units paid on this line (0 for collections). */
  paid: bigint
  /** Minor units a settlement run deducted on this line (0 for collections and payments). */
  deducted: bigint
  /** Balance after this line. */
  running: bigint
}

export interface StatementTotals<E extends LedgerEntry> {
  opening: bigint
  closing: bigint
  collected: bigint
  paid: bigint
  deducted: bigint
  /** Collections in the period with no price yet (not in `collected`). */
  unpriced: number
  lines: StatementLine<E>[]
}

/** Statement order: date, then creation time, then id. */
export function compareStatementEntries(a: LedgerEntry, b: LedgerEntry): number {
  return (
    a.date.localeCompare(b.date) || a.created_at.localeCompare(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  )
}

/** What an entry adds to a balance. */
export function balanceEffect(e: LedgerEntry): bigint {
  if (e.amount === null) return 0n
  return e.kind === 'collection' ? e.amount : -e.amount
}

/** The lines of a statement: `entries` (of the period) in statement order, running from `opening`. */
export function statementLines<E extends LedgerEntry>(entries: readonly E[], opening: bigint): StatementTotals<E> {
  let running = opening
  let collected = 0n
  let paid = 0n
  let deducted = 0n
  let unpriced = 0
  const lines = [...entries].sort(compareStatementEntries).map((entry) => {
    const line = {
      entry,
      collected: entry.kind === 'collection' ? (entry.amount ?? 0n) : 0n,
      paid: entry.kind === 'payment' ? (entry.amount ?? 0n) : 0n,
      deducted: entry.kind === 'deduction' ? entry.amount : 0n,
      running: 0n,
    }
    if (entry.kind === 'collection' && entry.amount === null) unpriced++
    running += line.collected - line.paid - line.deducted
    collected += line.collected
    paid += line.paid
    deducted += line.deducted
    line.running = running
    return line
  })
  return { opening, closing: running, collected, paid, deducted, unpriced, lines }
}

/**
 * A statement over all of a supplier's entries for a period (inclusive; open ends when absent):
 * the opening balance is what the entries before `from_date` add up to.
 */
export function statementFor<E extends LedgerEntry>(
  entries: readonly E[],
  range: { from_date?: string; to_date?: string } = {},
): StatementTotals<E> {
  const from = range.from_date || undefined
  const to = range.to_date || undefined
  let opening = 0n
  const inPeriod: E[] = []
  for (const e of entries) {
    if (from && e.date < from) opening += balanceEffect(e)
    else if (!to || e.date <= to) inPeriod.push(e)
  }
  return statementLines(inPeriod, opening)
}

/** Balance totals of a set of entries. */
export interface BalanceTotals {
  collections: bigint
  payments: bigint
  /** Deductions applied by approved settlement runs (negative adjustments lower it). */
  deducted: bigint
  /** collections - payments - deducted. */
  balance: bigint
  /** Collections without a price yet (not in the sums). */
  unpriced: number
}

/** Totals of `entries`. */
export function balanceTotals(entries: Iterable<LedgerEntry>): BalanceTotals {
  const t: BalanceTotals = { collections: 0n, payments: 0n, deducted: 0n, balance: 0n, unpriced: 0 }
  for (const e of entries) addTo(t, e)
  return t
}

/** Totals per key (a supplier id): keys with no entries are absent (their balance is zero). */
export function balancesBy<E extends LedgerEntry>(
  entries: Iterable<E>,
  key: (e: E) => string,
): Map<string, BalanceTotals> {
  const out = new Map<string, BalanceTotals>()
  for (const e of entries) {
    const k = key(e)
    let t = out.get(k)
    if (!t) {
      t = { collections: 0n, payments: 0n, deducted: 0n, balance: 0n, unpriced: 0 }
      out.set(k, t)
    }
    addTo(t, e)
  }
  return out
}

function addTo(t: BalanceTotals, e: LedgerEntry) {
  if (e.kind === 'payment') t.payments += e.amount ?? 0n
  else if (e.kind === 'deduction') t.deducted += e.amount
  else if (e.amount === null) t.unpriced += 1
  else t.collections += e.amount
  t.balance = balanceOf(t)
}

/** The one balance rule: collections - payments - deductions applied by approved settlement runs. */
export function balanceOf(t: Pick<BalanceTotals, 'collections' | 'payments' | 'deducted'>): bigint {
  return t.collections - t.payments - t.deducted
}

/**
 * A period's closing balance: the opening balance (everything before the period) plus what the
 * period's collections, payments and deductions moved. The reports' "owed at the end of the period".
 */
export function closingBalance(
  opening: bigint,
  movements: Pick<BalanceTotals, 'collections' | 'payments' | 'deducted'>,
): bigint {
  return opening + balanceOf(movements)
}

/** One key's balance over a period: opening (before it), the period's totals, closing (at its end). */
export interface PeriodBalance extends BalanceTotals {
  opening: bigint
  closing: bigint
}

/**
 * Balances per key (a supplier id) over a period (inclusive; open ends when absent), as a statement
 * reads them (statementFor): entries before `from_date` make the opening balance, entries in the
 * period the totals, entries after `to_date` are left out; closing = opening + the period's balance.
 * Keys with no entries are absent (all zero).
 */
export function periodBalancesBy<E extends LedgerEntry>(
  entries: Iterable<E>,
  key: (e: E) => string,
  range: { from_date?: string; to_date?: string } = {},
): Map<string, PeriodBalance> {
  const from = range.from_date || undefined
  const to = range.to_date || undefined
  const out = new Map<string, PeriodBalance>()
  for (const e of entries) {
    if (to && e.date > to) continue
    const k = key(e)
    let t = out.get(k)
    if (!t) {
      t = { opening: 0n, closing: 0n, collections: 0n, payments: 0n, deducted: 0n, balance: 0n, unpriced: 0 }
      out.set(k, t)
    }
    if (from && e.date < from) t.opening += balanceEffect(e)
    else addTo(t, e)
    t.closing = closingBalance(t.opening, t)
  }
  return out
}
