/**
 * The one write path. REST routes and sync operations both call these
 * functions, so every write is validated, authorised, priced, versioned and
 * recorded (entity + history + change log) in the caller's transaction.
 *
 * The checks live here only: `checkCreate`, `checkPatch` and `checkDelete`
 * validate, authorise and default the owner; `createEntity`, `updateEntity`
 * and `deleteEntity` run them and write. The sync layer, which must decide
 * between success, merge and conflict on checked input first, runs the checks
 * itself and then writes with `insertChecked`, `writePatch` and `writeDelete`.
 */
import {
  AppError,
  type BusinessSettings,
  can,
  ENTITY_SPECS,
  type EntityRows,
  type EntityType,
  fieldProblem,
  hasRouteScope,
  mayActForOthers,
  netQuantity,
  newId,
  ownerOf as ownerOfRow,
  PRICE_INPUTS,
  type PricedProduct,
  parseEntityInput,
  parseOrThrow,
  pricingModeErrors,
  settingsErrors,
  todayIn,
  type Weighing,
  withDefaultOwner,
  writableFields,
} from '@trackvault/core'
import { z } from 'zod'
import { firstKeyed, runKeyed } from '../db/compiled-statements'
import { queueMessage } from '../sms/outbox'
import { recordHistory } from './history'
import { TABLES, toWire } from './mappers'
import { checkRatePeriod, priceCollection } from './pricing'
import { nextServerReceipt } from './receipt-numbers'
import { insertRow, loadRow, loadRows, updateRow } from './rows'
import { loadSettings } from './settings'
import { routeOfCollector } from './sync-scope'
import { memoOf, type WriteContext } from './write-context'

type Row<T extends EntityType> = EntityRows[T]
type Loose = Record<string, unknown>

/** Thrown when the stored version is not the one the caller based its change on. */
export class VersionConflictError extends AppError {
  constructor(readonly current: Row<EntityType>) {
    super('VERSION_CONFLICT', undefined, { current })
  }
}

export interface WriteOptions {
  /** Recorded on the row; sync uses it to note merges and resolutions. */
  syncMetadata?: Record<string, unknown> | null
  /** createEntity: the caller has just looked the id up in this transaction and found no row. */
  knownAbsent?: boolean
  /**
   * updateEntity, deleteEntity: the row as the caller has just loaded (and on PostgreSQL locked) it in this
   * transaction, with `loadRow(..., caps, patch)`: a rate after its products (pricing.ts: the lock order).
   */
  current?: Record<string, unknown>
  /** writePatch of a collection: price it again with the rates as they stand (an explicit repricing, reprice.ts). */
  reprice?: boolean
}

function authorise(ctx: WriteContext, type: EntityType, action: 'create' | 'update' | 'delete', owner?: string) {
  if (!can(ctx.actor, type, action, owner)) {
    throw new AppError('FORBIDDEN', `A ${ctx.actor.role} may not ${action} this ${type.replace('_', ' ')}`)
  }
}

async function requireLive(ctx: WriteContext, type: EntityType, id: string, field: string) {
  const { live } = memoOf(ctx)
  if (live.has(`${type}/${id}`)) return // a batch names the same few suppliers and products again and again
  const row = await loadRow(ctx.trx, type, id)
  if (!row || row.deleted_at) {
    throw new AppError('REFERENCE_NOT_FOUND', `${field} does not name an existing ${type.replace('_', ' ')}`, {
      fields: { [field]: [fieldProblem('not_found')] },
    })
  }
  live.add(`${type}/${id}`)
  if (type === 'product') rememberPricing(ctx, id, row as Row<'product'>) // pricing asks next
}

/**
 * Reads the suppliers and products `ids` names with one statement per type and marks those that
 * exist and are live as `requireLive` would (a pushed batch names many; the rest, and any a
 * savepoint rollback forgets, `requireLive` looks up itself).
 */
export async function preloadLive(
  ctx: WriteContext,
  ids: { supplier: readonly string[]; product: readonly string[] },
): Promise<void> {
  const { live } = memoOf(ctx)
  for (const type of ['supplier', 'product'] as const) {
    const unknown = [...new Set(ids[type])].filter((id) => !live.has(`${type}/${id}`))
    if (unknown.length < 2) continue // one statement either way
    for (const [id, row] of await loadRows(ctx.trx, type, unknown)) {
      if (row.deleted_at) continue
      live.add(`${type}/${id}`)
      if (type === 'product') rememberPricing(ctx, id, row as Row<'product'>)
    }
  }
}

async function requireUser(ctx: WriteContext, id: string) {
  const { live } = memoOf(ctx)
  // The acting user was found by their session; users are never deleted.
  if (id === ctx.actor.id || live.has(`user/${id}`)) return
  const user = await firstKeyed(ctx.trx, 'users:exists', [id], () =>
    ctx.trx.selectFrom('users').select('id').where('id', '=', id),
  )
  if (!user) {
    throw new AppError('REFERENCE_NOT_FOUND', 'user_id does not name a user', {
      fields: { user_id: [fieldProblem('not_found')] },
    })
  }
  live.add(`user/${id}`) // users are never deleted
}

/** After a write of `type/id`, what the memo knew of it (or of the product's rates) is stale. */
function forget(ctx: WriteContext, type: EntityType, id: string) {
  ctx.memo?.live.delete(`${type}/${id}`)
  if (type === 'product_rate') ctx.memo?.rates.clear()
  if (type === 'product') ctx.memo?.products.delete(id)
}

/** How product `id` is priced (mode, grades), read once per write. */
async function pricingOf(ctx: WriteContext, id: string): Promise<PricedProduct> {
  const { products } = memoOf(ctx)
  return products.get(id) ?? rememberPricing(ctx, id, await loadRow(ctx.trx, 'product', id))
}

function rememberPricing(ctx: WriteContext, id: string, row: Row<'product'> | undefined): PricedProduct {
  const product = { pricing: row?.pricing ?? 'flat', grades: row?.grades ?? [] }
  memoOf(ctx).products.set(id, product)
  return product
}

/** The rules a rate or collection keeps with its product's pricing mode (core's `pricingModeErrors`). */
async function checkPricingMode(ctx: WriteContext, type: 'product_rate' | 'collection', next: Loose) {
  const errors = pricingModeErrors(type, next, await pricingOf(ctx, next.product_id as string))
  if (errors) throw new AppError('VALIDATION_FAILED', undefined, { fields: errors })
}

/** Checks references, ownership and derived fields of a candidate row; returns the row to store. */
async function complete<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  next: Loose,
  prev: Loose | undefined,
  reprice = false,
): Promise<Row<T>> {
  const changed = (f: string) => !prev || prev[f] !== next[f]
  if (ENTITY_SPECS[type].owner && changed('user_id')) {
    if (next.user_id !== ctx.actor.id && !mayActForOthers(ctx.actor.role, type)) {
      throw new AppError('FORBIDDEN', `A ${ctx.actor.role} may only record ${type}s as themselves`)
    }
    await requireUser(ctx, next.user_id as string)
  }
  if ('supplier_id' in next && changed('supplier_id')) {
    await requireLive(ctx, 'supplier', next.supplier_id as string, 'supplier_id')
  }
  if (next.route_id != null && changed('route_id')) {
    await requireLive(ctx, 'route', next.route_id as string, 'route_id')
  }
  // A supplier a collector adds (offline too) joins the collector's route.
  if (type === 'supplier' && !prev && next.route_id == null && hasRouteScope(ctx.actor.role)) {
    next.route_id = await routeOfCollector(
      ctx.trx,
      ctx.actor.id,
      todayIn((await settingsOf(ctx)).time_zone, new Date(ctx.now)),
    )
  }
  if (type === 'route_assignment' && changed('user_id')) await requireUser(ctx, next.user_id as string)
  // A deduction's product is optional (a per-kg charge on every product when null).
  if (next.product_id != null && changed('product_id')) {
    await requireLive(ctx, 'product', next.product_id as string, 'product_id')
  }
  if (type === 'product_rate' || type === 'collection') {
    const inputs = type === 'product_rate' ? ['grade', 'fat_rate', 'snf_rate'] : ['grade', 'fat_percent', 'snf_percent']
    if (['product_id', ...inputs].some(changed)) await checkPricingMode(ctx, type, next)
  }
  if (type === 'product_rate') {
    await checkRatePeriod(ctx.trx, next as unknown as Row<'product_rate'>, ctx.caps)
  }
  if (type === 'collection') {
    // Priced when what the price depends on changed, and on any write while it is still unpriced.
    const repriced = reprice || (PRICE_INPUTS as readonly string[]).some(changed) || next.total_amount == null
    if (repriced) {
      const net = netQuantity(next as unknown as Weighing)
      if (!net.ok) throw new AppError('VALIDATION_FAILED', undefined, { fields: { [net.field]: [net.message] } })
      next.net_quantity = net.net
      const priceable = { ...(next as unknown as Row<'collection'>), quantity: net.net }
      Object.assign(next, await priceCollection(ctx.trx, priceable, ctx.caps, memoOf(ctx).rates))
    }
    await numberReceipt(ctx, next, prev)
  }
  if (type === 'collection' || type === 'payment') {
    // The business's rules for what is entered: dates not in the future, large values confirmed.
    const inputs =
      type === 'collection'
        ? ['collection_date', 'net_quantity', 'confirmed_large']
        : ['payment_date', 'amount', 'confirmed_large']
    if (inputs.some(changed)) {
      const errors = settingsErrors(type, next, await settingsOf(ctx), new Date(ctx.now))
      if (errors) throw new AppError('VALIDATION_FAILED', undefined, { fields: errors })
    }
  }
  return next as unknown as Row<T>
}

/** The business's settings, read once per write. */
async function settingsOf(ctx: WriteContext): Promise<BusinessSettings> {
  const memo = memoOf(ctx)
  memo.settings ??= await loadSettings(ctx.trx)
  return memo.settings
}

/**
 * A collection's receipt number: the one the device printed (it never changes after), or, for one
 * that arrives without one (REST, the original app), the server's next `S-<n>`. A number another
 * collection already has (a device that did not keep to its prefix) is replaced by the server's,
 * and the printed one kept in `sync_metadata.receipt_printed`: the delivery is recorded either way.
 */
async function numberReceipt(ctx: WriteContext, next: Loose, prev: Loose | undefined): Promise<void> {
  if (prev) {
    next.receipt_number = prev.receipt_number
    return
  }
  if (next.receipt_number) {
    const number = next.receipt_number as string
    const known = ctx.memo?.receipts?.get(number)
    const taken = known
      ? [...known].some((id) => id !== next.id)
      : await firstKeyed(ctx.trx, 'collections:receipt-taken', [number, next.id], () =>
          ctx.trx
            .selectFrom('collections')
            .select('id')
            .where('receipt_number', '=', number)
            .where('id', '!=', next.id as string),
        )
    if (!taken) {
      known?.add(next.id as string) // a later create of this write with the same number finds it taken
      return
    }
    next.sync_metadata = { ...((next.sync_metadata as Loose | null) ?? {}), receipt_printed: next.receipt_number }
  }
  next.receipt_number = await nextServerReceipt(ctx)
}

/**
 * Reads which collections carry the receipt numbers `numbers` (one statement), for the creates of
 * this write that bring them (a pushed batch); kept on the write's memo, so an undone operation
 * drops it and the creates after it look their numbers up one by one.
 */
export async function readTakenReceipts(ctx: WriteContext, numbers: readonly string[]): Promise<void> {
  const unique = [...new Set(numbers)]
  if (unique.length === 0) return
  // One text per list length: a batch's creates, at most MAX_BATCH_OPERATIONS.
  const { rows } = await runKeyed(ctx.trx, `collections:receipts-taken:${unique.length}`, unique, () =>
    ctx.trx.selectFrom('collections').select(['receipt_number', 'id']).where('receipt_number', 'in', unique),
  )
  const receipts = new Map(unique.map((n) => [n, new Set<string>()]))
  for (const row of rows) receipts.get(row.receipt_number as string)?.add(row.id)
  memoOf(ctx).receipts = receipts
}

async function assertUniqueCode(ctx: WriteContext, type: EntityType, code: unknown, id: string) {
  if (type !== 'supplier' && type !== 'product' && type !== 'route') return
  const clash = await firstKeyed(ctx.trx, `code-taken:${TABLES[type]}`, [code, id], () =>
    ctx.trx
      .selectFrom(TABLES[type] as 'suppliers')
      .select('id')
      .where('code', '=', code as string)
      .where('deleted_at', 'is', null)
      .where('id', '!=', id),
  )
  if (clash) {
    throw new AppError('DUPLICATE', `code ${String(code)} is already used`, {
      fields: { code: [fieldProblem('already_used')] },
    })
  }
}

/** A create's fields: validated, the owner defaulted to the writer, and the writer allowed to create them. */
export function checkCreate(ctx: WriteContext, type: EntityType, input: unknown): Loose {
  const fields = withDefaultOwner(type, parseEntityInput(type, input), ctx.actor.id)
  authorise(ctx, type, 'create', ownerOfRow(type, fields))
  return fields
}

/**
 * A patch of `current`, checked: the writer may update the row, and the row it would produce is
 * valid. `fields` is that row's writable fields; `delta` the patch's fields in canonical form
 * ("50.5" -> "50.500"). Unknown and server-owned fields in the patch are ignored.
 */
export function checkPatch(ctx: WriteContext, type: EntityType, current: Loose, patch: Loose) {
  authorise(ctx, type, 'update', ownerOfRow(type, current))
  const writable = writableFields(type)
  const candidate: Loose = {}
  for (const f of writable) candidate[f] = f in patch ? patch[f] : current[f]
  const fields = parseEntityInput(type, candidate)
  const delta: Loose = {}
  for (const f of writable) if (f in patch) delta[f] = fields[f]
  return { fields, delta }
}

/**
 * A collection or payment an approved settlement run settled does not change: SETTLED (the details
 * name the run); corrections are adjustments (a deduction of kind `adjustment`). Creates are never
 * refused: one dated in a settled period is a late item of the next run.
 */
export async function checkNotSettled(
  ctx: WriteContext,
  type: EntityType,
  id: string,
  /** The run that settled the row, as `settledRuns` read it after the row was locked (null: none). */
  known?: string | null,
): Promise<void> {
  if (type !== 'collection' && type !== 'payment') return
  const runId = known !== undefined ? known : (await settledRuns(ctx, type, [id])).get(id)
  if (runId) throw new AppError('SETTLED', undefined, { run_id: runId })
}

/** The runs that settled the collections or payments `ids` (one statement), by id; read after locking the rows. */
export async function settledRuns(
  ctx: WriteContext,
  type: 'collection' | 'payment',
  ids: readonly string[],
): Promise<Map<string, string>> {
  const runs = new Map<string, string>()
  if (ids.length === 0) return runs
  // One text per list length: a batch's rows, at most MAX_BATCH_OPERATIONS (rows.ts loadRows).
  const { rows } = await runKeyed(ctx.trx, `settlement-items:of:${ids.length}`, [type, ...ids], () =>
    ctx.trx
      .selectFrom('settlement_items')
      .select(['entity_id', 'run_id'])
      .where('entity_type', '=', type)
      .where('entity_id', 'in', ids),
  )
  for (const item of rows) runs.set(item.entity_id, item.run_id)
  return runs
}

/** The writer may delete `current`. */
export function checkDelete(ctx: WriteContext, type: EntityType, current: Loose): void {
  authorise(ctx, type, 'delete', ownerOfRow(type, current))
}

/**
 * Creates an entity. `id` may come from the client (UUIDv7 made on a device);
 * an id that already exists is a DUPLICATE carrying the stored row.
 */
export function createEntity<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  input: unknown,
  id: string = newId(),
  opts: WriteOptions = {},
): Promise<Row<T>> {
  return insertChecked(ctx, type, checkCreate(ctx, type, input), id, opts)
}

/** Inserts a row from fields `checkCreate` passed. */
export async function insertChecked<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  fields: Loose,
  id: string,
  opts: WriteOptions = {},
): Promise<Row<T>> {
  parseOrThrow(z.uuid(), id)
  const existing = opts.knownAbsent ? undefined : await loadRow(ctx.trx, type, id)
  if (existing) throw new AppError('DUPLICATE', `${type} ${id} already exists`, { current: existing })
  await assertUniqueCode(ctx, type, fields.code, id)
  const row = await complete(
    ctx,
    type,
    {
      id,
      ...fields,
      version: 1,
      created_at: ctx.now,
      updated_at: ctx.now,
      deleted_at: null,
      created_by: ctx.actor.id,
      updated_by: ctx.actor.id,
      sync_metadata: opts.syncMetadata ?? null,
    },
    undefined,
  )
  await insertRow(ctx.trx, type, row, ctx.actor.deviceId)
  forget(ctx, type, id)
  recordHistory(ctx, type, row, 'create')
  // The supplier's text message (when SMS is on), written to the outbox with this write.
  if (type === 'collection') queueMessage(ctx, { kind: 'collection_recorded', collection: row as Row<'collection'> })
  if (type === 'product_rate') await priceWaitingCollections(ctx, row as Row<'product_rate'>)
  return row
}

/** Loads a row for a write: NOT_FOUND if absent; VERSION_CONFLICT if deleted or not at `expectedVersion`. */
async function loadForWrite<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  id: string,
  expectedVersion: number,
  loaded?: Loose,
  patch?: Loose,
): Promise<Row<T>> {
  const current = (loaded as Row<T> | undefined) ?? (await loadRow(ctx.trx, type, id, ctx.caps, patch))
  if (!current) throw new AppError('NOT_FOUND', `${type} ${id} does not exist`)
  if (current.deleted_at || current.version !== expectedVersion) throw new VersionConflictError(current)
  return current
}

/**
 * Applies a patch (changed fields only) to the row at `expectedVersion`.
 * Unknown and server-owned fields in the patch are ignored.
 */
export async function updateEntity<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  id: string,
  patch: Loose,
  expectedVersion: number,
  opts: WriteOptions = {},
): Promise<Row<T>> {
  const current = (await loadForWrite(ctx, type, id, expectedVersion, opts.current, patch)) as unknown as Loose
  const { fields } = checkPatch(ctx, type, current, patch)
  await checkNotSettled(ctx, type, id)
  return writePatch(ctx, type, current, fields, opts)
}

/**
 * Writes `fields` (from `checkPatch` on `current`) as the next version of `current`, which the
 * caller loaded (and on PostgreSQL locked) in this transaction.
 */
export async function writePatch<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  current: Loose,
  fields: Loose,
  opts: Pick<WriteOptions, 'syncMetadata' | 'reprice'> = {},
): Promise<Row<T>> {
  const id = current.id as string
  if (fields.code !== current.code) await assertUniqueCode(ctx, type, fields.code, id)
  const row = await complete(
    ctx,
    type,
    {
      ...current,
      ...fields,
      version: (current.version as number) + 1,
      updated_at: ctx.now,
      updated_by: ctx.actor.id,
      sync_metadata: opts.syncMetadata !== undefined ? opts.syncMetadata : current.sync_metadata,
    },
    current,
    opts.reprice,
  )
  if (!(await updateRow(ctx.trx, type, row, current.version as number, ctx.actor.deviceId))) {
    throw new VersionConflictError((await loadRow(ctx.trx, type, id)) as Row<T>)
  }
  forget(ctx, type, id)
  recordHistory(ctx, type, row, 'update', current)
  if (type === 'product_rate') await priceWaitingCollections(ctx, row as Row<'product_rate'>)
  return row
}

/**
 * Prices the unpriced collections a new or corrected rate covers, in the same transaction, each as
 * a new version in history (`sync_metadata.priced` names the rate). Priced collections are frozen:
 * only an explicit repricing changes them. On PostgreSQL a collection another transaction holds is
 * skipped: that transaction prices it itself, after this one (an unpriced collection is priced on
 * any write, and its pricing waits for this rate's product lock).
 */
async function priceWaitingCollections(ctx: WriteContext, rate: Row<'product_rate'>): Promise<void> {
  if (!rate.is_active || rate.deleted_at) return
  let query = ctx.trx
    .selectFrom('collections')
    .selectAll()
    .where('product_id', '=', rate.product_id)
    .where('unit', '=', rate.unit)
    .where('total_minor', 'is', null)
    .where('deleted_at', 'is', null)
    .where('collection_date', '>=', rate.effective_date)
    .where('grade', rate.grade === null ? 'is' : '=', rate.grade)
  if (rate.end_date) query = query.where('collection_date', '<=', rate.end_date)
  const waiting = await (ctx.caps.rowLocks ? query.forUpdate().skipLocked() : query).execute()
  for (const stored of waiting) {
    const current = toWire('collection', stored) as unknown as Loose
    const priced = { rate_id: rate.id, at: ctx.now }
    try {
      await writePatch(ctx, 'collection', current, pick(current, writableFields('collection')), {
        syncMetadata: { ...((current.sync_metadata as Loose | null) ?? {}), priced },
      })
    } catch (err) {
      // Its total at this rate is over the maximum amount: it stays unpriced, for a person to look at.
      if (!(err instanceof AppError && err.code === 'VALIDATION_FAILED')) throw err
    }
  }
}

function pick(row: Loose, fields: readonly string[]): Loose {
  const out: Loose = {}
  for (const f of fields) if (f in row) out[f] = row[f]
  return out
}

/** Soft-deletes the row at `expectedVersion`: a tombstone with a new version. */
export async function deleteEntity<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  id: string,
  expectedVersion: number,
  opts: WriteOptions = {},
): Promise<Row<T>> {
  const current = (await loadForWrite(ctx, type, id, expectedVersion, opts.current)) as unknown as Loose
  checkDelete(ctx, type, current)
  await checkNotSettled(ctx, type, id)
  return writeDelete(ctx, type, current, opts)
}

/** Writes the tombstone of `current` (checked with `checkDelete`, loaded in this transaction). */
export async function writeDelete<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  current: Loose,
  opts: Pick<WriteOptions, 'syncMetadata'> = {},
): Promise<Row<T>> {
  const id = current.id as string
  const row = {
    ...current,
    version: (current.version as number) + 1,
    deleted_at: ctx.now,
    updated_at: ctx.now,
    updated_by: ctx.actor.id,
    sync_metadata: opts.syncMetadata !== undefined ? opts.syncMetadata : current.sync_metadata,
  } as unknown as Row<T>
  if (!(await updateRow(ctx.trx, type, row, current.version as number, ctx.actor.deviceId))) {
    throw new VersionConflictError((await loadRow(ctx.trx, type, id)) as Row<T>)
  }
  forget(ctx, type, id)
  recordHistory(ctx, type, row, 'delete')
  return row
}

/**
 * A delete that names no version: the original app's (`data: {id}`), and `DELETE` without
 * `?version`. HTTP's rule for a request without a precondition: it applies to the current
 * version. Nothing is destroyed silently: the delete is soft and in history like any other, and
 * the tombstone records what it deleted (`sync_metadata.unversioned_delete`: the version, who had
 * changed it last and when), so a delete that overtook someone else's change shows on that row
 * on every device that holds it. A row already deleted is NOT_FOUND, as it is to a read.
 */
export async function deleteCurrent<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  id: string,
  opts: Pick<WriteOptions, 'current'> = {},
): Promise<Row<T>> {
  const current = ((opts.current as Row<T> | undefined) ?? (await loadRow(ctx.trx, type, id, ctx.caps))) as
    | Row<T>
    | undefined
  if (!current || current.deleted_at) throw new AppError('NOT_FOUND', `${type} ${id} does not exist`)
  checkDelete(ctx, type, current as unknown as Loose)
  await checkNotSettled(ctx, type, id)
  const unversioned_delete = {
    deleted_version: current.version,
    last_changed_by: current.updated_by,
    last_changed_at: current.updated_at,
  }
  return writeDelete(ctx, type, current as unknown as Loose, {
    syncMetadata: { ...(current.sync_metadata ?? {}), unversioned_delete },
  })
}
