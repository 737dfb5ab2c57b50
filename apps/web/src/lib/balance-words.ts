/**
 * The one way a balance is worded on every screen: a positive (or zero) balance is what the
 * business owes the supplier, "Owed to supplier: 1,200.00"; a negative one is the supplier paid
 * ahead (they owe the business), "In credit: 300.00". Never a minus sign in front of "owed".
 * The words are the chosen language's (`balance.owed`, `balance.credit` in i18n/areas/money.ts).
 *
 *   balanceText('1200.00')  // "Owed to supplier: 1,200.00"
 *   balanceText('-300.00')  // "In credit: 300.00"
 *   balanceAmount('-300.00') // "In credit: 300.00" (a table cell under an "Owed to supplier" heading)
 *   balanceAmount('1200.00') // "1,200.00"
 */
import { i18next } from '../i18n'
import { money } from './format'

/**
 * English only, for the screens not yet translated (suppliers.tsx, supplier-detail.tsx); a
 * translated screen heads a column or card with t('balance.owed').
 * @deprecated use t('balance.owed')
 */
export const OWED_LABEL = 'Owed to supplier'

export interface BalanceWords {
  /** "Owed to supplier" or "In credit", in the chosen language. */
  label: string
  /** The amount without a sign, grouped: "1,200.00". */
  amount: string
  /** True when the supplier is paid ahead (a negative balance). */
  credit: boolean
}

/** The label and unsigned amount of a balance (a decimal string, "-300.00"). */
export function balanceWords(value: string): BalanceWords {
  const credit = value.startsWith('-') && /[1-9]/.test(value)
  const unsigned = value.startsWith('-') ? value.slice(1) : value
  return { label: i18next.t(credit ? 'balance.credit' : 'balance.owed'), amount: money(unsigned), credit }
}

/** "Owed to supplier: 1,200.00" or "In credit: 300.00"; "—" when unknown. */
export function balanceText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const w = balanceWords(value)
  return `${w.label}: ${w.amount}`
}

/**
 * A balance in a column or card already headed "Owed to supplier": the amount when owed,
 * "In credit: 300.00" when paid ahead; "—" when unknown.
 */
export function balanceAmount(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const w = balanceWords(value)
  return w.credit ? `${w.label}: ${w.amount}` : w.amount
}
