/** History: every accepted change stores the full new version of the row. */
import { type EntityRows, type EntityType, ownerOf, ROUTE_SCOPED_TYPES, scopeKey } from '@trackvault/core'
import type { Kysely, Transaction } from 'kysely'
import { firstKeyed, insertRows } from '../db/compiled-statements'
import type { Database } from '../db/schema'
import { chunks, type PendingChange } from './change-log'
import type { WriteContext } from './write-types'

export type HistoryOperation = 'create' | 'update' | 'delete'

/** One stored version, as `GET /api/history/...` shows it. */
export interface HistoryEntry {
  version: number
  operation: string
  user_id: string | null
  device_id: string | null
  sync_operation_id: string | null
  created_at: string
  data: Record<string, unknown>
}

/**
 * Records a new version: its history row and change-log entry are queued on
 * the context and written together, multi-row, when the write ends
 * (`writeHistory`, then `appendChanges`). A savepoint rollback drops the
 * queued entries of the operation it undoes; reads of history inside the
 * write see the queue (`historyVersion` with `pending`).
 */
export function recordHistory<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  row: EntityRows[T],
  operation: HistoryOperation,
  previous?: EntityRows[T] | Record<string, unknown>,
): void {
  const owner = ownerOf(type, row as unknown as Record<string, unknown>) ?? null
  const before = previous ? (ownerOf(type, previous as Record<string, unknown>) ?? null) : null
  const scope = scopeOfChange(type, row as unknown as Record<string, unknown>, previous as Record<string, unknown>)
  ctx.changes.push({
    entity_type: type,
    entity_id: row.id,
    version: row.version,
    deleted: row.deleted_at !== null,
    operation,
    data: JSON.stringify(row),
    user_id: ctx.actor.id,
    device_id: ctx.actor.deviceId,
    sync_operation_id: ctx.syncOperationId ?? null,
    owner_id: owner,
    previous_owner_id: before !== owner ? before : null,
    ...scope,
  })
}

/**
 * A change's route (sync-scope.ts): a supplier's own, or for a deduction or settlement line its
 * supplier's, filled in when the write takes its place in the log (the supplier's route is read then).
 */
function scopeOfChange(
  type: EntityType,
  row: Record<string, unknown>,
  previous: Record<string, unknown> | undefined,
): Pick<PendingChange, 'scope' | 'previous_scope' | 'scope_supplier' | 'previous_scope_supplier' | 'scope_subject'> {
  if (type === 'supplier') {
    const scope = scopeKey(row.route_id as string | null)
    const before = previous ? scopeKey(previous.route_id as string | null) : scope
    return { scope, previous_scope: before !== scope ? before : null, scope_subject: row.id as string }
  }
  if (!(ROUTE_SCOPED_TYPES as readonly string[]).includes(type)) return { scope: null, previous_scope: null }
  const supplier = row.supplier_id as string
  const moved = previous && previous.supplier_id !== supplier ? (previous.supplier_id as string) : undefined
  return {
    scope: null,
    previous_scope: null,
    scope_supplier: supplier,
    scope_subject: supplier,
    ...(moved ? { previous_scope_supplier: moved } : {}),
  }
}

/** Writes the history rows of `changes` (multi-row inserts). */
export async function writeHistory(trx: Transaction<Database>, changes: PendingChange[], now: string): Promise<void> {
  const rows = changes.map((c) => ({
    entity_type: c.entity_type,
    entity_id: c.entity_id,
    version: c.version,
    operation: c.operation,
    data: c.data,
    user_id: c.user_id,
    device_id: c.device_id,
    sync_operation_id: c.sync_operation_id,
    created_at: now,
  }))
  for (const part of chunks(rows)) await insertRows(trx, 'entity_history', part)
}

/** All versions of one entity, oldest first. */
export async function listHistory(db: Kysely<Database>, type: EntityType, id: string): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('entity_history')
    .selectAll()
    .where('entity_type', '=', type)
    .where('entity_id', '=', id)
    .orderBy('version')
    .execute()
  return rows.map((r) => ({
    version: Number(r.version),
    operation: r.operation,
    user_id: r.user_id,
    device_id: r.device_id,
    sync_operation_id: r.sync_operation_id,
    created_at: r.created_at,
    data: JSON.parse(r.data) as Record<string, unknown>,
  }))
}

/** One stored version (the base of a 3-way merge), or undefined; `pending` is the running write's queue. */
export async function historyVersion<T extends EntityType>(
  db: Kysely<Database>,
  type: T,
  id: string,
  version: number,
  pending?: PendingChange[],
): Promise<EntityRows[T] | undefined> {
  const queued = pending?.findLast((c) => c.entity_type === type && c.entity_id === id && c.version === version)
  if (queued) return JSON.parse(queued.data) as EntityRows[T]
  const row = await firstKeyed(db, 'history:version', [type, id, version], () =>
    db
      .selectFrom('entity_history')
      .select('data')
      .where('entity_type', '=', type)
      .where('entity_id', '=', id)
      .where('version', '=', version),
  )
  return row ? (JSON.parse(row.data) as EntityRows[T]) : undefined
}
