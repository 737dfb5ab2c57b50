/**
 * The durable operation queue: how an operation is stored (`op/<seq>` and
 * its per-row entry `eop/<type>/<id>/<seq>`). Each local write appends one
 * operation in the same transaction as the replica change. Operations stay
 * until the server settles them; outbox.ts owns every later change of an
 * operation (settle, park, requeue, discard) and queue-reader.ts every read
 * the queue index can answer. Nothing is ever dropped silently.
 */
import type { ConflictInfo, EntityType, OperationType, PushRequest } from '@trackvault/core'
import { newId } from '@trackvault/core'
import { META, OP_PREFIX, opKey } from './keys'
import type { LocalTx } from './local-db'
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
  /**
   * A change the server had confirmed, refused after a restore because a row it needs is not back
   * yet (another device has still to re-send its create): sent again, under a new identity, by
   * this many more syncs (recovery.ts).
   */
  heal?: number
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

/** Removes an operation and its per-row index entry. */
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

/** Every queued operation, oldest first. */
export async function listOps(tx: LocalTx): Promise<QueuedOp[]> {
  return (await tx.scan<QueuedOp>(OP_PREFIX)).map(([, op]) => op)
}

/** The operations at `seqs` (absent ones left out), in the order given. */
export async function opsAt(tx: LocalTx, seqs: readonly number[]): Promise<QueuedOp[]> {
  if (seqs.length === 0) return []
  return (await tx.getMany<QueuedOp>(seqs.map(opKey))).filter((op): op is QueuedOp => op !== undefined)
}

/** An operation as the push request carries it (`base_version` left out while unknown). */
export function toWire(op: QueuedOp): PushRequest['operations'][number] {
  return {
    local_id: op.local_id,
    seq: op.seq,
    entity_type: op.entity_type,
    entity_id: op.entity_id,
    operation_type: op.operation_type,
    ...(op.base_version === null ? {} : { base_version: op.base_version }),
    payload: op.payload,
    client_timestamp: op.client_timestamp,
  }
}
