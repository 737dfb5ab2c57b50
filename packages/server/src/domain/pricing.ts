/**
 * Server-side pricing and rate rules: the price (core's `priceCollection`,
 * the rule every offline preview uses too) from the rates read and locked in
 * this transaction, frozen on the collection row; no overlapping active rates
 * of one product and unit.
 */
import {
  AppError,
  type Collection,
  fieldProblem,
  overlappingRates,
  type ProductRate,
  priceCollection as priceFromRates,
} from '@trackvault/core'
import type { Transaction } from 'kysely'
import { firstKeyed, runKeyed } from '../db/compiled-statements'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { toWire } from './mappers'

async function ratesOf(trx: Transaction<Database>, productId: string, unit: string): Promise<ProductRate[]> {
  const { rows } = await runKeyed(trx, 'rates:of', [productId, unit], () =>
    trx
      .selectFrom('product_rates')
      .selectAll()
      .where('product_id', '=', productId)
      .where('unit', '=', unit)
      .where('deleted_at', 'is', null),
  )
  return rows.map((r) => toWire('product_rate', r))
}

/**
 * The one lock order on PostgreSQL for every write that touches products and rates: products
 * first, several of them in id order, then rates. SQLite serialises writers and needs none.
 *
 * - A product's rates change only under a lock on that product (`change` mode): creating, editing
 *   or deleting a rate locks its product, and moving a rate to another product locks both, before
 *   the rate row ({@link loadRateForWrite}, {@link checkRatePeriod}).
 * - Pricing takes the product's lock in `share` mode before it reads the rates; the collection row
 *   it then writes references the chosen rate (its foreign key check locks the rate row), so the
 *   collection waits for a rate write that holds the product, never the other way round. A
 *   collection is therefore priced with the rates as they stand at its place in commit order, and
 *   never by a rate that has moved to another product.
 *
 * A deadlock (40P01) is left only between batches whose operations lock products in opposite
 * orders across several operations; PostgreSQL aborts one and the client retries it (503).
 */
export async function lockProductRates(
  trx: Transaction<Database>,
  productIds: string | readonly unknown[],
  mode: 'share' | 'change',
  lock?: DbCapabilities,
): Promise<void> {
  if (!lock?.rowLocks) return
  const ids = typeof productIds === 'string' ? [productIds] : productIds
  const sorted = [...new Set(ids.filter((id): id is string => typeof id === 'string'))].sort()
  for (const id of sorted) {
    await runKeyed(trx, `products:lock:${mode}`, [id], () => {
      const query = trx.selectFrom('products').select('id').where('id', '=', id)
      return mode === 'share' ? query.forShare() : query.forNoKeyUpdate()
    })
  }
}

/**
 * Loads a rate for a write and, on PostgreSQL, locks it in the order of {@link lockProductRates}: its
 * product (and `movingTo`, the product a patch moves it to) before the rate row. The product is read
 * before it is locked, so if the rate moved in between, the new product is locked too and the rate
 * read again. Undefined if there is no such rate.
 */
export async function loadRateForWrite(
  trx: Transaction<Database>,
  id: string,
  lock: DbCapabilities,
  movingTo?: unknown,
): Promise<ProductRate | undefined> {
  for (;;) {
    const seen = await firstKeyed(trx, 'rates:product-of', [id], () =>
      trx.selectFrom('product_rates').select('product_id').where('id', '=', id),
    )
    if (seen) await lockProductRates(trx, [seen.product_id, movingTo], 'change', lock)
    const row = await firstKeyed(trx, 'rates:lock', [id], () =>
      trx.selectFrom('product_rates').selectAll().where('id', '=', id).forUpdate(),
    )
    if (!row || row.product_id === seen?.product_id) return row ? toWire('product_rate', row) : undefined
  }
}

/** The pricing fields of a collection no rate covers yet. */
export const UNPRICED = { product_rate_id: null, rate_applied: null, total_amount: null } as const

/**
 * Prices a collection: product_rate_id, rate_applied and total_amount from the rate in force, or
 * all three null when none is (a delivery is a fact: it is stored unpriced and priced once a rate
 * covers it); VALIDATION_FAILED on `quantity` when quantity x rate is over the maximum amount.
 */
export async function priceCollection(
  trx: Transaction<Database>,
  c: Pick<Collection, 'product_id' | 'unit' | 'collection_date' | 'quantity'>,
  lock?: DbCapabilities,
  /** Rates this transaction has read (and locked) already, by `product_id/unit`; the caller drops it when rates change. */
  memo?: Map<string, ProductRate[]>,
): Promise<Pick<Collection, 'product_rate_id' | 'rate_applied' | 'total_amount'>> {
  const key = `${c.product_id}/${c.unit}`
  let rates = memo?.get(key)
  if (!rates) {
    await lockProductRates(trx, c.product_id, 'share', lock)
    rates = await ratesOf(trx, c.product_id, c.unit)
    memo?.set(key, rates)
  }
  const outcome = priceFromRates(rates, c)
  if (outcome.ok) return outcome.price
  if (outcome.reason === 'no_rate') return UNPRICED
  // Over the maximum amount (core's money.ts says why it exists): refused by name, like any bad field.
  throw new AppError('VALIDATION_FAILED', `Quantity ${outcome.message}`, { fields: { quantity: [outcome.message] } })
}

/**
 * Throws RATE_OVERLAP if `rate` overlaps another active rate, VALIDATION_FAILED if its period is reversed.
 * With row locks (PostgreSQL) the product row is locked (already, by whoever loaded the rate for this
 * write, see {@link loadRateForWrite}; or now, for a new rate), so concurrent rate writes of one
 * product run the check one after the other and cannot both pass; SQLite serialises writers anyway.
 */
export async function checkRatePeriod(
  trx: Transaction<Database>,
  rate: ProductRate,
  lock?: DbCapabilities,
): Promise<void> {
  if (rate.end_date !== null && rate.end_date < rate.effective_date) {
    throw new AppError('VALIDATION_FAILED', undefined, {
      fields: { end_date: [fieldProblem('not_before', { other: 'effective_date' })] },
    })
  }
  await lockProductRates(trx, rate.product_id, 'change', lock)
  const clashes = overlappingRates(rate, await ratesOf(trx, rate.product_id, rate.unit))
  if (clashes.length > 0) {
    throw new AppError('RATE_OVERLAP', undefined, {
      overlaps: clashes.map((r) => ({ id: r.id, effective_date: r.effective_date, end_date: r.end_date })),
    })
  }
}
