/**
 * Settlement: what each supplier is paid at the end of a period, one rule for the server's runs,
 * the clients' previews and the statements. Exact: decimal strings in (the rows as they sync),
 * BigInt minor units inside and out, no float anywhere.
 *
 * For one supplier and one period (from_date..to_date, inclusive):
 *
 *     available   = opening + gross - advances
 *     deducted    = what the deductions take, in priority order, never leaving less than the floor
 *     net_payable = max(available - deducted, 0)
 *     payout      = net_payable, or less when the business pays part now (`pay_at_most`)
 *     carried     = available - deducted - payout   (the next run's opening)
 *
 * - opening: carried forward from the supplier's previous run (negative when advances ran over).
 * - gross: the period's priced collections; unpriced ones are counted (`unpriced`), never guessed.
 * - advances: payments made in the period (advance or partial; not earlier runs' payouts).
 * - Late arrivals: a collection or payment dated before the period that no run has included is
 *   included and marked `late`: one of a settled period (it synced after that run), and one of a
 *   period no run covered (the first run, or a month skipped), since settlement only goes forward
 *   and no later run could pay it. One dated after the period is left out (`excluded`,
 *   `after_period`): it belongs to the next run. The caller passes the rows no earlier run has
 *   included.
 * - The floor: deductions never take the balance owed (available) below `floor`; when it is
 *   already below, they take nothing. What a deduction cannot take now is carried (its arrears)
 *   and is due again, first, in the next run. Advances are not deductions: they were paid.
 *
 * Deduction priority ({@link DEDUCTION_PRIORITY}): adjustment, per_quantity, per_period, charge,
 * then credit; within a kind oldest first (effective_date, then id). An adjustment corrects a
 * settled period: a negative one (owed to the supplier) is applied whole, first, and widens the
 * room above the floor the others take from (it is never limited by the floor); a positive one is
 * a correction of what was paid before, taken first like a charge. Fees and charges come before credit
 * instalments because they pay for this period's service (transport, the society) that the
 * business has already paid out to someone else, and because when skipped they pile up on the
 * next period's fees; a credit instalment that is not taken only stretches the repayment: the
 * outstanding principal stays recorded, so the lender loses nothing but time.
 *
 * Identity (the property test): over consecutive runs, sum(payout) + the last carried forward =
 * sum(priced collections) - sum(advances) - sum(deductions applied), exactly.
 *
 * @example
 *   // May: 120.000 kg (9600.00) and 130.500 kg (10440.00) priced, 40.000 kg not yet; an advance of
 *   // 3000.00; transport 2.50 a kg, a 100.00 society fee, a fertiliser credit at 1500.00 a month.
 *   const run = settleRun({ period: { from_date: '2026-05-01', to_date: '2026-05-31' }, settled: [], floor: 50000n }, [
 *     { supplier_id, opening: 0n, collections, payments, deductions: [transport, societyFee, fertiliser] },
 *   ])
 *   const line = run.lines[0]
 *   moneyOf(line.gross) // "20040.00", line.unpriced === 1
 *   line.deductions.map((d) => moneyOf(d.applied)) // ["726.25", "100.00", "1500.00"] (kilos, priced or not)
 *   moneyOf(line.net_payable) // "14713.75"
 *   const next = carryForward(line) // { opening, deduction_state } for June's run
 */

import type { DeductionInput, DeductionKind } from './deductions'
import { AppError } from './errors'
import { amountFor, MONEY_SCALE, parseDecimal, QUANTITY_SCALE } from './money'
import { fieldProblem } from './problems'

/** A settlement period: from_date..to_date, inclusive, YYYY-MM-DD in the business's time zone. */
export interface SettlementPeriod {
  from_date: string
  to_date: string
}

/** The fields of a collection settlement reads (a `Collection` row has them). */
export interface SettlementCollection {
  id: string
  collection_date: string
  product_id: string
  unit: string
  /** The quantity paid for, 3 places. */
  net_quantity: string
  /** 2 places; null while unpriced. */
  total_amount: string | null
  deleted_at?: string | null
}

/** The fields of a payment settlement reads: an advance or partial payment made in the period. */
export interface SettlementPayment {
  id: string
  payment_date: string
  amount: string
  deleted_at?: string | null
}

/** The fields of a deduction settlement reads (a `Deduction` row has them). */
export type SettlementDeduction = Pick<
  DeductionInput,
  | 'kind'
  | 'description'
  | 'effective_date'
  | 'end_date'
  | 'amount'
  | 'rate'
  | 'unit'
  | 'product_id'
  | 'purpose'
  | 'principal'
  | 'instalment'
  | 'is_active'
> & { id: string; deleted_at?: string | null }

/** Where a deduction stands after earlier runs (absent: never charged). Minor units. */
export interface DeductionState {
  /** Taken in all earlier runs. */
  applied: bigint
  /** Charged but not taken yet (arrears): due first in the next run. */
  carried: bigint
}

export interface SupplierSettlementInput {
  supplier_id: string
  /** Carried forward from the supplier's previous run (0 for the first), minor units. */
  opening: bigint
  /** The supplier's collections no earlier run included. */
  collections: readonly SettlementCollection[]
  /** The supplier's advances and partial payments no earlier run included. */
  payments: readonly SettlementPayment[]
  /** The supplier's deductions. */
  deductions: readonly SettlementDeduction[]
  /** Per deduction id, from the previous run's lines ({@link carryForward}). */
  deduction_state?: Readonly<Record<string, DeductionState>>
  /** A partial payout: pay at most this now (minor units); the rest is carried forward. */
  pay_at_most?: bigint
}

export interface RunContext {
  period: SettlementPeriod
  /** Periods already settled: rows dated in them arrive late. */
  settled: readonly SettlementPeriod[]
  /** What deductions must leave a supplier, minor units (0: they may take everything owed). */
  floor: bigint
}

/** A collection or payment a line includes. */
export interface SettledItem {
  id: string
  date: string
  /** Minor units; null for an unpriced collection. */
  amount: bigint | null
  /** Dated in an earlier, settled period. */
  late: boolean
}

/** Why a row was left out of a line; `unsettled_period` only on lines computed before such rows were brought forward. */
export type ExclusionReason = 'after_period' | 'unsettled_period'

export interface DeductionLine {
  deduction_id: string
  kind: DeductionKind
  description: string
  /** Arrears from earlier runs. */
  carried_before: bigint
  /** Charged in this run: this period's fee, instalment or per-unit charge; a charge's amount once. */
  charged: bigint
  /** carried_before + charged. */
  due: bigint
  /** Taken in this run. */
  applied: bigint
  /** due - applied: due again, first, next run. */
  carried: bigint
  /** Credit only: principal still to recover after this run. */
  outstanding_after?: bigint
  /** The state the next run starts from. */
  state_after: DeductionState
}

export interface SettlementLine {
  supplier_id: string
  opening: bigint
  /** Priced collections, including late ones. */
  gross: bigint
  /** Collections included with no price yet (not in gross). */
  unpriced: number
  /** Net quantity of the included collections, priced or not, in thousandths. */
  quantity: bigint
  advances: bigint
  /** Included collections and payments dated in an earlier, settled period. */
  late: number
  /** opening + gross - advances. */
  available: bigint
  deductions: DeductionLine[]
  /** Sum of the deductions' `applied`. */
  deducted: bigint
  net_payable: bigint
  /** What this run pays (net_payable unless a partial payout). */
  payout: bigint
  carried_forward: bigint
  collections: SettledItem[]
  payments: SettledItem[]
  excluded: { kind: 'collection' | 'payment'; id: string; reason: ExclusionReason }[]
  /** Every deduction's state after this run (the input's, updated by the deductions taken). */
  deduction_state: Record<string, DeductionState>
}

export interface RunTotals {
  suppliers: number
  gross: bigint
  unpriced: number
  late: number
  advances: bigint
  deducted: bigint
  net_payable: bigint
  payout: bigint
  carried_forward: bigint
}

export interface SettlementRun {
  period: SettlementPeriod
  lines: SettlementLine[]
  totals: RunTotals
}

/** The order deductions are taken in (see the module comment for why). */
export const DEDUCTION_PRIORITY: readonly DeductionKind[] = [
  'adjustment',
  'per_quantity',
  'per_period',
  'charge',
  'credit',
]

const money = (s: string) => parseDecimal(s, MONEY_SCALE)
const min = (a: bigint, b: bigint) => (a < b ? a : b)
const max = (a: bigint, b: bigint) => (a > b ? a : b)

function invalid(fields: Record<string, string[]>): never {
  throw new AppError('VALIDATION_FAILED', undefined, { fields })
}

function checkContext(ctx: RunContext) {
  const { period } = ctx
  if (period.to_date < period.from_date)
    invalid({ 'period.to_date': [fieldProblem('not_before', { other: 'from_date' })] })
  if (ctx.floor < 0n) invalid({ floor: [fieldProblem('not_negative')] })
  for (const s of ctx.settled) {
    if (s.from_date <= period.to_date && s.to_date >= period.from_date) {
      invalid({ period: [fieldProblem('settled_overlap', { from: s.from_date, to: s.to_date })] })
    }
  }
}

/** Whether a row dated `date` belongs to this run: in the period, late, or neither (why). */
function placeOf(date: string, ctx: RunContext): { late: boolean } | ExclusionReason {
  if (date > ctx.period.to_date) return 'after_period'
  // Before the period: late, whether a run settled its period or none did (none ever will: settlement goes forward).
  return { late: date < ctx.period.from_date }
}

function inForce(d: SettlementDeduction, period: SettlementPeriod): boolean {
  return d.effective_date <= period.to_date && (d.end_date === null || d.end_date >= period.from_date)
}

/** What `d` charges in this run (before arrears), given its state and the included collections. */
function chargedNow(
  d: SettlementDeduction,
  state: DeductionState,
  period: SettlementPeriod,
  collections: readonly SettlementCollection[],
): bigint {
  // A per-unit charge's window is the collections' dates (a late collection counts at its date).
  if (d.kind !== 'per_quantity' && !inForce(d, period)) return 0n
  switch (d.kind) {
    case 'adjustment': {
      // Once, like a charge; a negative one is owed to the supplier (its "charge" is negative).
      const rest = money(d.amount!) - state.applied - state.carried
      return money(d.amount!) < 0n ? min(rest, 0n) : max(rest, 0n)
    }
    case 'charge':
      // Charged once: whatever of the amount no earlier run charged.
      return max(money(d.amount!) - state.applied - state.carried, 0n)
    case 'per_period':
      return money(d.amount!)
    case 'per_quantity': {
      let quantity = 0n
      for (const c of collections) {
        if (c.unit !== d.unit || (d.product_id !== null && c.product_id !== d.product_id)) continue
        if (c.collection_date < d.effective_date || (d.end_date !== null && c.collection_date > d.end_date)) continue
        quantity += parseDecimal(c.net_quantity, QUANTITY_SCALE)
      }
      // One rounding per run, on the period's quantity (money.ts: half up).
      return amountFor(quantity, money(d.rate!))
    }
    case 'credit': {
      const unscheduled = money(d.principal!) - state.applied - state.carried
      return max(min(money(d.instalment!), unscheduled), 0n)
    }
  }
}

/** A deduction's rank: its kind's place in the priority, a negative adjustment (owed back) before all. */
function rank(d: SettlementDeduction): number {
  return d.kind === 'adjustment' && money(d.amount!) < 0n ? -1 : DEDUCTION_PRIORITY.indexOf(d.kind)
}

function byPriority(a: SettlementDeduction, b: SettlementDeduction): number {
  return (
    rank(a) - rank(b) || a.effective_date.localeCompare(b.effective_date) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  )
}

/** One supplier's line for the run described by `ctx`. */
export function settleSupplier(ctx: RunContext, input: SupplierSettlementInput): SettlementLine {
  checkContext(ctx)
  const excluded: SettlementLine['excluded'] = []

  const collections: SettledItem[] = []
  const counted: SettlementCollection[] = []
  let gross = 0n
  let unpriced = 0
  let quantity = 0n
  let late = 0
  for (const c of input.collections) {
    if (c.deleted_at) continue
    const place = placeOf(c.collection_date, ctx)
    if (typeof place === 'string') {
      excluded.push({ kind: 'collection', id: c.id, reason: place })
      continue
    }
    const amount = c.total_amount === null ? null : money(c.total_amount)
    collections.push({ id: c.id, date: c.collection_date, amount, late: place.late })
    counted.push(c)
    if (amount === null) unpriced++
    else gross += amount
    quantity += parseDecimal(c.net_quantity, QUANTITY_SCALE)
    if (place.late) late++
  }

  const payments: SettledItem[] = []
  let advances = 0n
  for (const p of input.payments) {
    if (p.deleted_at) continue
    const place = placeOf(p.payment_date, ctx)
    if (typeof place === 'string') {
      excluded.push({ kind: 'payment', id: p.id, reason: place })
      continue
    }
    const amount = money(p.amount)
    payments.push({ id: p.id, date: p.payment_date, amount, late: place.late })
    advances += amount
    if (place.late) late++
  }

  const available = input.opening + gross - advances
  const deductions: DeductionLine[] = []
  let deducted = 0n
  // Deductions switched off keep their state unchanged (their arrears are waived while off).
  const deduction_state: Record<string, DeductionState> = { ...input.deduction_state }
  const active = input.deductions.filter((d) => d.is_active && !d.deleted_at).sort(byPriority)
  const charges = active.map((d) => {
    const state = input.deduction_state?.[d.id] ?? { applied: 0n, carried: 0n }
    const charged = chargedNow(d, state, ctx.period, counted)
    return { d, state, charged, due: state.carried + charged }
  })
  // What negative adjustments owe the supplier: applied whole, whatever the floor.
  const owedBack = charges.reduce((t, x) => (x.due < 0n ? t - x.due : t), 0n)
  // What deductions may take: the part of the balance owed (with what adjustments owe back) above the floor.
  let room = max(available + owedBack - ctx.floor, 0n)
  for (const { d, state, charged, due } of charges) {
    if (due === 0n) continue // nothing due: not started, ended, repaid, or nothing delivered
    const applied = due < 0n ? due : min(due, room)
    if (due > 0n) room -= applied
    deducted += applied
    const line: DeductionLine = {
      deduction_id: d.id,
      kind: d.kind,
      description: d.description,
      carried_before: state.carried,
      charged,
      due,
      applied,
      carried: due - applied,
      state_after: { applied: state.applied + applied, carried: due - applied },
    }
    if (d.kind === 'credit') line.outstanding_after = money(d.principal!) - state.applied - applied
    deductions.push(line)
    deduction_state[d.id] = line.state_after
  }

  const owed = available - deducted
  const net_payable = max(owed, 0n)
  const payout = input.pay_at_most === undefined ? net_payable : min(net_payable, max(input.pay_at_most, 0n))
  return {
    supplier_id: input.supplier_id,
    opening: input.opening,
    gross,
    unpriced,
    quantity,
    advances,
    late,
    available,
    deductions,
    deducted,
    net_payable,
    payout,
    carried_forward: owed - payout,
    collections,
    payments,
    excluded,
    deduction_state,
  }
}

/** A run: every supplier's line, and the run's totals. Supplier ids must be distinct. */
export function settleRun(ctx: RunContext, suppliers: readonly SupplierSettlementInput[]): SettlementRun {
  checkContext(ctx)
  const seen = new Set<string>()
  for (const s of suppliers) {
    if (seen.has(s.supplier_id)) invalid({ suppliers: [`supplier ${s.supplier_id} appears more than once`] })
    seen.add(s.supplier_id)
  }
  const lines = suppliers.map((s) => settleSupplier(ctx, s))
  return { period: ctx.period, lines, totals: runTotals(lines) }
}

/** A run's totals over its lines (a server computes each supplier's line with that supplier's settled periods). */
export function runTotals(lines: readonly SettlementLine[]): RunTotals {
  const totals: RunTotals = {
    suppliers: lines.length,
    gross: 0n,
    unpriced: 0,
    late: 0,
    advances: 0n,
    deducted: 0n,
    net_payable: 0n,
    payout: 0n,
    carried_forward: 0n,
  }
  for (const l of lines) {
    totals.gross += l.gross
    totals.unpriced += l.unpriced
    totals.late += l.late
    totals.advances += l.advances
    totals.deducted += l.deducted
    totals.net_payable += l.net_payable
    totals.payout += l.payout
    totals.carried_forward += l.carried_forward
  }
  return totals
}

/** What a supplier's next run starts from: the carried-forward balance and each deduction's state. */
export function carryForward(line: SettlementLine): {
  opening: bigint
  deduction_state: Record<string, DeductionState>
} {
  return {
    opening: line.carried_forward,
    deduction_state: line.deduction_state,
  }
}
