/**
 * Values from schemas: fast-check arbitraries for a field (by its name first,
 * then by its JSON schema), for an object schema, for the operations of a
 * push in both shapes, and `mutated`, which breaks an object with hostile
 * values, removed fields and keys a client must never set. What the
 * generator cannot know (a row's current version, the next seq, the
 * session's device, a fresh ticket) it leaves as a placeholder that the
 * request is given when it is sent (./requests.ts).
 */
import { ENTITY_TYPES, type EntityType, MAX_BATCH_OPERATIONS, type Role } from '@trackvault/core'
import fc from 'fast-check'
import type { JsonSchema } from './endpoints'
import { deep, hostileValue, INJECTIONS, SERVER_OWNED, setOwn, WEIRD_KEYS } from './hostile-values'

export const ROLES: Role[] = ['admin', 'manager', 'finance', 'collector']

/** Placeholders resolved when the request is sent (the generator cannot look at the database). */
export const CURRENT_VERSION = '@@current-version@@'
export const NEXT_SEQ = '@@next-seq@@'
export const DEVICE = '@@device@@'
/** Replaced by a fresh, unused event-stream ticket of the caller (an admin's for anonymous callers). */
export const TICKET = '@@ticket@@'
export const TICKET_AUTH = [`Bearer ${TICKET}`, `Bearer sse-ticket:${TICKET}`, `bearer  sse-ticket:${TICKET}`]

/** The rows and users a request aims at (seeded by ./pools.ts). */
export interface Pools {
  supplier: string[]
  product: string[]
  victims: Record<EntityType, string[]>
  users: string[]
  victimUsers: string[]
  /** Sign-in emails of the test users (a login may succeed). */
  emails: string[]
  /** local_ids of the admin's operations parked in conflict on device-admin (a resolve may succeed). */
  conflicts: string[]
}

const dates = fc.constantFrom('2026-02-01', '2025-12-31', '2024-02-29', '2030-01-01', '2020-01-01')
const decimals = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>('1', '10.5', '0.01', '120.00', '999.999', 3, 2.5, ' 12.5 ', '00012'),
  },
  // At and past the bounds (core's money.ts): the largest amount, rate and quantity, and one step beyond.
  { weight: 1, arbitrary: fc.constantFrom<unknown>('100000000', '100000000.01', '1000000000', '999999999.999') },
)
const codes = fc.stringMatching(/^[A-Z][A-Z0-9]{2,9}$/)
const freeText = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...INJECTIONS))

/** A plausible value for a field, by name first, then by schema. */
export function validValue(name: string, schema: JsonSchema, pools: Pools, entity?: EntityType): fc.Arbitrary<unknown> {
  switch (name) {
    case 'supplier_id':
      return fc.constantFrom(...pools.supplier)
    case 'product_id':
      return fc.constantFrom(...pools.product)
    case 'user_id':
      return fc.constantFrom(...pools.users)
    case 'id':
    case 'entity_id':
      // Mostly new ids (a create); now and then an existing one (DUPLICATE, or a create-create conflict).
      return entity
        ? fc.oneof(
            { weight: 6, arbitrary: fc.uuid() },
            { weight: 1, arbitrary: fc.constantFrom(...pools.victims[entity]) },
          )
        : fc.uuid()
    case 'collection_date':
    case 'payment_date':
    case 'effective_date':
    case 'from_date':
    case 'to_date':
      return dates
    case 'end_date':
      return fc.oneof(fc.constant(null), dates)
    case 'quantity':
    case 'amount':
    case 'rate':
      return decimals
    case 'unit':
    case 'default_unit':
      return fc.constantFrom('kg', 'kg', 'l', 'bundle')
    case 'code':
      return codes
    case 'email':
      return fc.oneof(
        fc.integer({ min: 1, max: 1e9 }).map((n) => `u${n}@fuzz.test`),
        fc.constantFrom(...pools.emails),
      )
    case 'password':
      return fc.constantFrom('fuzz-password-1', 'correct-horse-battery')
    case 'device_id':
      // The session's device mostly; now and then another user's (refused), or the admin's (resolvable conflicts).
      return fc.oneof(
        { weight: 3, arbitrary: fc.constant(DEVICE) },
        fc.constantFrom(...ROLES.map((r) => `device-${r}`)),
      )
    case 'local_id':
      return fc.oneof(
        fc.constantFrom(...pools.conflicts),
        fc.uuid().map((u) => `fz-${u}`),
        fc.integer({ min: -50, max: 50 }),
      )
    case 'seq':
      return fc.constant(NEXT_SEQ)
    case 'version':
    case 'base_version':
      return fc.oneof({ weight: 3, arbitrary: fc.constant(CURRENT_VERSION) }, fc.integer({ min: 1, max: 3 }))
    case 'since':
      return fc.constantFrom('c0', 'c1', 'c10', 'czzzzzzzzzz', 'c', 'x1')
    case 'limit':
      return fc.integer({ min: 1, max: 600 }).map(String)
    case 'page':
      return fc.integer({ min: 1, max: 3 }).map(String)
    case 'per_page':
      return fc.integer({ min: 1, max: 100 }).map(String)
    case 'sort_by':
      return fc.constantFrom(
        'name',
        'code',
        'created_at',
        'effective_date',
        'amount',
        'collection_date',
        'rate',
        'constructor',
        '__proto__',
        'toString',
      )
    case 'search':
      return freeText
    case 'is_active':
      if (schema.type === 'boolean') return fc.boolean()
      return fc.constantFrom('true', 'false', '1', '0')
    case 'include_deleted':
      return fc.constantFrom('true', 'false', '1', '0')
    case 'name':
    case 'notes':
    case 'description':
    case 'address':
    case 'phone':
    case 'reference_number':
      return fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom(...INJECTIONS))
  }
  return fromSchema(schema, pools)
}

export function fromSchema(schema: JsonSchema, pools: Pools): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => fromSchema(s, pools)))
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const base = ((): fc.Arbitrary<unknown> => {
    switch (schema.type) {
      case 'string':
        if (schema.format === 'uuid') return fc.uuid()
        return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 20, 20) })
      case 'integer':
        return fc.integer({ min: Math.max(schema.minimum ?? 0, 0), max: 5 })
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true })
      case 'boolean':
        return fc.boolean()
      case 'array':
        return fc.array(schema.items ? fromSchema(schema.items, pools) : fc.jsonValue(), { maxLength: 3 })
      case 'object':
        return objectFromSchema(schema, pools)
      default:
        return fc.jsonValue({ maxDepth: 2 })
    }
  })()
  return schema.nullable ? fc.oneof(base, fc.constant(null)) : base
}

export function objectFromSchema(
  schema: JsonSchema,
  pools: Pools,
  entity?: EntityType,
): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {}
  const required = new Set(schema.required ?? [])
  if (props.entity_type && props.payload) return syncOperation(pools)
  if (props.entity && props.data) return legacyOperation(pools)
  const shape: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [name, s] of Object.entries(props)) {
    if (name === 'fields') shape[name] = fc.constantFrom(...ENTITY_TYPES).chain((t) => entityBody(t, pools))
    else if (name === 'operations' && s.type === 'array') shape[name] = operationsArray(s, pools)
    else shape[name] = validValue(name, s, pools, entity)
  }
  return fc.record(shape, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) }).map((o) => ({ ...o }))
}

function operationsArray(s: JsonSchema, pools: Pools): fc.Arbitrary<unknown> {
  const item = s.items ? fromSchema(s.items, pools) : fc.jsonValue()
  return fc.oneof(
    // Well-formed operations (their payloads are fuzzed): the batch is processed, each operation on its own.
    { weight: 8, arbitrary: fc.array(item, { minLength: 1, maxLength: 6 }) },
    // Broken operation envelopes: the batch is refused whole.
    { weight: 2, arbitrary: fc.array(mutated(item as fc.Arbitrary<Record<string, unknown>>), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant([]) },
    // Over the batch limit: refused whole.
    { weight: 1, arbitrary: item.map((op) => Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, () => op)) },
  )
}

/** Create-body schemas of the entity routes, filled in from the endpoint enumeration (fuzz.test.ts). */
export const ENTITY_BODIES: Partial<Record<EntityType, JsonSchema>> = {}

function entityBody(type: EntityType, pools: Pools): fc.Arbitrary<Record<string, unknown>> {
  const schema = ENTITY_BODIES[type]
  if (!schema) return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 })
  return objectFromSchema(schema, pools, type)
}

function syncOperation(pools: Pools): fc.Arbitrary<Record<string, unknown>> {
  return fc.constantFrom(...ENTITY_TYPES).chain((type) =>
    fc.record(
      {
        local_id: fc.uuid().map((u) => `fz-${u}`),
        seq: fc.constant(NEXT_SEQ),
        entity_type: fc.constant(type),
        entity_id: fc.oneof(fc.uuid(), fc.constantFrom(...pools.victims[type])),
        operation_type: fc.constantFrom('create', 'update', 'delete'),
        base_version: fc.oneof({ weight: 4, arbitrary: fc.constant(CURRENT_VERSION) }, fc.integer({ min: 1, max: 3 })),
        payload: mutated(entityBody(type, pools)),
        client_timestamp: fc.constantFrom(new Date().toISOString(), 'yesterday'),
      },
      { requiredKeys: ['local_id', 'seq', 'entity_type', 'entity_id', 'operation_type', 'payload'] },
    ),
  )
}

function legacyOperation(pools: Pools): fc.Arbitrary<Record<string, unknown>> {
  return fc.constantFrom(...ENTITY_TYPES).chain((type) =>
    fc.record({
      local_id: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.uuid()),
      entity: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(type, `${type}s`, type.toUpperCase()) },
        { weight: 1, arbitrary: fc.constantFrom('rate', 'constructor', '__proto__', 'users', 'Payments ') },
      ),
      operation: fc.constantFrom('create', 'update', 'delete'),
      data: fc
        .tuple(mutated(entityBody(type, pools)), fc.option(fc.constantFrom(...pools.victims[type])))
        .map(([d, id]) => (id ? { ...d, id, version: CURRENT_VERSION } : d)),
      timestamp: fc.oneof(fc.integer(), fc.string({ maxLength: 10 })),
    }),
  )
}

interface Mutation {
  op: 'set' | 'del'
  key: string
  value?: unknown
}

/** The object with up to three fields set to hostile values, removed, or added (server-owned, weird keys). */
export function mutated(arb: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return arb.chain((obj) => {
    const keys = Object.keys(obj)
    const keyArb = fc.oneof(
      { weight: 4, arbitrary: keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('x') },
      { weight: 2, arbitrary: fc.constantFrom(...SERVER_OWNED) },
      { weight: 1, arbitrary: fc.constantFrom(...WEIRD_KEYS) },
    )
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      { weight: 12, arbitrary: fc.record({ op: fc.constant('set' as const), key: keyArb, value: hostileValue }) },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('set' as const),
          key: keyArb,
          value: fc.constantFrom(deep(40, 'object'), deep(5_000, 'array'), deep(20_000, 'object')),
        }),
      },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('del' as const), key: keyArb }) },
    )
    // A good share stays clean, so that accepted writes are exercised (and accounted for) too.
    const mutations = fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
    )
    return mutations.map((muts) => {
      const out = { ...obj }
      for (const m of muts) {
        if (m.op === 'del') delete out[m.key]
        else setOwn(out, m.key, m.value)
      }
      return out
    })
  })
}
