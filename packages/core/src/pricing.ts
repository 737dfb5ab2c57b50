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
import { type RatePeriod, resolveRate } from './rates'

/** What pricing sets on a collection. */
export interface CollectionPrice {
  product_rate_id: string
  rate_applied: string
  total_amount: string
}

/** The fields pricing reads; `quantity` is the quantity paid for (the net). */
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
    const message = `the tare of the containers (${formatDecimal(tare, QUANTITY_SCALE)}) must be less than the weight`
    return { ok: false, field: 'tare_per_container', message }
  }
  const percentHundredths = parseDecimal(w.deduction_percent ?? '0', 2)
  const deduction = divRoundHalfUp(afterTare * percentHundredths, 10_000n)
  const net = afterTare - deduction
  if (net <= 0n) return { ok: false, field: 'deduction_percent', message: 'must leave some weight to pay for' }
  return {
    ok: true,
    net: formatDecimal(net, QUANTITY_SCALE),
    tare: formatDecimal(tare, QUANTITY_SCALE),
    deduction: formatDecimal(deduction, QUANTITY_SCALE),
  }
}
