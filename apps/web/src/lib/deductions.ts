/**
 * The deduction form's values and what they become: the fields each kind shows (core's
 * DEDUCTION_FIELDS and the optional ones), the input saved (other kinds' fields null, so core's
 * `deductionErrors` and the server agree with what the person saw), and how a deduction reads in
 * a list (its terms, whether it is in force on a day).
 *
 *   const input = deductionInputOf(supplierId, values)   // { kind: 'charge', amount: '150.00', rate: null, … }
 *   deductionErrors(input)                               // core's cross-field check, shown per field
 *   deductionTerms(row, productName)                     // "2.50 per kg of Green tea leaf"
 *
 * Its words are in the language the person chose (i18n/areas/records.ts, `deductions.*`); a
 * screen that shows them re-renders on a change of language through its `useTranslation()`.
 */
import { DEDUCTION_KINDS, type Deduction, type DeductionKind } from '@trackvault/core'
import { i18next } from '../i18n'
import { money } from './format'

/**
 * The text key of each kind's label. Keyed by string, not by core's kind: `adjustment` (a
 * correction of a settled period, a signed one-off amount) is labelled here whether or not this
 * build's core has it yet.
 */
const KIND_KEYS: Record<string, string> = {
  charge: 'deductions.kindCharge',
  per_quantity: 'deductions.kindPerQuantity',
  per_period: 'deductions.kindPerPeriod',
  credit: 'deductions.kindCredit',
  adjustment: 'deductions.kindAdjustment',
}
/** "One-off charge", … in the chosen language; an unknown kind as it is. */
export const kindLabel = (kind: string): string => {
  const key = KIND_KEYS[kind]
  return key ? i18next.t(key) : kind
}
/** Select options of the kinds and of a credit's purposes, in the chosen language. */
export const deductionKindOptions = () => DEDUCTION_KINDS.map((k) => ({ value: k, label: kindLabel(k) }))
export const creditPurposeOptions = () => [
  { value: 'inputs', label: i18next.t('deductions.purposeInputs') },
  { value: 'loan', label: i18next.t('deductions.purposeLoan') },
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
  const t = i18next.t.bind(i18next)
  switch (d.kind as string) {
    case 'charge':
      return t('deductions.termsOnce', { amount: money(d.amount) })
    case 'per_quantity': {
      const terms = { rate: money(d.rate), unit: d.unit ?? t('deductions.anyUnit') }
      if (!d.product_id) return t('deductions.termsPerQuantity', terms)
      const product = productName?.(d.product_id) ?? t('deductions.oneProduct')
      return t('deductions.termsPerQuantityOf', { ...terms, product })
    }
    case 'per_period':
      return t('deductions.termsPerPeriod', { amount: money(d.amount) })
    case 'credit':
      return t(d.purpose === 'loan' ? 'deductions.termsLoan' : 'deductions.termsInputs', {
        principal: money(d.principal),
        instalment: money(d.instalment),
      })
    case 'adjustment':
      return d.amount?.startsWith('-')
        ? t('deductions.termsOwedBack', { amount: money(d.amount.slice(1)) })
        : t('deductions.termsTaken', { amount: money(d.amount) })
    default:
      return kindLabel(d.kind)
  }
}

/** The days a deduction applies: a charge's day, or from its first day to its last (open: "onwards"). */
export function deductionPeriod(d: Pick<Deduction, 'kind' | 'effective_date' | 'end_date'>): string {
  if (isOnce(d.kind)) return i18next.t('deductions.periodOn', { date: d.effective_date })
  return d.end_date
    ? i18next.t('deductions.periodRange', { from: d.effective_date, to: d.end_date })
    : i18next.t('deductions.periodFrom', { from: d.effective_date })
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
