/**
 * Applies one sync operation, deciding between success, an automatic field
 * merge, and a conflict. The decision depends only on the stored versions
 * (server order), never on client clocks. What may be written is the domain
 * service's to say (`checkCreate`, `checkPatch`, `checkDelete`); this file
 * only decides whether and how to write it.
 */
import {
  AppError,
  type ConflictInfo,
  can,
  changedFields,
  ENTITY_SPECS,
  type EntityType,
  fieldProblem,
  type OperationType,
  ownerOf,
  threeWayMerge,
  writableFields,
} from '@trackvault/core'
import {
  checkCreate,
  checkDelete,
  checkNotSettled,
  checkPatch,
  deleteCurrent,
  insertChecked,
  writeDelete,
  writePatch,
} from '../domain/entity-service'
import { historyVersion } from '../domain/history'
import { loadRow } from '../domain/rows'
import type { WriteContext } from '../domain/write-context'
import type { Prefetched, RowPrefetch } from './row-prefetch'

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

function pick(row: Loose, fields: Iterable<string>): Loose {
  const out: Loose = {}
  for (const f of fields) if (f in row) out[f] = row[f]
  return out
}

function requireBaseVersion(op: OperationInput): number {
  if (op.base_version === undefined) {
    throw new AppError('VALIDATION_FAILED', 'base_version is required for update', {
      fields: { base_version: [fieldProblem('required')] },
    })
  }
  return op.base_version
}

function conflict(current: Loose, base: Loose | null, client: Loose, fields: string[]): Applied {
  return {
    status: 'conflict',
    conflict: { server_version: current.version as number, base, server: current, client, fields },
  }
}

/**
 * The stored row `op` names, locked for the write, and (if known) the run that settled it: from the
 * batch's prefetch if it holds the row, else loaded.
 */
async function currentRow(ctx: WriteContext, op: OperationInput, rows?: RowPrefetch): Promise<Prefetched> {
  const prefetched = rows?.take(op.entity_type, op.entity_id)
  if (prefetched) return prefetched
  // The payload of an update names the product a rate moves to: locked with its own, before the rate (pricing.ts).
  const patch = op.operation_type === 'update' ? op.payload : undefined
  return { row: ((await loadRow(ctx.trx, op.entity_type, op.entity_id, ctx.caps, patch)) as Loose | undefined) ?? null }
}

async function applyCreate(ctx: WriteContext, op: OperationInput, rows?: RowPrefetch): Promise<Applied> {
  const type = op.entity_type
  const existing = (await currentRow(ctx, op, rows)).row
  if (existing && !can(ctx.actor, type, 'read', ownerOf(type, existing) ?? null)) {
    throw new AppError('DUPLICATE', `${type} ${op.entity_id} already exists`)
  }
  const fields = checkCreate(ctx, type, op.payload)
  if (!existing)
    return {
      status: 'success',
      row: loose(await insertChecked(ctx, type, fields, op.entity_id, { knownAbsent: true })),
    }
  // The same create arriving again under another local_id is not a conflict.
  const differing = changedFields(existing, fields, Object.keys(fields))
  if (differing.length === 0 && !existing.deleted_at) return { status: 'success', row: existing }
  return conflict(existing, null, fields, existing.deleted_at ? [...differing, 'deleted_at'] : differing)
}

async function applyUpdate(ctx: WriteContext, op: OperationInput, rows?: RowPrefetch): Promise<Applied> {
  const baseVersion = requireBaseVersion(op)
  const type = op.entity_type
  const { row: current, settledBy } = await currentRow(ctx, op, rows)
  if (!current) throw new AppError('NOT_FOUND', `${type} ${op.entity_id} does not exist`)
  const { fields, delta } = checkPatch(ctx, type, current, op.payload)
  await checkNotSettled(ctx, type, op.entity_id, settledBy)
  if (current.deleted_at) return conflict(current, null, delta, ['deleted_at'])
  if (baseVersion === current.version)
    return { status: 'success', row: loose(await writePatch(ctx, type, current, fields)) }
  const base =
    baseVersion < (current.version as number)
      ? ((await historyVersion(ctx.trx, type, op.entity_id, baseVersion, ctx.changes)) as Loose | undefined)
      : undefined
  if (!base) return conflict(current, null, delta, Object.keys(delta))
  const writable = writableFields(type)
  const merge = threeWayMerge(pick(base, writable), pick(current, writable), delta)
  const manual = ENTITY_SPECS[type].manualMerge.filter(
    (f) => f in delta || changedFields(base, current, [f]).length > 0,
  )
  if (!merge.ok || manual.length > 0) {
    const fields = [...new Set([...(merge.ok ? [] : merge.fields), ...manual])]
    return conflict(current, base, delta, fields)
  }
  const syncMetadata = {
    ...((current.sync_metadata as Loose | null) ?? {}),
    merged: { base_version: baseVersion, server_version: current.version, fields: Object.keys(delta), at: ctx.now },
  }
  return { status: 'success', row: loose(await writePatch(ctx, type, current, fields, { syncMetadata })), merged: true }
}

async function applyDelete(ctx: WriteContext, op: OperationInput, rows?: RowPrefetch): Promise<Applied> {
  const type = op.entity_type
  const { row: current, settledBy } = await currentRow(ctx, op, rows)
  if (!current) throw new AppError('NOT_FOUND', `${type} ${op.entity_id} does not exist`)
  // No version: the original app's delete; it applies to the current version (see deleteCurrent).
  if (op.base_version === undefined) {
    return { status: 'success', row: loose(await deleteCurrent(ctx, type, op.entity_id, { current })) }
  }
  checkDelete(ctx, type, current)
  await checkNotSettled(ctx, type, op.entity_id, settledBy)
  if (current.deleted_at) return conflict(current, null, {}, ['deleted_at'])
  if (op.base_version !== current.version) {
    const base = (await historyVersion(ctx.trx, type, op.entity_id, op.base_version, ctx.changes)) as Loose | undefined
    const fields = base ? changedFields(base, current, writableFields(type)) : []
    return conflict(current, base ?? null, {}, fields)
  }
  return { status: 'success', row: loose(await writeDelete(ctx, type, current)) }
}

/**
 * Applies `op` in the caller's transaction. Throws AppError for permanent failures. `rows`: the
 * batch's prefetched rows (push.ts), if any.
 */
export function applyOperation(ctx: WriteContext, op: OperationInput, rows?: RowPrefetch): Promise<Applied> {
  switch (op.operation_type) {
    case 'create':
      return applyCreate(ctx, op, rows)
    case 'update':
      return applyUpdate(ctx, op, rows)
    case 'delete':
      return applyDelete(ctx, op, rows)
  }
}
