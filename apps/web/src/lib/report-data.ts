/**
 * The reports screen's figures, computed from the local replica exactly:
 * every amount is summed in integer minor units (BigInt) and formatted back
 * to a decimal string. Same rules as the server's balances report
 * (packages/server/src/domain/reports.ts): live suppliers only, deleted rows
 * ignored, dates inclusive; per supplier the opening balance (everything
 * before the range), what the range collected, paid and deducted, and the
 * closing balance = opening + collections - payments - deductions applied by
 * approved settlement runs (core's `deductionEntries` over the replica's
 * settlement lines, dated each run's last day; core's `periodBalancesBy`).
 */

import {
  closingBalance,
  deductionEntries,
  type LedgerEntry,
  type LineForBalance,
  moneyMinor,
  moneyOf,
  periodBalancesBy,
} from '@trackvault/core'
import { csvText } from './csv'

export interface ReportSupplier {
  id: string
  code?: unknown
  name?: unknown
  deleted_at?: unknown
}

export interface ReportCollection {
  supplier_id?: unknown
  collection_date?: unknown
  total_amount?: unknown
  deleted_at?: unknown
  _sync?: unknown
}

export interface ReportPayment {
  supplier_id?: unknown
  payment_date?: unknown
  amount?: unknown
  deleted_at?: unknown
  _sync?: unknown
}

/** The settlement line fields the report reads (only approved, live lines deduct). */
export interface ReportLine extends LineForBalance {
  supplier_id: string
}

export interface DateRange {
  /** Inclusive YYYY-MM-DD; empty or undefined = unbounded. */
  from?: string
  to?: string
}

export interface BalanceRow {
  supplier_id: string
  code: string
  name: string
  /** Owed at the start of the range: everything before it (0.00 without a start). */
  opening: string
  /** In the range. */
  collections: string
  payments: string
  /** What approved settlement runs deducted (dated each run's last day) in the range. */
  deductions: string
  /** Owed at the end of the range: opening + collections - payments - deductions (negative: in credit). */
  closing: string
  /** Minor units, for sorting and charts. */
  closing_minor: bigint
}

export interface ChartPoint {
  /** YYYY-MM-DD for daily buckets, YYYY-MM for monthly ones. */
  key: string
  total: string
  total_minor: bigint
  count: number
}

export interface BalancesReport {
  rows: BalanceRow[]
  totals: { opening: string; collections: string; payments: string; deductions: string; closing: string }
  collection_count: number
  payment_count: number
  /** Collections whose amount is not known yet (no local rate; the server prices them on sync). */
  unpriced: number
  /** Rows in the range with local changes the server has not accepted yet. */
  unsynced: number
  chart: { bucket: 'day' | 'month'; points: ChartPoint[] }
}

function inRange(date: unknown, range: DateRange): date is string {
  if (typeof date !== 'string') return false
  if (range.from && date < range.from) return false
  if (range.to && date > range.to) return false
  return true
}

/** YYYY-MM-DD of a UTC date. */
function iso(d: Date): string {
  return d.toISOString().slice(0, 10)
}

/** First and last day of the month of `day` (YYYY-MM-DD). */
export function monthOf(day: string): { from: string; to: string } {
  const [y, m] = day.split('-').map(Number)
  return { from: iso(new Date(Date.UTC(y, m - 1, 1))), to: iso(new Date(Date.UTC(y, m, 0))) }
}

/** Every day from `from` to `to` inclusive (empty if reversed or invalid). */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`)
  const end = Date.parse(`${to}T00:00:00Z`)
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return []
  const days: string[] = []
  for (let t = start; t <= end; t += 86_400_000) days.push(iso(new Date(t)))
  return days
}

/** Ranges longer than this many days are charted by month. */
export const MAX_DAILY_BARS = 92

/**
 * Totals of collections per bucket. Days (or months) with nothing collected
 * are included between the range's ends, so gaps show as empty bars.
 */
export function collectionSeries(
  collections: Array<{ date: string; minor: bigint }>,
  range: DateRange,
): BalancesReport['chart'] {
  const dates = collections.map((c) => c.date).sort()
  const from = range.from || dates[0]
  const to = range.to || dates[dates.length - 1]
  const span = from && to ? daysBetween(from, to) : []
  const bucket: 'day' | 'month' = span.length > MAX_DAILY_BARS ? 'month' : 'day'
  const keyOf = (date: string) => (bucket === 'day' ? date : date.slice(0, 7))
  const points = new Map<string, ChartPoint>()
  for (const day of span) {
    const key = keyOf(day)
    if (!points.has(key)) points.set(key, { key, total: '0.00', total_minor: 0n, count: 0 })
  }
  for (const c of collections) {
    const key = keyOf(c.date)
    const p = points.get(key) ?? { key, total: '0.00', total_minor: 0n, count: 0 }
    p.total_minor += c.minor
    p.count += 1
    points.set(key, p)
  }
  const sorted = [...points.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  for (const p of sorted) p.total = moneyOf(p.total_minor)
  return { bucket, points: sorted }
}

/**
 * Balances of every live supplier over `range`, grand totals, and collections over time. `collections`,
 * `payments` and `lines` may hold rows before the range (they make each supplier's opening balance:
 * core's `periodBalancesBy`, the rule of the server's report and the statements) and after it (left out).
 */
export function buildBalancesReport(
  suppliers: ReportSupplier[],
  collections: ReportCollection[],
  payments: ReportPayment[],
  range: DateRange,
  lines: readonly ReportLine[] = [],
): BalancesReport {
  const live = suppliers.filter((s) => !s.deleted_at)
  const known = new Set(live.map((s) => s.id))
  const entries: Array<LedgerEntry & { supplier: string }> = []
  const series: Array<{ date: string; minor: bigint }> = []
  let unpriced = 0
  let unsynced = 0
  let collectionCount = 0
  let paymentCount = 0
  const base = { created_at: '', id: '' }

  for (const c of collections) {
    const supplier = String(c.supplier_id)
    if (c.deleted_at || typeof c.collection_date !== 'string' || !known.has(supplier)) continue
    const minor = moneyMinor(c.total_amount)
    entries.push({ ...base, kind: 'collection', date: c.collection_date, amount: minor, supplier })
    if (!inRange(c.collection_date, range)) continue
    collectionCount += 1
    if (c._sync) unsynced += 1
    if (minor === null) unpriced += 1
    else series.push({ date: c.collection_date, minor })
  }
  for (const p of payments) {
    const supplier = String(p.supplier_id)
    if (p.deleted_at || typeof p.payment_date !== 'string' || !known.has(supplier)) continue
    const minor = moneyMinor(p.amount)
    if (minor !== null) entries.push({ ...base, kind: 'payment', date: p.payment_date, amount: minor, supplier })
    if (!inRange(p.payment_date, range)) continue
    paymentCount += 1
    if (p._sync) unsynced += 1
  }
  for (const line of lines) {
    if (!known.has(line.supplier_id)) continue
    for (const d of deductionEntries([line])) entries.push({ ...d, supplier: line.supplier_id })
  }

  const balances = periodBalancesBy(entries, (e) => e.supplier, { from_date: range.from, to_date: range.to })
  const total = { opening: 0n, collections: 0n, payments: 0n, deducted: 0n }
  const rows = live
    .map((s): BalanceRow => {
      const b = balances.get(s.id) ?? { opening: 0n, collections: 0n, payments: 0n, deducted: 0n, closing: 0n }
      total.opening += b.opening
      total.collections += b.collections
      total.payments += b.payments
      total.deducted += b.deducted
      return {
        supplier_id: s.id,
        code: String(s.code ?? ''),
        name: String(s.name ?? ''),
        opening: moneyOf(b.opening),
        collections: moneyOf(b.collections),
        payments: moneyOf(b.payments),
        deductions: moneyOf(b.deducted),
        closing: moneyOf(b.closing),
        closing_minor: b.closing,
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name) || (a.supplier_id < b.supplier_id ? -1 : 1))

  return {
    rows,
    totals: {
      opening: moneyOf(total.opening),
      collections: moneyOf(total.collections),
      payments: moneyOf(total.payments),
      deductions: moneyOf(total.deducted),
      closing: moneyOf(closingBalance(total.opening, total)),
    },
    collection_count: collectionCount,
    payment_count: paymentCount,
    unpriced,
    unsynced,
    chart: collectionSeries(series, range),
  }
}

/**
 * The report as CSV rows: a header, one row per supplier, and a totals row (free text guarded against formulas).
 * The header and "Total" stay English in every language, like the amounts' plain "1234.50": the file is a format
 * that spreadsheets and the business's other tools read by its column names (as the server's CSV exports).
 */
export function balancesCsvRows(report: BalancesReport): string[][] {
  return [
    ['Code', 'Name', 'Opening balance', 'Collections', 'Payments', 'Deductions', 'Closing balance'],
    ...report.rows.map((r) => [
      csvText(r.code),
      csvText(r.name),
      r.opening,
      r.collections,
      r.payments,
      r.deductions,
      r.closing,
    ]),
    [
      '',
      'Total',
      report.totals.opening,
      report.totals.collections,
      report.totals.payments,
      report.totals.deductions,
      report.totals.closing,
    ],
  ]
}
