/**
 * The outbox owns the queued operations after they are written (TanStack
 * Query's MutationCache owns paused mutations the same way): every change
 * of an operation is a named transition here, and each ends by rebuilding
 * the view of the operation's row, so the screen never shows a queue state
 * the view has not caught up with. Transitions take the transaction they
 * run in, so a batch settles in one commit; reads go through queue-reader.ts.
 *
 *   await db.write((tx) => outbox.reviewLater(tx, op))
 */
import { type ConflictInfo, newId } from '@trackvault/core'
import { journal } from './journal'
import type { LocalDb, LocalTx } from './local-db'
import { deleteOp, listOps, nextSeq, putOp, type QueuedOp } from './queue'
import type { QueueCounts } from './queue-index'
import { findOp, nextBatchOps, opsOf, parkedOps, queueCounts } from './queue-reader'
import { rebuildView, serverRow, storeServerRow } from './replica'

/**
 * Why an operation is parked: a conflict (the server recorded it), or a
 * failure; `recorded` says whether the server has now recorded its local_id
 * (it refused it), so a retry must go out under a new one.
 */
export type Parking =
  | { status: 'conflict'; conflict?: ConflictInfo }
  | { status: 'failed'; error: NonNullable<QueuedOp['error']>; recorded: boolean }

/** What the server now has for a settled operation's row. */
export interface Settled {
  version?: number | null
  data?: Record<string, unknown> | null
}

export class Outbox {
  constructor(private readonly db: LocalDb) {}

  // ------------------------------------------------------------------ reads

  /** The operations of `userId` by status. */
  counts(userId: string | undefined): Promise<QueueCounts> {
    return this.db.read((tx) => queueCounts(tx, userId))
  }

  /** Every queued operation of `userId`, oldest first. */
  async list(userId: string | undefined): Promise<QueuedOp[]> {
    return (await this.db.read(listOps)).filter((op) => op.user_id === userId)
  }

  /** The operations of `userId` parked on a conflict or failure, oldest first. */
  parked(userId: string | undefined): Promise<QueuedOp[]> {
    return this.db.read((tx) => parkedOps(tx, userId))
  }

  /** The next batch to push (see `QueueIndex.nextBatch`). */
  nextBatch(userId: string, size: number): Promise<QueuedOp[]> {
    return this.db.read((tx) => nextBatchOps(tx, userId, size))
  }

  /** The operation with this local_id, if queued. */
  find(localId: string): Promise<QueuedOp | undefined> {
    return this.db.read((tx) => findOp(tx, localId))
  }

  // ------------------------------------------------------------ transitions

  /** The server applied it (`success`, `resolved`): it leaves the queue for the journal; the next change of its row is based on the new version. */
  async settleSuccess(tx: LocalTx, op: QueuedOp, settled: Settled, opts: { journal?: boolean } = {}): Promise<void> {
    deleteOp(tx, op)
    // A change the person gave up (a conflict resolved with the server's version) applied nothing:
    // after a restore there is nothing of it to send again.
    if (opts.journal !== false) await journal(tx, op, settled.version)
    if (settled.data) await storeServerRow(tx, op.entity_type, settled.data)
    await rebaseSuccessor(tx, op, settled.version)
    await show(tx, op)
  }

  /** It waits, visible, for a person: a conflict (with the server's row stored) or a failure. */
  async park(tx: LocalTx, op: QueuedOp, parking: Parking): Promise<void> {
    const attempts = op.attempts + 1
    if (parking.status === 'conflict') {
      putOp(tx, { ...op, status: 'conflict', recorded: true, attempts, conflict: parking.conflict })
      if (parking.conflict?.server) await storeServerRow(tx, op.entity_type, parking.conflict.server)
    } else {
      putOp(tx, { ...op, status: 'failed', recorded: parking.recorded || op.recorded, attempts, error: parking.error })
    }
    await show(tx, op)
  }

  /**
   * Back to pending. One the server recorded (failed, conflict) goes out
   * under a new local_id and seq at the end of the queue; one it never
   * recorded keeps its identity, so a replay stays exactly once.
   * `newIdentity` forces a new one (an edited change is a new operation).
   * Later changes of the same row waited behind it, unsent: they move
   * behind it too, in order, so they still go out after it (and on the
   * version it produces).
   */
  async requeue(
    tx: LocalTx,
    op: QueuedOp,
    changes: Partial<QueuedOp> = {},
    opts: { newIdentity?: boolean } = {},
  ): Promise<QueuedOp> {
    deleteOp(tx, op)
    const fresh = op.recorded || opts.newIdentity === true
    const next: QueuedOp = {
      ...op,
      ...changes,
      local_id: fresh ? newId() : op.local_id,
      seq: fresh ? await nextSeq(tx) : op.seq,
      status: 'pending',
      recorded: false,
    }
    delete next.error
    delete next.conflict
    putOp(tx, next)
    if (fresh) {
      for (const later of await opsOf(tx, op.entity_type, op.entity_id)) {
        if (later.seq <= op.seq || later.seq === next.seq || later.user_id !== op.user_id) continue
        deleteOp(tx, later)
        putOp(tx, { ...later, seq: await nextSeq(tx) })
      }
    }
    await show(tx, op)
    return next
  }

  /** The change is dropped; the row shows the server's version again. */
  async discard(tx: LocalTx, op: QueuedOp): Promise<void> {
    deleteOp(tx, op)
    await rebaseSuccessor(tx, op, (await serverRow(tx, op.entity_type, op.entity_id))?.version)
    await show(tx, op)
  }

  /** A conflict stays parked, durable and visible, until the person comes back to it. */
  async reviewLater(tx: LocalTx, op: QueuedOp): Promise<void> {
    putOp(tx, { ...op, status: 'review_later' })
    await show(tx, op)
  }

  /**
   * Operations that failed only because the server was unreachable or busy
   * (never recorded there) go out again on the next sync, under the same
   * identity; between syncs they stay visible as failed.
   */
  async resendUnsent(userId: string): Promise<void> {
    await this.db.write(async (tx) => {
      for (const op of await parkedOps(tx, userId)) {
        if (op.status === 'failed' && op.error?.transient && !op.recorded) await this.requeue(tx, op)
      }
    })
  }
}

/** Every transition ends here: the row's view shows the queue as it now is. */
async function show(tx: LocalTx, op: QueuedOp): Promise<void> {
  await rebuildView(tx, op.entity_type, op.entity_id, op.user_id)
}

/** After `op` settles, the next queued change of its row is based on `version` (what the server now has). */
async function rebaseSuccessor(tx: LocalTx, op: QueuedOp, version: number | null | undefined): Promise<void> {
  if (version === null || version === undefined) return
  const next = (await opsOf(tx, op.entity_type, op.entity_id)).find(
    (o) => o.seq > op.seq && o.user_id === op.user_id && o.base_version === null && o.operation_type !== 'create',
  )
  if (next) putOp(tx, { ...next, base_version: version })
}
