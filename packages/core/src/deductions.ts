/**
 * Deductions (check-off): what a business recovers from what it owes a supplier at settlement,
 * as data. Four kinds:
 *
 * - `charge`: a one-off amount (bags, a fine) charged in the period containing `effective_date`;
 * - `per_quantity`: a recurring rate per unit of net quantity delivered in the period (transport
 *   or cess per kg), counted on the collections in `unit` (and `product_id` when set) dated from
 *   `effective_date` to `end_date`;
 * - `per_period`: a recurring fixed `amount` each period it is in force (society fees);
 * - `credit`: inputs bought on credit or a loan (`purpose`), `principal` recovered in instalments of
 *   `instalment` per period from `effective_date` until repaid (no interest: a business that
 *   charges interest adds it to the principal).
 * - `adjustment`: a correction of a settled period (a settled record never changes), one-off in the
 *   first run whose period reaches `effective_date`; `amount` is signed: positive is taken like a
 *   charge (the supplier was paid too much), negative is owed to the supplier (paid too little) and
 *   is never limited by the floor. The only kind whose amount may be negative.
 *
 * Not the weight `deduction_percent` of a collection (water, poor quality): that lowers the
 * quantity paid for; these are money taken from what the supplier is owed.
 *
 * The input schema is flat (one optional column per kind's field, checked across fields by
 * {@link deductionErrors}, the entity spec's `check`): a synced entity like the others. How much of each is taken in a run, in which
 * order and what a floor leaves the supplier is `settlement.ts`.
 *
 * @example
 *   const transport = parseDeductionInput({
 *     supplier_id, kind: 'per_quantity', description: 'Transport', rate: '2.50', unit: 'kg',
 *     effective_date: '2026-05-01',
 *   })
 *   const fertiliser = parseDeductionInput({
 *     supplier_id, kind: 'credit', purpose: 'inputs', description: 'Fertiliser, 2 bags',
 *     principal: '9000.00', instalment: '1500.00', effective_date: '2026-05-01',
 *   })
 */

import { z } from 'zod'
import { AppError } from './errors'
import { dateField, decimalField, idField, moneyField, nameField, rateField, textField, unitField } from './fields'
import { MAX_AMOUNT_MINOR, MONEY_SCALE, parseDecimal } from './money'
import { fieldProblem } from './problems'
import { parseOrThrow } from './validation'

export const DEDUCTION_KINDS = ['charge', 'per_quantity', 'per_period', 'credit', 'adjustment'] as const
export type DeductionKind = (typeof DEDUCTION_KINDS)[number]

/** What a credit paid for: inputs (fertiliser, feed) from the business, or a loan (a SACCO's). */
export const CREDIT_PURPOSES = ['inputs', 'loan'] as const
export type CreditPurpose = (typeof CREDIT_PURPOSES)[number]

/** The fields each kind requires; every other kind-specific field must be null. */
export const DEDUCTION_FIELDS = {
  charge: ['amount'],
  per_quantity: ['rate', 'unit'],
  per_period: ['amount'],
  credit: ['purpose', 'principal', 'instalment'],
  adjustment: ['amount'],
} as const satisfies Record<DeductionKind, readonly string[]>

/** Kind-specific fields a kind may set but need not (a per-kg charge limited to one product). */
const OPTIONAL_FIELDS: Record<DeductionKind, readonly string[]> = {
  charge: [],
  per_quantity: ['product_id', 'end_date'],
  per_period: ['end_date'],
  credit: [],
  adjustment: [],
}

const KIND_SPECIFIC = [
  'amount',
  'rate',
  'unit',
  'product_id',
  'purpose',
  'principal',
  'instalment',
  'end_date',
] as const

export const deductionInput = z.object({
  supplier_id: idField(),
  kind: z.enum(DEDUCTION_KINDS),
  /** What the supplier's statement calls it: "Transport", "Society fee", "Fertiliser, 2 bags". */
  description: nameField(),
  /** A charge: the day it is charged. Recurring and credit: the first day in force. */
  effective_date: dateField(),
  /** Recurring: the last day in force (inclusive); null while open. */
  end_date: dateField().nullable().default(null),
  /**
   * A charge: its amount; per_period: the amount each period; adjustment: signed (negative: owed to
   * the supplier). Greater than zero for every other kind ({@link deductionErrors}).
   */
  amount: decimalField(MONEY_SCALE, { max: MAX_AMOUNT_MINOR }).nullable().default(null),
  /** per_quantity: the money per unit of net quantity delivered. */
  rate: rateField().nullable().default(null),
  /** per_quantity: the unit counted (collections in another unit are not). */
  unit: unitField().nullable().default(null),
  /** per_quantity: only collections of this product, when set. */
  product_id: idField().nullable().default(null),
  /** credit: inputs or a loan. */
  purpose: z.enum(CREDIT_PURPOSES).nullable().default(null),
  /** credit: the amount lent, recovered in instalments. */
  principal: moneyField().nullable().default(null),
  /** credit: recovered each period until the principal is repaid. */
  instalment: moneyField().nullable().default(null),
  notes: textField().default(null),
  /** Switched off (or deleted): nothing more is charged, and what was carried is not taken (waived). */
  is_active: z.boolean().default(true),
})

export type DeductionInput = z.output<typeof deductionInput>

/**
 * The rules across a deduction's fields (the schema checks each alone): a kind's required fields
 * set, other kinds' fields null, `end_date` not before `effective_date`, an instalment not over the
 * principal. The messages per field, or undefined when they hold.
 */
export function deductionErrors(fields: Record<string, unknown>): Record<string, string[]> | undefined {
  const kind = fields.kind as DeductionKind
  const required: readonly string[] = DEDUCTION_FIELDS[kind]
  const allowed = new Set([...required, ...OPTIONAL_FIELDS[kind]])
  const errors: Record<string, string[]> = {}
  for (const f of required) if (fields[f] == null) errors[f] = [fieldProblem('kind_required', { kind })]
  for (const f of KIND_SPECIFIC) {
    if (!allowed.has(f) && fields[f] != null) errors[f] = [fieldProblem('kind_unused', { kind })]
  }
  if (fields.amount != null && !errors.amount) {
    const amount = parseDecimal(fields.amount as string, MONEY_SCALE)
    if (kind === 'adjustment' && amount === 0n) errors.amount = [fieldProblem('not_zero')]
    if (kind !== 'adjustment' && amount <= 0n) errors.amount = [fieldProblem('greater_than_zero')]
  }
  const end = fields.end_date as string | null
  if (end != null && allowed.has('end_date') && end < (fields.effective_date as string)) {
    errors.end_date = [fieldProblem('not_before', { other: 'effective_date' })]
  }
  if (kind === 'credit' && fields.principal != null && fields.instalment != null) {
    const principal = parseDecimal(fields.principal as string, MONEY_SCALE)
    if (parseDecimal(fields.instalment as string, MONEY_SCALE) > principal) {
      errors.instalment = [fieldProblem('over_principal')]
    }
  }
  return Object.keys(errors).length > 0 ? errors : undefined
}

/** A deduction's input, validated field by field and across fields; VALIDATION_FAILED naming the fields otherwise. */
export function parseDeductionInput(input: unknown): DeductionInput {
  const fields = parseOrThrow(deductionInput, input)
  const errors = deductionErrors(fields)
  if (errors) throw new AppError('VALIDATION_FAILED', undefined, { fields: errors })
  return fields
}
