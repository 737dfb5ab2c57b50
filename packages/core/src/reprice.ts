/**
 * Repricing a period on purpose: the collections of a product between two dates are priced again
 * with the rates as they stand now. Priced collections are otherwise frozen (a new rate prices only
 * the collections still waiting for one), so this is the one way a corrected rate reaches
 * collections already priced: previewed first, then applied with the preview's fingerprint and a
 * reason, and recorded.
 */

import { z } from 'zod'
import { dateField, gradeField, idField, unitField } from './fields'
import { fieldProblem } from './problems'

/** The most collections one repricing may change: a larger one is split into shorter periods. */
export const MAX_REPRICE_CHANGES = 5000

export const repriceScope = z
  .object({
    product_id: idField(),
    from: dateField(),
    to: dateField(),
    /** Only this unit (default: every unit of the product). */
    unit: unitField().optional(),
    /** Only this grade (graded products; default: every grade). */
    grade: gradeField().optional(),
  })
  .refine((s) => s.from <= s.to, { path: ['to'], message: fieldProblem('not_before', { other: 'from' }) })

export const repriceRequest = z.object({
  scope: repriceScope,
  /** Why the period is repriced: kept with the repricing and on each collection it changed. */
  reason: z.string().trim().min(3).max(500),
  /** The preview's fingerprint: the repricing applies only if it would change exactly what was shown. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
})

export type RepriceScope = z.output<typeof repriceScope>
export type RepriceRequest = z.output<typeof repriceRequest>

/** A collection's price before and after a repricing. */
export interface RepricePrice {
  product_rate_id: string | null
  rate_applied: string | null
  total_amount: string | null
}

export interface RepriceChange {
  id: string
  version: number
  supplier_id: string
  collection_date: string
  receipt_number: string | null
  unit: string
  grade: string | null
  net_quantity: string
  before: RepricePrice
  after: RepricePrice
}

/** What POST /api/reprices/preview answers: what repricing the scope would change. */
export interface RepricePlan {
  scope: RepriceScope
  /** Live collections in the scope an approved settlement run has not settled (those it did are left as they are). */
  examined: number
  /** Live collections in the scope an approved settlement run settled: skipped (a correction is an adjustment). */
  settled: number
  changes: RepriceChange[]
  /** Collections whose new total would be over the maximum amount: left as they are. */
  refused: { id: string; message: string }[]
  total_before: string
  total_after: string
  difference: string
  /** What applying must be given: the plan it applies is exactly this one. */
  fingerprint: string
}
