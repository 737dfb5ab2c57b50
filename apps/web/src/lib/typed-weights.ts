/**
 * The anti-tamper view of the reports screen: per collector, how many of the
 * collections in a date range had their gross weight typed by hand rather
 * than read from a scale (collections' `weight_source`), most typed first.
 */
export interface TypedWeightsRow {
  user_id: string
  typed: number
  total: number
  /** typed / total in whole percent (rounded half up). */
  percent: number
}

export interface TypedWeights {
  rows: TypedWeightsRow[]
  typed: number
  total: number
}

interface Weighed {
  user_id: string
  collection_date: string
  weight_source?: string | null
  deleted_at?: string | null
}

const percentOf = (part: number, whole: number) => (whole === 0 ? 0 : Math.floor((part * 200 + whole) / (whole * 2)))

/** Collections in [from, to] (either end open when empty), deleted ones left out, counted per collector. */
export function typedWeightsByCollector(
  collections: readonly Weighed[],
  range: { from: string; to: string },
): TypedWeights {
  const counts = new Map<string, { typed: number; total: number }>()
  for (const c of collections) {
    if (c.deleted_at) continue
    if (range.from && c.collection_date < range.from) continue
    if (range.to && c.collection_date > range.to) continue
    const count = counts.get(c.user_id) ?? { typed: 0, total: 0 }
    count.total++
    // Rows from before the field existed are typed: no scale named them.
    if (c.weight_source !== 'scale') count.typed++
    counts.set(c.user_id, count)
  }
  const rows = [...counts.entries()]
    .map(([user_id, { typed, total }]) => ({ user_id, typed, total, percent: percentOf(typed, total) }))
    .sort((a, b) => b.typed - a.typed || b.percent - a.percent || a.user_id.localeCompare(b.user_id))
  return {
    rows,
    typed: rows.reduce((n, r) => n + r.typed, 0),
    total: rows.reduce((n, r) => n + r.total, 0),
  }
}
