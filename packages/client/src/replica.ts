/**
 * The local replica. Every row has its view (`row/...`): what the device
 * shows, the server's last confirmed row with the signed-in user's queued
 * operations applied on top, in seq order (list queries scan these). The
 * server row is stored once: a view with no local change on it (no `_sync`)
 * IS the server row, and only a row whose view differs from it (queued
 * operations on it) keeps a separate copy at `srv/...`, the base its view is
 * rebuilt on (conflicts, 3-way merges); a local create not yet confirmed
 * has no server row at all. So
 * a pull of rows without local changes writes one key per row. The rule
 * that tells the server row from the two keys is `serverRowOf`; the copy is
 * written when a row's view stops being its server row (`rebuildView`,
 * which every change of a view goes through) and deleted when it is again.
 * A `srv/` copy never exists without its view, so a row with no view has no
 * copy to read. A database of the old layout (a copy of every row) needs no
 * step: its copies are read first and dropped as their rows are rebuilt.
 * A pull replaces the server row and rebuilds the view, so it never hides a
 * pending local change. Collections get an offline price preview from the
 * local rates; the server's figures replace it on sync.
 */
import {
  type Change,
  type EntityType,
  netQuantity,
  PRICE_INPUTS,
  type Priceable,
  type ProductRate,
  priceCollection,
  type Weighing,
} from '@trackvault/core'
import { SERVER_PREFIX, serverKey, VIEW_PREFIX, viewKey, viewPrefix } from './keys'
import type { LocalTx } from './local-db'
import type { OpStatus, QueuedOp } from './queue'
import { opsOf, rowsWithOps } from './queue-reader'
import type { Json } from './storage/kv-store'

/** A row as the device shows it; `_sync` says whether local changes are still on their way. */
export type ViewRow = Record<string, Json> & {
  id: string
  version: number
  deleted_at: string | null
  _sync?: OpStatus
}

const STATUS_RANK: Record<OpStatus, number> = { pending: 1, review_later: 2, conflict: 3, failed: 4 }

/**
 * THE rule of the one-copy layout: the server row of a row is its `srv/`
 * copy if it has one, else its view if the view shows no local change (no
 * `_sync`: nothing queued on it is applied), else there is none (a local
 * create not yet confirmed).
 */
export function serverRowOf(view: ViewRow | undefined, copy: ViewRow | undefined): ViewRow | undefined {
  if (copy) return copy
  return view && !('_sync' in view) ? view : undefined
}

/** A row's server row, and what its `srv/` copy holds: that row (`same`), an older one (`other`), or nothing. */
interface Base {
  row: ViewRow | undefined
  copy: 'same' | 'other' | 'none'
}

/** The row's view as the caller read it in this transaction (null: it has none), to save reading it again. */
type KnownView = ViewRow | null | undefined

/** The server row of `type`/`id` as stored. */
async function storedBase(tx: LocalTx, type: EntityType, id: string, view: KnownView): Promise<Base> {
  const copy = await tx.get<ViewRow>(serverKey(type, id))
  if (copy) return { row: copy, copy: 'same' }
  const shown = view === undefined ? await tx.get<ViewRow>(viewKey(type, id)) : (view ?? undefined)
  return { row: serverRowOf(shown, undefined), copy: 'none' }
}

/** The server row of an entity, if any (`view`: see `KnownView`). */
export async function serverRow(
  tx: LocalTx,
  type: EntityType,
  id: string,
  view?: ViewRow | null,
): Promise<ViewRow | undefined> {
  return (await storedBase(tx, type, id, view)).row
}

/**
 * Stores a server row unless a newer one is already there. Returns true if
 * stored. The caller rebuilds the row's view in the same transaction
 * (`rebuildView`), which drops the `srv/` copy written here if the view
 * shows the row as it is.
 */
export async function storeServerRow(tx: LocalTx, type: EntityType, row: Record<string, unknown>): Promise<boolean> {
  const id = row.id as string
  const current = await serverRow(tx, type, id)
  if (current && current.version > (row.version as number)) return false
  tx.put(serverKey(type, id), row as Json)
  return true
}

/** A server row for the row `type`/`id` (its `row.id`). */
export interface StoredRow {
  type: EntityType
  id: string
  row: Record<string, unknown>
}

/** How a pull page's rows are stored (see `storeServerRows`). */
export interface StoreOptions {
  /**
   * True for a stored row held from before the server was restored (its version may be one the
   * restored server never made): replaced whatever its version. Called with the row's `serverKey`.
   */
  outdated?: (key: string) => boolean
  /**
   * Given when the replica held no server row as the pull began (a first pull, `heldNoServerRow`):
   * the versions this pull has stored so far, by `serverKey`, which are then all the replica
   * holds, so a page is stored without reading anything of it. Kept up to date here.
   */
  fresh?: Map<string, number>
}

/**
 * `storeServerRow` for a whole pull page, with the views it changes: one
 * read of the page's views, and of the `srv/` copies of the rows that have
 * a view (a row without one has none), or no read at all on a fresh
 * replica (`StoreOptions.fresh`); then each row stored unless a newer
 * version is already there (or came earlier in the page; `outdated` aside).
 * A row without queued operations (the common case, and every row of a
 * fresh client) is written once, as its view; the others get a `srv/` copy
 * and their view rebuilt. Returns the rows stored, each once, in the order
 * of their last change in the page (the order their views are rebuilt in).
 */
export async function storeServerRows(
  tx: LocalTx,
  changes: StoredRow[],
  userId: string | undefined,
  { outdated, fresh }: StoreOptions = {},
): Promise<StoredRow[]> {
  const keys = changes.map((c) => serverKey(c.type, c.row.id as string))
  const copied = new Set<string>()
  const versions = fresh ?? new Map<string, number>()
  if (!fresh) {
    const views = await tx.getMany<ViewRow>(changes.map((c) => viewKey(c.type, c.row.id as string)))
    const held = changes.flatMap((_, i) => (views[i] ? [i] : []))
    const copies = await tx.getMany<ViewRow>(held.map((i) => keys[i]))
    held.forEach((i, n) => {
      const key = keys[i]
      if (copies[n]) copied.add(key)
      const row = serverRowOf(views[i], copies[n])
      if (row && !versions.has(key) && !outdated?.(key)) versions.set(key, row.version)
    })
  }
  const stored = new Map<string, StoredRow>()
  changes.forEach((change, i) => {
    const key = keys[i]
    const version = change.row.version as number
    const known = versions.get(key)
    if (known !== undefined && known > version) return
    versions.set(key, version)
    const view = `${change.type}/${change.id}`
    stored.delete(view)
    stored.set(view, change)
  })
  const rows = [...stored.values()]
  const mayHaveOps = await rowsWithOps(tx)
  for (const { type, id, row } of rows) {
    const base: Base = { row: row as ViewRow, copy: copied.has(serverKey(type, row.id as string)) ? 'other' : 'none' }
    if (row.id !== id) {
      // Not this row's own id: stored under its id, the view of `id` rebuilt on whatever that holds.
      tx.put(serverKey(type, row.id as string), row as Json)
      await rebuildView(tx, type, id, userId)
    } else if ('_sync' in row || mayHaveOps(type, id)) {
      await rebuildOn(tx, type, id, userId, base)
    } else {
      // Shown as it is: the view is the server row, no copy kept.
      tx.put(viewKey(type, id), row as Json)
      if (base.copy !== 'none') tx.del(serverKey(type, id))
    }
  }
  return rows
}

function applyOp(row: ViewRow | undefined, op: QueuedOp): ViewRow | undefined {
  const at = op.client_timestamp
  switch (op.operation_type) {
    case 'create':
      return {
        created_at: at,
        created_by: op.user_id,
        deleted_at: null,
        sync_metadata: null,
        ...(row ?? {}),
        ...op.payload,
        id: op.entity_id,
        version: row?.version ?? 0,
        updated_at: at,
        updated_by: op.user_id,
      } as ViewRow
    case 'update':
      return row ? ({ ...row, ...op.payload, updated_at: at, updated_by: op.user_id } as ViewRow) : row
    case 'delete':
      return row ? { ...row, deleted_at: at, updated_at: at } : row
  }
}

/** Rates read by a transaction that has not changed any (a batch settles many collections). */
const ratesSeen = new WeakMap<LocalTx, ProductRate[]>()

async function localRates(tx: LocalTx): Promise<ProductRate[]> {
  const prefix = viewPrefix('product_rate')
  const unchanged = !tx.hasWritesUnder(prefix)
  const seen = unchanged ? ratesSeen.get(tx) : undefined
  if (seen) return seen
  const rates = (await tx.scan<ProductRate>(prefix)).map(([, r]) => r)
  if (unchanged) ratesSeen.set(tx, rates)
  return rates
}

/** Fills rate_applied, product_rate_id and total_amount from the local rates (null if none is known). */

export async function previewPrice(tx: LocalTx, row: ViewRow): Promise<ViewRow> {
  const unpriced = { product_rate_id: null, rate_applied: null, total_amount: null }
  const net = netQuantity(row as unknown as Weighing)
  if (!net.ok) return { ...row, ...unpriced }
  const outcome = priceCollection(await localRates(tx), { ...(row as unknown as Priceable), quantity: net.net })
  // No rate known here, or over the maximum amount (the server will refuse it): no amount is shown as if it counted.
  if (!outcome.ok) return { ...row, net_quantity: net.net, ...unpriced }
  return { ...row, net_quantity: net.net, ...outcome.price }
}

/**
 * Rebuilds the view of one row from its server row and the queued
 * operations of `userId` (another user's queued work on a shared phone is
 * not shown), and keeps the `srv/` copy in step: written when the view
 * shows local changes (it is the base they are applied on), deleted when
 * the view is the server row itself. Returns the new view, or undefined if
 * the row is gone (`view`: see `KnownView`).
 */
export async function rebuildView(
  tx: LocalTx,
  type: EntityType,
  id: string,
  userId: string | undefined,
  view?: ViewRow | null,
): Promise<ViewRow | undefined> {
  return rebuildOn(tx, type, id, userId, await storedBase(tx, type, id, view))
}

async function rebuildOn(
  tx: LocalTx,
  type: EntityType,
  id: string,
  userId: string | undefined,
  base: Base,
): Promise<ViewRow | undefined> {
  let row = base.row
  const ops = (await opsOf(tx, type, id)).filter((op) => op.user_id === userId)
  let worst: OpStatus | undefined
  let repriced = false
  for (const op of ops) {
    row = applyOp(row, op)
    if (type === 'collection' && op.operation_type !== 'delete') {
      const p = op.payload
      repriced ||= PRICE_INPUTS.some((f) => f in p)
    }
    if (!worst || STATUS_RANK[op.status] > STATUS_RANK[worst]) worst = op.status
  }
  if (row && repriced) row = await previewPrice(tx, row)
  if (base.row && worst && base.copy !== 'same') tx.put(serverKey(type, id), base.row)
  if (!worst && base.copy !== 'none') tx.del(serverKey(type, id))
  if (!row) {
    tx.del(viewKey(type, id))
    return undefined
  }
  const next: ViewRow = { ...row }
  if (worst) next._sync = worst
  else delete next._sync
  tx.put(viewKey(type, id), next)
  return next
}

/** Stores a pull page's changes and rebuilds the views they touch (one transaction, with the cursor). */
export async function storeChanges(
  tx: LocalTx,
  changes: Change[],
  userId: string | undefined,
  opts: StoreOptions = {},
): Promise<void> {
  const rows = changes.map((change) => ({
    type: change.entity_type as EntityType,
    id: change.entity_id,
    row: change.data,
  }))
  await storeServerRows(tx, rows, userId, opts)
}

/**
 * True if the replica holds no server row: no `srv/` copy, and every view
 * (if any: a signed-in user's own queued changes) shows local changes.
 */
export async function heldNoServerRow(tx: LocalTx): Promise<boolean> {
  if ((await tx.scan(SERVER_PREFIX)).length > 0) return false
  return (await tx.scan<ViewRow>(VIEW_PREFIX)).every(([, view]) => !serverRowOf(view, undefined))
}

/**
 * The end of a full re-pull: the server rows whose `serverKey` `keep` does
 * not name leave the replica (a `srv/` copy, or a view that is the server
 * row); a row's queued changes stay shown.
 */
export async function dropServerRows(
  tx: LocalTx,
  keep: (key: string) => boolean,
  userId: string | undefined,
): Promise<void> {
  const gone = new Set<string>()
  for (const [key] of await tx.scan(SERVER_PREFIX)) if (!keep(key)) gone.add(key.slice(SERVER_PREFIX.length))
  for (const [key, view] of await tx.scan<ViewRow>(VIEW_PREFIX)) {
    const row = key.slice(VIEW_PREFIX.length)
    if (serverRowOf(view, undefined) && !keep(`${SERVER_PREFIX}${row}`)) gone.add(row)
  }
  for (const row of gone) {
    const slash = row.indexOf('/')
    const type = row.slice(0, slash) as EntityType
    const id = row.slice(slash + 1)
    tx.del(serverKey(type, id))
    tx.del(viewKey(type, id))
    await rebuildOn(tx, type, id, userId, { row: undefined, copy: 'none' })
  }
}

/** The view of a row (deleted ones included), or undefined. */
export function viewRow(tx: LocalTx, type: EntityType, id: string) {
  return tx.get<ViewRow>(viewKey(type, id))
}
