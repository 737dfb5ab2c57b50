/**
 * The original TrackVault mobile app's sync shape, accepted on the same
 * endpoint so phones already in the field keep working:
 *   request  { device_id, operations: [{ local_id, entity, operation, data, timestamp }] }
 *            with the id and version inside `data` (ids of rows created offline were
 *            negative numbers or absent)
 *   response { success, results: [{ local_id, status, entity_id, message, conflict_data }] }
 *            with status success | duplicate | conflict | not_found | error
 * The old app has no seq; operations apply in the order sent.
 */
import {
  ENTITY_TYPES,
  type EntityType,
  newId,
  OPERATION_TYPES,
  type OperationResult,
  type pushRequestSchema,
} from '@trackvault/core'
import { z } from 'zod'
import { fingerprintOf, type PushOperation } from './push'

const ENTITY_ALIASES: Record<string, EntityType> = {
  supplier: 'supplier',
  suppliers: 'supplier',
  product: 'product',
  products: 'product',
  product_rate: 'product_rate',
  product_rates: 'product_rate',
  rate: 'product_rate',
  collection: 'collection',
  collections: 'collection',
  payment: 'payment',
  payments: 'payment',
}

export const legacyPushSchema = z.object({
  device_id: z.string().trim().min(1).max(100),
  operations: z
    .array(
      z.object({
        local_id: z.union([z.string().min(1).max(100), z.number()]).transform(String),
        entity: z
          .string()
          .transform((e) => ENTITY_ALIASES[e.toLowerCase()])
          .pipe(z.enum(ENTITY_TYPES)),
        operation: z.enum(OPERATION_TYPES),
        data: z.record(z.string(), z.unknown()).default({}),
        timestamp: z.union([z.string().max(40), z.number()]).optional(),
      }),
    )
    .max(500),
})

export type LegacyPush = z.output<typeof legacyPushSchema>
type PushRequestBody = z.output<typeof pushRequestSchema>

/** True if a (validated) push body is in the original app's shape: its operations name an `entity`. */
export function isLegacyPush(body: PushRequestBody | LegacyPush): body is LegacyPush {
  const first = body.operations[0]
  return first !== undefined && 'entity' in first
}

const uuid = z.uuid()

/**
 * Maps the old shape onto ours. The old app sends no seq: processPush gives
 * each new operation the next one (`PushMode.legacy`). A create without a UUID gets
 * a new id; a replay is caught by its local_id (or, from another user of the
 * phone, by its fingerprint, taken from the operation as sent) before that id
 * matters.
 */
export function fromLegacy(body: LegacyPush): PushOperation[] {
  return body.operations.map((op) => {
    const { id, version, ...payload } = op.data as { id?: unknown; version?: unknown }
    const entityId = typeof id === 'string' && uuid.safeParse(id).success ? id : newId()
    return {
      local_id: op.local_id,
      seq: 0,
      entity_type: op.entity,
      entity_id: entityId,
      operation_type: op.operation,
      base_version: op.operation === 'create' ? undefined : legacyVersion(version),
      payload,
      client_timestamp: op.timestamp === undefined ? undefined : String(op.timestamp),
      fingerprint: fingerprintOf(op),
    }
  })
}

/**
 * The version an old-app operation was based on. Absent, null and 0 (a row the app never saw
 * synced) mean none; anything but a number is passed on as NaN, which processPush refuses for
 * that operation alone (VALIDATION_FAILED), as it does 1.5 or -1.
 */
function legacyVersion(version: unknown): number | undefined {
  if (version === undefined || version === null || version === 0) return undefined
  return typeof version === 'number' ? version : Number.NaN
}

/** Our results in the old app's vocabulary. */
export function toLegacy(results: OperationResult[]) {
  return {
    // As the original servers answered: the batch was processed (each result says how its operation ended).
    success: true as const,
    results: results.map((r) => ({
      local_id: r.local_id,
      status: r.status === 'failed' ? (r.error?.code === 'NOT_FOUND' ? 'not_found' : 'error') : (r.status as string),
      entity_id: r.entity_id,
      version: r.version,
      data: r.data,
      message: r.error?.message ?? (r.status === 'conflict' ? 'The record was changed on the server' : null),
      conflict_data: r.conflict ?? null,
    })),
  }
}
