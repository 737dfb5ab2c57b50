/**
 * The durable operation queue. Each local write appends one operation in
 * the same transaction as the replica change. Operations stay until the
 * server settles them: success removes them; conflicts and failures park
 * them, visible, until a person decides. Nothing is ever dropped silently.
 */
import type { ConflictInfo, EntityType, OperationType } from '@trackvault/core'
import { newId } from '@trackvault/core'
import { META, OP_PREFIX, opKey } from './keys'
import type { LocalTx } from './local-db'
import { QueueIndex } from './queue-index'
import type { Json } from './storage/kv-store'

export type OpStatus = 'pending' | 'conflict' | 'failed' | 'review_later'

export interface QueuedOp {
  local_id: string
  seq: number
  user_id: string
  entity_type: EntityType
  entity_id: string
  operation_type: OperationType
  /**
   * The server version this change was made on; null while an earlier queued
   * operation on the same row is unsettled (it becomes that operation's result).
   */
  base_version: number | null
  payload: Record<string, Json>
  client_timestamp: string
  status: OpStatus
  attempts: number
  /** The server has recorded this local_id; a retry must go out under a new one. */
  recorded: boolean
  error?: { code: string; message: string; transient?: boolean; details?: Json }
  conflict?: ConflictInfo
}

/** Where the per-row index entries of a row's operations live: `eop/<type>/<id>/<seq>`. */
export const rowOpsPrefix = (type: EntityType, id: string) => `eop/${type}/${id}/`

const entityIndexKey = (op: Pick<QueuedOp, 'entity_type' | 'entity_id' | 'seq'>) =>
  `${rowOpsPrefix(op.entity_type, op.entity_id)}${String(op.seq).padStart(12, '0')}`

/** The next seq of this device (never reused, also across users). */
export async function nextSeq(tx: LocalTx): Promise<number> {
  const seq = ((await tx.get<number>(META.seq)) ?? 0) + 1
  tx.put(META.seq, seq)
  return seq
}

/** Stores an operation (new or changed) and its per-row index entry. */
export function putOp(tx: LocalTx, op: QueuedOp): void {
  tx.put(opKey(op.seq), op as unknown as Json)
  tx.put(entityIndexKey(op), op.seq)
}

export function deleteOp(tx: LocalTx, op: QueuedOp): void {
  tx.del(opKey(op.seq))
  tx.del(entityIndexKey(op))
}

/** Builds and stores a new operation. */
export async function enqueue(
  tx: LocalTx,
  fields: Omit<QueuedOp, 'local_id' | 'seq' | 'status' | 'attempts' | 'recorded' | 'client_timestamp'>,
): Promise<QueuedOp> {
  const op: QueuedOp = {
    ...fields,
    local_id: newId(),
    seq: await nextSeq(tx),
    client_timestamp: new Date().toISOString(),
    status: 'pending',
    attempts: 0,
    recorded: false,
  }
  putOp(tx, op)
  return op
}

/**
 * Puts an operation back to pending. One the server recorded (failed,
 * conflict) goes out under a new local_id and seq at the end of the queue; one
 * the server never recorded keeps its identity, so a replay stays exactly once.
 * `newIdentity` forces a new one (an edited change is a new operation). Later
 * changes of the same row waited behind it, unsent: they move behind it too,
 * in order, so they still go out after it (and on the version it produces).
 */
export async function requeue(
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
  return next
}

/** Every queued operation, oldest first. */
export async function listOps(tx: LocalTx): Promise<QueuedOp[]> {
  return (await tx.scan<QueuedOp>(OP_PREFIX)).map(([, op]) => op)
}

/** The queue index of the transaction's database, when it is loaded and current. */
export async function queueIndex(tx: LocalTx): Promise<QueueIndex | undefined> {
  if (!tx.db) return undefined
  const index = QueueIndex.of(tx.db)
  return (await index.ready()) ? index : undefined
}

/** The operations at `seqs` (absent ones left out), in the order given. */
export async function opsAt(tx: LocalTx, seqs: readonly number[]): Promise<QueuedOp[]> {
  if (seqs.length === 0) return []
  return (await tx.getMany<QueuedOp>(seqs.map(opKey))).filter((op): op is QueuedOp => op !== undefined)
}

/**
 * The queued operations of one row, oldest first. With the queue index this
 * reads only that row's operations (none for a row without queued changes);
 * without it, the row's `eop/` entries.
 */
export async function opsOf(tx: LocalTx, type: EntityType, id: string): Promise<QueuedOp[]> {
  const prefix = rowOpsPrefix(type, id)
  const index = await queueIndex(tx)
  if (!index) {
    const entries = await tx.scan<number>(prefix)
    const seqs = entries.map((entry) => entry[1])
    return opsAt(tx, seqs)
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
  const ordered = [...seqs].sort((a, b) => a - b)
  return opsAt(tx, ordered)
}

export async function findOp(tx: LocalTx, localId: string): Promise<QueuedOp | undefined> {
  const index = await queueIndex(tx)
  if (!index || tx.hasWritesUnder(OP_PREFIX)) return (await listOps(tx)).find((op) => op.local_id === localId)
  const seq = index.seqOf(localId)
  const op = seq === undefined ? undefined : await tx.get<QueuedOp>(opKey(seq))
  return op?.local_id === localId ? op : undefined
}

/** After `op` settles, the next queued change of its row is based on `version` (what the server now has). */
export async function rebaseSuccessor(tx: LocalTx, op: QueuedOp, version: number | null | undefined): Promise<void> {
  if (version === null || version === undefined) return
  const next = (await opsOf(tx, op.entity_type, op.entity_id)).find(
    (o) => o.seq > op.seq && o.user_id === op.user_id && o.base_version === null && o.operation_type !== 'create',
  )
  if (next) putOp(tx, { ...next, base_version: version })
}
