/**
 * Settlement runs and their lines as stored and synced: documents the server writes (a run is
 * computed by `settlement.ts` and frozen on approval) and devices read, so the office sees runs
 * offline and a collector can show a supplier the last statement at the gate. No role creates,
 * updates or deletes them through the entity API or sync (`permissions.ts`); the settlement routes
 * do, in one transaction each.
 *
 * Money is decimal strings (2 places), signed where a balance can be negative (opening, available,
 * carried forward), and bounded by {@link MAX_RUN_MINOR} so a run's totals over every supplier fit.
 * A line's `detail` keeps what its statement shows: every collection and payment included (late
 * ones marked), every deduction taken, what was left out and why, and each deduction's state after
 * the run (the next run starts from it).
 */
import { z } from 'zod'
import { DEDUCTION_KINDS } from './deductions'
import { dateField, decimalField, idField, textField } from './fields'
import { formatDecimal, MONEY_SCALE, parseDecimal, QUANTITY_SCALE } from './money'
import type { DeductionState, ExclusionReason, RunTotals, SettlementLine } from './settlement'
import type { DeductionEntry } from './statement'

/** A run is computed as a draft, then approved (frozen, payouts recorded) or discarded. */
export const RUN_STATUSES = ['draft', 'approved', 'discarded'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Where a line's payout stands: none to make, waiting for the bank or mobile money, paid, or failed. */
export const PAYOUT_STATUSES = ['none', 'pending', 'paid', 'failed'] as const
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number]

/**
 * Largest absolute amount of a run total or a line, minor units (10^15 = 10 trillion in major
 * units): 100,000 suppliers at the largest payment each.
 */
export const MAX_RUN_MINOR = 10n ** 15n

const signedMoney = () => decimalField(MONEY_SCALE, { max: MAX_RUN_MINOR })
const count = () => z.number().int().min(0)

export const settlementRunInput = z.object({
  period_from: dateField(),
  period_to: dateField(),
  status: z.enum(RUN_STATUSES),
  /** "2026-05 / 1": what payout files and statements call the run (unique in the business). */
  reference: z.string().trim().min(1).max(60),
  /** What deductions must leave each supplier (settings at the time the run was computed). */
  floor: signedMoney(),
  notes: textField().default(null),
  approved_by: idField().nullable().default(null),
  approved_at: z.string().nullable().default(null),
  suppliers: count(),
  unpriced: count(),
  late: count(),
  gross: signedMoney(),
  advances: signedMoney(),
  deducted: signedMoney(),
  net_payable: signedMoney(),
  payout: signedMoney(),
  carried_forward: signedMoney(),
})

const item = z.object({
  id: z.string(),
  date: z.string(),
  amount: z.string().nullable(),
  late: z.boolean(),
  /** Collections: the net quantity and unit, for the statement. */
  quantity: z.string().optional(),
  unit: z.string().optional(),
  product_id: z.string().optional(),
  receipt_number: z.string().nullable().optional(),
  payment_type: z.string().optional(),
})

export type LineItem = z.output<typeof item>

const deductionLine = z.object({
  deduction_id: z.string(),
  kind: z.enum(DEDUCTION_KINDS),
  description: z.string(),
  carried_before: z.string(),
  charged: z.string(),
  due: z.string(),
  applied: z.string(),
  carried: z.string(),
  outstanding_after: z.string().nullable(),
})

const state = z.object({ applied: z.string(), carried: z.string() })

export const lineDetail = z.object({
  collections: z.array(item),
  payments: z.array(item),
  deductions: z.array(deductionLine),
  excluded: z.array(
    z.object({
      kind: z.enum(['collection', 'payment']),
      id: z.string(),
      reason: z.enum(['after_period', 'unsettled_period']),
    }),
  ),
  deduction_state: z.record(z.string(), state),
})
export type LineDetail = z.output<typeof lineDetail>

export const settlementLineInput = z.object({
  run_id: idField(),
  supplier_id: idField(),
  period_from: dateField(),
  period_to: dateField(),
  /** The run's status, repeated so a device can tell an approved statement from a draft. */
  status: z.enum(RUN_STATUSES),
  opening: signedMoney(),
  gross: signedMoney(),
  unpriced: count(),
  /** Net quantity of the line's collections, priced or not (3 places, summed across units). */
  quantity: decimalField(QUANTITY_SCALE, { nonNegative: true, max: 10n ** 18n }),
  advances: signedMoney(),
  late: count(),
  available: signedMoney(),
  deducted: signedMoney(),
  net_payable: signedMoney(),
  payout: signedMoney(),
  carried_forward: signedMoney(),
  payout_status: z.enum(PAYOUT_STATUSES).default('none'),
  /** The payment that approval recorded for the payout, once approved. */
  payment_id: idField().nullable().default(null),
  /** What the bank or mobile money answered for a failed payout. */
  payout_note: textField(500).default(null),
  detail: lineDetail,
})

export type SettlementRunFields = z.output<typeof settlementRunInput>
export type SettlementLineFields = z.output<typeof settlementLineInput>

/** The money fields of a run and a line: stored in minor units, decimal strings on the wire. */
export const RUN_MONEY_FIELDS = [
  'floor',
  'gross',
  'advances',
  'deducted',
  'net_payable',
  'payout',
  'carried_forward',
] as const
export const LINE_MONEY_FIELDS = [
  'opening',
  'gross',
  'advances',
  'available',
  'deducted',
  'net_payable',
  'payout',
  'carried_forward',
] as const

const m = (v: bigint) => formatDecimal(v, MONEY_SCALE)

/** A computed line (settlement.ts) as the document a run stores and a device reads. */
export function lineFields(
  run: { id: string; period_from: string; period_to: string; status: RunStatus },
  line: SettlementLine,
  /** What a statement shows of each item beyond its amount (a collection's quantity, a payment's type), by id. */
  extra: Readonly<Record<string, Partial<LineItem>>> = {},
): SettlementLineFields {
  const items = (list: SettlementLine['collections']) =>
    list.map((i) => ({
      id: i.id,
      date: i.date,
      amount: i.amount === null ? null : m(i.amount),
      late: i.late,
      ...extra[i.id],
    }))
  return {
    run_id: run.id,
    supplier_id: line.supplier_id,
    period_from: run.period_from,
    period_to: run.period_to,
    status: run.status,
    opening: m(line.opening),
    gross: m(line.gross),
    unpriced: line.unpriced,
    quantity: formatDecimal(line.quantity, QUANTITY_SCALE),
    advances: m(line.advances),
    late: line.late,
    available: m(line.available),
    deducted: m(line.deducted),
    net_payable: m(line.net_payable),
    payout: m(line.payout),
    carried_forward: m(line.carried_forward),
    payout_status: line.payout > 0n ? 'pending' : 'none',
    payment_id: null,
    payout_note: null,
    detail: {
      collections: items(line.collections),
      payments: items(line.payments),
      deductions: line.deductions.map((d) => ({
        deduction_id: d.deduction_id,
        kind: d.kind,
        description: d.description,
        carried_before: m(d.carried_before),
        charged: m(d.charged),
        due: m(d.due),
        applied: m(d.applied),
        carried: m(d.carried),
        outstanding_after: d.outstanding_after === undefined ? null : m(d.outstanding_after),
      })),
      excluded: line.excluded.map((e) => ({ kind: e.kind, id: e.id, reason: e.reason as ExclusionReason })),
      deduction_state: Object.fromEntries(
        Object.entries(line.deduction_state).map(([id, s]) => [id, { applied: m(s.applied), carried: m(s.carried) }]),
      ),
    },
  }
}

/** A run's totals as its document's fields. */
export function runTotalsFields(totals: RunTotals) {
  return {
    suppliers: totals.suppliers,
    unpriced: totals.unpriced,
    late: totals.late,
    gross: m(totals.gross),
    advances: m(totals.advances),
    deducted: m(totals.deducted),
    net_payable: m(totals.net_payable),
    payout: m(totals.payout),
    carried_forward: m(totals.carried_forward),
  }
}

/** Where a supplier's next run starts from, read back from the last approved line's document. */
export function carriedFrom(
  line: Pick<SettlementLineFields, 'carried_forward' | 'detail' | 'payout' | 'payout_status'>,
): {
  opening: bigint
  deduction_state: Record<string, DeductionState>
} {
  // A payout that failed was never paid: the supplier is still owed it.
  const failed = line.payout_status === 'failed' ? parseDecimal(line.payout, MONEY_SCALE) : 0n
  return {
    opening: parseDecimal(line.carried_forward, MONEY_SCALE) + failed,
    deduction_state: Object.fromEntries(
      Object.entries(line.detail.deduction_state).map(([id, s]) => [
        id,
        { applied: parseDecimal(s.applied, MONEY_SCALE), carried: parseDecimal(s.carried, MONEY_SCALE) },
      ]),
    ),
  }
}

/** The fields of a settlement line a balance or statement reads. */
export type LineForBalance = Pick<SettlementLineFields, 'status' | 'period_to' | 'detail'> & {
  created_at: string
  deleted_at?: string | null
}

/**
 * What approved runs took from a supplier's balance, as statement entries (statement.ts): one per
 * deduction a line applied, dated the run's last day, described with `reference` when given.
 * Drafts, discarded runs and deleted lines take nothing. The server's balances and statements and
 * the device's both read deductions through this.
 */
export function deductionEntries<L extends LineForBalance>(
  lines: Iterable<L>,
  reference?: (line: L) => string | undefined,
): Array<DeductionEntry & { description: string }> {
  const out: Array<DeductionEntry & { description: string }> = []
  for (const l of lines) {
    if (l.status !== 'approved' || l.deleted_at) continue
    const ref = reference?.(l)
    for (const d of l.detail.deductions) {
      const amount = parseDecimal(d.applied, MONEY_SCALE)
      if (amount === 0n) continue
      out.push({
        kind: 'deduction',
        date: l.period_to,
        created_at: l.created_at,
        id: d.deduction_id,
        amount,
        description: ref ? `${d.description} (settlement ${ref})` : d.description,
      })
    }
  }
  return out
}
