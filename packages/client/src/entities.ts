/**
 * The per-entity API a screen uses: create, update, remove return at once,
 * online or not (the replica and the queue change in one transaction);
 * get and list read the view (server rows with queued changes on top).
 */
import {
  AppError,
  type BusinessSettings,
  can,
  DEFAULT_SETTINGS,
  type EntityType,
  newId,
  ownerOf,
  parseEntityInput,
  type Role,
  receiptNumber,
  settingsErrors,
  withDefaultOwner,
  writableFields,
} from '@trackvault/core'
import type { EntityInput, EntityView } from './entity-views'
import { META, receiptCountKey, serverKey, viewKey, viewPrefix } from './keys'
import { type ListFilter, listRows } from './list-query'
import type { LocalDb, LocalTx } from './local-db'
import { enqueue } from './queue'
import { opsOf } from './queue-reader'
import { rebuildView, serverRow, type ViewRow, viewRow } from './replica'
import type { Json } from './storage/kv-store'

/** Who is writing: the signed-in user. */
export interface Writer {
  id: string
  role: Role
  /** The receipt prefix of this device and user, if the server gave one (collections are numbered with it). */
  receiptPrefix?: string | null
}

/**
 * The API of one entity type, typed by it: `EntityApi<'collection'>`
 * returns `CollectionView` rows. Rows are stored untyped (`ViewRow`); they
 * are named as their entity's view here, at the one boundary.
 */
export class EntityApi<K extends EntityType = EntityType> {
  constructor(
    readonly type: K,
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
  private async baseVersion(tx: LocalTx, id: string, userId: string, view: ViewRow): Promise<number | null> {
    const pending = (await opsOf(tx, this.type, id)).filter((op) => op.user_id === userId)
    if (pending.length > 0) return null
    return (await serverRow(tx, this.type, id, view))?.version ?? null
  }

  /** The keys a local write reads (view, seq counter, the row's `srv/` copy, and `more`), in one store read. */
  private prefetch(tx: LocalTx, id: string, more: string[] = []): Promise<void> {
    return tx.prefetch([viewKey(this.type, id), META.seq, serverKey(this.type, id), ...more])
  }

  /** The live row a change is made to, read with what the write needs; NOT_FOUND or FORBIDDEN otherwise. */
  private async existing(tx: LocalTx, id: string, action: 'update' | 'delete'): Promise<ViewRow> {
    await this.prefetch(tx, id)
    const current = await viewRow(tx, this.type, id)
    if (!current || current.deleted_at) throw new AppError('NOT_FOUND', `${this.type} ${id} does not exist`)
    this.authorise(action, ownerOf(this.type, current))
    return current
  }

  private async written<R>(fn: (tx: LocalTx) => Promise<R>): Promise<R> {
    const result = await this.db.write(fn)
    this.onWrite()
    return result
  }

  /**
   * Creates a row with an id made here (UUIDv7), sent on the next sync. The
   * fields given are type-checked against the entity's input; core's schema
   * checks the whole (required fields, formats) when it runs.
   */
  async create(fields: Partial<EntityInput<K>>, opts: { id?: string } = {}): Promise<EntityView<K>> {
    const user = this.writer()
    const payload = withDefaultOwner(this.type, parseEntityInput(this.type, fields) as Record<string, Json>, user.id)
    this.authorise('create', ownerOf(this.type, payload))
    const id = opts.id ?? newId()
    const numbered = this.type === 'collection' && !payload.receipt_number && user.receiptPrefix
    // What the steps below read besides the row's keys: the business's rules, the receipt counter.
    const more: string[] = hasSettingsRules(this.type) ? [META.settings] : []
    if (numbered) more.push(receiptCountKey(numbered))
    return this.written(async (tx) => {
      await this.prefetch(tx, id, more)
      if (await viewRow(tx, this.type, id)) throw new AppError('DUPLICATE', `${this.type} ${id} already exists`)
      await this.checkSettings(tx, payload)
      if (numbered) payload.receipt_number = await nextReceiptNumber(tx, numbered)
      await enqueue(tx, {
        user_id: user.id,
        entity_type: this.type,
        entity_id: id,
        operation_type: 'create',
        base_version: null,
        payload,
      })
      return asView<K>(await rebuildView(tx, this.type, id, user.id, null))
    })
  }

  /** Changes some fields. Only the changed fields are queued (a delta). */
  async update(id: string, patch: Partial<EntityInput<K>>): Promise<EntityView<K>> {
    const user = this.writer()
    return this.written(async (tx) => {
      const current = await this.existing(tx, id, 'update')
      const writable = writableFields(this.type)
      const keys = Object.keys(patch).filter((k) => writable.includes(k))
      const candidate: Record<string, unknown> = {}
      for (const f of writable) candidate[f] = keys.includes(f) ? (patch as Record<string, unknown>)[f] : current[f]
      const parsed = parseEntityInput(this.type, candidate) as Record<string, Json>
      if (keys.some((k) => SETTINGS_INPUTS.includes(k))) await this.checkSettings(tx, parsed)
      const payload: Record<string, Json> = {}
      for (const k of keys) if (JSON.stringify(parsed[k]) !== JSON.stringify(current[k])) payload[k] = parsed[k]
      if (Object.keys(payload).length === 0) return asView<K>(current)
      await enqueue(tx, {
        user_id: user.id,
        entity_type: this.type,
        entity_id: id,
        operation_type: 'update',
        base_version: await this.baseVersion(tx, id, user.id, current),
        payload,
      })
      return asView<K>(await rebuildView(tx, this.type, id, user.id, current))
    })
  }

  /** The business's rules for what is entered (dates not in the future, large values confirmed), as the server keeps them. */
  private async checkSettings(tx: LocalTx, fields: Record<string, unknown>): Promise<void> {
    if (!hasSettingsRules(this.type)) return
    const settings = (await tx.get<BusinessSettings>(META.settings)) ?? DEFAULT_SETTINGS
    const errors = settingsErrors(this.type, fields, settings)
    if (errors) throw new AppError('VALIDATION_FAILED', undefined, { fields: errors })
  }

  /** Deletes the row (a tombstone on the server). */
  async remove(id: string): Promise<void> {
    const user = this.writer()
    await this.written(async (tx) => {
      const current = await this.existing(tx, id, 'delete')
      await enqueue(tx, {
        user_id: user.id,
        entity_type: this.type,
        entity_id: id,
        operation_type: 'delete',
        base_version: await this.baseVersion(tx, id, user.id, current),
        payload: {},
      })
      await rebuildView(tx, this.type, id, user.id, current)
    })
  }

  /** One live row, or undefined. */
  async get(id: string): Promise<EntityView<K> | undefined> {
    const row = await this.db.read((tx) => viewRow(tx, this.type, id))
    return row && !row.deleted_at ? asView<K>(row) : undefined
  }

  /** Rows matching `filter`, sorted (by the entity's date or name by default). */
  async list(filter: ListFilter = {}): Promise<EntityView<K>[]> {
    const rows = await this.db.read((tx) => tx.scan<ViewRow>(viewPrefix(this.type)))
    return asViews<K>(
      listRows(
        rows.map(([, r]) => r),
        this.type,
        filter,
      ),
    )
  }
}

/** Names stored view rows as their entity's views: rows are written only by these APIs and by pulls of that type. */
const asView = <K extends EntityType>(row: ViewRow | undefined) => row as unknown as EntityView<K>
const asViews = <K extends EntityType>(rows: ViewRow[]) => rows as unknown as EntityView<K>[]

/** One API per entity type, the map behind `client.entity(type)`. */
export type EntityApis = { [K in EntityType]: EntityApi<K> }

/** Makes the API of every entity type over one database and writer. */
export function entityApis(db: LocalDb, writer: () => Writer, onWrite: () => void): EntityApis {
  const api = <K extends EntityType>(type: K) => new EntityApi(type, db, writer, onWrite)
  return {
    supplier: api('supplier'),
    product: api('product'),
    product_rate: api('product_rate'),
    collection: api('collection'),
    payment: api('payment'),
    deduction: api('deduction'),
    settlement_run: api('settlement_run'),
    settlement_line: api('settlement_line'),
    route: api('route'),
    route_assignment: api('route_assignment'),
  }
}

/** The entity types the business's rules (settings) apply to. */
const hasSettingsRules = (type: EntityType): type is 'collection' | 'payment' =>
  type === 'collection' || type === 'payment'

/** The fields the business's rules read (as the server, which checks them when one of them changes). */
const SETTINGS_INPUTS = [
  'collection_date',
  'payment_date',
  'quantity',
  'tare_per_container',
  'containers',
  'deduction_percent',
  'amount',
  'confirmed_large',
]

/** The next receipt number of this device and user, counted in the same transaction as the write. */
async function nextReceiptNumber(tx: LocalTx, prefix: string): Promise<string> {
  const count = ((await tx.get<number>(receiptCountKey(prefix))) ?? 0) + 1
  tx.put(receiptCountKey(prefix), count)
  return receiptNumber(prefix, count)
}
