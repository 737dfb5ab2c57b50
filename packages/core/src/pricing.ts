/**
 * Pricing a collection, one rule for the server and every offline preview: the rate in force on
 * the collection date for its product and unit, and total = round_half_up(quantity x rate, 2),
 * bounded by the maximum amount (money.ts).
 *
 * @example
 *   const p = priceCollection(rates, { product_id, unit: 'kg', collection_date: '2026-05-01', quantity: '50.500' })
 *   if (p.ok) p.price.total_amount // "6060.00" with a 120.00 rate in force
 */
import { collectionTotal, formatDecimal, MONEY_SCALE, parseDecimal, QUANTITY_SCALE, totalTooLarge } from './money'
import { type RatePeriod, resolveRate } from './rates'

/** What pricing sets on a collection. */
export interface CollectionPrice {
  product_rate_id: string
  rate_applied: string
  total_amount: string
}

/** The fields pricing reads; `quantity` in canonical form ("50.500"). */
export interface Priceable {
  product_id: string
  unit: string
  collection_date: string
  quantity: string
}

export type PriceOutcome =
  | { ok: true; price: CollectionPrice }
  /** No rate in force for product, unit and date. */
  | { ok: false; reason: 'no_rate' }
  /** quantity x rate over the maximum amount; `message` is the one for the `quantity` field. */
  | { ok: false; reason: 'too_large'; message: string }

/** The price of `c` from `rates` (rows with `id` and a money `rate`). */
export function priceCollection(rates: Iterable<RatePeriod>, c: Priceable): PriceOutcome {
  const rate = resolveRate(rates, c.product_id, c.unit, c.collection_date)
  if (!rate) return { ok: false, reason: 'no_rate' }
  const total = collectionTotal(parseDecimal(c.quantity, QUANTITY_SCALE), parseDecimal(rate.rate, MONEY_SCALE))
  if (total === undefined) return { ok: false, reason: 'too_large', message: totalTooLarge(rate.rate) }
  return {
    ok: true,
    price: { product_rate_id: rate.id, rate_applied: rate.rate, total_amount: formatDecimal(total, MONEY_SCALE) },
  }
}
