/**
 * Reading synced entities: one list query builder driven by a small spec per
 * entity type (searchable columns, sortable fields, filters, date column).
 */
import { AppError, type EntityRows, type EntityType, grantFor } from '@trackvault/core'
import { type Kysely, sql } from 'kysely'
import type { Database, SyncedColumns } from '../db/schema'
import { TABLES, toWire } from './mappers'
import { loadRow } from './rows'
import type { Actor } from './write-context'

interface ListSpec {
  search: string[]
  /** wire sort field -> column */
  sort: Record<string, string>
  defaultSort: string
  /** wire filter names that map 1:1 to columns */
  filters: string[]
  dateColumn?: string
}

const COMMON_SORT = { created_at: 'created_at', updated_at: 'updated_at' }

export const LIST_SPECS: Record<EntityType, ListSpec> = {
  supplier: {
    search: ['code', 'name', 'phone', 'email', 'address'],
    sort: { ...COMMON_SORT, code: 'code', name: 'name' },
    defaultSort: 'name',
    filters: ['is_active'],
  },
  product: {
    search: ['code', 'name', 'description'],
    sort: { ...COMMON_SORT, code: 'code', name: 'name' },
    defaultSort: 'name',
    filters: ['is_active', 'default_unit'],
  },
  product_rate: {
    search: ['unit'],
    sort: { ...COMMON_SORT, effective_date: 'effective_date', rate: 'rate_minor', unit: 'unit' },
    defaultSort: 'effective_date',
    filters: ['product_id', 'unit', 'is_active'],
    dateColumn: 'effective_date',
  },
  collection: {
    search: ['notes', 'unit'],
    sort: {
      ...COMMON_SORT,
      collection_date: 'collection_date',
      quantity: 'quantity_milli',
      total_amount: 'total_minor',
    },
    defaultSort: 'collection_date',
    filters: ['supplier_id', 'product_id', 'user_id', 'unit'],
    dateColumn: 'collection_date',
  },
  payment: {
    search: ['reference_number', 'notes'],
    sort: { ...COMMON_SORT, payment_date: 'payment_date', amount: 'amount_minor' },
    defaultSort: 'payment_date',
    filters: ['supplier_id', 'user_id', 'payment_type', 'payment_method'],
    dateColumn: 'payment_date',
  },
}

export interface ListQuery {
  page: number
  per_page: number
  sort_by?: string
  sort_order: 'asc' | 'desc'
  search?: string
  from_date?: string
  to_date?: string
  include_deleted?: boolean
  [filter: string]: unknown
}

export interface Page<T> {
  data: T[]
  page: number
  per_page: number
  total: number
}

/** Throws FORBIDDEN unless the actor may read this type at all. */
export function assertCanRead(actor: Actor, type: EntityType): void {
  if (grantFor(actor.role, type, 'read') === 'none') {
    throw new AppError('FORBIDDEN', `A ${actor.role} may not read ${type.replace('_', ' ')}s`)
  }
}

/** One page of rows, newest-first or as asked, with the total over all pages. */
export async function listEntities<T extends EntityType>(
  db: Kysely<Database>,
  type: T,
  actor: Actor,
  q: ListQuery,
): Promise<Page<EntityRows[T]>> {
  assertCanRead(actor, type)
  const spec = LIST_SPECS[type]
  const sortBy = q.sort_by ?? spec.defaultSort
  const sortColumn = Object.hasOwn(spec.sort, sortBy) ? spec.sort[sortBy] : undefined
  if (!sortColumn) {
    throw new AppError('VALIDATION_FAILED', undefined, {
      fields: { sort_by: [`must be one of ${Object.keys(spec.sort).join(', ')}`] },
    })
  }
  const table: string = TABLES[type]
  // biome-ignore lint/suspicious/noExplicitAny: table chosen at run time
  let query = (db as Kysely<any>).selectFrom(table)
  if (!q.include_deleted) query = query.where('deleted_at', 'is', null)
  if (grantFor(actor.role, type, 'read') === 'own') query = query.where('user_id', '=', actor.id)
  for (const f of spec.filters) {
    const value = q[f]
    if (value === undefined) continue
    query = query.where(f, '=', f === 'is_active' ? (value ? 1 : 0) : value)
  }
  if (spec.dateColumn && q.from_date) query = query.where(spec.dateColumn, '>=', q.from_date)
  if (spec.dateColumn && q.to_date) query = query.where(spec.dateColumn, '<=', q.to_date)
  if (q.search) {
    const needle = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    query = query.where((eb) =>
      eb.or(spec.search.map((col) => eb(sql`lower(${sql.ref(col)})`, 'like', sql`${needle} escape '\\'`))),
    )
  }
  const countRow = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst()
  const rows = await query
    .selectAll()
    .orderBy(sortColumn, q.sort_order)
    .orderBy('id', q.sort_order)
    .limit(q.per_page)
    .offset((q.page - 1) * q.per_page)
    .execute()
  return {
    data: rows.map((r) => toWire(type, r as SyncedColumns & Record<string, unknown>)),
    page: q.page,
    per_page: q.per_page,
    total: Number(countRow?.n ?? 0),
  }
}

/** One live row the actor may read, or NOT_FOUND (also for rows it may not see). */
export async function getEntity<T extends EntityType>(
  db: Kysely<Database>,
  type: T,
  actor: Actor,
  id: string,
): Promise<EntityRows[T]> {
  assertCanRead(actor, type)
  const row = await loadRow(db, type, id)
  const owner = row && 'user_id' in row ? row.user_id : undefined
  const hidden = grantFor(actor.role, type, 'read') === 'own' && owner !== actor.id
  if (!row || row.deleted_at || hidden) throw new AppError('NOT_FOUND', `${type} ${id} does not exist`)
  return row
}
