/**
 * Route schemas (zod) shared by the HTTP routes. They validate requests and
 * describe responses; the OpenAPI document is generated from them.
 */
import {
  CREDIT_PURPOSES,
  DEDUCTION_KINDS,
  dateField,
  ENTITY_INPUTS,
  ENTITY_SPECS,
  ENTITY_TYPES,
  type EntityType,
  ERROR_CODES,
  LANGUAGE_CODES,
  MESSAGE_KINDS,
  PAYMENT_METHODS,
  PAYMENT_TYPES,
  PAYOUT_STATUSES,
  ROLES,
  RUN_STATUSES,
  unitField,
  WEIGHT_SOURCES,
} from '@trackvault/core'
import { z } from 'zod'
import { NOTIFICATION_STATUSES } from '../sms/outbox'

/** Response shape of each entity type: core's entity spec (typed loosely: routes answer core's row types). */
export const ROW_SCHEMAS = Object.fromEntries(ENTITY_TYPES.map((t) => [t, ENTITY_SPECS[t].row])) as unknown as Record<
  EntityType,
  z.ZodType<unknown>
>

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .describe('Error body; the codes are listed in docs/api.md (Errors) and packages/core/src/errors.ts')

/** Every field optional and without defaults: what a PATCH may carry. */
export function patchOf(schema: z.ZodObject) {
  const shape: Record<string, z.ZodType> = {}
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = field instanceof z.ZodDefault ? (field.def.innerType as z.ZodType) : (field as z.ZodType)
    shape[key] = inner.optional()
  }
  return z.object(shape)
}

/** Body of POST: the entity's fields, and an id if the client made one. */
export const createBody = (type: EntityType) => ENTITY_INPUTS[type].extend({ id: z.uuid().optional() })

/** Body of PUT/PATCH: changed fields and the version they were based on. */
export const updateBody = (type: EntityType) =>
  patchOf(ENTITY_INPUTS[type]).extend({ version: z.number().int().positive() })

const booleanQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

/** Query of list endpoints; filters a type does not know are ignored. */
export const listQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
  sort_by: z.string().max(40).optional(),
  sort_order: z.enum(['asc', 'desc']).default('asc'),
  search: z.string().trim().max(200).optional(),
  from_date: dateField().optional(),
  to_date: dateField().optional(),
  is_active: booleanQuery.optional(),
  include_deleted: booleanQuery.optional(),
  supplier_id: z.uuid().optional(),
  product_id: z.uuid().optional(),
  user_id: z.uuid().optional(),
  unit: unitField().optional(),
  default_unit: unitField().optional(),
  payment_type: z.enum(PAYMENT_TYPES).optional(),
  payment_method: z.enum(PAYMENT_METHODS).optional(),
  // Collections: where the gross weight came from.
  weight_source: z.enum(WEIGHT_SOURCES).optional(),
  // Deductions, settlement runs and lines (their entity spec's filters).
  kind: z.enum(DEDUCTION_KINDS).optional(),
  purpose: z.enum(CREDIT_PURPOSES).optional(),
  run_id: z.uuid().optional(),
  status: z.enum(RUN_STATUSES).optional(),
  payout_status: z.enum(PAYOUT_STATUSES).optional(),
})

export const dateRangeQuery = z.object({ from_date: dateField().optional(), to_date: dateField().optional() })

export const idParams = z.object({ id: z.uuid() })

export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
})

/** A page of rows. */
export const pageOf = <S extends z.ZodType>(row: S) =>
  z.object({ data: z.array(row), page: z.number(), per_page: z.number(), total: z.number() })

/** A supplier's balance (GET /api/suppliers/:id/balance, the balances report, a collector's cached balances). */
export const balanceSchema = z.object({
  supplier_id: z.string(),
  total_collections: z.string(),
  total_payments: z.string(),
  total_deductions: z.string().describe('deductions applied by approved settlement runs'),
  balance: z.string().describe('total_collections - total_payments - total_deductions'),
  unpriced_collections: z.number().describe('collections with no rate in force yet: recorded, not in the sums'),
})

/** Query of GET /api/notifications. */
export const notificationsQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  supplier_id: z.uuid().optional(),
})

/** A text message in the outbox (docs/collection-point.md, "SMS"). */
export const notificationSchema = z.object({
  id: z.string(),
  message_id: z.string().describe('the event it tells of: collection:<id> or settlement:<run id>:<supplier id>'),
  kind: z.enum(MESSAGE_KINDS),
  supplier_id: z.string(),
  recipient: z.string().describe('the phone number, as it was when the message was queued'),
  language: z.enum(LANGUAGE_CODES),
  body: z.string(),
  status: z.enum(NOTIFICATION_STATUSES),
  attempts: z.number().describe('tries made so far'),
  next_attempt_at: z.string().nullable().describe('pending: when it is tried (again); else null'),
  last_error: z.string().nullable().describe('why the last try failed, or why it is skipped'),
  provider: z.string().nullable(),
  provider_message_id: z.string().nullable(),
  created_at: z.string(),
  sent_at: z.string().nullable(),
})
