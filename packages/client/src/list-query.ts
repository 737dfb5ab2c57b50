/**
 * How `list()` filters and sorts a local entity list: the same filters,
 * search fields, default order and date field as the server's list
 * endpoints, so a screen shows the same rows offline as online. This is the
 * client's copy of the list spec; it moves to core's entity spec when that
 * exists (issue 13 item 1), and both sides then read it from there.
 */
import type { EntityType } from '@trackvault/core'
import type { ViewRow } from './replica'

export interface ListFilter {
  supplier_id?: string
  product_id?: string
  user_id?: string
  unit?: string
  payment_type?: string
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

const DATE_FIELD: Partial<Record<EntityType, string>> = {
  collection: 'collection_date',
  payment: 'payment_date',
  product_rate: 'effective_date',
}
const SEARCH_FIELDS: Record<EntityType, string[]> = {
  supplier: ['code', 'name', 'phone', 'email', 'address'],
  product: ['code', 'name', 'description'],
  product_rate: ['unit'],
  collection: ['notes', 'unit'],
  payment: ['reference_number', 'notes'],
}
const DEFAULT_SORT: Record<EntityType, [string, 'asc' | 'desc']> = {
  supplier: ['name', 'asc'],
  product: ['name', 'asc'],
  product_rate: ['effective_date', 'desc'],
  collection: ['collection_date', 'desc'],
  payment: ['payment_date', 'desc'],
}

function matches(row: ViewRow, type: EntityType, f: ListFilter): boolean {
  if (!f.include_deleted && row.deleted_at) return false
  for (const key of ['supplier_id', 'product_id', 'user_id', 'unit', 'payment_type'] as const) {
    if (f[key] !== undefined && row[key] !== f[key]) return false
  }
  if (f.is_active !== undefined && row.is_active !== f.is_active) return false
  const dateField = DATE_FIELD[type]
  if (dateField && f.from_date && (row[dateField] as string) < f.from_date) return false
  if (dateField && f.to_date && (row[dateField] as string) > f.to_date) return false
  if (f.search) {
    const needle = f.search.toLowerCase()
    if (
      !SEARCH_FIELDS[type].some((k) =>
        String(row[k] ?? '')
          .toLowerCase()
          .includes(needle),
      )
    )
      return false
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
  const [defaultField, defaultOrder] = DEFAULT_SORT[type]
  const field = filter.sort_by ?? defaultField
  const sign = (filter.sort_order ?? defaultOrder) === 'asc' ? 1 : -1
  return rows
    .filter((r) => matches(r, type, filter))
    .sort((a, b) => sign * (compare(a[field], b[field]) || compare(a.created_at, b.created_at) || compare(a.id, b.id)))
}
