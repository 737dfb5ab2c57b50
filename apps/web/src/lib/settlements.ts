/**
 * The settlement screens' pure helpers: the default period of a new run (last calendar month in
 * the business's time zone), the order of the runs list and of a run's lines (a column clicked),
 * which line is a supplier's last approved statement, who may approve a run, and the message of a
 * settlement route's error. Money is compared exactly (BigInt minor units, core's `toMinor`). What
 * they say is in the chosen language (`settlements`, `settlementErrors`, `settlementRun`,
 * `payoutResults` in i18n/areas/money.ts).
 *
 *   lastCalendarMonth('2026-03-15')             // { from: '2026-02-01', to: '2026-02-28' }
 *   sortLines(lines, { key: 'net_payable', dir: 'desc' }, nameOf)
 *   lastApprovedLine(lines, supplierId)?.id     // the statement a collector shows at the gate
 */
import { approvalRefusal, type Role, type SettlementLineRow, type SettlementRunRow, toMinor } from '@trackvault/core'
import { i18next } from '../i18n'
import { money } from './format'

/** The calendar month before `today`'s (YYYY-MM-DD), first to last day. */
export function lastCalendarMonth(today: string): { from: string; to: string } {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7)) // 1..12, this month
  const y = month === 1 ? year - 1 : year
  const m = month === 1 ? 12 : month - 1
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate() // day 0 of the next month: the last of this one
  const mm = String(m).padStart(2, '0')
  const yyyy = String(y).padStart(4, '0')
  return { from: `${yyyy}-${mm}-01`, to: `${yyyy}-${mm}-${String(days).padStart(2, '0')}` }
}

type RunOrderFields = Pick<SettlementRunRow, 'period_to' | 'period_from' | 'created_at'>

/** Runs newest first: the later period end, then the later period start, then the later created. */
export function sortRuns<T extends RunOrderFields>(runs: readonly T[]): T[] {
  return [...runs].sort(
    (a, b) =>
      b.period_to.localeCompare(a.period_to) ||
      b.period_from.localeCompare(a.period_from) ||
      b.created_at.localeCompare(a.created_at),
  )
}

/** The columns a run's lines table sorts by. */
export const LINE_SORT_KEYS = ['supplier', 'gross', 'deducted', 'net_payable', 'payout', 'carried_forward'] as const
export type LineSortKey = (typeof LINE_SORT_KEYS)[number]
export interface LineSort {
  key: LineSortKey
  dir: 'asc' | 'desc'
}

type LineMoneyKey = Exclude<LineSortKey, 'supplier'>
type SortableLine = Pick<SettlementLineRow, 'id' | 'supplier_id' | LineMoneyKey>

/**
 * The lines in the order of a column: supplier names alphabetically (case and accents aside),
 * amounts exactly; ties by supplier name, then id, so the order is stable.
 */
export function sortLines<T extends SortableLine>(
  lines: readonly T[],
  sort: LineSort,
  nameOf: (supplierId: string) => string,
): T[] {
  const byName = (a: T, b: T) =>
    nameOf(a.supplier_id).localeCompare(nameOf(b.supplier_id), undefined, { sensitivity: 'base' })
  const byId = (a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const sign = sort.dir === 'asc' ? 1 : -1
  const primary =
    sort.key === 'supplier'
      ? byName
      : (a: T, b: T) => {
          const x = toMinor(a[sort.key as LineMoneyKey])
          const y = toMinor(b[sort.key as LineMoneyKey])
          return x < y ? -1 : x > y ? 1 : 0
        }
  return [...lines].sort((a, b) => sign * primary(a, b) || byName(a, b) || byId(a, b))
}

/** The sort after a column's header is clicked: the same column flips; another starts (names A-Z, amounts largest first). */
export function nextSort(current: LineSort, key: LineSortKey): LineSort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' }
  return { key, dir: key === 'supplier' ? 'asc' : 'desc' }
}

type StatementFields = Pick<SettlementLineRow, 'supplier_id' | 'status' | 'period_to' | 'updated_at' | 'deleted_at'>

/** A supplier's last approved statement: its approved line with the latest period end (undefined if none). */
export function lastApprovedLine<T extends StatementFields>(lines: readonly T[], supplierId: string): T | undefined {
  let best: T | undefined
  for (const l of lines) {
    if (l.supplier_id !== supplierId || l.status !== 'approved' || l.deleted_at) continue
    if (!best || l.period_to > best.period_to || (l.period_to === best.period_to && l.updated_at > best.updated_at)) {
      best = l
    }
  }
  return best
}

/**
 * Whether `viewer` may approve `run` now: a manager or admin, the run a draft, and not computed by
 * them (two people see every payout; the server refuses SELF_APPROVAL otherwise).
 */
export function approval(
  run: Pick<SettlementRunRow, 'status' | 'created_by'>,
  viewer: { id: string; role: Role } | undefined,
): { may: boolean; why?: string } {
  if (!viewer || run.status !== 'draft') return { may: false }
  const refusal = approvalRefusal(viewer, run)
  if (refusal === 'SELF_APPROVAL') {
    return { may: false, why: i18next.t('settlements.selfComputed') }
  }
  return { may: refusal === undefined }
}

/** What a settlement route's refusal means to the person who clicked (by the server's stable code). */
export function settlementErrorMessage(err: { code?: string; message?: string; offline?: boolean }): string {
  const t = (key: string) => i18next.t(`settlementErrors.${key}`)
  if (err.offline) return t('offline')
  switch (err.code) {
    case 'SELF_APPROVAL':
    case 'RUN_STALE':
    case 'RUN_NOT_DRAFT':
    case 'DUPLICATE':
    case 'VERSION_CONFLICT':
    case 'FORBIDDEN':
      return t(err.code)
    case 'PERIOD_SETTLED':
      // The server's message names the run and its period.
      return `${t('PERIOD_SETTLED')} ${err.message ?? ''}`.trim()
    default:
      return err.message ?? t('unknown')
  }
}

/**
 * What a payout file download says about itself (the server's X-Payout-* headers): how many
 * payouts and their total, and how many suppliers were left out for missing account details.
 */
export function payoutFileSummary(header: (name: string) => string | null): {
  text: string
  missing: number
} {
  const count = Number(header('x-payout-count') ?? '')
  const total = header('x-payout-total')
  const missing = Number(header('x-payout-missing') ?? '0') || 0
  const parts: string[] = []
  if (Number.isFinite(count) && header('x-payout-count') !== null) {
    parts.push(
      total
        ? i18next.t('settlementRun.payoutsTotal', { count, amount: money(total) })
        : i18next.t('settlementRun.payouts', { count }),
    )
  }
  if (missing > 0) parts.push(i18next.t('settlementRun.missing', { count: missing }))
  return { text: parts.join('; '), missing }
}

/** The rows of a refused results file, one message each ("Row 3: status must be paid or failed"). */
export function resultFileErrors(details: unknown): string[] {
  const rows = (details as { rows?: unknown } | null | undefined)?.rows
  if (!Array.isArray(rows)) return []
  return rows.map((r) => {
    if (r && typeof r === 'object') {
      const { row, reference, message } = r as { row?: unknown; reference?: unknown; message?: unknown }
      const where =
        row === undefined
          ? i18next.t('payoutResults.aRow')
          : reference
            ? i18next.t('payoutResults.rowRef', { row: String(row), reference: String(reference) })
            : i18next.t('payoutResults.row', { row: String(row) })
      // The server's message about the row stays as it said it.
      return `${where}: ${message ? String(message) : i18next.t('payoutResults.notValid')}`
    }
    return String(r)
  })
}
