/**
 * The deduction form's values and what they become: the fields each kind shows (core's
 * DEDUCTION_FIELDS and the optional ones), the input saved (other kinds' fields null, so core's
 * `deductionErrors` and the server agree with what the person saw), and how a deduction reads in
 * a list (its terms, whether it is in force on a day).
 *
 *   const input = deductionInputOf(supplierId, values)   // { kind: 'charge', amount: '150.00', rate: null, … }
 *   deductionErrors(input)                               // core's cross-field check, shown per field
 *   deductionTerms(row, productName)                     // "2.50 per kg of Green tea leaf"
 */
import { DEDUCTION_KINDS, type Deduction, type DeductionKind } from '@trackvault/core'
import { money } from './format'

/**
 * Keyed by string, not by core's kind: `adjustment` (a correction of a settled period, a signed
 * one-off amount) is labelled here whether or not this build's core has it yet.
 */
export const DEDUCTION_KIND_LABELS: Record<string, string> = {
  charge: 'One-off charge',
  per_quantity: 'Per quantity delivered',
  per_period: 'Fixed each period',
  credit: 'Credit (inputs or loan)',
  adjustment: 'Adjustment (correction)',
}
export const kindLabel = (kind: string): string => DEDUCTION_KIND_LABELS[kind] ?? kind
export const DEDUCTION_KIND_OPTIONS = DEDUCTION_KINDS.map((k) => ({ value: k, label: kindLabel(k) }))
export const CREDIT_PURPOSE_OPTIONS = [
  { value: 'inputs', label: 'Inputs (fertiliser, feed…)' },
  { value: 'loan', label: 'Loan' },
]

/** The form's fields: text as typed, blank for none. */
export interface DeductionValues {
  kind: DeductionKind
  description: string
  effective_date: string
  end_date: string
  amount: string
  rate: string
  unit: string
  product_id: string
  purpose: string
  principal: string
  instalment: string
  notes: string
  is_active: boolean
}

type KindField = 'amount' | 'rate' | 'unit' | 'product_id' | 'purpose' | 'principal' | 'instalment' | 'end_date'

/** The kind-specific fields the form shows for a kind (required and optional; core's DEDUCTION_FIELDS and the optional ones). */
const KIND_FIELDS: Record<string, readonly KindField[]> = {
  charge: ['amount'],
  per_quantity: ['rate', 'unit', 'product_id', 'end_date'],
  per_period: ['amount', 'end_date'],
  credit: ['purpose', 'principal', 'instalment'],
  adjustment: ['amount'],
}
export const kindFields = (kind: string): readonly KindField[] => KIND_FIELDS[kind] ?? []

/** A kind charged once, on its day (a charge, an adjustment), rather than over a period. */
const isOnce = (kind: string) => kind === 'charge' || kind === 'adjustment'

export function emptyDeduction(today: string): DeductionValues {
  return {
    kind: 'charge',
    description: '',
    effective_date: today,
    end_date: '',
    amount: '',
    rate: '',
    unit: 'kg',
    product_id: '',
    purpose: 'inputs',
    principal: '',
    instalment: '',
    notes: '',
    is_active: true,
  }
}

/** A stored deduction as the form's values (to edit it). */
export function deductionValues(d: Deduction): DeductionValues {
  return {
    kind: d.kind,
    description: d.description,
    effective_date: d.effective_date,
    end_date: d.end_date ?? '',
    amount: d.amount ?? '',
    rate: d.rate ?? '',
    unit: d.unit ?? 'kg',
    product_id: d.product_id ?? '',
    purpose: d.purpose ?? 'inputs',
    principal: d.principal ?? '',
    instalment: d.instalment ?? '',
    notes: d.notes ?? '',
    is_active: d.is_active,
  }
}

/** The input the form saves: the kind's fields as typed (blank: null), every other kind's field null. */
export function deductionInputOf(supplierId: string, v: DeductionValues) {
  const shown = new Set<string>(kindFields(v.kind))
  const text = (f: KindField, value: string) => (shown.has(f) && value.trim() ? value.trim() : null)
  return {
    supplier_id: supplierId,
    kind: v.kind,
    description: v.description.trim(),
    effective_date: v.effective_date,
    end_date: text('end_date', v.end_date),
    amount: text('amount', v.amount),
    rate: text('rate', v.rate),
    unit: shown.has('unit') && v.unit.trim() ? v.unit.trim().toLowerCase() : null,
    product_id: text('product_id', v.product_id),
    purpose: (text('purpose', v.purpose) as 'inputs' | 'loan' | null) ?? null,
    principal: text('principal', v.principal),
    instalment: text('instalment', v.instalment),
    notes: v.notes.trim() || null,
    is_active: v.is_active,
  }
}

type TermFields = Pick<
  Deduction,
  'kind' | 'amount' | 'rate' | 'unit' | 'product_id' | 'purpose' | 'principal' | 'instalment'
>

/** What a deduction takes, in words: "150.00 once", "2.50 per kg of Tea", "100.00 each period", "Loan of 9,000.00 at 1,500.00 a period". */
export function deductionTerms(d: TermFields, productName?: (id: string) => string | undefined): string {
  switch (d.kind as string) {
    case 'charge':
      return `${money(d.amount)} once`
    case 'per_quantity': {
      const product = d.product_id ? productName?.(d.product_id) : undefined
      return `${money(d.rate)} per ${d.unit ?? 'unit'}${d.product_id ? ` of ${product ?? 'one product'}` : ''}`
    }
    case 'per_period':
      return `${money(d.amount)} each period`
    case 'credit':
      return `${d.purpose === 'loan' ? 'Loan' : 'Inputs'} of ${money(d.principal)} at ${money(d.instalment)} a period`
    case 'adjustment':
      return d.amount?.startsWith('-')
        ? `${money(d.amount.slice(1))} owed to the supplier, once`
        : `${money(d.amount)} taken once`
    default:
      return kindLabel(d.kind)
  }
}

/** The days a deduction applies: a charge's day, or from its first day to its last (open: "onwards"). */
export function deductionPeriod(d: Pick<Deduction, 'kind' | 'effective_date' | 'end_date'>): string {
  if (isOnce(d.kind)) return `on ${d.effective_date}`
  return d.end_date ? `${d.effective_date} to ${d.end_date}` : `from ${d.effective_date}`
}

/**
 * In force on `day`: active, started, and not ended (a charge or adjustment: on or before `day`; a credit
 * until repaid, which only the runs know, so from its first day).
 */
export function deductionInForce(
  d: Pick<Deduction, 'kind' | 'effective_date' | 'end_date' | 'is_active' | 'deleted_at'>,
  day: string,
): boolean {
  if (!d.is_active || d.deleted_at || d.effective_date > day) return false
  return isOnce(d.kind) || d.kind === 'credit' || d.end_date === null || d.end_date >= day
}
