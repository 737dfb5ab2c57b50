/**
 * Reading synced entities: one list query builder driven by the list spec of
 * core's entity spec (searchable fields, sortable fields, filters, date).
 */
import { AppError, ENTITY_SPECS, type EntityRows, type EntityType } from '@trackvault/core'
import { type Kysely, sql } from 'kysely'
import type { Database, SyncedColumns } from '../db/schema'
import { columnOf, TABLES, toWire } from './mappers'
import { loadRow } from './rows'
import { assertCanRead, canSee, readsOwnOnly } from './visibility'
import type { Actor } from './write-context'

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

/** One page of rows, newest-first or as asked, with the total over all pages. */
export async function listEntities<T extends EntityType>(
  db: Kysely<Database>,
  type: T,
  actor: Actor,
  q: ListQuery,
): Promise<Page<EntityRows[T]>> {
  assertCanRead(actor, type)
  const spec = ENTITY_SPECS[type].list
  const sortBy = q.sort_by ?? spec.defaultSort[0]
  if (!spec.sort.includes(sortBy)) {
    throw new AppError('VALIDATION_FAILED', undefined, {
      fields: { sort_by: [`must be one of ${spec.sort.join(', ')}`] },
    })
  }
  const sortColumn = columnOf(sortBy)
  const table: string = TABLES[type]
  // biome-ignore lint/suspicious/noExplicitAny: table chosen at run time
  let query = (db as Kysely<any>).selectFrom(table)
  if (!q.include_deleted) query = query.where('deleted_at', 'is', null)
  if (readsOwnOnly(actor, type)) query = query.where('user_id', '=', actor.id)
  for (const f of spec.filters) {
    const value = q[f]
    if (value === undefined) continue
    query = query.where(f, '=', f === 'is_active' ? (value ? 1 : 0) : value)
  }
  if (spec.date && q.from_date) query = query.where(spec.date, '>=', q.from_date)
  if (spec.date && q.to_date) query = query.where(spec.date, '<=', q.to_date)
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
  if (!row || row.deleted_at || !canSee(actor, type, row as unknown as Record<string, unknown>)) {
    throw new AppError('NOT_FOUND', `${type} ${id} does not exist`)
  }
  return row
}
