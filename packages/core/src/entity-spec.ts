/**
 * One spec per synced entity, the one home of its shape and rules: what a client may write
 * (`ENTITY_INPUTS`), what the server answers (`row`, derived from the input), who owns its rows,
 * which fields the server sets, which are never merged automatically, which are decimals, and how
 * lists of it are searched, sorted and filtered. The server's HTTP schemas, storage mapping and
 * list queries, the client's entity API, the web app's row types and the simulation's checks all
 * derive from it: a new optional field is one line in the input schema (and a migration).
 *
 * @example
 *   ENTITY_SPECS.collection.list.search // ['notes', 'unit']
 *   ownerOf('collection', row)          // row.user_id
 */
import { z } from 'zod'
import { deductionErrors } from './deductions'
import { ENTITY_INPUTS, ENTITY_TYPES, type EntityType } from './entities'
import { AppError } from './errors'
import { MONEY_SCALE, QUANTITY_SCALE } from './money'
import { netQuantity, type Weighing } from './pricing'
import { fieldProblem } from './problems'
import { LINE_MONEY_FIELDS, RUN_MONEY_FIELDS } from './settlement-records'
import { parseOrThrow } from './validation'

/** How lists of an entity are searched, sorted and filtered (server SQL and the device alike). */
export interface ListSpec {
  /** Fields a case-insensitive `search` looks in. */
  search: readonly string[]
  /** Fields a list may be sorted by (besides created_at and updated_at). */
  sort: readonly string[]
  /** The device's default order; the REST API sorts by the same field, ascending unless asked. */
  defaultSort: readonly [field: string, order: 'asc' | 'desc']
  /** Fields filtered by equality (`?supplier_id=...`). */
  filters: readonly string[]
  /** The date `from_date` and `to_date` bound, if any. */
  date?: string
}

export interface EntitySpec {
  type: EntityType
  /** What a client may write (create input; an update is a subset of it). */
  input: z.ZodObject
  /** The row as the server answers it: the synced fields, the input's fields, the server's fields. */
  row: z.ZodObject
  /** The field naming the user a row belongs to (a collector's own collections), if rows have one. */
  owner?: 'user_id'
  /** Fields only the server sets, beyond the synced ones (pricing). */
  serverFields: readonly string[]
  /** Fields never merged automatically: a change to them on both sides is always a conflict. */
  manualMerge: readonly string[]
  /** Decimal fields and their scale: decimal strings on the wire, integer minor units when stored. */
  decimals: Readonly<Record<string, number>>
  /** Boolean fields (stored as 0/1). */
  booleans: readonly string[]
  /** List fields (stored as JSON text). */
  lists: readonly string[]
  list: ListSpec
  /**
   * Rules across fields of a valid input (its schema checks each field alone): the messages per
   * field, or undefined when they hold. The server's checks and the device's entity API both run it.
   */
  check?: (fields: Record<string, unknown>) => Record<string, string[]> | undefined
  /**
   * Rows only the server writes (settlement runs and lines, from the settlement routes): no role
   * creates, updates or deletes them through the entity API or sync; devices read them.
   */
  serverWritten?: true
}

/** Fields of every synced row; all set by the server. */
export const SYNCED_FIELDS = [
  'id',
  'version',
  'created_at',
  'updated_at',
  'deleted_at',
  'created_by',
  'updated_by',
  'sync_metadata',
] as const

const syncedRow = {
  id: z.uuid(),
  version: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  deleted_at: z.string().nullable(),
  created_by: z.string().nullable(),
  updated_by: z.string().nullable(),
  sync_metadata: z.record(z.string(), z.unknown()).nullable(),
}

const money = () => z.string().describe('decimal string, 2 places')

/**
 * The answer's schema of an input field: defaults and transforms belong to input (a stored value
 * is already normalised), so a transformed field (a decimal) is answered as a plain string.
 */
function answerOf(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodDefault) return answerOf(field.def.innerType as z.ZodType)
  if (field instanceof z.ZodOptional) return answerOf(field.def.innerType as z.ZodType).optional()
  if (field instanceof z.ZodNullable) return answerOf(field.def.innerType as z.ZodType).nullable()
  if (field instanceof z.ZodPipe) return z.string()
  return field
}

const moneyScales = (fields: readonly string[]) => Object.fromEntries(fields.map((f) => [f, MONEY_SCALE]))

interface Declared extends Omit<EntitySpec, 'type' | 'input' | 'row' | 'serverFields'> {
  /** The server's fields and their answer schemas (they may override an input field, e.g. a required owner). */
  server?: Record<string, z.ZodType>
}

const COMMON_SORT = ['created_at', 'updated_at'] as const

const DECLARED: Record<EntityType, Declared> = {
  supplier: {
    manualMerge: [],
    decimals: {},
    booleans: ['is_active', 'sms_opt_out'],
    lists: [],
    list: {
      search: ['code', 'name', 'phone', 'email', 'address'],
      sort: [...COMMON_SORT, 'code', 'name'],
      defaultSort: ['name', 'asc'],
      filters: ['is_active', 'route_id'],
    },
  },
  product: {
    manualMerge: [],
    decimals: {},
    booleans: ['is_active'],
    lists: ['grades'],
    list: {
      search: ['code', 'name', 'description'],
      sort: [...COMMON_SORT, 'code', 'name'],
      defaultSort: ['name', 'asc'],
      filters: ['is_active', 'default_unit'],
    },
  },
  product_rate: {
    manualMerge: [],
    decimals: { rate: MONEY_SCALE, fat_rate: MONEY_SCALE, snf_rate: MONEY_SCALE },
    booleans: ['is_active'],
    lists: [],
    list: {
      search: ['unit'],
      sort: [...COMMON_SORT, 'effective_date', 'rate', 'unit'],
      defaultSort: ['effective_date', 'desc'],
      filters: ['product_id', 'unit', 'is_active'],
      date: 'effective_date',
    },
  },
  collection: {
    owner: 'user_id',
    // Null while no rate covers the collection: a delivery is recorded unpriced and priced once one does.
    server: {
      user_id: z.string(),
      /** What is paid for: quantity - tare x containers - deduction (pricing.ts `netQuantity`). */
      net_quantity: z.string(),
      product_rate_id: z.string().nullable(),
      rate_applied: money().nullable(),
      total_amount: money().nullable(),
    },
    manualMerge: [],
    decimals: {
      quantity: QUANTITY_SCALE,
      tare_per_container: QUANTITY_SCALE,
      deduction_percent: 2,
      net_quantity: QUANTITY_SCALE,
      rate_applied: MONEY_SCALE,
      total_amount: MONEY_SCALE,
      fat_percent: 2,
      snf_percent: 2,
    },
    booleans: ['confirmed_large'],
    lists: [],
    list: {
      search: ['notes', 'unit', 'receipt_number'],
      sort: [...COMMON_SORT, 'collection_date', 'quantity', 'total_amount'],
      defaultSort: ['collection_date', 'desc'],
      filters: ['supplier_id', 'product_id', 'user_id', 'unit', 'weight_source'],
      date: 'collection_date',
    },
    check: (fields) => {
      // A scale's reading names its scale; a typed weight names none.
      if ((fields.weight_source === 'scale') !== (fields.scale_id != null))
        return { scale_id: [fieldProblem(fields.weight_source === 'scale' ? 'scale_required' : 'typed_no_scale')] }
      const net = netQuantity(fields as unknown as Weighing)
      return net.ok ? undefined : { [net.field]: [net.message] }
    },
  },
  payment: {
    owner: 'user_id',
    server: { user_id: z.string() },
    // Money goes to a person: an amount changed on both sides is for a person to decide.
    manualMerge: ['amount'],
    decimals: { amount: MONEY_SCALE },
    booleans: ['confirmed_large'],
    lists: [],
    list: {
      search: ['reference_number', 'notes'],
      sort: [...COMMON_SORT, 'payment_date', 'amount'],
      defaultSort: ['payment_date', 'desc'],
      filters: ['supplier_id', 'user_id', 'payment_type', 'payment_method'],
      date: 'payment_date',
    },
  },
  deduction: {
    manualMerge: ['amount', 'rate', 'principal', 'instalment'],
    decimals: { amount: MONEY_SCALE, rate: MONEY_SCALE, principal: MONEY_SCALE, instalment: MONEY_SCALE },
    booleans: ['is_active'],
    lists: [],
    list: {
      search: ['description', 'notes'],
      sort: [...COMMON_SORT, 'effective_date', 'kind'],
      defaultSort: ['effective_date', 'desc'],
      filters: ['supplier_id', 'kind', 'is_active', 'purpose'],
      date: 'effective_date',
    },
    check: deductionErrors,
  },
  settlement_run: {
    serverWritten: true,
    manualMerge: [],
    decimals: moneyScales(RUN_MONEY_FIELDS),
    booleans: [],
    lists: [],
    list: {
      search: ['reference', 'notes'],
      sort: [...COMMON_SORT, 'period_to', 'reference'],
      defaultSort: ['period_to', 'desc'],
      filters: ['status'],
      date: 'period_to',
    },
  },
  settlement_line: {
    serverWritten: true,
    manualMerge: [],
    decimals: { ...moneyScales(LINE_MONEY_FIELDS), quantity: QUANTITY_SCALE },
    booleans: [],
    lists: ['detail'],
    list: {
      search: ['payout_note'],
      sort: [...COMMON_SORT, 'period_to', 'net_payable', 'payout', 'carried_forward'],
      defaultSort: ['period_to', 'desc'],
      filters: ['run_id', 'supplier_id', 'status', 'payout_status'],
      date: 'period_to',
    },
  },
  route: {
    manualMerge: [],
    decimals: {},
    booleans: ['is_active'],
    lists: [],
    list: {
      search: ['code', 'name', 'description'],
      sort: [...COMMON_SORT, 'code', 'name'],
      defaultSort: ['name', 'asc'],
      filters: ['is_active'],
    },
  },
  route_assignment: {
    owner: 'user_id',
    manualMerge: [],
    decimals: {},
    booleans: [],
    lists: [],
    list: {
      search: [],
      sort: [...COMMON_SORT, 'valid_from'],
      defaultSort: ['valid_from', 'desc'],
      filters: ['route_id', 'user_id'],
      date: 'valid_from',
    },
    check: (fields) =>
      fields.valid_to != null && (fields.valid_to as string) < (fields.valid_from as string)
        ? { valid_to: ['must not be before valid_from'] }
        : undefined,
  },
}

function specOf(type: EntityType): EntitySpec {
  const { server = {}, ...declared } = DECLARED[type]
  const input = ENTITY_INPUTS[type]
  const answered = Object.fromEntries(Object.entries(input.shape).map(([k, f]) => [k, answerOf(f as z.ZodType)]))
  const row = z.object({ ...syncedRow, ...answered, ...server })
  const serverFields = Object.keys(server).filter((f) => !(f in input.shape))
  return { ...declared, type, input, row, serverFields }
}

/** The spec of every synced entity type. */
export const ENTITY_SPECS = Object.fromEntries(ENTITY_TYPES.map((t) => [t, specOf(t)])) as Record<
  EntityType,
  EntitySpec
>

/** The user a row belongs to (collections, payments), or undefined for types whose rows have no owner. */
export function ownerOf(type: EntityType, row: Record<string, unknown>): string | undefined {
  const field = ENTITY_SPECS[type].owner
  const owner = field ? row[field] : undefined
  return typeof owner === 'string' ? owner : undefined
}

/** Fills in the owner of a new row: the writer, unless the input names someone (who may, is checked on write). */
export function withDefaultOwner<T extends Record<string, unknown>>(type: EntityType, fields: T, writerId: string): T {
  const field = ENTITY_SPECS[type].owner
  if (field && fields[field] == null) return { ...fields, [field]: writerId }
  return fields
}

/** The cross-field rules of `type` (its spec's `check`) on a valid input: the messages per field, or undefined. */
export function crossFieldErrors(
  type: EntityType,
  fields: Record<string, unknown>,
): Record<string, string[]> | undefined {
  return ENTITY_SPECS[type].check?.(fields)
}

/**
 * An entity's input, validated field by field (its schema) and across fields (its spec's `check`),
 * in canonical form; VALIDATION_FAILED naming the fields otherwise. What the server and the
 * device's entity API both accept.
 */
export function parseEntityInput(type: EntityType, input: unknown): Record<string, unknown> {
  const fields = parseOrThrow(ENTITY_INPUTS[type], input) as Record<string, unknown>
  const errors = crossFieldErrors(type, fields)
  if (errors) throw new AppError('VALIDATION_FAILED', undefined, { fields: errors })
  return fields
}

/** Every field the server owns on a row of `type`: the synced fields and the server's own. */
export function serverOwnedFields(type: EntityType): string[] {
  return [...SYNCED_FIELDS, ...ENTITY_SPECS[type].serverFields]
}

/** The entity types clients write (every type but the ones the server writes alone). */
export const CLIENT_WRITTEN_TYPES: readonly EntityType[] = ENTITY_TYPES.filter((t) => !ENTITY_SPECS[t].serverWritten)
