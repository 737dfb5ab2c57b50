/**
 * The sync_operations ledger: recording how each operation ended, and
 * rebuilding its result for a replay or the pending list.
 */
import type { ConflictInfo, EntityType, ErrorCode, OperationResult, ResultStatus } from '@trackvault/core'
import type { Kysely } from 'kysely'
import type { Database, SyncOperationsTable } from '../db/schema'
import type { PendingChange } from '../domain/change-log'
import { historyVersion } from '../domain/history'
import type { Actor } from '../domain/write-context'
import { asSeenBy } from './pull'

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

/** A pending-list entry: the operation as sent, and how it stands. */
export function describeOperation(op: SyncOperationsTable) {
  return {
    local_id: op.local_id,
    seq: Number(op.seq),
    entity_type: op.entity_type,
    entity_id: op.entity_id,
    operation_type: op.operation_type,
    base_version: op.base_version === null ? null : Number(op.base_version),
    payload: JSON.parse(op.payload) as Record<string, unknown>,
    client_timestamp: op.client_timestamp,
    status: op.status,
    error: op.error_code ? { code: op.error_code, message: op.error_message ?? '' } : null,
    conflict: op.conflict_data ? (JSON.parse(op.conflict_data) as ConflictInfo) : null,
    attempted_at: op.attempted_at,
  }
}
