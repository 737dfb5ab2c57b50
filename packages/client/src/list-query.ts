/**
 * How `list()` filters and sorts a local entity list: core's list spec (the
 * filters, search fields, default order and date field the server's list
 * endpoints use), so a screen shows the same rows offline as online.
 */
import { ENTITY_SPECS, type EntityType } from '@trackvault/core'
import type { ViewRow } from './replica'

export interface ListFilter {
  supplier_id?: string
  product_id?: string
  user_id?: string
  /** Suppliers and route assignments: the route (null: suppliers on no route). */
  route_id?: string | null
  unit?: string
  payment_type?: string
  payment_method?: string
  default_unit?: string
  /** Deductions: the kind and the credit's purpose. */
  kind?: string
  purpose?: string
  /** Settlement lines: the run; runs and lines: the status; lines: where the payout stands. */
  run_id?: string
  status?: string
  payout_status?: string
  /** Collections: where the gross weight came from (`typed`, `scale`). */
  weight_source?: string
  is_active?: boolean
  /** Inclusive, on the entity's date (collection_date, payment_date, effective_date). */
  from_date?: string
  to_date?: string
  /** Case-insensitive match on names, codes, notes and references. */
  search?: string
  include_deleted?: boolean
  sort_by?: string
  sort_order?: 'asc' | 'desc'
}

function matches(row: ViewRow, type: EntityType, f: ListFilter): boolean {
  const spec = ENTITY_SPECS[type].list
  if (!f.include_deleted && row.deleted_at) return false
  for (const key of spec.filters) {
    const wanted = (f as Record<string, unknown>)[key]
    if (wanted !== undefined && row[key] !== wanted) return false
  }
  if (spec.date && f.from_date && (row[spec.date] as string) < f.from_date) return false
  if (spec.date && f.to_date && (row[spec.date] as string) > f.to_date) return false
  if (f.search) {
    const needle = f.search.toLowerCase()
    const found = spec.search.some((k) =>
      String(row[k] ?? '')
        .toLowerCase()
        .includes(needle),
    )
    if (!found) return false
  }
  return true
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a) < String(b) ? -1 : 1
}

/** The rows matching `filter`, sorted (by the entity's date or name by default; then creation, then id). */
export function listRows(rows: ViewRow[], type: EntityType, filter: ListFilter): ViewRow[] {
  const [defaultField, defaultOrder] = ENTITY_SPECS[type].list.defaultSort
  const field = filter.sort_by ?? defaultField
  const sign = (filter.sort_order ?? defaultOrder) === 'asc' ? 1 : -1
  return rows
    .filter((r) => matches(r, type, filter))
    .sort((a, b) => sign * (compare(a[field], b[field]) || compare(a.created_at, b.created_at) || compare(a.id, b.id)))
}
