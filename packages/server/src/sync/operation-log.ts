/**
 * The sync_operations ledger: recording how each operation ended, and
 * rebuilding its result for a replay or the pending list.
 */
import {
  AppError,
  type ConflictInfo,
  type EntityType,
  type ErrorCode,
  type OperationResult,
  type ResultStatus,
} from '@trackvault/core'
import { type Kysely, sql } from 'kysely'
import type { Database, SyncOperationsTable } from '../db/schema'
import type { PendingChange } from '../domain/change-log'
import { historyVersion } from '../domain/history'
import { asSeenBy } from '../domain/visibility'
import type { Actor } from '../domain/write-context'

/**
 * The result of a stored operation, with `status` overridden (e.g. `duplicate`). Its row is shown as
 * `actor` may see it now: `use_server` answers with a version the operation did not write, which may
 * have moved out of the caller's reach (a collection reassigned to another collector). `pending` is
 * the running write's queue of history rows (not yet written; see domain/history.ts).
 */
export async function storedResult(
  db: Kysely<Database>,
  op: SyncOperationsTable,
  status: ResultStatus,
  actor: Actor,
  pending?: PendingChange[],
): Promise<OperationResult> {
  const version = op.result_version === null ? null : Number(op.result_version)
  const row =
    version === null
      ? undefined
      : ((await historyVersion(db, op.entity_type as never, op.entity_id, version, pending)) as
          | Record<string, unknown>
          | undefined)
  const data = row ? asSeenBy(actor, op.entity_type as EntityType, row) : null
  // Another user's operation (a replay on a shared phone) shows its conflict only to who may read the row.
  const conflict = op.conflict_data ? (JSON.parse(op.conflict_data) as ConflictInfo) : undefined
  const readable = !conflict || asSeenBy(actor, op.entity_type as EntityType, conflict.server) === conflict.server
  const result: OperationResult = {
    local_id: op.local_id,
    status,
    entity_type: op.entity_type,
    entity_id: op.entity_id,
    version,
    data,
  }
  if (status === 'duplicate') result.original_status = op.status
  if (conflict && readable) result.conflict = conflict
  if (op.error_code) result.error = { code: op.error_code as ErrorCode, message: op.error_message ?? '' }
  return result
}

/** Most entries on one page of the pending list. */
export const MAX_PENDING_LIMIT = 500

/** Operations parked for their user until they resolve, retry or discard them. */
export const WAITING_STATUSES = ['conflict', 'failed'] as const

/**
 * How many operations wait, by status, on the whole database (for /metrics). The condition is the
 * text of the partial index `sync_operations_waiting` (migration 011), so the count reads that index only.
 */
export async function countWaitingOperations(
  db: Kysely<Database>,
): Promise<Record<(typeof WAITING_STATUSES)[number], number>> {
  const { rows } = await sql<{ status: string; n: number | string }>`
    select status, count(*) as n from sync_operations
    where status in ('conflict', 'failed') group by status`.execute(db)
  const counts = { conflict: 0, failed: 0 }
  for (const r of rows) counts[r.status as keyof typeof counts] = Number(r.n)
  return counts
}

/** A page of a user's unsettled operations from one device, oldest first (by seq, then id). */
export interface PendingPage {
  operations: ReturnType<typeof describeOperation>[]
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null
}

const pendingCursor = (op: SyncOperationsTable) => `${Number(op.seq)}.${op.id}`

/** `seq.id` of the last entry of a page, or null if `after` is not such a cursor. */
function parsePendingCursor(after: string): { seq: number; id: string } | null {
  const match = /^(\d{1,15})\.([0-9a-f-]{36})$/.exec(after)
  return match ? { seq: Number(match[1]), id: match[2] } : null
}

/** One page of `userId`'s operations from `deviceId` that are not settled (conflict, failed). */
export async function listPending(
  db: Kysely<Database>,
  deviceId: string,
  userId: string,
  page: { limit: number; after?: string },
): Promise<PendingPage> {
  let query = db
    .selectFrom('sync_operations')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('status', 'in', ['pending', 'conflict', 'failed'])
  if (page.after !== undefined) {
    const from = parsePendingCursor(page.after)
    if (!from) {
      throw new AppError('VALIDATION_FAILED', 'after is not a cursor of this list', {
        fields: { after: ['invalid cursor'] },
      })
    }
    query = query.where((eb) =>
      eb.or([eb('seq', '>', from.seq), eb.and([eb('seq', '=', from.seq), eb('id', '>', from.id)])]),
    )
  }
  const rows = await query
    .orderBy('seq')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute()
  const more = rows.length > page.limit
  const shown = more ? rows.slice(0, page.limit) : rows
  return { operations: shown.map(describeOperation), next: more ? pendingCursor(shown[shown.length - 1]) : null }
}

/** A pending-list entry: the operation as sent (what the ledger kept of it), and how it stands. */
export function describeOperation(op: SyncOperationsTable) {
  return {
    local_id: op.local_id,
    seq: Number(op.seq),
    entity_type: op.entity_type,
    entity_id: op.entity_id,
    operation_type: op.operation_type,
    base_version: op.base_version === null ? null : Number(op.base_version),
    // null: the payload was over what the ledger keeps (sync/push.ts MAX_KEPT_PAYLOAD_BYTES)
    payload: JSON.parse(op.payload) as Record<string, unknown> | null,
    client_timestamp: op.client_timestamp,
    status: op.status,
    error: op.error_code ? { code: op.error_code, message: op.error_message ?? '' } : null,
    conflict: op.conflict_data ? (JSON.parse(op.conflict_data) as ConflictInfo) : null,
    attempted_at: op.attempted_at,
  }
}
