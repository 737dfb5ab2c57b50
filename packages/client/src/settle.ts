/**
 * What a push's answer means for each queued operation: which outbox
 * transition a server result (or a batch that could not be sent at all)
 * leads to. The transitions themselves are in outbox.ts.
 */
import type { OperationResult, PushResponse } from '@trackvault/core'
import { CLIENT_ERROR_CODES, type ClientErrorCode } from './client-errors'
import type { ApiError } from './http'
import { META, serverKey, viewKey } from './keys'
import type { LocalDb, LocalTx } from './local-db'
import type { Outbox } from './outbox'
import type { QueuedOp } from './queue'
import type { Json } from './storage/kv-store'

/** How one operation came out of a push, for the sync summary. */
export type Settlement = 'success' | 'conflict' | 'failed' | 'requeued'

/** Applies one server result to the queue and replica. */
export async function settle(tx: LocalTx, outbox: Outbox, op: QueuedOp, result: OperationResult): Promise<Settlement> {
  const status = result.status === 'duplicate' ? (result.original_status ?? 'success') : result.status
  if (status === 'success' || status === 'resolved') {
    await outbox.settleSuccess(tx, op, result)
    return 'success'
  }
  if (status === 'conflict') {
    await outbox.park(tx, op, { status: 'conflict', conflict: result.conflict })
    return 'conflict'
  }
  if (result.error?.code === 'OUT_OF_ORDER' && !op.recorded) {
    // Provably not applied (the ledger had no such local_id): send it again under a new identity.
    await outbox.requeue(tx, { ...op, recorded: true })
    return 'requeued'
  }
  // The server's details are kept: they name the fields at fault, which the sync center marks.
  const error = result.error
    ? {
        code: result.error.code,
        message: result.error.message,
        ...(result.error.details !== undefined ? { details: result.error.details as Json } : {}),
      }
    : { code: 'FAILED' satisfies ClientErrorCode, message: CLIENT_ERROR_CODES.FAILED }
  await outbox.park(tx, op, { status: 'failed', error, recorded: true })
  return 'failed'
}

/**
 * Applies a push's results to the batch they answer, in one transaction;
 * the outcomes of the operations answered (a partial answer leaves the rest
 * queued, in order).
 */
export function settleBatch(
  db: LocalDb,
  outbox: Outbox,
  batch: QueuedOp[],
  response: Pick<PushResponse, 'results'> & { epoch?: string },
): Promise<Settlement[]> {
  const { results } = response
  const byLocalId = new Map(batch.map((op) => [op.local_id, op]))
  return db.write(async (tx) => {
    // The first answer names the server's epoch (the request carried ours, so a later one is the same):
    // the journal keeps each settled operation with the epoch it was settled in.
    if (response.epoch && !(await tx.get<string>(META.epoch))) tx.put(META.epoch, response.epoch)
    // One read for the server rows the results replace (each settle reads its own): a row's `srv/`
    // copy, or its view where it has none (replica.ts).
    await tx.prefetch(
      batch.flatMap((op) => [serverKey(op.entity_type, op.entity_id), viewKey(op.entity_type, op.entity_id)]),
    )
    const out: Settlement[] = []
    for (const result of results) {
      const op = byLocalId.get(result.local_id)
      if (op) out.push(await settle(tx, outbox, op, result))
    }
    return out
  })
}

/**
 * A batch whose retries ran out shows as failed with the request's error;
 * `transient` lets the next sync send it again under the same identity.
 */
export function settleUnsent(db: LocalDb, outbox: Outbox, batch: QueuedOp[], err: ApiError): Promise<void> {
  const error = {
    code: err.code,
    message: err.message,
    transient: err.transient,
    details: (err.details ?? null) as Json,
  }
  return db.write(async (tx) => {
    for (const op of batch) await outbox.park(tx, op, { status: 'failed', error: { ...error }, recorded: false })
  })
}
