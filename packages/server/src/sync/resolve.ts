/**
 * POST /api/sync/resolve: how a person settled a conflict, recorded on the
 * operation and visible in history (the new version carries the operation id
 * and the resolution in sync_metadata).
 *
 * - use_server: drop the client change; the server row stays as it is.
 * - force: apply the client's change on top of the current version.
 * - merge: apply the chosen field values on top of the current version.
 *
 * Resolving again with the same resolution (the answer was lost) returns the
 * stored outcome and writes nothing; another resolution is refused (409).
 */
import { AppError, type EntityType, fieldProblem, type OperationResult, type Resolution } from '@trackvault/core'
import { forUpdate } from '../db/sql-helpers'
import { createEntity, deleteEntity, updateEntity } from '../domain/entity-service'
import { loadRow } from '../domain/rows'
import type { WriteContext } from '../domain/write-context'
import { storedResult } from './operation-log'

export interface ResolveInput {
  device_id: string
  local_id: string
  resolution: Resolution
  fields?: Record<string, unknown>
}

async function applyResolution(
  ctx: WriteContext,
  op: { entity_type: string; entity_id: string; operation_type: string; payload: string; local_id: string },
  input: ResolveInput,
) {
  const type = op.entity_type as EntityType
  const current = await loadRow(ctx.trx, type, op.entity_id, ctx.caps)
  // The device is recorded in history (entity_history.device_id), not in the row: rows do not show device ids.
  const note = { resolution: input.resolution, local_id: op.local_id, at: ctx.now }
  if (input.resolution === 'use_server') return current ?? null
  if (input.resolution === 'merge' && !input.fields) {
    throw new AppError('VALIDATION_FAILED', 'merge needs the chosen fields', {
      fields: { fields: [fieldProblem('required')] },
    })
  }
  const change = input.resolution === 'merge' ? (input.fields as Record<string, unknown>) : JSON.parse(op.payload)
  if (!current) {
    if (op.operation_type !== 'create') throw new AppError('NOT_FOUND', `${type} ${op.entity_id} no longer exists`)
    return createEntity(ctx, type, change, op.entity_id, { syncMetadata: { resolved: note } })
  }
  if (current.deleted_at) {
    throw new AppError('VERSION_CONFLICT', `${type} ${op.entity_id} was deleted; only use_server can resolve this`, {
      current,
    })
  }
  const syncMetadata = { ...(current.sync_metadata ?? {}), resolved: note }
  if (op.operation_type === 'delete') return deleteEntity(ctx, type, op.entity_id, current.version, { syncMetadata })
  return updateEntity(ctx, type, op.entity_id, change, current.version, { syncMetadata })
}

/** Resolves the caller's own conflicted operation, in the caller's write transaction; returns its final result. */
export async function resolveConflict(ctx: WriteContext, input: ResolveInput): Promise<OperationResult> {
  const { trx, caps, actor } = ctx
  const query = trx
    .selectFrom('sync_operations')
    .selectAll()
    .where('device_id', '=', input.device_id)
    .where('local_id', '=', input.local_id)
    .where('user_id', '=', actor.id)
  const op = await forUpdate(query, caps).executeTakeFirst()
  // Another user's operation under this local_id is not this user's to resolve, nor to know of.
  // (After a restore from a backup the device may hold a conflict the server never recorded: the
  // distinct code lets it send the change again instead of losing it.)
  if (!op) throw new AppError('UNKNOWN_OPERATION', `No operation ${input.local_id} on this device`)
  // The same decision again is a retry after a lost answer: answer it with how it ended, write nothing.
  if (op.status === 'resolved' && op.resolution === input.resolution)
    return storedResult(trx, op, 'success', actor, ctx.changes)
  if (op.status !== 'conflict') {
    throw new AppError('VERSION_CONFLICT', `The operation is ${op.status}, not in conflict`, {
      status: op.status,
      resolution: op.resolution,
    })
  }
  ctx.syncOperationId = op.id
  const row = await applyResolution(ctx, op, input)
  const updated = {
    ...op,
    status: 'resolved',
    resolution: input.resolution,
    result_version: row ? (row.version as number) : null,
    completed_at: ctx.now,
  }
  await trx
    .updateTable('sync_operations')
    .set({
      status: updated.status,
      resolution: updated.resolution,
      result_version: updated.result_version,
      completed_at: updated.completed_at,
    })
    .where('id', '=', op.id)
    .execute()
  return storedResult(trx, updated, 'success', actor, ctx.changes)
}
