/**
 * Rate resolution: which rate is in force on a date, and whether two rates
 * of one product and unit overlap. Pure functions, used by the server when
 * pricing and by clients to preview a price offline.
 */

/** The fields of a rate that decide when it is in force. */
export interface RatePeriod {
  id: string
  product_id: string
  unit: string
  rate: string
  effective_date: string
  end_date: string | null
  is_active: boolean
  deleted_at?: string | null
  /** The grade it prices (graded products); null or absent for the others. */
  grade?: string | null
  /** Quality products: added per percentage point of fat and of SNF, per unit (`rate` is the base). */
  fat_rate?: string | null
  snf_rate?: string | null
}

/** True if `rate` is active, not deleted, and `date` lies in its period (inclusive). */
export function isInForce(rate: RatePeriod, date: string): boolean {
  return (
    rate.is_active &&
    !rate.deleted_at &&
    rate.effective_date <= date &&
    (rate.end_date === null || rate.end_date >= date)
  )
}

/**
 * The rate in force for a product, unit (and grade) on a date, or undefined.
 * If several match (which the server forbids), the latest effective_date wins,
 * so the answer is deterministic even on inconsistent local data.
 */
export function resolveRate<R extends RatePeriod>(
  rates: Iterable<R>,
  productId: string,
  unit: string,
  date: string,
  grade: string | null = null,
): R | undefined {
  let best: R | undefined
  for (const rate of rates) {
    if (rate.product_id !== productId || rate.unit !== unit || (rate.grade ?? null) !== grade) continue
    if (!isInForce(rate, date)) continue
    if (!best || rate.effective_date > best.effective_date) best = rate
  }
  return best
}

/** True if two inclusive date periods share at least one day (null end = open). */
export function periodsOverlap(
  a: { effective_date: string; end_date: string | null },
  b: { effective_date: string; end_date: string | null },
): boolean {
  const aEndsBeforeB = a.end_date !== null && a.end_date < b.effective_date
  const bEndsBeforeA = b.end_date !== null && b.end_date < a.effective_date
  return !aEndsBeforeB && !bEndsBeforeA
}

/** The active rates among `others` that overlap `candidate` (same product, unit and grade, other id). */
export function overlappingRates<R extends RatePeriod>(candidate: RatePeriod, others: Iterable<R>): R[] {
  if (!candidate.is_active || candidate.deleted_at) return []
  const hits: R[] = []
  for (const other of others) {
    if (other.id === candidate.id || other.product_id !== candidate.product_id) continue
    if (other.unit !== candidate.unit || !other.is_active || other.deleted_at) continue
    if ((other.grade ?? null) !== (candidate.grade ?? null)) continue
    if (periodsOverlap(candidate, other)) hits.push(other)
  }
  return hits
}
