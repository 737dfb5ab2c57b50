/**
 * Applies one sync operation through the domain service, deciding between
 * success, an automatic field merge, and a conflict. The decision depends
 * only on the stored versions (server order), never on client clocks.
 */
import {
  AppError,
  type ConflictInfo,
  can,
  changedFields,
  ENTITY_INPUTS,
  type EntityType,
  type OperationType,
  threeWayMerge,
  writableFields,
} from '@trackvault/core'
import { createEntity, deleteCurrent, deleteEntity, updateEntity } from '../domain/entity-service'
import { historyVersion } from '../domain/history'
import { loadRow } from '../domain/rows'
import type { WriteContext } from '../domain/write-context'

type Loose = Record<string, unknown>
const loose = (row: object) => row as Loose

export interface OperationInput {
  entity_type: EntityType
  entity_id: string
  operation_type: OperationType
  base_version?: number
  payload: Loose
}

export type Applied =
  | { status: 'success'; row: Loose; merged?: boolean }
  | { status: 'conflict'; conflict: ConflictInfo }

/** Payment amounts are never merged automatically: money goes to a person. */
const MANUAL_FIELDS: Partial<Record<EntityType, string[]>> = { payment: ['amount'] }

function pick(row: Loose, fields: Iterable<string>): Loose {
  const out: Loose = {}
  for (const f of fields) if (f in row) out[f] = row[f]
  return out
}

function requireBaseVersion(op: OperationInput): number {
  if (op.base_version === undefined) {
    throw new AppError('VALIDATION_FAILED', 'base_version is required for update', {
      fields: { base_version: ['required'] },
    })
  }
  return op.base_version
}

/**
 * The client's delta in canonical form ("50.5" -> "50.500"), validated as the
 * whole row it would produce. Unknown and server-owned fields are dropped.
 */
function normaliseDelta(type: EntityType, current: Loose, payload: Loose): Loose {
  const writable = writableFields(type)
  const keys = Object.keys(payload).filter((k) => writable.includes(k))
  const parsed = ENTITY_INPUTS[type].safeParse({ ...pick(current, writable), ...pick(payload, keys) })
  if (!parsed.success) {
    // Let the domain service produce the standard VALIDATION_FAILED error.
    return pick(payload, keys)
  }
  return pick(parsed.data as Loose, keys)
}

function conflict(current: Loose, base: Loose | null, client: Loose, fields: string[]): Applied {
  return {
    status: 'conflict',
    conflict: { server_version: current.version as number, base, server: current, client, fields },
  }
}

async function applyCreate(ctx: WriteContext, op: OperationInput): Promise<Applied> {
  const existing = (await loadRow(ctx.trx, op.entity_type, op.entity_id, ctx.caps)) as Loose | undefined
  if (!existing) {
    const row = await createEntity(ctx, op.entity_type, op.payload, op.entity_id, { knownAbsent: true })
    return { status: 'success', row: loose(row) }
  }
  const owner = typeof existing.user_id === 'string' ? existing.user_id : undefined
  if (!can(ctx.actor, op.entity_type, 'read', owner)) {
    throw new AppError('DUPLICATE', `${op.entity_type} ${op.entity_id} already exists`)
  }
  // The same create arriving again under another local_id is not a conflict.
  const parsed = ENTITY_INPUTS[op.entity_type].safeParse(op.payload)
  const client = parsed.success ? (parsed.data as Loose) : op.payload
  if (op.entity_type === 'collection' || op.entity_type === 'payment') client.user_id ??= ctx.actor.id
  const differing = changedFields(existing, client, Object.keys(client))
  if (differing.length === 0 && !existing.deleted_at) return { status: 'success', row: existing }
  return conflict(existing, null, client, existing.deleted_at ? [...differing, 'deleted_at'] : differing)
}

async function applyUpdate(ctx: WriteContext, op: OperationInput): Promise<Applied> {
  const baseVersion = requireBaseVersion(op)
  const type = op.entity_type
  // The payload names the product a rate moves to: locked with its own, before the rate (pricing.ts).
  const current = (await loadRow(ctx.trx, type, op.entity_id, ctx.caps, op.payload)) as Loose | undefined
  if (!current) throw new AppError('NOT_FOUND', `${type} ${op.entity_id} does not exist`)
  const owner = typeof current.user_id === 'string' ? current.user_id : undefined
  if (!can(ctx.actor, type, 'update', owner)) {
    throw new AppError('FORBIDDEN', `A ${ctx.actor.role} may not update this ${type.replace('_', ' ')}`)
  }
  const delta = normaliseDelta(type, current, op.payload)
  if (current.deleted_at) return conflict(current, null, delta, ['deleted_at'])
  if (baseVersion === current.version) {
    const row = await updateEntity(ctx, type, op.entity_id, delta, baseVersion, { current })
    return { status: 'success', row: loose(row) }
  }
  const base =
    baseVersion < (current.version as number)
      ? ((await historyVersion(ctx.trx, type, op.entity_id, baseVersion, ctx.changes)) as Loose | undefined)
      : undefined
  if (!base) return conflict(current, null, delta, Object.keys(delta))
  const writable = writableFields(type)
  const merge = threeWayMerge(pick(base, writable), pick(current, writable), delta)
  const manual = (MANUAL_FIELDS[type] ?? []).filter((f) => f in delta || changedFields(base, current, [f]).length > 0)
  if (!merge.ok || manual.length > 0) {
    const fields = [...new Set([...(merge.ok ? [] : merge.fields), ...manual])]
    return conflict(current, base, delta, fields)
  }
  const syncMetadata = {
    ...((current.sync_metadata as Loose | null) ?? {}),
    merged: { base_version: baseVersion, server_version: current.version, fields: Object.keys(delta), at: ctx.now },
  }
  const row = loose(
    await updateEntity(ctx, type, op.entity_id, delta, current.version as number, { syncMetadata, current }),
  )
  return { status: 'success', row, merged: true }
}

async function applyDelete(ctx: WriteContext, op: OperationInput): Promise<Applied> {
  const type = op.entity_type
  const current = (await loadRow(ctx.trx, type, op.entity_id, ctx.caps)) as Loose | undefined
  if (!current) throw new AppError('NOT_FOUND', `${type} ${op.entity_id} does not exist`)
  // No version: the original app's delete; it applies to the current version (see deleteCurrent).
  if (op.base_version === undefined) {
    return { status: 'success', row: loose(await deleteCurrent(ctx, type, op.entity_id, { current })) }
  }
  const baseVersion = op.base_version
  const owner = typeof current.user_id === 'string' ? current.user_id : undefined
  if (!can(ctx.actor, type, 'delete', owner)) {
    throw new AppError('FORBIDDEN', `A ${ctx.actor.role} may not delete this ${type.replace('_', ' ')}`)
  }
  if (current.deleted_at) return conflict(current, null, {}, ['deleted_at'])
  if (baseVersion !== current.version) {
    const base = (await historyVersion(ctx.trx, type, op.entity_id, baseVersion, ctx.changes)) as Loose | undefined
    const fields = base ? changedFields(base, current, writableFields(type)) : []
    return conflict(current, base ?? null, {}, fields)
  }
  return { status: 'success', row: loose(await deleteEntity(ctx, type, op.entity_id, baseVersion, { current })) }
}

/** Applies `op` in the caller's transaction. Throws AppError for permanent failures. */
export function applyOperation(ctx: WriteContext, op: OperationInput): Promise<Applied> {
  switch (op.operation_type) {
    case 'create':
      return applyCreate(ctx, op)
    case 'update':
      return applyUpdate(ctx, op)
    case 'delete':
      return applyDelete(ctx, op)
  }
}
