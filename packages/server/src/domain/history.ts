/** History: every accepted change stores the full new version of the row. */
import type { EntityRows, EntityType } from '@trackvault/core'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { WriteContext } from './write-context'

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

/** Writes the history row and queues the change-log entry, in the caller's transaction. */
export async function recordHistory<T extends EntityType>(
  ctx: WriteContext,
  type: T,
  row: EntityRows[T],
  operation: HistoryOperation,
): Promise<void> {
  await ctx.trx
    .insertInto('entity_history')
    .values({
      entity_type: type,
      entity_id: row.id,
      version: row.version,
      operation,
      data: JSON.stringify(row),
      user_id: ctx.actor.id,
      device_id: ctx.actor.deviceId,
      sync_operation_id: ctx.syncOperationId ?? null,
      created_at: ctx.now,
    })
    .execute()
  ctx.changes.push({ entity_type: type, entity_id: row.id, version: row.version, deleted: row.deleted_at !== null })
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

/** One stored version (the base of a 3-way merge), or undefined. */
export async function historyVersion<T extends EntityType>(
  db: Kysely<Database>,
  type: T,
  id: string,
  version: number,
): Promise<EntityRows[T] | undefined> {
  const row = await db
    .selectFrom('entity_history')
    .select('data')
    .where('entity_type', '=', type)
    .where('entity_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return row ? (JSON.parse(row.data) as EntityRows[T]) : undefined
}
