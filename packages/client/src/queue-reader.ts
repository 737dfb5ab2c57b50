/**
 * The one reader of the queue: every question the queue index can answer
 * (a row's operations, one operation by local_id, counts, parked
 * operations, the next batch) is asked here. The index answers when it is
 * current; when it is not sure (not loaded yet, another tab's commit being
 * read, a failed commit) the same question is answered from storage, which
 * is always right. Callers never see which, so the "index ready? else scan"
 * choice lives only in this file.
 */
import type { EntityType } from '@trackvault/core'
import { OP_PREFIX, opKey } from './keys'
import type { LocalTx } from './local-db'
import { listOps, opsAt, type QueuedOp, rowOpsPrefix } from './queue'
import { type QueueCounts, QueueIndex } from './queue-index'

/** The queue index of the transaction's database, when it is loaded and current. */
async function currentIndex(tx: LocalTx): Promise<QueueIndex | undefined> {
  if (!tx.db) return undefined
  const index = QueueIndex.of(tx.db)
  return (await index.ready()) ? index : undefined
}

/** The live index, or (rarely) one built from the stored queue to answer this one question. */
async function indexFor(tx: LocalTx): Promise<QueueIndex> {
  return (await currentIndex(tx)) ?? QueueIndex.fromOps(await listOps(tx))
}

/** The operations of `userId` by status. */
export async function queueCounts(tx: LocalTx, userId: string | undefined): Promise<QueueCounts> {
  return (await indexFor(tx)).counts(userId)
}

/** The operations of `userId` that are not pending (conflicts, failures, review later), oldest first. */
export async function parkedOps(tx: LocalTx, userId: string | undefined): Promise<QueuedOp[]> {
  const ops = await opsAt(tx, (await indexFor(tx)).parkedSeqs(userId))
  return ops.filter((op) => op.user_id === userId && op.status !== 'pending')
}

/**
 * The next batch of `userId` (the rule is `QueueIndex.nextBatch`). The live
 * index names its operations, so only they are read; if storage disagrees
 * with it (another tab changed the queue a moment ago), the index is dropped
 * and the stored queue is read this once.
 */
export async function nextBatchOps(tx: LocalTx, userId: string, size: number): Promise<QueuedOp[]> {
  const live = await currentIndex(tx)
  if (live) {
    const seqs = live.nextBatch(userId, size)
    const ops = await opsAt(tx, seqs)
    const agrees =
      ops.length === seqs.length &&
      ops.every((op, i) => op.seq === seqs[i] && op.user_id === userId && op.status === 'pending')
    if (agrees) return ops
    live.invalidate()
  }
  const stored = await listOps(tx)
  const bySeq = new Map(stored.map((op) => [op.seq, op]))
  return QueueIndex.fromOps(stored)
    .nextBatch(userId, size)
    .map((seq) => bySeq.get(seq) as QueuedOp)
}

/**
 * The queued operations of one row (every user's), oldest first, as this
 * transaction sees them. With the index only that row's operations are read
 * (none for a row without queued changes); without it, the row's `eop/`
 * entries name them.
 */
export async function opsOf(tx: LocalTx, type: EntityType, id: string): Promise<QueuedOp[]> {
  const prefix = rowOpsPrefix(type, id)
  const index = await currentIndex(tx)
  if (!index) {
    const entries = await tx.scan<number>(prefix)
    return opsAt(
      tx,
      entries.map((entry) => entry[1]),
    )
  }
  const committed = index.rowSeqs(type, id)
  if (!tx.hasWritesUnder(prefix)) return opsAt(tx, committed)
  // This transaction queued, moved or settled operations of the row: its writes count too.
  const seqs = new Set(committed)
  for (const [key, value] of tx.writesUnder(prefix)) {
    const seq = Number(key.slice(prefix.length))
    if (value === undefined) seqs.delete(seq)
    else seqs.add(seq)
  }
  return opsAt(
    tx,
    [...seqs].sort((a, b) => a - b),
  )
}

/**
 * Whether a row may have queued operations, for many rows at once (a pull
 * page): false only when the index is sure it has none. Unsure means true,
 * so the caller takes its slow, always-right path.
 */
export async function rowsWithOps(tx: LocalTx): Promise<(type: EntityType, id: string) => boolean> {
  const index = await currentIndex(tx)
  if (!index) return () => true
  return (type, id) => index.rowSeqs(type, id).length > 0 || tx.hasWritesUnder(rowOpsPrefix(type, id))
}

/** The queued operation with this local_id, if any. */
export async function findOp(tx: LocalTx, localId: string): Promise<QueuedOp | undefined> {
  const index = await currentIndex(tx)
  if (!index || tx.hasWritesUnder(OP_PREFIX)) return (await listOps(tx)).find((op) => op.local_id === localId)
  const seq = index.seqOf(localId)
  const op = seq === undefined ? undefined : await tx.get<QueuedOp>(opKey(seq))
  return op?.local_id === localId ? op : undefined
}
