/**
 * The per-entity API a screen uses: create, update, remove return at once,
 * online or not (the replica and the queue change in one transaction);
 * get and list read the view (server rows with queued changes on top).
 */
import {
  AppError,
  can,
  ENTITY_INPUTS,
  type EntityType,
  newId,
  parseOrThrow,
  type Role,
  writableFields,
} from '@trackvault/core'
import { META, serverKey, viewKey, viewPrefix } from './keys'
import type { LocalDb, LocalTx } from './local-db'
import { enqueue } from './queue'
import { opsOf } from './queue-reader'
import { rebuildView, serverRow, type ViewRow, viewRow } from './replica'
import type { Json } from './storage/kv-store'

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

/** Who is writing: the signed-in user. */
export interface Writer {
  id: string
  role: Role
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

export class EntityApi<T extends ViewRow = ViewRow> {
  constructor(
    readonly type: EntityType,
    private readonly db: LocalDb,
    private readonly writer: () => Writer,
    /** Called after every committed local write (the client schedules a sync). */
    private readonly onWrite: () => void = () => {},
  ) {}

  private authorise(action: 'create' | 'update' | 'delete', owner?: unknown) {
    const user = this.writer()
    if (!can(user, this.type, action, typeof owner === 'string' ? owner : undefined)) {
      throw new AppError('FORBIDDEN', `A ${user.role} may not ${action} this ${this.type.replace('_', ' ')}`)
    }
  }

  /** The version the change is based on: the server's, unless an earlier queued change on the row is unsettled. */
  private async baseVersion(tx: LocalTx, id: string, userId: string): Promise<number | null> {
    const pending = (await opsOf(tx, this.type, id)).filter((op) => op.user_id === userId)
    if (pending.length > 0) return null
    return (await serverRow(tx, this.type, id))?.version ?? null
  }

  /** The keys a local write reads (view, seq counter, server row), in one store read. */
  private prefetch(tx: LocalTx, id: string): Promise<void> {
    return tx.prefetch([viewKey(this.type, id), META.seq, serverKey(this.type, id)])
  }

  private async written<R>(fn: (tx: LocalTx) => Promise<R>): Promise<R> {
    const result = await this.db.write(fn)
    this.onWrite()
    return result
  }

  /** Creates a row with an id made here (UUIDv7). Validated now; sent on the next sync. */
  async create(fields: Record<string, unknown>, opts: { id?: string } = {}): Promise<T> {
    const user = this.writer()
    const payload = parseOrThrow(ENTITY_INPUTS[this.type], fields) as Record<string, Json>
    if (this.type === 'collection' || this.type === 'payment') {
      payload.user_id = (payload.user_id as string | undefined) ?? user.id
    }
    this.authorise('create', payload.user_id)
    const id = opts.id ?? newId()
    return this.written(async (tx) => {
      await this.prefetch(tx, id)
      if (await viewRow(tx, this.type, id)) throw new AppError('DUPLICATE', `${this.type} ${id} already exists`)
      await enqueue(tx, {
        user_id: user.id,
        entity_type: this.type,
        entity_id: id,
        operation_type: 'create',
        base_version: null,
        payload,
      })
      return (await rebuildView(tx, this.type, id, user.id)) as T
    })
  }

  /** Changes some fields. Only the changed fields are queued (a delta). */
  async update(id: string, patch: Record<string, unknown>): Promise<T> {
    const user = this.writer()
    return this.written(async (tx) => {
      await this.prefetch(tx, id)
      const current = await viewRow(tx, this.type, id)
      if (!current || current.deleted_at) throw new AppError('NOT_FOUND', `${this.type} ${id} does not exist`)
      this.authorise('update', current.user_id)
      const writable = writableFields(this.type)
      const keys = Object.keys(patch).filter((k) => writable.includes(k))
      const candidate: Record<string, unknown> = {}
      for (const f of writable) candidate[f] = keys.includes(f) ? patch[f] : current[f]
      const parsed = parseOrThrow(ENTITY_INPUTS[this.type], candidate) as Record<string, Json>
      const payload: Record<string, Json> = {}
      for (const k of keys) if (JSON.stringify(parsed[k]) !== JSON.stringify(current[k])) payload[k] = parsed[k]
      if (Object.keys(payload).length === 0) return current as T
      await enqueue(tx, {
        user_id: user.id,
        entity_type: this.type,
        entity_id: id,
        operation_type: 'update',
        base_version: await this.baseVersion(tx, id, user.id),
        payload,
      })
      return (await rebuildView(tx, this.type, id, user.id)) as T
    })
  }

  /** Deletes the row (a tombstone on the server). */
  async remove(id: string): Promise<void> {
    const user = this.writer()
    await this.written(async (tx) => {
      await this.prefetch(tx, id)
      const current = await viewRow(tx, this.type, id)
      if (!current || current.deleted_at) throw new AppError('NOT_FOUND', `${this.type} ${id} does not exist`)
      this.authorise('delete', current.user_id)
      await enqueue(tx, {
        user_id: user.id,
        entity_type: this.type,
        entity_id: id,
        operation_type: 'delete',
        base_version: await this.baseVersion(tx, id, user.id),
        payload: {},
      })
      await rebuildView(tx, this.type, id, user.id)
    })
  }

  /** One live row, or undefined. */
  async get(id: string): Promise<T | undefined> {
    const row = await this.db.read((tx) => viewRow(tx, this.type, id))
    return row && !row.deleted_at ? (row as T) : undefined
  }

  /** Rows matching `filter`, sorted (by the entity's date or name by default). */
  async list(filter: ListFilter = {}): Promise<T[]> {
    const rows = await this.db.read((tx) => tx.scan<ViewRow>(viewPrefix(this.type)))
    const [defaultField, defaultOrder] = DEFAULT_SORT[this.type]
    const field = filter.sort_by ?? defaultField
    const sign = (filter.sort_order ?? defaultOrder) === 'asc' ? 1 : -1
    return rows
      .map(([, r]) => r)
      .filter((r) => matches(r, this.type, filter))
      .sort(
        (a, b) => sign * (compare(a[field], b[field]) || compare(a.created_at, b.created_at) || compare(a.id, b.id)),
      ) as T[]
  }
}
