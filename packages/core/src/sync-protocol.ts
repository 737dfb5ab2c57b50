/**
 * The sync protocol's wire shapes, shared by server and clients.
 * See docs/sync-protocol.md for the rules behind them.
 */
import { z } from 'zod'
import { ENTITY_TYPES } from './entities'
import type { ERROR_CODES } from './errors'

/**
 * The sync protocol's version, bumped on incompatible changes. Clients send it in the
 * `PROTOCOL_HEADER` of every sync request; a server that does not speak it answers 400
 * `UNSUPPORTED_PROTOCOL` with the versions it does speak, before doing anything. A request
 * without the header (the original mobile app) is version 1.
 */
export const SYNC_PROTOCOL_VERSION = 1
/** The versions this code speaks. */
export const SUPPORTED_PROTOCOLS: readonly number[] = [1]
/** The request (and answer) header that carries the protocol version. */
export const PROTOCOL_HEADER = 'x-trackvault-protocol'
/** Most operations accepted in one push. */
export const MAX_BATCH_OPERATIONS = 500

export const OPERATION_TYPES = ['create', 'update', 'delete'] as const
export type OperationType = (typeof OPERATION_TYPES)[number]

export const deviceIdField = () => z.string().trim().min(1).max(100)

/** One queued change as a device sends it. */
export const syncOperationSchema = z.object({
  local_id: z.string().min(1).max(100),
  seq: z.number().int().nonnegative(),
  entity_type: z.enum(ENTITY_TYPES),
  entity_id: z.uuid(),
  operation_type: z.enum(OPERATION_TYPES),
  base_version: z.number().int().positive().optional(),
  payload: z.record(z.string(), z.unknown()).default({}),
  client_timestamp: z.string().max(40).optional(),
})
export type SyncOperation = z.input<typeof syncOperationSchema>

/**
 * A database's identity: 12 lowercase base-36 characters, made when the database is created and
 * again by every restore from a backup. Cursors and answers carry it, so a device can tell that
 * the server it talks to no longer has what it once confirmed (docs/sync-protocol.md, Epochs).
 */
export const EPOCH_PATTERN = /^[0-9a-z]{8,32}$/

/** A database's identity (see `EPOCH_PATTERN`): a new one after every restore from a backup. */
export const epochField = () => z.string().regex(EPOCH_PATTERN)

export const pushRequestSchema = z.object({
  device_id: deviceIdField(),
  operations: z.array(syncOperationSchema).max(MAX_BATCH_OPERATIONS),
  /**
   * The epoch the device last saw. If the server's differs (it was restored from a backup), the
   * whole batch is refused with 409 `EPOCH_CHANGED` before anything is applied, so the device can
   * re-send its journal first, in its original order. Absent: no check (the original app).
   */
  epoch: epochField().optional(),
})
export type PushRequest = z.input<typeof pushRequestSchema>

export const RESULT_STATUSES = ['success', 'duplicate', 'conflict', 'failed'] as const
export type ResultStatus = (typeof RESULT_STATUSES)[number]

/** What the server knew when it refused to apply an operation. */
export interface ConflictInfo {
  server_version: number
  /** The version the client edited (null if unknown). */
  base: Record<string, unknown> | null
  /** The server's current row. */
  server: Record<string, unknown>
  /** The client's change (delta for updates). */
  client: Record<string, unknown>
  /** Fields changed on both sides. */
  fields: string[]
}

/** The answer's schema of one operation's result (`OperationResult`), for documents such as OpenAPI. */
export const operationResultSchema = z.object({
  local_id: z.string(),
  status: z.enum(RESULT_STATUSES),
  original_status: z.string().optional(),
  entity_type: z.string(),
  entity_id: z.string(),
  version: z.number().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  conflict: z
    .object({
      server_version: z.number(),
      base: z.record(z.string(), z.unknown()).nullable(),
      server: z.record(z.string(), z.unknown()),
      client: z.record(z.string(), z.unknown()),
      fields: z.array(z.string()),
    })
    .optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
})

/** The answer's schema of a push (`PushResponse`). */
export const pushResponseSchema = z.object({
  success: z.literal(true),
  results: z.array(operationResultSchema),
  cursor: z.string(),
  epoch: z.string(),
})

/** The answer's schema of a pull page (`PullResponse`). */
export const pullResponseSchema = z.object({
  changes: z.array(
    z.object({
      entity_type: z.string(),
      entity_id: z.string(),
      version: z.number(),
      deleted: z.boolean(),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
  cursor: z.string(),
  has_more: z.boolean(),
  epoch: z.string(),
})

export interface OperationResult {
  local_id: string
  status: ResultStatus
  /** On a `duplicate`: how the operation ended the first time (success, conflict, failed, resolved). */
  original_status?: string
  entity_type: string
  entity_id: string
  version: number | null
  data: Record<string, unknown> | null
  conflict?: ConflictInfo
  error?: { code: keyof typeof ERROR_CODES; message: string; details?: unknown }
}

export interface PushResponse {
  /** Always true: the batch was processed (each result says how its operation ended). */
  success: true
  results: OperationResult[]
  /** The change cursor after this push's writes; pull from an older one to catch up. */
  cursor: string
  /** The database's identity (a new one after a restore from a backup). */
  epoch: string
}

export const RESOLUTIONS = ['use_server', 'force', 'merge'] as const
export type Resolution = (typeof RESOLUTIONS)[number]

export const resolveRequestSchema = z.object({
  device_id: deviceIdField(),
  local_id: z.string().min(1).max(100),
  resolution: z.enum(RESOLUTIONS),
  /** For `merge`: the value chosen for each field. */
  fields: z.record(z.string(), z.unknown()).optional(),
})
export type ResolveRequest = z.input<typeof resolveRequestSchema>

export interface Change {
  entity_type: string
  entity_id: string
  version: number
  deleted: boolean
  data: Record<string, unknown>
}

export interface PullResponse {
  changes: Change[]
  cursor: string
  has_more: boolean
  /** The database's identity; the cursor belongs to it. */
  epoch: string
}

/**
 * Cursors are opaque to clients; this is their only encoding. `c<seq>` in base 36; `.<epoch>` when
 * the database's epoch is known (a cursor without one is taken to be of the current epoch);
 * `~<scope>` when the device has a sync scope (scope.ts), the stamp of the scope it holds. A
 * snapshot cursor (`s<seq>...:<type>:<after id>`) is part way through a scoped device's first pull:
 * the rows of its scope as they stand at `seq`, type by type in id order.
 */
export interface Cursor {
  seq: number
  epoch: string | null
  scope: string | null
  /** Part way through a snapshot: the index of the type being read, and the last id sent of it. */
  snapshot: { type: number; after: string } | null
}

export function encodeCursor(seq: number, epoch?: string, scope?: string): string {
  return `c${seq.toString(36)}${epoch ? `.${epoch}` : ''}${scope ? `~${scope}` : ''}`
}

export function encodeSnapshotCursor(seq: number, epoch: string, scope: string, type: number, after: string): string {
  return `s${seq.toString(36)}.${epoch}~${scope}:${type.toString(36)}:${after}`
}

const CURSOR =
  /^([cs])([0-9a-z]{1,12})(?:\.([0-9a-z]{8,32}))?(?:~([0-9a-f]{16}))?(?::([0-9a-z]{1,2}):([0-9a-f-]{0,36}))?$/

/** A cursor's parts, or null if it is not a cursor this encoding makes. */
export function parseCursor(cursor: string): Cursor | null {
  const m = CURSOR.exec(cursor)
  if (!m) return null
  const seq = Number.parseInt(m[2], 36)
  if (!Number.isSafeInteger(seq)) return null
  const snapshot = m[1] === 's'
  // A snapshot cursor names its epoch, scope and place; an incremental one has no place.
  if (snapshot !== (m[5] !== undefined) || (snapshot && (!m[3] || !m[4]))) return null
  return {
    seq,
    epoch: m[3] ?? null,
    scope: m[4] ?? null,
    snapshot: snapshot ? { type: Number.parseInt(m[5], 36), after: m[6] } : null,
  }
}

/** The seq a cursor stands for, or null if it is not a cursor. */
export function decodeCursor(cursor: string): number | null {
  return parseCursor(cursor)?.seq ?? null
}

/** The epoch a cursor belongs to, or null if it names none (or is not a cursor). */
export function cursorEpoch(cursor: string): string | null {
  return parseCursor(cursor)?.epoch ?? null
}
