/**
 * POST /api/sync: one transaction per batch, each operation undone alone if it fails.
 *
 * - Exactly once: (device_id, local_id, user_id) is unique; a replay returns the stored
 *   outcome as `duplicate`. The (device, user) row is locked first, so two
 *   copies of a batch arriving together run one after the other and the
 *   second finds every operation recorded. The key holds the user because
 *   device ids are whatever a client claims: one user cannot occupy another's
 *   local ids. A replay of the same operation (same fingerprint) by another user
 *   of a shared phone is still a replay.
 * - In order: seq must grow per device and user; otherwise OUT_OF_ORDER.
 * - A permanent error marks that operation `failed` and the batch goes on; a
 *   transient error stops the batch there (what came before still commits).
 * - The entity, its history, the change-log entry and the ledger row of an
 *   operation commit together or not at all.
 */
import { createHash } from 'node:crypto'
import {
  AppError,
  type EntityType,
  newId,
  type OperationResult,
  type OperationType,
  writableFields,
} from '@trackvault/core'
import type { Kysely } from 'kysely'
import { firstKeyed, insertRows, runKeyed } from '../db/compiled-statements'
import { dbErrorOf, isTransientDbError } from '../db/db-errors'
import type { Database, SyncOperationsTable } from '../db/schema'
import { withSavepoint } from '../db/sql-helpers'
import { chunks } from '../domain/change-log'
import { preloadLive, readTakenReceipts } from '../domain/entity-service'
import { expectReceipts } from '../domain/receipt-numbers'
import { forgetSince, type WriteContext, type WriteOutcome, type WriteWork } from '../domain/write-context'
import { type Applied, applyOperation } from './apply-operation'
import { storedResult } from './operation-log'
import { RowPrefetch } from './row-prefetch'

/** Largest version a row can have: versions are stored in 32-bit integer columns. */
const MAX_VERSION = 2_147_483_647

/**
 * Most of an operation's payload the ledger keeps (JSON text, bytes). It keeps only the fields a
 * client may write, which for a valid operation is far less (the longest valid row is ~3 KiB); an
 * operation that failed with more (a hostile or broken client) keeps none, so failed operations
 * cannot grow the database faster than valid ones.
 */
export const MAX_KEPT_PAYLOAD_BYTES = 8 * 1024
/** Longest error message the ledger keeps. */
const MAX_KEPT_MESSAGE = 1000

/** One operation after envelope validation. */
export interface PushOperation {
  local_id: string
  seq: number
  entity_type: EntityType
  entity_id: string
  operation_type: OperationType
  base_version?: number
  payload: Record<string, unknown>
  client_timestamp?: string
  /** SHA-256 of the operation as sent (see `fingerprintOf`); computed from this object if absent. */
  fingerprint?: string
}

/**
 * Identifies an operation by what was sent: the same queued operation sent again (by any user of
 * the device) has the same fingerprint; another operation under the same local_id has not.
 * Validated objects have their keys in schema order, so the text is stable for a replay.
 */
export function fingerprintOf(sent: unknown): string {
  return createHash('sha256').update(JSON.stringify(sent)).digest('hex')
}

/**
 * The (device, user) row's last applied seq, the row made on first contact and locked until commit
 * (PostgreSQL: an upsert that updates locks the row, as `FOR UPDATE` would), in one statement.
 */
async function lockDevice(trx: Kysely<Database>, deviceId: string, userId: string, now: string) {
  const row = await firstKeyed(trx, 'push:claim-lock-device', [deviceId, userId, -1, now], () =>
    trx
      .insertInto('sync_devices')
      .values({ device_id: deviceId, user_id: userId, last_seq: -1, last_seen_at: now })
      .onConflict((oc) =>
        oc.columns(['device_id', 'user_id']).doUpdateSet((eb) => ({ last_seq: eb.ref('sync_devices.last_seq') })),
      )
      .returning('last_seq'),
  )
  if (!row) throw new Error(`no sync_devices row for device ${deviceId}`)
  return Number(row.last_seq)
}

function toRecord(op: PushOperation, ctx: WriteContext, id: string, outcome: Applied | AppError): SyncOperationsTable {
  const record: SyncOperationsTable = {
    id,
    device_id: ctx.actor.deviceId as string,
    local_id: op.local_id,
    user_id: ctx.actor.id,
    seq: op.seq,
    entity_type: op.entity_type,
    entity_id: op.entity_id,
    operation_type: op.operation_type,
    base_version: op.base_version !== undefined && validVersion(op.base_version) ? op.base_version : null,
    payload: keptPayload(op),
    client_timestamp: op.client_timestamp ?? null,
    status: 'failed',
    result_version: null,
    error_code: null,
    error_message: null,
    conflict_data: null,
    resolution: null,
    attempted_at: ctx.now,
    completed_at: ctx.now,
    fingerprint: op.fingerprint ?? null,
  }
  if (outcome instanceof AppError) {
    record.error_code = outcome.code
    record.error_message = outcome.message.slice(0, MAX_KEPT_MESSAGE)
  } else if (outcome.status === 'success') {
    record.status = 'success'
    record.result_version = outcome.row.version as number
  } else {
    record.status = 'conflict'
    record.conflict_data = JSON.stringify(outcome.conflict)
    record.completed_at = null
  }
  return record
}

const validVersion = (v: number) => Number.isSafeInteger(v) && v >= 1 && v <= MAX_VERSION

/** What the ledger keeps of a payload: the writable fields, or `null` (JSON) past MAX_KEPT_PAYLOAD_BYTES. */
function keptPayload(op: PushOperation): string {
  const writable = new Set(writableFields(op.entity_type))
  const kept: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(op.payload)) if (writable.has(k)) kept[k] = v
  const text = JSON.stringify(kept)
  return Buffer.byteLength(text) <= MAX_KEPT_PAYLOAD_BYTES ? text : 'null'
}

function resultOf(record: SyncOperationsTable, outcome: Applied | AppError): OperationResult {
  const base = {
    local_id: record.local_id,
    entity_type: record.entity_type,
    entity_id: record.entity_id,
  }
  if (outcome instanceof AppError) {
    return { ...base, status: 'failed', version: null, data: null, error: outcome.toBody().error }
  }
  if (outcome.status === 'success') {
    return { ...base, status: 'success', version: outcome.row.version as number, data: outcome.row }
  }
  return {
    ...base,
    status: 'conflict',
    version: outcome.conflict.server_version,
    data: outcome.conflict.server,
    conflict: outcome.conflict,
  }
}

/**
 * A statement of an operation failed while the batch ran without savepoints. On PostgreSQL the
 * transaction cannot go on after that, so the batch is rolled back and run again with them.
 */
export class NeedsSavepoints extends Error {
  constructor(cause: unknown) {
    super('a statement failed in a batch run without savepoints', { cause })
  }
}

/**
 * Applies one operation without a savepoint. This is exact because an operation writes at most
 * one statement, and it is its last (entity-service: the insert or the versioned update; history
 * and change-log rows are queued, not written): an AppError thrown by our checks leaves nothing of
 * the operation written. A failed statement is another matter (PostgreSQL aborts the transaction):
 * that is NeedsSavepoints.
 */
async function applyBare(ctx: WriteContext, op: PushOperation, rows: RowPrefetch): Promise<Applied | AppError> {
  const mark = ctx.changes.length
  try {
    return await applyOperation(ctx, op, rows)
  } catch (err) {
    forgetSince(ctx, mark)
    if (err instanceof AppError) return err
    throw new NeedsSavepoints(err)
  }
}

/** Applies one operation inside a savepoint; a transient error propagates, a permanent one is returned. */
async function applyInSavepoint(ctx: WriteContext, op: PushOperation, rows: RowPrefetch): Promise<Applied | AppError> {
  const mark = ctx.changes.length
  try {
    return await withSavepoint(ctx.trx, 'sync_op', () => applyOperation(ctx, op, rows))
  } catch (err) {
    forgetSince(ctx, mark)
    if (isTransientDbError(err)) throw err
    return err instanceof AppError ? err : (dbErrorOf(err) ?? new AppError('INTERNAL'))
  }
}

/** How a batch in the original app's shape differs (see sync/legacy.ts). */
export interface PushMode {
  /**
   * The original app sends no seq, and treats `duplicate` as "synced": each new operation gets the
   * next seq, and a failed operation sent again (it wrote nothing) is processed again, answered by
   * its new outcome and recorded over its ledger row, instead of being answered `duplicate`.
   */
  legacy?: boolean
}

/**
 * Processes a batch in the caller's write transaction (`ctx.actor.deviceId`
 * is the pushing device). `savepoints: false` is for `runPush` only.
 */
export async function processPush(
  ctx: WriteContext,
  operations: PushOperation[],
  opts: PushMode & { savepoints?: boolean } = {},
): Promise<OperationResult[]> {
  const { trx, actor } = ctx
  const deviceId = actor.deviceId as string
  let lastSeq = await lockDevice(trx, deviceId, actor.id, ctx.now)
  // This user's operations by local_id, and other users' operations of this device (a shared phone).
  const known = new Map<string, SyncOperationsTable>()
  const others = new Map<string, SyncOperationsTable[]>()
  const stored = new Set<SyncOperationsTable>() // ledger rows of earlier requests
  const localIds = [...new Set(operations.map((o) => o.local_id))]
  if (localIds.length > 0) {
    const { rows } = await runKeyed(trx, `push:replays:${localIds.length}`, [deviceId, ...localIds], () =>
      trx.selectFrom('sync_operations').selectAll().where('device_id', '=', deviceId).where('local_id', 'in', localIds),
    )
    for (const row of rows) {
      stored.add(row)
      if (row.user_id === actor.id) known.set(row.local_id, row)
      else others.set(row.local_id, [...(others.get(row.local_id) ?? []), row])
    }
  }
  // The rows of the operations not answered from the ledger, loaded (and locked) together, and the
  // server receipt numbers their collections may need, taken together when the first is.
  const fresh = operations.filter((op) => !known.has(op.local_id) && !others.has(op.local_id))
  const rows = await RowPrefetch.load(ctx, fresh)
  const creates = fresh.filter((op) => op.entity_type === 'collection' && op.operation_type === 'create')
  const printed = creates.flatMap((op) =>
    typeof op.payload.receipt_number === 'string' && op.payload.receipt_number ? [op.payload.receipt_number] : [],
  )
  expectReceipts(ctx, creates.length - printed.length)
  await readTakenReceipts(ctx, printed)
  const named = (field: string) =>
    fresh.flatMap((op) => (typeof op.payload[field] === 'string' ? [op.payload[field] as string] : []))
  await preloadLive(ctx, { supplier: named('supplier_id'), product: named('product_id') })
  const results: OperationResult[] = []
  // Ledger rows are written together after the loop (one multi-row insert, not one per operation).
  const ledger: SyncOperationsTable[] = []
  const retried: SyncOperationsTable[] = []
  const rerun = (row: SyncOperationsTable | undefined) => opts.legacy && row?.status === 'failed' && stored.has(row)
  for (const op of operations) {
    op.fingerprint ??= fingerprintOf({ ...op, seq: undefined }) // seq is per user: not part of what an operation is
    const mine = known.get(op.local_id)
    const prior = mine ?? others.get(op.local_id)?.find((row) => row.fingerprint === op.fingerprint && !rerun(row))
    const retry = rerun(mine) ? mine : undefined
    if (prior && !retry) {
      results.push(await storedResult(trx, prior, 'duplicate', actor, ctx.changes))
      continue
    }
    const id = retry?.id ?? newId()
    ctx.syncOperationId = id
    let outcome: Applied | AppError
    if (opts.legacy) op.seq = lastSeq + 1
    if (op.seq <= lastSeq) {
      outcome = new AppError(
        'OUT_OF_ORDER',
        `seq ${op.seq} is not after ${lastSeq}, the last applied seq of this device`,
      )
    } else if (op.base_version !== undefined && !validVersion(op.base_version)) {
      // Versions are positive 32-bit integers: anything else names no stored version (and PostgreSQL would refuse it).
      outcome = new AppError('VALIDATION_FAILED', undefined, {
        fields: { base_version: [`must be a whole number from 1 to ${MAX_VERSION}`] },
      })
      lastSeq = op.seq
    } else {
      try {
        outcome = opts.savepoints === false ? await applyBare(ctx, op, rows) : await applyInSavepoint(ctx, op, rows)
      } catch (err) {
        if (err instanceof NeedsSavepoints || results.length === 0) throw err
        break // transient: commit what came before; the rest is retried in order
      }
      lastSeq = op.seq
    }
    const record = toRecord(op, ctx, id, outcome)
    ;(retry ? retried : ledger).push(record)
    known.set(op.local_id, record)
    results.push(resultOf(record, outcome))
  }
  for (const part of chunks(ledger))
    await insertRows(trx, 'sync_operations', part as unknown as Record<string, unknown>[])
  for (const { id, device_id, local_id, user_id, ...rest } of retried) {
    await trx.updateTable('sync_operations').set(rest).where('id', '=', id).execute()
  }
  await runKeyed(trx, 'push:advance-device', [lastSeq, ctx.now, deviceId, actor.id], () =>
    trx
      .updateTable('sync_devices')
      .set({ last_seq: lastSeq, last_seen_at: ctx.now })
      .where('device_id', '=', deviceId)
      .where('user_id', '=', actor.id),
  )
  return results
}

/**
 * Runs a batch through `transact`: first without a savepoint per operation (two statements, and
 * on PostgreSQL two round trips, fewer per operation); if a statement fails, the batch is rolled
 * back and run again with savepoints, so that the failing operation alone is undone (or, for a
 * transient error, what came before it still commits).
 */
export async function runPush(
  transact: <T>(work: WriteWork<T>) => Promise<WriteOutcome<T>>,
  operations: PushOperation[],
  opts: PushMode = {},
): Promise<WriteOutcome<OperationResult[]>> {
  try {
    return await transact((ctx) => processPush(ctx, operations, { ...opts, savepoints: false }))
  } catch (err) {
    if (!(err instanceof NeedsSavepoints)) throw err
    return transact((ctx) => processPush(ctx, operations, { ...opts, savepoints: true }))
  }
}
