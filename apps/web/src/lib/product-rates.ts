/**
 * Rates on the device: which rate is in force for each unit of a product,
 * and a readable overlap message before a rate is saved (the server checks
 * again and answers RATE_OVERLAP if another device got there first), in the
 * language the person chose (i18n/areas/records.ts, `productRates.*`).
 */
import { overlappingRates, type RatePeriod, resolveRate } from '@trackvault/core'
import { i18next } from '../i18n'

/** The rates in force on `date` for each unit the product has rates in, default unit first. */
export function currentRates<R extends RatePeriod>(
  product: { id: string; default_unit: string },
  rates: readonly R[],
  date: string,
): Array<{ unit: string; rate: R }> {
  const units = [...new Set(rates.filter((r) => r.product_id === product.id).map((r) => r.unit))].sort((a, b) =>
    a === product.default_unit ? -1 : b === product.default_unit ? 1 : a.localeCompare(b),
  )
  const out: Array<{ unit: string; rate: R }> = []
  for (const unit of units) {
    const rate = resolveRate(rates, product.id, unit, date)
    if (rate) out.push({ unit, rate })
  }
  return out
}

/** "from 2024-01-01 to 2024-06-30", or "from 2024-01-01 onwards" for an open end. */
export function periodText(rate: { effective_date: string; end_date: string | null }): string {
  return rate.end_date
    ? i18next.t('productRates.fromTo', { from: rate.effective_date, to: rate.end_date })
    : i18next.t('productRates.fromOnwards', { from: rate.effective_date })
}

/**
 * Why `candidate` cannot be saved as an active rate, or undefined if it can:
 * "This rate overlaps the rate from 2024-01-01 to 2024-06-30 (120.00 per kg)".
 */
export function overlapMessage(candidate: RatePeriod, rates: Iterable<RatePeriod>): string | undefined {
  const hits = overlappingRates(candidate, rates).sort((a, b) => a.effective_date.localeCompare(b.effective_date))
  if (hits.length === 0) return undefined
  const list = hits.map((r) =>
    i18next.t('productRates.overlapItem', { period: periodText(r), rate: r.rate, unit: r.unit }),
  )
  return i18next.t('productRates.overlap', { rates: list.join(` ${i18next.t('productRates.and')} `) })
}
