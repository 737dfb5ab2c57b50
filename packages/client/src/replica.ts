/**
 * The local replica: for every row, the server's last confirmed version
 * (`srv/...`) and the view the device shows (`row/...`) = the server row
 * with the user's queued operations applied on top, in seq order. A pull
 * replaces the server row and rebuilds the view, so it never hides a
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
import { serverKey, viewKey, viewPrefix } from './keys'
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

/** The server row of an entity, if any. */
export function serverRow(tx: LocalTx, type: EntityType, id: string) {
  return tx.get<ViewRow>(serverKey(type, id))
}

/** Stores a server row unless a newer one is already there. Returns true if stored. */
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

/**
 * `storeServerRow` for a whole pull page: one read of the current server
 * rows, then each row stored unless a newer version is already there (or
 * came earlier in the page). Returns the rows stored, each once, in the
 * order of their last change in the page (the order their views should be
 * rebuilt in). A stored row for which `outdated(key)` says so (held from
 * before the server was restored: its version may be one the restored server
 * never made) is replaced whatever its version.
 */
export async function storeServerRows(
  tx: LocalTx,
  changes: StoredRow[],
  outdated?: (key: string) => boolean,
): Promise<StoredRow[]> {
  const keys = changes.map((c) => serverKey(c.type, c.row.id as string))
  const current = await tx.getMany<ViewRow>(keys)
  const versions = new Map<string, number>()
  keys.forEach((key, i) => {
    const row = current[i]
    if (row && !versions.has(key) && !outdated?.(key)) versions.set(key, row.version)
  })
  const stored = new Map<string, StoredRow>()
  changes.forEach((change, i) => {
    const key = keys[i]
    const version = change.row.version as number
    const known = versions.get(key)
    if (known !== undefined && known > version) return
    tx.put(key, change.row as Json)
    versions.set(key, version)
    const view = `${change.type}/${change.id}`
    stored.delete(view)
    stored.set(view, change)
  })
  return [...stored.values()]
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
 * not shown). Returns the new view, or undefined if the row is gone.
 */
export async function rebuildView(
  tx: LocalTx,
  type: EntityType,
  id: string,
  userId: string | undefined,
): Promise<ViewRow | undefined> {
  let row = await serverRow(tx, type, id)
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
  if (!row) {
    tx.del(viewKey(type, id))
    return undefined
  }
  const view: ViewRow = { ...row }
  if (worst) view._sync = worst
  else delete view._sync
  tx.put(viewKey(type, id), view)
  return view
}

/**
 * `rebuildView` for the rows a pull page stored. A row without queued
 * operations (the common case, and every row of a fresh client) shows the
 * server row as it is, so that is stored as its view with nothing read.
 */
export async function rebuildViews(tx: LocalTx, rows: StoredRow[], userId: string | undefined): Promise<void> {
  const mayHaveOps = await rowsWithOps(tx)
  for (const { type, id, row } of rows) {
    const plain = row.id === id && !('_sync' in row) && !mayHaveOps(type, id)
    if (plain) tx.put(viewKey(type, id), row as Json)
    else await rebuildView(tx, type, id, userId)
  }
}

/** Stores a pull page's changes and rebuilds the views they touch (one transaction, with the cursor). */
export async function storeChanges(
  tx: LocalTx,
  changes: Change[],
  userId: string | undefined,
  outdated?: (key: string) => boolean,
): Promise<void> {
  const rows = changes.map((change) => ({
    type: change.entity_type as EntityType,
    id: change.entity_id,
    row: change.data,
  }))
  await rebuildViews(tx, await storeServerRows(tx, rows, outdated), userId)
}

/** The view of a row (deleted ones included), or undefined. */
export function viewRow(tx: LocalTx, type: EntityType, id: string) {
  return tx.get<ViewRow>(viewKey(type, id))
}
