/**
 * Pricing a collection, one rule for the server and every offline preview: the rate in force on
 * the collection date for its product and unit, and total = round_half_up(quantity x rate, 2),
 * bounded by the maximum amount (money.ts).
 *
 * @example
 *   const p = priceCollection(rates, { product_id, unit: 'kg', collection_date: '2026-05-01', quantity: '50.500' })
 *   if (p.ok) p.price.total_amount // "6060.00" with a 120.00 rate in force
 */

import {
  collectionTotal,
  divRoundHalfUp,
  formatDecimal,
  MONEY_SCALE,
  parseDecimal,
  QUANTITY_SCALE,
  totalTooLarge,
} from './money'
import { fieldProblem } from './problems'
import { type RatePeriod, resolveRate } from './rates'

/** What pricing sets on a collection. */
export interface CollectionPrice {
  product_rate_id: string
  rate_applied: string
  total_amount: string
}

/** The fields of a collection its net quantity and price depend on: a change to one reprices it. */
export const PRICE_INPUTS = [
  'product_id',
  'unit',
  'collection_date',
  'quantity',
  'tare_per_container',
  'containers',
  'deduction_percent',
  'grade',
  'fat_percent',
  'snf_percent',
] as const

/** The fields pricing reads; `quantity` is the quantity paid for (the net). */
export interface Priceable {
  product_id: string
  unit: string
  collection_date: string
  quantity: string
  /** Graded products: the grade (a rate of that grade prices it). */
  grade?: string | null
  /** Quality products: the readings a formula rate needs. */
  fat_percent?: string | null
  snf_percent?: string | null
}

export type PriceOutcome =
  | { ok: true; price: CollectionPrice }
  /** No rate in force for product, unit (grade) and date, or a formula rate without the readings it needs. */
  | { ok: false; reason: 'no_rate' }
  /** quantity x rate over the maximum amount; `message` is the one for the `quantity` field. */
  | { ok: false; reason: 'too_large'; message: string }

/**
 * The rate per unit a rate gives a collection: its `rate`, or for a quality formula
 * base + fat% x fat_rate + SNF% x snf_rate, rounded half up to cents (the rate a receipt shows,
 * so litres x rate = amount can be checked by hand). Undefined if the formula lacks a reading.
 */
export function rateFor(rate: RatePeriod, c: Pick<Priceable, 'fat_percent' | 'snf_percent'>): string | undefined {
  const formula = [
    [rate.fat_rate, c.fat_percent],
    [rate.snf_rate, c.snf_percent],
  ].filter(([part]) => part !== null && part !== undefined)
  if (formula.length === 0) return rate.rate
  // In hundredths of a cent: base cents x 100 + (percent in hundredths) x (part rate in cents).
  let sum = parseDecimal(rate.rate, MONEY_SCALE) * 100n
  for (const [part, reading] of formula) {
    if (reading === null || reading === undefined) return undefined
    sum += parseDecimal(reading, 2) * parseDecimal(part as string, MONEY_SCALE)
  }
  return formatDecimal(divRoundHalfUp(sum, 100n), MONEY_SCALE)
}

/** The price of `c` from `rates` (rows with `id` and a money `rate`). */
export function priceCollection(rates: Iterable<RatePeriod>, c: Priceable): PriceOutcome {
  const rate = resolveRate(rates, c.product_id, c.unit, c.collection_date, c.grade ?? null)
  const perUnit = rate ? rateFor(rate, c) : undefined
  if (!rate || perUnit === undefined) return { ok: false, reason: 'no_rate' }
  const total = collectionTotal(parseDecimal(c.quantity, QUANTITY_SCALE), parseDecimal(perUnit, MONEY_SCALE))
  if (total === undefined) return { ok: false, reason: 'too_large', message: totalTooLarge(perUnit) }
  return {
    ok: true,
    price: { product_rate_id: rate.id, rate_applied: perUnit, total_amount: formatDecimal(total, MONEY_SCALE) },
  }
}

/** The weighing of a collection: gross quantity, containers and their tare, a deduction in percent. */
export interface Weighing {
  /** Gross, as the scale reads it. */
  quantity: string
  tare_per_container?: string
  containers?: number
  deduction_percent?: string
}

export type NetOutcome =
  | { ok: true; net: string; tare: string; deduction: string }
  | { ok: false; field: 'tare_per_container' | 'deduction_percent'; message: string }

/**
 * The net quantity, the one that is paid: gross - tare x containers - deduction, where the
 * deduction is `deduction_percent` of the weight after tare, rounded half up to 3 places. Exact
 * (BigInt thousandths). Refused when the tare takes the whole weight, or the deduction all of it.
 *
 * @example netQuantity({ quantity: '52.000', tare_per_container: '0.750', containers: 2, deduction_percent: '4.00' })
 *          // { ok: true, net: '48.480', tare: '1.500', deduction: '2.020' }
 */
export function netQuantity(w: Weighing): NetOutcome {
  const gross = parseDecimal(w.quantity, QUANTITY_SCALE)
  const tare = parseDecimal(w.tare_per_container ?? '0', QUANTITY_SCALE) * BigInt(w.containers ?? 0)
  const afterTare = gross - tare
  if (afterTare <= 0n) {
    const message = fieldProblem('tare_over_weight', { tare: formatDecimal(tare, QUANTITY_SCALE) })
    return { ok: false, field: 'tare_per_container', message }
  }
  const percentHundredths = parseDecimal(w.deduction_percent ?? '0', 2)
  const deduction = divRoundHalfUp(afterTare * percentHundredths, 10_000n)
  const net = afterTare - deduction
  if (net <= 0n) return { ok: false, field: 'deduction_percent', message: fieldProblem('no_weight_left') }
  return {
    ok: true,
    net: formatDecimal(net, QUANTITY_SCALE),
    tare: formatDecimal(tare, QUANTITY_SCALE),
    deduction: formatDecimal(deduction, QUANTITY_SCALE),
  }
}

/** What of a product decides how its collections and rates are priced. */
export interface PricedProduct {
  pricing?: 'flat' | 'graded' | 'quality'
  grades?: readonly string[]
}

/**
 * The rules a rate or a collection keeps with its product's pricing mode: a graded product's rates
 * and collections name one of its grades (others name none); a quality product's rates carry the
 * formula's fat and SNF rates, and its collections the readings. The messages per field, or undefined.
 */
export function pricingModeErrors(
  type: 'product_rate' | 'collection',
  fields: Record<string, unknown>,
  product: PricedProduct,
): Record<string, string[]> | undefined {
  const mode = product.pricing ?? 'flat'
  const grades = product.grades ?? []
  const errors: Record<string, string[]> = {}
  const grade = fields.grade ?? null
  if (mode === 'graded') {
    if (grade === null) errors.grade = [fieldProblem('grade_required', { grades: grades.join(', ') })]
    else if (!grades.includes(grade as string)) errors.grade = [fieldProblem('one_of', { options: grades.join(', ') })]
  } else if (grade !== null) errors.grade = [fieldProblem('not_graded')]
  const parts =
    type === 'product_rate' ? (['fat_rate', 'snf_rate'] as const) : (['fat_percent', 'snf_percent'] as const)
  for (const f of parts) {
    const value = fields[f] ?? null
    if (mode === 'quality' && value === null) errors[f] = [fieldProblem('quality_required')]
    if (mode !== 'quality' && value !== null && type === 'product_rate') errors[f] = [fieldProblem('quality_only')]
  }
  return Object.keys(errors).length > 0 ? errors : undefined
}
