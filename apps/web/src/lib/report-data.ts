/**
 * The reports screen's figures, computed from the local replica exactly:
 * every amount is summed in integer minor units (BigInt) and formatted back
 * to a decimal string. Same rules as the server's balances report
 * (packages/server/src/domain/reports.ts): live suppliers only, deleted rows
 * ignored, dates inclusive, balance = collections - payments - deductions
 * applied by approved settlement runs (core's `deductionEntries` over the
 * replica's settlement lines, dated each run's last day; core's `balanceOf`).
 */

import { balanceOf, deductionEntries, type LineForBalance, moneyMinor, moneyOf } from '@trackvault/core'
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
  collections: string
  payments: string
  /** What approved settlement runs deducted (dated each run's last day) in the range. */
  deductions: string
  balance: string
  /** Minor units, for sorting and charts. */
  balance_minor: bigint
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
  totals: { collections: string; payments: string; deductions: string; balance: string }
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

/** Balances of every live supplier over `range`, grand totals, and collections over time. */
export function buildBalancesReport(
  suppliers: ReportSupplier[],
  collections: ReportCollection[],
  payments: ReportPayment[],
  range: DateRange,
  lines: readonly ReportLine[] = [],
): BalancesReport {
  const live = suppliers.filter((s) => !s.deleted_at)
  const known = new Set(live.map((s) => s.id))
  const collected = new Map<string, bigint>()
  const paid = new Map<string, bigint>()
  const series: Array<{ date: string; minor: bigint }> = []
  let unpriced = 0
  let unsynced = 0
  let collectionCount = 0
  let paymentCount = 0

  for (const c of collections) {
    if (c.deleted_at || !inRange(c.collection_date, range)) continue
    const supplier = String(c.supplier_id)
    if (!known.has(supplier)) continue
    collectionCount += 1
    if (c._sync) unsynced += 1
    const minor = moneyMinor(c.total_amount)
    if (minor === null) {
      unpriced += 1
      continue
    }
    collected.set(supplier, (collected.get(supplier) ?? 0n) + minor)
    series.push({ date: c.collection_date, minor })
  }
  for (const p of payments) {
    if (p.deleted_at || !inRange(p.payment_date, range)) continue
    const supplier = String(p.supplier_id)
    if (!known.has(supplier)) continue
    paymentCount += 1
    if (p._sync) unsynced += 1
    const minor = moneyMinor(p.amount)
    if (minor === null) continue
    paid.set(supplier, (paid.get(supplier) ?? 0n) + minor)
  }

  const deducted = new Map<string, bigint>()
  for (const line of lines) {
    if (!known.has(line.supplier_id)) continue
    for (const d of deductionEntries([line])) {
      if (inRange(d.date, range)) deducted.set(line.supplier_id, (deducted.get(line.supplier_id) ?? 0n) + d.amount)
    }
  }

  let totalCollected = 0n
  let totalPaid = 0n
  let totalDeducted = 0n
  const rows = live
    .map((s): BalanceRow => {
      const c = collected.get(s.id) ?? 0n
      const p = paid.get(s.id) ?? 0n
      const d = deducted.get(s.id) ?? 0n
      totalCollected += c
      totalPaid += p
      totalDeducted += d
      const balance = balanceOf({ collections: c, payments: p, deducted: d })
      return {
        supplier_id: s.id,
        code: String(s.code ?? ''),
        name: String(s.name ?? ''),
        collections: moneyOf(c),
        payments: moneyOf(p),
        deductions: moneyOf(d),
        balance: moneyOf(balance),
        balance_minor: balance,
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name) || (a.supplier_id < b.supplier_id ? -1 : 1))

  return {
    rows,
    totals: {
      collections: moneyOf(totalCollected),
      payments: moneyOf(totalPaid),
      deductions: moneyOf(totalDeducted),
      balance: moneyOf(balanceOf({ collections: totalCollected, payments: totalPaid, deducted: totalDeducted })),
    },
    collection_count: collectionCount,
    payment_count: paymentCount,
    unpriced,
    unsynced,
    chart: collectionSeries(series, range),
  }
}

/** The report as CSV rows: a header, one row per supplier, and a totals row (free text guarded against formulas). */
export function balancesCsvRows(report: BalancesReport): string[][] {
  return [
    ['Code', 'Name', 'Collections', 'Payments', 'Deductions', 'Balance'],
    ...report.rows.map((r) => [csvText(r.code), csvText(r.name), r.collections, r.payments, r.deductions, r.balance]),
    ['', 'Total', report.totals.collections, report.totals.payments, report.totals.deductions, report.totals.balance],
  ]
}
