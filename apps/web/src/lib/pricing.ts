/**
 * Collection pricing for the screens: what is typed, priced by core's rule
 * (`priceCollection`, the server's too), exactly: decimal strings at the
 * edges, BigInt minor units in between, never floats.
 *
 *   const quote = quoteCollection(rates, { product_id, unit: 'kg', date: '2024-05-01', quantity: '50.5' })
 *   quote.amount // "6060.00" with a 120.00 rate in force
 */
import {
  DecimalFormatError,
  formatDecimal,
  parseDecimal,
  priceCollection,
  QUANTITY_SCALE,
  type RatePeriod,
  resolveRate,
  sumMoney,
  tryParseDecimal,
} from '@trackvault/core'

/** A unit as the server stores it: trimmed, lower case. */
export const normaliseUnit = (unit: string): string => unit.trim().toLowerCase()

export interface QuoteInput {
  product_id: string
  unit: string
  /** YYYY-MM-DD */
  date: string
  /** As typed, e.g. "50.5". */
  quantity: string
}

export interface Quote<R extends RatePeriod = RatePeriod> {
  /** The rate in force for product, unit and date, if one is known locally. */
  rate: R | undefined
  /** The quantity in thousandths, when it parses. */
  quantityMilli: bigint | undefined
  /** Why the quantity cannot be priced ("at most 3 decimal places allowed", a total over the maximum amount); undefined when blank or fine. */
  quantityProblem: string | undefined
  /** quantity x rate rounded half up to cents, as a money string; undefined without a rate or a valid quantity. */
  amount: string | undefined
}

/** Why a typed quantity is unusable, or undefined (blank counts as fine: the form reports "required" on save). */
export function quantityProblem(text: string): string | undefined {
  if (text.trim() === '') return undefined
  try {
    const milli = parseDecimal(text, QUANTITY_SCALE)
    return milli <= 0n ? 'must be greater than zero' : undefined
  } catch (err) {
    return err instanceof DecimalFormatError ? err.message : 'not a decimal number'
  }
}

/** The rate in force and the amount for what is typed in the collection form (core's pricing rule). */
export function quoteCollection<R extends RatePeriod>(rates: Iterable<R>, input: QuoteInput): Quote<R> {
  const unit = normaliseUnit(input.unit)
  const rate =
    input.product_id && unit && input.date ? resolveRate(rates, input.product_id, unit, input.date) : undefined
  const problem = quantityProblem(input.quantity)
  const quantityMilli = problem ? undefined : tryParseDecimal(input.quantity, QUANTITY_SCALE)
  if (!rate || quantityMilli === undefined) return { rate, quantityMilli, quantityProblem: problem, amount: undefined }
  const price = priceCollection([rate], { ...input, unit, collection_date: input.date })
  // The server refuses a total over the maximum amount; the form says so before saving.
  if (!price.ok)
    return {
      rate,
      quantityMilli,
      quantityProblem: price.reason === 'too_large' ? price.message : problem,
      amount: undefined,
    }
  return { rate, quantityMilli, quantityProblem: problem, amount: price.price.total_amount }
}

/** Exact quantity totals per unit, units in alphabetical order: [{ unit: 'kg', total: '75.500' }]. */
export function quantitiesByUnit(
  rows: Iterable<{ quantity: string; unit: string }>,
): Array<{ unit: string; total: string }> {
  const totals = new Map<string, bigint>()
  for (const row of rows) {
    const milli = tryParseDecimal(row.quantity, QUANTITY_SCALE)
    if (milli === undefined) continue
    totals.set(row.unit, (totals.get(row.unit) ?? 0n) + milli)
  }
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([unit, milli]) => ({ unit, total: formatDecimal(milli, QUANTITY_SCALE) }))
}

export interface CollectionTotals {
  count: number
  byUnit: Array<{ unit: string; total: string }>
  /** Sum of the priced collections. */
  amount: string
  /** Collections with no amount yet (no rate known offline). */
  unpriced: number
}

/** Count, quantity per unit and amount of a set of collections, exactly. */
export function collectionTotals(
  rows: ReadonlyArray<{ quantity: string; unit: string; total_amount: string | null }>,
): CollectionTotals {
  const { total, missing } = sumMoney(rows.map((r) => r.total_amount))
  return { count: rows.length, byUnit: quantitiesByUnit(rows), amount: total, unpriced: missing }
}

/** "50.500" -> "50.5", "12.000" -> "12": quantities read better without trailing zeros. */
export function trimQuantity(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—'
  return value.includes('.') ? value.replace(/\.?0+$/, '') : value
}
