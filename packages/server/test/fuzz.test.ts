/**
 * Property-based fuzzing of every endpoint (fast-check).
 *
 * The endpoints are enumerated from the running app (its route tree, merged
 * with the OpenAPI document for parameters and body schemas), so a new route
 * is fuzzed without touching this file. Each request is built from the
 * route's own schema, then broken: malformed JSON, wrong content types,
 * wrong types, huge strings, deep nesting, unknown and server-owned fields,
 * invalid dates and decimals, SQL and script injection in every string
 * field, query parameter and path segment.
 *
 * Properties of every answer:
 * - never a 5xx;
 * - 4xx: `{ error: { code, message, details? } }` with a code of core's
 *   ERROR_CODES whose status is the HTTP status;
 * - refused: no table changed at all (counts, version sums, digests);
 *   accepted: exactly the rows the route is meant to write (an entity
 *   write = one entity version + one history row + one change-log entry; a
 *   push = one ledger row per new operation and history rows only for its
 *   own successful operations; a login = one token ...).
 *
 * Replay: FUZZ_SEED=<seed> (printed on failure) and FUZZ_RUNS=<n> to change
 * the budget; FUZZ_SHRINK=1 shrinks a failure to a minimal request.
 */
import { randomUUID } from 'node:crypto'
import {
  ENTITY_TYPES,
  type EntityType,
  ERROR_CODES,
  type ErrorCode,
  MAX_AMOUNT_MINOR,
  MAX_BATCH_OPERATIONS,
  newId,
  type Role,
} from '@trackvault/core'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEFAULTS } from '../src/app'
import { hashToken, issueTicket, issueToken } from '../src/auth/tokens'
import { TEST_DIALECT } from '../src/testing/test-db'
import {
  changedTables,
  countDelta,
  describeChange,
  ENTITY_TABLES,
  entityDelta,
  listTables,
  type Snapshot,
  snapshotter,
} from './helpers/db-snapshot'
import { type RawRequest, type RawResponse, rawRequest } from './helpers/raw-http'
import { TestDevice } from './helpers/sync-client'
import { seedBasics, startTestServer, type TestServer } from './helpers/test-server'

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_601)
const RUNS = Number(process.env.FUZZ_RUNS ?? 25)
const SHRINK = process.env.FUZZ_SHRINK === '1'
/** FUZZ_ONLY=<regex> fuzzes only the endpoints ("METHOD /path") it matches; FUZZ_VERBOSE=1 logs every answer. */
const ONLY = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : undefined
const VERBOSE = process.env.FUZZ_VERBOSE === '1'
const SYNC_BODY_LIMIT = 4 * 1024 * 1024

const ROLES: Role[] = ['admin', 'manager', 'finance', 'collector']
const ENTITY_PATHS: Record<string, EntityType> = {
  '/api/suppliers': 'supplier',
  '/api/products': 'product',
  '/api/product-rates': 'product_rate',
  '/api/collections': 'collection',
  '/api/payments': 'payment',
}
const TABLE_OF: Record<EntityType, (typeof ENTITY_TABLES)[number]> = {
  supplier: 'suppliers',
  product: 'products',
  product_rate: 'product_rates',
  collection: 'collections',
  payment: 'payments',
}
const PATH_OF = Object.fromEntries(Object.entries(ENTITY_PATHS).map(([p, t]) => [t, p])) as Record<EntityType, string>

// ---------------------------------------------------------------- hostile values

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE suppliers; --",
  '1; DELETE FROM users; --',
  '" OR ""="',
  "' UNION SELECT password_hash, email FROM users --",
  "%' OR 1=1 --",
  "admin'--",
  "1' AND pg_sleep(5)--",
  "'); SELECT sqlite_version(); --",
  "\\'; --",
  '$1',
  '?',
  '%',
  '_',
  '\\',
  '%_%\\%',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  '${7*7}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '\u0000',
  'a\u0000b',
  '\u202egnp.exe',
  '😀',
  '\uD800',
  '\uDFFF\uD800',
  '\r\nSet-Cookie: x=1',
  'NULL',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
]
const BAD_DECIMALS: unknown[] = [
  '1e5',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '12.345',
  '1.2345',
  '1.',
  '.5',
  '+5',
  '-5',
  '0',
  '-0',
  '0.00',
  '1,5',
  '1 000',
  '١٢٣',
  '1_000',
  '99999999999999999999',
  '1000000000.01',
  '',
  '  ',
  '12.3.4',
  '--1',
  'twelve',
  1e21,
  12.345,
  -1,
  0,
  Number.MAX_SAFE_INTEGER,
  5e-324,
]
const BAD_DATES: unknown[] = [
  '2026-02-30',
  '2025-02-29',
  '2026-13-01',
  '2026-00-10',
  '2026-01-32',
  '2026-1-1',
  '26-01-01',
  '2026/01/01',
  '2026-01-01T00:00:00Z',
  '20260101',
  ' 2026-01-01',
  '2026-01-01 ',
  '+2026-01-01',
  '-2026-01-01',
  '2026-W01',
  'today',
  '',
  20_260_101,
]
const BAD_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000g',
  '00000000000000000000000000000000',
  '{00000000-0000-4000-8000-000000000000}',
  '00000000-0000-4000-8000-000000000000 ',
  "00000000-0000-4000-8000-000000000000' OR '1'='1",
  '1',
  '-1',
  '0',
  'null',
  '..',
  '%2e%2e',
]
/** Keys a client must never be able to set, plus prototype-pollution keys. */
const SERVER_OWNED = [
  'id',
  'version',
  'created_at',
  'updated_at',
  'deleted_at',
  'created_by',
  'updated_by',
  'device_id',
  'sync_metadata',
  'rate_applied',
  'total_amount',
  'product_rate_id',
  'user_id',
  'password_hash',
  'role',
  'is_active',
]
const WEIRD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  'a'.repeat(300),
  "'; DROP TABLE users; --",
  '$where',
]

/** Marks a value whose JSON text is spliced in raw (deep nesting that JSON.stringify cannot produce). */
const RAW = Symbol('raw-json')
type RawJson = { [RAW]: string }
const rawJson = (text: string): RawJson => ({ [RAW]: text })
const isRaw = (v: unknown): v is RawJson => typeof v === 'object' && v !== null && RAW in v

function deep(depth: number, kind: 'array' | 'object'): RawJson {
  return rawJson(
    kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  )
}

/** JSON text of a value that may contain raw splices and own `__proto__` keys. */
function toJsonText(value: unknown): string {
  const splices: string[] = []
  const text = JSON.stringify(value, (_key, v) => {
    if (isRaw(v)) {
      splices.push(v[RAW])
      return `@@RAW_${splices.length - 1}@@`
    }
    return v
  })
  return (text ?? 'null').replace(/"@@RAW_(\d+)@@"/g, (_m, i) => splices[Number(i)])
}

/** Percent-encoding that also sends lone surrogates (as the invalid UTF-8 a broken client would send). */
function enc(v: string): string {
  try {
    return encodeURIComponent(v)
  } catch {
    return v
      .replace(/[\uD800-\uDFFF]/g, '\u0001')
      .split('\u0001')
      .map(encodeURIComponent)
      .join('%ED%A0%80')
  }
}

/** Sets an own property (also `__proto__`, which plain assignment would treat as the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_DECIMALS) },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_DATES) },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_IDS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53, 1e308, [], {}, [1, 'a'], {
      a: { b: {} },
    }),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(2_000, 70_000).map((n) => 'x'.repeat(n)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(60, 5_000, 100_000), fc.constantFrom<'array' | 'object'>('array', 'object'))
      .map(([d, k]) => deep(k === 'object' ? Math.min(d, 20_000) : d, k)),
  },
)

// ---------------------------------------------------------------- endpoints

interface JsonSchema {
  type?: string
  enum?: unknown[]
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  nullable?: boolean
  anyOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  maxItems?: number
  additionalProperties?: unknown
}

interface Param {
  name: string
  in: 'path' | 'query'
  schema: JsonSchema
}

interface Endpoint {
  method: string
  /** OpenAPI style, `{id}` for parameters, `*` for a wildcard. */
  path: string
  params: Param[]
  body?: JsonSchema
  documented: boolean
}

const key = (e: { method: string; path: string }) => `${e.method} ${e.path}`
const normalise = (p: string) => (p.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/') as string

/** Routes of Fastify's printRoutes() tree: `(method, path)` for every node that has methods. */
export function routesFromTree(tree: string): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!m) continue
    const depth = m[1].length / 4
    stack[depth] = (depth > 0 ? stack[depth - 1] : '') + m[2]
    stack.length = depth + 1
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) out.push({ method, path: normalise(stack[depth]) })
  }
  return out
}

async function enumerateEndpoints(s: TestServer): Promise<{ endpoints: Endpoint[]; documented: number }> {
  const doc = (await s.anon.get('/api/openapi.json')).body as {
    paths: Record<
      string,
      Record<string, { parameters?: Param[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
    >
  }
  const byKey = new Map<string, Endpoint>()
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      const e: Endpoint = {
        method: m.toUpperCase(),
        path: normalise(p),
        params: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
        documented: true,
      }
      byKey.set(key(e), e)
    }
  }
  const documented = byKey.size
  const tree = routesFromTree(s.app.printRoutes({ commonPrefix: false }))
  const inTree = new Set(tree.map(key))
  for (const e of byKey.values()) {
    if (!inTree.has(key(e))) throw new Error(`OpenAPI lists ${key(e)}, but the app has no such route`)
  }
  for (const r of tree) {
    // HEAD is Fastify's automatic twin of GET: same handler, no body.
    if (r.method === 'HEAD' || byKey.has(key(r))) continue
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path' as const,
      schema: { type: 'string' },
    }))
    byKey.set(key(r), { method: r.method, path: r.path, params, documented: false })
  }
  return { endpoints: [...byKey.values()].sort((a, b) => key(a).localeCompare(key(b))), documented }
}

// ---------------------------------------------------------------- request model

/** Placeholders resolved when the request is sent (the generator cannot look at the database). */
const CURRENT_VERSION = '@@current-version@@'
const NEXT_SEQ = '@@next-seq@@'
const DEVICE = '@@device@@'
/** Replaced by a fresh, unused event-stream ticket of the caller (an admin's for anonymous callers). */
const TICKET = '@@ticket@@'
const TICKET_AUTH = [`Bearer ${TICKET}`, `Bearer sse-ticket:${TICKET}`, `bearer  sse-ticket:${TICKET}`]

interface Pools {
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

interface FuzzRequest {
  caller: Role | 'anon'
  /** Token bound to the caller's device, or to none (bound by the first push). */
  bound: boolean
  auth?: string
  pathValues: Record<string, string>
  wildcard?: string
  query: Array<[string, string]>
  body:
    | { kind: 'none' }
    | { kind: 'json'; value: unknown; contentType: string; chunked: boolean }
    | { kind: 'text'; text: string; contentType?: string }
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
function validValue(name: string, schema: JsonSchema, pools: Pools, entity?: EntityType): fc.Arbitrary<unknown> {
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

function fromSchema(schema: JsonSchema, pools: Pools): fc.Arbitrary<unknown> {
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

function objectFromSchema(
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

/** Create-body schemas of the entity routes, filled in by the endpoint enumeration. */
const ENTITY_BODIES: Partial<Record<EntityType, JsonSchema>> = {}

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
function mutated(arb: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
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

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  'nul',
  '[1,2',
  '{"a":1}}',
  '\u0000',
  '{"a":"\\x"}',
  '{"a":01}',
  'NaN',
  '{"a":NaN}',
  '{"a":undefined}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '',
  ' ',
  '\uFEFF{}',
  '{"a":"\uD800"}',
  '{"a":1} {"b":2}',
  '// comment\n{}',
]
const OTHER_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json-patch+json',
  '*/*',
  'application/octet-stream',
]

function bodyLimitOf(e: Endpoint) {
  return e.method === 'POST' && e.path === '/api/sync' ? SYNC_BODY_LIMIT : DEFAULTS.bodyLimit
}

function bodyArb(e: Endpoint, pools: Pools): fc.Arbitrary<FuzzRequest['body']> {
  // A GET carries no body (fetch cannot even send one); its input is the path and the query.
  if (e.method === 'GET') return fc.constant({ kind: 'none' as const })
  const structured: fc.Arbitrary<unknown> = e.body
    ? e.body.type === 'object' || e.body.anyOf
      ? e.body.anyOf
        ? fc.oneof(...e.body.anyOf.map((s) => mutated(objectFromSchema(s, pools))))
        : mutated(objectFromSchema(e.body, pools, ENTITY_PATHS[e.path]))
      : fromSchema(e.body, pools)
    : fc.oneof(fc.constant({}), mutated(fc.constant({})))
  const json = (value: fc.Arbitrary<unknown>, contentType = 'application/json') =>
    fc.record({
      kind: fc.constant('json' as const),
      value,
      contentType: fc.constant(contentType),
      chunked: fc.boolean(),
    })
  const limit = bodyLimitOf(e)
  const options: Array<fc.WeightedArbitrary<FuzzRequest['body']>> = [
    { weight: 20, arbitrary: json(structured) },
    { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom(...MALFORMED_JSON), fc.string({ unit: 'binary', maxLength: 40 }))
        .map((text) => ({ kind: 'text' as const, text, contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(structured, fc.constantFrom(...OTHER_CONTENT_TYPES))
        .map(([v, ct]) => ({ kind: 'text' as const, text: toJsonText(v), contentType: ct })),
    },
    { weight: 1, arbitrary: json(fc.constantFrom<unknown>(null, 0, 'str', [], true, [{}], -1)) },
    {
      weight: 1,
      arbitrary: json(
        fc.constantFrom<unknown>(
          deep(100_000, 'array'),
          deep(20_000, 'object'),
          deep(200, 'object'),
          deep(33, 'array'),
        ),
      ),
    },
    // One string field just under and just over the route's body limit.
    {
      weight: 1,
      arbitrary: fc
        .tuple(structured, fc.constantFrom(-512, 64))
        .map(([v, delta]) => {
          const obj = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as object) } : {}
          const size = toJsonText(obj).length
          return { ...obj, name: 'x'.repeat(Math.max(0, limit - size - 20 + delta)) }
        })
        .map((value) => ({ kind: 'json' as const, value, contentType: 'application/json', chunked: false })),
    },
  ]
  return fc.oneof(...options)
}

function pathValueArb(e: Endpoint, p: Param, pools: Pools): fc.Arbitrary<string> {
  const prefix = e.path.split('/{')[0]
  const hostile = fc.oneof(fc.constantFrom(...BAD_IDS), fc.constantFrom(...INJECTIONS)).map(enc)
  const raw = fc.constantFrom(
    '%ZZ',
    '%',
    '..%2F..%2Fusers',
    '%00',
    '..',
    '.',
    '%2e%2e%2fhealth',
    'a%2Fb',
    'a'.repeat(300),
  )
  let valid: fc.Arbitrary<string>
  if (p.name === 'entity_type') valid = fc.constantFrom(...ENTITY_TYPES)
  else if (prefix === '/api/users') valid = fc.oneof(fc.uuid(), fc.constantFrom(...pools.victimUsers))
  else if (ENTITY_PATHS[prefix]) {
    const type = ENTITY_PATHS[prefix]
    const reads = e.method === 'GET' ? [...(type === 'supplier' ? pools.supplier : []), ...pools.victims[type]] : []
    valid = fc.oneof(
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 3, arbitrary: fc.constantFrom(...pools.victims[type], ...reads) },
    )
  } else valid = fc.oneof(fc.uuid(), fc.constantFrom(...Object.values(pools.victims).flat()))
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: raw })
}

function queryArb(e: Endpoint, pools: Pools): fc.Arbitrary<Array<[string, string]>> {
  const params = e.params.filter((p) => p.in === 'query')
  const one = (p: Param) =>
    fc.oneof(
      { weight: 5, arbitrary: validValue(p.name, p.schema, pools).map((v) => [String(v)]) },
      { weight: 2, arbitrary: hostileValue.map((v) => [typeof v === 'string' ? v : toJsonText(v)]) },
      { weight: 1, arbitrary: fc.tuple(validValue(p.name, p.schema, pools), hostileValue).map((vs) => vs.map(String)) },
      { weight: 1, arbitrary: fc.constant(['']) },
    )
  const known = params.map((p) =>
    fc.option(
      // Capped below Node's 16 KiB header limit: longer URLs never reach the app (see RELIABILITY.md).
      one(p).map((vs) => vs.map((v) => [p.name, v.slice(0, 3000)] as [string, string])),
      { freq: (p as { required?: boolean }).required ? 12 : 2 },
    ),
  )
  const unknown = fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as Array<[string, string]>) },
    fc.array(
      fc.tuple(
        fc.constantFrom('__proto__', 'constructor', 'x', 'page[]', 'user_id[$ne]', 'toString'),
        fc.constantFrom(...INJECTIONS),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  )
  return fc
    .tuple(fc.tuple(...known), unknown)
    .map(([ks, us]) => [...ks.flatMap((k) => k ?? []), ...us] as Array<[string, string]>)
}

function requestArb(e: Endpoint, pools: Pools): fc.Arbitrary<FuzzRequest> {
  const pathParams = e.params.filter((p) => p.in === 'path')
  const pathValues = fc
    .tuple(...pathParams.map((p) => pathValueArb(e, p, pools)))
    .map((vs) => Object.fromEntries(pathParams.map((p, i) => [p.name, vs[i]])))
  return fc.record({
    caller: fc.constantFrom<Role | 'anon'>(
      'admin',
      'admin',
      'admin',
      'manager',
      'finance',
      'collector',
      'collector',
      'anon',
    ),
    bound: fc.boolean(),
    auth: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic YWRtaW46YWRtaW4=',
        'Bearer null',
        "Bearer ' OR '1'='1",
        `Bearer ${'a'.repeat(4000)}`,
        'bearer x y',
        'Token abc',
        ...TICKET_AUTH,
      ),
    ),
    pathValues,
    wildcard: e.path.includes('*')
      ? fc.constantFrom(
          '../../../../etc/passwd',
          '..%2f..%2f..%2fpackage.json',
          'static/../../../../package.json',
          '%2e%2e/%2e%2e/src/app.ts',
          '%00',
          'index.html',
          'static/index.html',
          'json',
          `${'a/'.repeat(200)}x`,
        )
      : fc.constant(undefined),
    query: queryArb(e, pools),
    body: bodyArb(e, pools),
  }) as fc.Arbitrary<FuzzRequest>
}

// ---------------------------------------------------------------- the run

let s: TestServer
let snapshot: () => Promise<Snapshot>
let pools: Pools
let endpoints: Endpoint[]
let documentedCount = 0
// Above any seq a hostile value can set (2^31), so a hostile seq never blocks a device for later runs.
let seqCounter = 2 ** 33
let deviceCounter = 0
const stats = {
  requests: 0,
  byStatus: new Map<number, number>(),
  byEndpoint: new Map<string, { sent: number; ok: number; ms: number }>(),
  codes: new Set<string>(),
}

beforeAll(async () => {
  s = await startTestServer({
    rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
    loginThrottle: { freeAttempts: 1_000_000, addressFreeAttempts: 1_000_000 },
  })
  snapshot = snapshotter(s.db.handle.db, await listTables(s.db.handle.db, TEST_DIALECT))
  const base = await seedBasics(s.as.admin)
  const victims = {} as Record<EntityType, string[]>
  for (const type of ENTITY_TYPES) victims[type] = []
  for (let i = 0; i < 6; i++) {
    const supplier = await s.as.admin.post('/api/suppliers', { code: `V-S${i}`, name: `Victim ${i}` })
    victims.supplier.push(supplier.body.id)
    const product = await s.as.admin.post('/api/products', { code: `V-P${i}`, name: `Victim ${i}`, default_unit: 'kg' })
    victims.product.push(product.body.id)
    const rate = await s.as.admin.post('/api/product-rates', {
      product_id: product.body.id,
      unit: 'kg',
      rate: '10.00',
      effective_date: '2020-01-01',
    })
    victims.product_rate.push(rate.body.id)
    const owner = i === 0 ? s.users.collector.id : s.users.manager.id
    const collection = await s.as.admin.post('/api/collections', {
      supplier_id: base.supplierId,
      product_id: base.productId,
      user_id: owner,
      collection_date: `2026-01-0${i + 1}`,
      quantity: '5',
      unit: 'kg',
    })
    victims.collection.push(collection.body.id)
    const payment = await s.as.admin.post('/api/payments', {
      supplier_id: base.supplierId,
      payment_date: '2026-01-05',
      amount: '7.50',
      payment_type: 'advance',
    })
    victims.payment.push(payment.body.id)
  }
  for (const list of Object.values(victims)) for (const id of list) expect(id).toBeTruthy()
  const victimUsers: string[] = []
  for (let i = 0; i < 2; i++) {
    const u = await s.as.admin.post('/api/users', {
      name: `Victim ${i}`,
      email: `victim${i}@fuzz.test`,
      password: 'fuzz-password-1',
      role: 'collector',
    })
    victimUsers.push(u.body.id)
  }
  // Conflicts for the resolve endpoint: stale updates from the admin's device.
  const adminDevice = new TestDevice(s.as.admin, 'device-admin')
  const stale = []
  for (let i = 0; i < 8; i++) {
    const row = await s.as.admin.post('/api/suppliers', { code: `C-S${i}`, name: `Conflicted ${i}` })
    await s.as.admin.patch(`/api/suppliers/${row.body.id}`, { name: 'Server side', version: 1 })
    stale.push(adminDevice.op('supplier', 'update', row.body.id, { name: 'Device side' }, 1))
  }
  const parked = await adminDevice.push(stale)
  expect(parked.body.results.map((r: { status: string }) => r.status)).toEqual(Array(8).fill('conflict'))
  const conflicts = stale.map((op) => op.local_id)
  pools = {
    supplier: [base.supplierId],
    product: [base.productId],
    victims,
    users: ROLES.map((r) => s.users[r].id),
    victimUsers,
    emails: ROLES.map((r) => s.users[r].email),
    conflicts,
  }
  const found = await enumerateEndpoints(s)
  endpoints = found.endpoints
  documentedCount = found.documented
  for (const e of endpoints) {
    const type = ENTITY_PATHS[e.path]
    if (type && e.method === 'POST' && e.body) ENTITY_BODIES[type] = e.body
  }
}, 60_000)

afterAll(async () => {
  if (stats.requests > 0) {
    const statuses = [...stats.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`)
    const accepted = [...stats.byEndpoint.values()].filter((v) => v.ok > 0).length
    const writes = [...stats.byEndpoint.entries()]
      .filter(([k]) => !k.startsWith('GET '))
      .map(([k, v]) => `${k} ${v.ok}/${v.sent}`)
    const slowest = [...stats.byEndpoint.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 6)
      .map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(1)}s`)
    console.log(
      `[fuzz ${TEST_DIALECT}] seed ${SEED}, ${RUNS} runs/endpoint, ${stats.byEndpoint.size} endpoints ` +
        `(${documentedCount} in the OpenAPI document), ` +
        `${stats.requests} requests (${accepted} endpoints with accepted requests); statuses ${statuses.join(' ')}; ` +
        `error codes ${[...stats.codes].sort().join(',')}\n  accepted/sent of writes: ${writes.join(', ')}` +
        `\n  slowest: ${slowest.join(', ')}`,
    )
  }
  await s?.close()
})

/** Resolves placeholders and builds the wire request. */
async function materialise(
  e: Endpoint,
  r: FuzzRequest,
): Promise<{ wire: RawRequest; token?: { device: string | null } }> {
  const headers: Record<string, string> = {}
  let token: { device: string | null } | undefined
  if (r.auth?.includes(TICKET)) {
    const minter = s.users[r.caller === 'anon' ? 'admin' : r.caller].id
    const session = await issueToken(s.db.handle.db, minter, null, 3_600_000)
    const { ticket } = await issueTicket(s.db.handle.db, {
      id: minter,
      name: 'fuzz',
      role: r.caller === 'anon' ? 'admin' : r.caller,
      deviceId: null,
      tokenHash: hashToken(session.token),
    })
    headers.authorization = r.auth.replace(TICKET, ticket)
  } else if (r.caller !== 'anon') {
    const device = r.bound ? `device-${r.caller}` : null
    const issued = await issueToken(s.db.handle.db, s.users[r.caller].id, device, 3_600_000)
    headers.authorization = r.auth ?? `Bearer ${issued.token}`
    token = r.auth ? undefined : { device }
  } else if (r.auth) headers.authorization = r.auth
  const device = token?.device ?? `fuzz-device-${++deviceCounter}`
  let path = e.path.replace(/\{(\w+)\}/g, (_m, name: string) => r.pathValues[name] ?? 'x')
  if (r.wildcard !== undefined) path = path.replace('*', r.wildcard)
  const type = ENTITY_PATHS[e.path.split('/{')[0]]
  const targetId = r.pathValues.id
  const resolve = async (v: unknown, entity?: { type?: unknown; id?: unknown }): Promise<unknown> => {
    if (v === CURRENT_VERSION) return currentVersion(entity?.type ?? type, entity?.id ?? targetId)
    if (v === NEXT_SEQ) return ++seqCounter
    if (v === DEVICE) return device
    if (Array.isArray(v)) {
      const out = []
      for (const x of v) out.push(await resolve(x, entity))
      return out
    }
    if (typeof v === 'object' && v !== null && !isRaw(v)) {
      const obj = v as Record<string, unknown>
      const scope =
        'entity_type' in obj || 'entity' in obj
          ? { type: obj.entity_type ?? obj.entity, id: obj.entity_id ?? (obj.data as { id?: unknown })?.id }
          : entity
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(obj)) setOwn(out, k, await resolve(obj[k], scope))
      return out
    }
    return v
  }
  const query = []
  for (const [k, v] of r.query) query.push([k, String(await resolve(v))])
  const qs = query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')
  const wire: RawRequest = { method: e.method, path: qs ? `${path}?${qs}` : path, headers }
  if (r.body.kind === 'json') {
    wire.body = toJsonText(await resolve(r.body.value))
    headers['content-type'] = r.body.contentType
    wire.chunked = r.body.chunked
  } else if (r.body.kind === 'text') {
    wire.body = r.body.text
    if (r.body.contentType) headers['content-type'] = r.body.contentType
  }
  return { wire, token }
}

async function currentVersion(type: unknown, id: unknown): Promise<number> {
  const own = <T>(map: Record<string, T>, k: unknown) =>
    typeof k === 'string' && Object.hasOwn(map, k) ? map[k] : undefined
  const table = own(TABLE_OF, type) ?? own(TABLE_OF, own(ENTITY_PATHS, `/api/${String(type)}`))
  if (!table || typeof id !== 'string') return 1
  const row = await s.db.handle.db
    .selectFrom(table)
    .select('version')
    .where('id', '=', id)
    .executeTakeFirst()
    .catch(() => undefined)
  return row ? Number(row.version) : 1
}

/** Violations of the error contract; empty if the answer is fine. */
function errorContract(res: RawResponse): string[] {
  if (res.status < 400) return []
  const problems: string[] = []
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) {
    problems.push(`content-type ${res.headers['content-type']}`)
  }
  const body = res.json as { error?: { code?: string; message?: unknown } } | undefined
  const code = body?.error?.code
  if (!body || Object.keys(body).join() !== 'error') problems.push('body is not { error }')
  else if (!code || !(code in ERROR_CODES)) problems.push(`unknown code ${code}`)
  else if (ERROR_CODES[code as ErrorCode].status !== res.status) problems.push(`code ${code} with status ${res.status}`)
  else if (typeof body.error?.message !== 'string' || !body.error.message) problems.push('no message')
  else
    for (const k of Object.keys(body.error ?? {}))
      if (!['code', 'message', 'details'].includes(k)) problems.push(`key ${k}`)
  if (code) stats.codes.add(code)
  return problems
}

type Kind =
  | 'read'
  | 'entity-create'
  | 'entity-write'
  | 'login'
  | 'logout'
  | 'ticket'
  | 'user-create'
  | 'user-write'
  | 'push'
  | 'resolve'
  | 'other'

function kindOf(e: Endpoint): Kind {
  if (e.method === 'GET' || e.method === 'HEAD') return 'read'
  if (ENTITY_PATHS[e.path] && e.method === 'POST') return 'entity-create'
  if (ENTITY_PATHS[e.path.replace('/{id}', '')] && e.path.endsWith('/{id}')) return 'entity-write'
  const k: Record<string, Kind> = {
    'POST /api/auth/login': 'login',
    'POST /api/auth/logout': 'logout',
    'POST /api/sync/events/ticket': 'ticket',
    'POST /api/users': 'user-create',
    'PATCH /api/users/{id}': 'user-write',
    'POST /api/users/{id}/password': 'user-write',
    'POST /api/sync': 'push',
    'POST /api/sync/resolve': 'resolve',
  }
  return k[key(e)] ?? 'other'
}

/** What an accepted request may have written; violations, or empty. */
async function accounting(
  e: Endpoint,
  res: RawResponse,
  before: Snapshot,
  after: Snapshot,
  token?: { device: string | null },
): Promise<string[]> {
  const changed = changedTables(before, after)
  const d = countDelta(before, after)
  const ent = entityDelta(before, after)
  const problems: string[] = []
  const only = (allowed: string[]) => {
    for (const t of changed) if (!allowed.includes(t)) problems.push(`${t} changed`)
  }
  const exact = (t: string, n: number) => {
    if (d[t] !== n) problems.push(`${t} rows ${d[t] >= 0 ? '+' : ''}${d[t]}, expected +${n}`)
  }
  // Every accepted entity change is one new version, one history row and one change-log entry.
  if (d.entity_history !== d.change_log || ent.versions !== d.entity_history) {
    problems.push(`history +${d.entity_history}, change log +${d.change_log}, entity versions +${ent.versions}`)
  }
  if (ent.rows > d.entity_history) problems.push(`entity rows +${ent.rows} without history`)
  const kind = kindOf(e)
  const writeTables = ['entity_history', 'change_log', 'counters']
  switch (kind) {
    case 'read':
      only([])
      break
    case 'entity-create': {
      const table = TABLE_OF[ENTITY_PATHS[e.path]]
      only([table, ...writeTables])
      exact(table, 1)
      exact('entity_history', 1)
      break
    }
    case 'entity-write': {
      const table = TABLE_OF[ENTITY_PATHS[e.path.replace('/{id}', '')]]
      only([table, ...writeTables])
      exact(table, 0)
      exact('entity_history', 1)
      break
    }
    case 'login':
    case 'ticket':
      only(['auth_tokens'])
      exact('auth_tokens', 1)
      break
    case 'logout': {
      only(['auth_tokens'])
      exact('auth_tokens', 0)
      const revoked = (x: Snapshot) => Number(x.auth_tokens.d.split(':')[0])
      if (revoked(after) - revoked(before) !== 1) problems.push(`${revoked(after) - revoked(before)} tokens revoked`)
      break
    }
    case 'user-create':
      only(['users'])
      exact('users', 1)
      break
    case 'user-write':
      only(['users', 'auth_tokens'])
      exact('users', 0)
      exact('auth_tokens', 0)
      break
    case 'push': {
      only(['sync_operations', 'sync_devices', 'auth_tokens', ...ENTITY_TABLES, ...writeTables])
      exact('auth_tokens', 0)
      if (changed.includes('auth_tokens') && token?.device !== null) problems.push('a bound token was rebound')
      const body = res.json as { results: Array<{ status: string }> }
      const fresh = body.results.filter((r) => r.status !== 'duplicate').length
      exact('sync_operations', fresh)
      if (d.sync_devices > 1) problems.push(`sync_devices +${d.sync_devices}`)
      // Every new history row belongs to a new, successful operation of this push.
      const lastOpBefore = before.sync_operations.d.split(':')[0]
      const owned = async (operation?: string) => {
        let q = s.db.handle.db
          .selectFrom('entity_history as h')
          .innerJoin('sync_operations as o', 'o.id', 'h.sync_operation_id')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('o.id', '>', lastOpBefore)
          .where('o.status', '=', 'success')
        if (operation) q = q.where('h.operation', '=', operation)
        return Number((await q.executeTakeFirstOrThrow()).n)
      }
      const mine = await owned()
      if (mine !== d.entity_history) {
        problems.push(`history +${d.entity_history}, but ${mine} rows belong to this push's successful operations`)
      }
      const creates = await owned('create')
      if (creates !== ent.rows) problems.push(`entity rows +${ent.rows}, but ${creates} creates`)
      const successes = body.results.filter((r) => r.status === 'success').length
      if (d.entity_history > successes) problems.push(`history +${d.entity_history} for ${successes} successes`)
      break
    }
    case 'resolve':
      only(['sync_operations', ...ENTITY_TABLES, ...writeTables])
      exact('sync_operations', 0)
      if (d.entity_history > 1) problems.push(`history +${d.entity_history}`)
      break
    case 'other':
      break
  }
  return problems
}

async function fuzzOnce(e: Endpoint, r: FuzzRequest): Promise<void> {
  const started = performance.now()
  const { wire, token } = await materialise(e, r)
  const before = await snapshot()
  let res: RawResponse
  try {
    res = await rawRequest(s.url, wire)
  } catch (err) {
    // A refused oversized body may reset the connection before the answer is read; then nothing may be written.
    const after = await snapshot()
    if (changedTables(before, after).length > 0)
      throw new Error(`connection error and a write: ${describeChange(before, after)}`)
    if ((wire.body?.length ?? 0) > bodyLimitOf(e)) return
    throw new Error(
      `${key(e)}: transport error ${(err as Error).message}\n  request: ${wire.method} ${wire.path.slice(0, 300)} ` +
        `${JSON.stringify(wire.headers).slice(0, 300)} chunked=${wire.chunked}\n  body: ${wire.body?.slice(0, 300)}`,
    )
  }
  const after = await snapshot()
  stats.requests++
  stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1)
  const per = stats.byEndpoint.get(key(e)) ?? { sent: 0, ok: 0, ms: 0 }
  per.ms += performance.now() - started
  per.sent++
  if (res.status < 300) per.ok++
  stats.byEndpoint.set(key(e), per)
  if (VERBOSE)
    console.log(
      `${key(e)} as ${r.caller}: ${res.status} ${res.text.slice(0, 160)}\n    sent ${wire.path.slice(0, 200)} ${wire.body?.slice(0, 400)}`,
    )
  const problems: string[] = []
  if (res.status >= 500) problems.push(`status ${res.status}`)
  problems.push(...errorContract(res))
  if (res.text.includes('scrypt$')) problems.push('a password hash leaked')
  if (r.auth?.includes(TICKET) && res.status !== 401) {
    // A ticket authenticates nothing: whatever it got, the same request without credentials gets too.
    const { authorization: _, ...anonymous } = wire.headers ?? {}
    const without = await rawRequest(s.url, { ...wire, headers: anonymous })
    if (without.status === 401) problems.push(`an event ticket authenticated (${res.status}; 401 without it)`)
  }
  if (res.status >= 300) {
    if (changedTables(before, after).length > 0) problems.push(`refused, but wrote: ${describeChange(before, after)}`)
  } else {
    problems.push(...(await accounting(e, res, before, after, token)))
    if (problems.length > 0) problems.push(describeChange(before, after))
  }
  if (problems.length > 0) {
    const shown =
      wire.body && wire.body.length > 600 ? `${wire.body.slice(0, 600)}... (${wire.body.length} chars)` : wire.body
    throw new Error(
      `${key(e)} as ${r.caller}: ${problems.join('; ')}\n  request: ${wire.method} ${wire.path.slice(0, 300)} ` +
        `${JSON.stringify(wire.headers).slice(0, 300)}\n  body: ${shown}\n  answer: ${res.status} ${res.text.slice(0, 600)}`,
    )
  }
}

function seedFor(e: Endpoint): number {
  let h = SEED | 0
  for (const c of key(e)) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0
  return h
}

/** Endpoints run at a third of the budget: password hashing (scrypt), or large static documents. */
const SLOW =
  /^(POST \/api\/auth\/login|POST \/api\/users|PATCH \/api\/users|GET \/api\/docs|GET \/api\/openapi|GET \/metrics)/

describe('fuzzing every endpoint', () => {
  test('the fuzzer enumerates every route of the app', () => {
    expect(documentedCount).toBeGreaterThanOrEqual(45)
    const keys = endpoints.map(key)
    for (const must of [
      'POST /api/sync',
      'POST /api/sync/resolve',
      'GET /api/sync/events',
      'PATCH /api/users/{id}',
      'DELETE /api/payments/{id}',
      'GET /api/history/{entity_type}/{id}',
      'GET /health',
      'GET /metrics',
    ]) {
      expect(keys).toContain(must)
    }
    for (const type of ENTITY_TYPES) expect(ENTITY_BODIES[type], type).toBeDefined()
  })

  test('never a 5xx, always a stable error code, never a partial write', async () => {
    // Every endpoint is fuzzed even when an earlier one fails; all failures are reported together.
    const failures: string[] = []
    for (const e of endpoints.filter((x) => !ONLY || ONLY.test(key(x)))) {
      const seed = seedFor(e)
      const out = await fc.check(
        fc.asyncProperty(requestArb(e, pools), (r) => fuzzOnce(e, r)),
        { numRuns: SLOW.test(key(e)) ? Math.ceil(RUNS / 3) : RUNS, seed, endOnFailure: !SHRINK },
      )
      if (out.failed) {
        // The counterexample itself can be megabytes; the error names the request in a readable form.
        const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance)
        failures.push(
          `${cause}\n  Replay: FUZZ_SEED=${SEED} npx vitest run --project server-${TEST_DIALECT} ` +
            `packages/server/test/fuzz.test.ts -t "never a 5xx"  (endpoint ${key(e)}, property seed ${out.seed}, ` +
            `path "${out.counterexamplePath}"; FUZZ_SHRINK=1 to shrink)`,
        )
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} endpoint(s) failed:\n\n${failures.join('\n\n')}`)
    if (!ONLY) expect(stats.byEndpoint.size).toBe(endpoints.length)
  }, 300_000)
})

describe('decimals and dates', () => {
  /** Valid at 3 places (quantity), invalid at 2 (money). */
  const QUANTITY_OK = new Set<unknown>(['12.345', 12.345])
  const DATE_FIELDS: Array<[EntityType, string]> = [
    ['product_rate', 'effective_date'],
    ['product_rate', 'end_date'],
    ['collection', 'collection_date'],
    ['payment', 'payment_date'],
  ]
  const DECIMAL_FIELDS: Array<[EntityType, string]> = [
    ['product_rate', 'rate'],
    ['collection', 'quantity'],
    ['payment', 'amount'],
  ]
  let unitSeq = 0
  const validBody = (type: EntityType): Record<string, unknown> => {
    switch (type) {
      case 'product_rate':
        return { product_id: pools.product[0], unit: `u${++unitSeq}`, rate: '5.00', effective_date: '2026-01-01' }
      case 'collection':
        return {
          supplier_id: pools.supplier[0],
          product_id: pools.product[0],
          collection_date: '2026-02-01',
          quantity: '2',
          unit: 'kg',
        }
      case 'payment':
        return { supplier_id: pools.supplier[0], payment_date: '2026-02-01', amount: '10.00', payment_type: 'full' }
      default:
        throw new Error(type)
    }
  }
  const cases = () => [
    ...DECIMAL_FIELDS.map(([t, f]) => ({
      type: t,
      field: f,
      bad: f === 'quantity' ? BAD_DECIMALS.filter((v) => !QUANTITY_OK.has(v)) : BAD_DECIMALS,
    })),
    ...DATE_FIELDS.map(([t, f]) => ({ type: t, field: f, bad: BAD_DATES })),
  ]

  test('every invalid decimal and date is refused by name on REST create, REST update and sync, writing nothing', async () => {
    const api = s.as.admin
    let sent = 0
    for (const { type, field, bad } of cases()) {
      const path = PATH_OF[type]
      const target = (await api.post(path, validBody(type))).body as { id: string; version: number }
      expect(target.id, `${type} target`).toBeTruthy()
      for (const value of bad) {
        const before = await snapshot()
        const what = `${type}.${field} = ${JSON.stringify(value)}`
        const created = await api.post(path, { ...validBody(type), [field]: value })
        const updated = await api.patch(`${path}/${target.id}`, { [field]: value, version: target.version })
        sent += 2
        for (const res of [created, updated]) {
          expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(422)
          expect(res.body.error.code, what).toBe('VALIDATION_FAILED')
          expect(Object.keys(res.body.error.details.fields), what).toContain(field)
        }
        expect(describeChange(before, await snapshot()), what).toBe('')
      }
      // The same values in one sync batch: every operation fails by name, nothing but the ledger is written.
      const device = `dec-${type}-${field}`
      const bound = await s.login(s.users.admin.email, undefined, device)
      const ops = bad.map((value) => ({
        local_id: `dec-${randomUUID()}`,
        seq: ++seqCounter,
        entity_type: type,
        entity_id: newId(),
        operation_type: 'create',
        payload: { ...validBody(type), [field]: value },
      }))
      const before = await snapshot()
      const res = await bound.post('/api/sync', { device_id: device, operations: ops })
      sent++
      expect(res.status).toBe(200)
      for (const [i, r] of (
        res.body.results as Array<{ status: string; error: { code: string; details: { fields: object } } }>
      ).entries()) {
        const what = `sync ${type}.${field} = ${JSON.stringify(bad[i])}`
        expect(r.status, what).toBe('failed')
        expect(r.error.code, what).toBe('VALIDATION_FAILED')
        expect(Object.keys(r.error.details.fields), what).toContain(field)
      }
      const after = await snapshot()
      expect(changedTables(before, after).sort()).toEqual(['sync_devices', 'sync_operations'])
      expect(after.sync_operations.n - before.sync_operations.n).toBe(bad.length)
    }
    // Every date query parameter of every documented endpoint.
    for (const e of endpoints.filter((x) => x.method === 'GET')) {
      for (const p of e.params.filter((x) => x.in === 'query' && /_date$/.test(x.name))) {
        const path = e.path.replace('{id}', pools.supplier[0]).replace('{entity_type}', 'supplier')
        for (const value of BAD_DATES.filter((v) => v !== '')) {
          const res = await api.get(`${path}?${p.name}=${encodeURIComponent(String(value))}`)
          sent++
          expect(res.status, `${e.path} ${p.name}=${value}`).toBe(422)
          expect(JSON.stringify(res.body.error.details.fields)).toContain(p.name)
        }
      }
    }
    console.log(`[fuzz ${TEST_DIALECT}] decimals and dates: ${sent} requests`)
  }, 120_000)

  test('valid edge values are accepted and normalised exactly', async () => {
    const api = s.as.admin
    const cases: Array<[EntityType, string, unknown, string]> = [
      ['payment', 'amount', '1', '1.00'],
      ['payment', 'amount', '0.01', '0.01'],
      ['payment', 'amount', ' 12.5 ', '12.50'],
      ['payment', 'amount', 12.5, '12.50'],
      ['payment', 'amount', '00012', '12.00'],
      ['payment', 'amount', '100000000', '100000000.00'],
      ['collection', 'quantity', '0.001', '0.001'],
      ['collection', 'quantity', 50.5, '50.500'],
      ['product_rate', 'rate', '999999999.99', '999999999.99'],
      ['payment', 'payment_date', '2024-02-29', '2024-02-29'],
    ]
    for (const [type, field, value, expected] of cases) {
      const res = await api.post(PATH_OF[type], { ...validBody(type), [field]: value })
      expect(res.status, `${type}.${field} = ${JSON.stringify(value)}: ${JSON.stringify(res.body)}`).toBe(201)
      expect(res.body[field]).toBe(expected)
    }
  })
})

describe('injection strings', () => {
  test('are stored and returned verbatim, and search treats them as literal text', async () => {
    const api = s.as.admin
    // NUL cannot be stored in PostgreSQL text: it is refused, not stored, on both databases (see below).
    const text = fc.oneof(
      fc.constantFrom(...INJECTIONS.filter((x) => x.trim() && !x.includes('\u0000') && !/[\uD800-\uDFFF]/.test(x))),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }).filter((x) => x.trim().length > 0),
    )
    let checked = 0
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom('name', 'address'), async (needle, field) => {
        const value = `[${needle}]`
        const res = await api.post('/api/suppliers', { code: `INJ-${++checked}`, name: 'Injected', [field]: value })
        expect(res.status, JSON.stringify(res.body)).toBe(201)
        const stored = await api.get(`/api/suppliers/${res.body.id}`)
        expect(stored.body[field]).toBe(value)
        const found = await api.get(
          `/api/suppliers?per_page=100&sort_by=created_at&sort_order=desc&search=${encodeURIComponent(needle)}`,
        )
        expect(found.status).toBe(200)
        const lower = needle.trim().toLowerCase()
        expect(found.body.data.map((r: { id: string }) => r.id)).toContain(res.body.id)
        for (const row of found.body.data as Array<Record<string, string | null>>) {
          const hay = ['code', 'name', 'phone', 'email', 'address'].map((c) => String(row[c] ?? '').toLowerCase())
          expect(
            hay.some((h) => h.includes(lower)),
            `${JSON.stringify(needle)} matched ${JSON.stringify(row)}`,
          ).toBe(true)
        }
      }),
      { numRuns: Math.max(10, RUNS), seed: SEED, endOnFailure: !SHRINK },
    )
  }, 60_000)
})

/**
 * The bugs this fuzzer found, pinned as plain examples (each was a 5xx or a
 * non-standard error body before the fix in packages/server/src named here).
 */
describe('regressions found by fuzzing', () => {
  const expectError = (res: RawResponse, status: number, code: ErrorCode, what: string) => {
    expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(status)
    expect(errorContract(res), what).toEqual([])
    expect((res.json as { error: { code: string } }).error.code, what).toBe(code)
  }
  const fieldsOf = (res: RawResponse) =>
    Object.keys((res.json as { error: { details: { fields: object } } }).error.details.fields)
  const send = (method: string, path: string, body?: string, token = s.as.admin.token) =>
    rawRequest(s.url, {
      method,
      path,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
    })

  test('a malformed %-escape or an over-long path segment gets the standard error body (app.ts: frameworkErrors)', async () => {
    const before = await snapshot()
    for (const path of ['/api/suppliers/%ZZ', '/api/payments/%', '/api/history/supplier/%E0%A4%A']) {
      expectError(await send('GET', path), 400, 'BAD_REQUEST', path)
      expectError(await send('PATCH', path, '{"version":1}'), 400, 'BAD_REQUEST', `PATCH ${path}`)
    }
    // Fastify's own answer to a path parameter over 100 characters was a bare 414.
    expectError(await send('GET', `/api/suppliers/${'a'.repeat(300)}`), 400, 'BAD_REQUEST', 'long id')
    expect(describeChange(before, await snapshot())).toBe('')
  })

  test('sort_by naming an Object.prototype member is a 422, not a 500 (entity-queries.ts: own keys only)', async () => {
    for (const path of Object.keys(ENTITY_PATHS)) {
      for (const sortBy of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
        const res = await send('GET', `${path}?sort_by=${sortBy}`)
        expectError(res, 422, 'VALIDATION_FAILED', `${path} sort_by=${sortBy}`)
        expect(fieldsOf(res)).toEqual(['sort_by'])
      }
    }
  })

  test('JSON nested deeper than 32 levels is refused whole, before any write (plugins/input-guard.ts)', async () => {
    const nested = (d: number) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`
    const device = 'deep-device'
    const token = (await issueToken(s.db.handle.db, s.users.admin.id, device, 60_000)).token
    const push = (payload: string) =>
      send(
        'POST',
        '/api/sync',
        `{"device_id":"${device}","operations":[{"local_id":"deep-${randomUUID()}","seq":${++seqCounter},` +
          `"entity_type":"supplier","entity_id":"${newId()}","operation_type":"create","payload":${payload}}]}`,
        token,
      )
    const before = await snapshot()
    // Before the fix the pushes were 500s: the ledger stores the payload with JSON.stringify, which overflowed the stack.
    for (const depth of [40, 5_000, 50_000]) {
      const what = `depth ${depth}`
      expectError(await push(`{"code":"DEEP","name":"x","extra":${nested(depth)}}`), 400, 'BAD_REQUEST', `push ${what}`)
      expectError(await push(`{"code":"DEEP","name":${nested(depth)}}`), 400, 'BAD_REQUEST', `push field ${what}`)
      const rest = await send('POST', '/api/suppliers', `{"code":"DEEP","name":"x","extra":${nested(depth)}}`)
      expectError(rest, 400, 'BAD_REQUEST', `REST ${what}`)
      const resolve = await send(
        'POST',
        '/api/sync/resolve',
        `{"device_id":"d","local_id":"l","resolution":"merge","fields":${nested(depth)}}`,
      )
      expectError(resolve, 400, 'BAD_REQUEST', `resolve ${what}`)
    }
    expect(describeChange(before, await snapshot())).toBe('')
    // What real clients send stays well inside the limit.
    const ok = await push(`{"code":"SHALLOW-${seqCounter}","name":"x","extra":${nested(20)}}`)
    expect(ok.status, ok.text).toBe(200)
    expect((ok.json as { results: Array<{ status: string }> }).results[0].status).toBe('success')
  })

  test('a NUL character is refused by name on both databases: body, key, query, path, login, sync (input-guard.ts)', async () => {
    const before = await snapshot()
    // On PostgreSQL each of these was a 500 (text cannot hold NUL); SQLite stored the NUL.
    const body = await send('POST', '/api/suppliers', JSON.stringify({ code: 'NUL-1', name: 'a\u0000b' }))
    expectError(body, 422, 'VALIDATION_FAILED', 'body')
    expect(fieldsOf(body)).toEqual(['name'])
    const key = await send('PATCH', `/api/suppliers/${pools.victims.supplier[0]}`, '{"version":1,"a\\u0000":1}')
    expectError(key, 422, 'VALIDATION_FAILED', 'key')
    const query = await send('GET', '/api/suppliers?search=a%00b')
    expectError(query, 422, 'VALIDATION_FAILED', 'query')
    expect(fieldsOf(query)).toEqual(['querystring.search'])
    expectError(await send('GET', '/api/suppliers/a%00b'), 422, 'VALIDATION_FAILED', 'path')
    const login = await rawRequest(s.url, {
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin\u0000@test.local', password: 'whatever-1' }),
    })
    expectError(login, 422, 'VALIDATION_FAILED', 'login')
    const push = await send(
      'POST',
      '/api/sync',
      JSON.stringify({
        device_id: 'device-admin',
        operations: [
          {
            local_id: `nul-${randomUUID()}`,
            seq: ++seqCounter,
            entity_type: 'payment',
            entity_id: newId(),
            operation_type: 'create',
            payload: { notes: 'a\u0000b' },
          },
        ],
      }),
    )
    expectError(push, 422, 'VALIDATION_FAILED', 'sync payload')
    expect(fieldsOf(push)).toEqual(['operations.0.payload.notes'])
    expect(describeChange(before, await snapshot())).toBe('')
  })

  test('a base_version beyond 32 bits fails that operation only, new and legacy shape (sync/push.ts)', async () => {
    const device = 'big-version-device'
    const token = (await issueToken(s.db.handle.db, s.users.admin.id, device, 60_000)).token
    const target = pools.victims.supplier[1]
    const version = await currentVersion('supplier', target)
    const push = (body: unknown) => send('POST', '/api/sync', JSON.stringify(body), token)
    const op = (base: number, name: string) => ({
      local_id: `big-${randomUUID()}`,
      seq: ++seqCounter,
      entity_type: 'supplier',
      entity_id: target,
      operation_type: 'update',
      base_version: base,
      payload: { name },
    })
    // On PostgreSQL this was a 500 for the whole batch: the ledger column is a 32-bit integer.
    const res = await push({ device_id: device, operations: [op(3_000_000_000, 'Too far'), op(version, 'Next one')] })
    expect(res.status, res.text).toBe(200)
    const results = (res.json as { results: Array<{ status: string; error?: { code: string; details: unknown } }> })
      .results
    expect(results.map((r) => r.error?.code ?? r.status)).toEqual(['VALIDATION_FAILED', 'success'])
    expect(results[0].error?.details).toEqual({
      fields: { base_version: ['must be a whole number from 1 to 2147483647'] },
    })
    // The original app's shape: a version beyond 32 bits, fractional (on PostgreSQL this was a 500 for
    // the whole batch), negative or not a number fails that operation alone; the batch goes on.
    const legacyOps = [2 ** 40, 1.5, -3, '2', { v: 1 }].map((bad, i) => ({
      local_id: `bad-version-${i}-${randomUUID()}`,
      entity: 'supplier',
      operation: 'update',
      data: { id: target, version: bad, name: 'x' },
    }))
    const before = await currentVersion('supplier', target)
    const legacy = await push({
      device_id: device,
      operations: [
        ...legacyOps,
        {
          local_id: `good-${randomUUID()}`,
          entity: 'supplier',
          operation: 'update',
          data: { id: target, version: before, name: 'Fine' },
        },
      ],
    })
    expect(legacy.status, legacy.text).toBe(200)
    const legacyResults = (legacy.json as { results: Array<{ status: string; message: string }> }).results
    expect(legacyResults.map((r) => r.status)).toEqual(['error', 'error', 'error', 'error', 'error', 'success'])
    for (const r of legacyResults.slice(0, 5)) expect(r.message).toMatch(/invalid|valid/i)
    expect(await currentVersion('supplier', target)).toBe(before + 1)
    // A version at the limit is merely stale: a conflict, as before. (The legacy push took the next seq.)
    seqCounter += 10
    const atLimit = await push({ device_id: device, operations: [op(2_147_483_647, 'Limit')] })
    expect((atLimit.json as { results: Array<{ status: string }> }).results[0].status, atLimit.text).toBe('conflict')
  })
})

describe('totals at the bounds', () => {
  /** round_half_up(quantity x rate) in cents, from the decimal strings, sharing no code with the server. */
  const oracle = (quantity: string, rate: string) => {
    const [qw, qf = ''] = quantity.split('.')
    const [rw, rf = ''] = rate.split('.')
    const n = BigInt(qw + qf.padEnd(3, '0')) * BigInt(rw + rf.padEnd(2, '0'))
    return (n + 500n) / 1000n
  }
  const money = (minor: bigint) => `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`
  /** Quantities 0.001..1e9, every order of magnitude equally likely, ending at exactly the maximum now and then. */
  const quantity = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom('1000000000', '999999999.999', '100000', '100000.001', '33333333.335') },
    {
      weight: 6,
      arbitrary: fc
        .integer({ min: 0, max: 12 })
        .chain((d) => fc.bigInt({ min: 1n, max: 10n ** BigInt(d) }))
        .map((milli) => `${milli / 1000n}.${(milli % 1000n).toString().padStart(3, '0')}`),
    },
  )
  const RATES = ['0.01', '1.00', '3.00', '120.00', '1000.00', '90071.99', '999999999.99', '1000000000.00']

  test('max quantity x max rate and everything between: exact up to the maximum amount, 422 on quantity beyond; sums exact near 2^53 and 2^63', async () => {
    const api = s.as.admin
    const supplier = (await api.post('/api/suppliers', { code: 'BOUNDS', name: 'Bounds' })).body.id as string
    const products: Record<string, string> = {}
    for (const rate of RATES) {
      const p = await api.post('/api/products', { code: `B${rate.replace('.', '')}`, name: 'B', default_unit: 'kg' })
      products[rate] = p.body.id
      const r = await api.post('/api/product-rates', {
        product_id: p.body.id,
        unit: 'kg',
        rate,
        effective_date: '2020-01-01',
      })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
    }
    const device = new TestDevice(await s.login(s.users.admin.email, undefined, 'bounds-device'), 'bounds-device')
    const accepted: bigint[] = []
    let refused = 0
    const body = (q: string, rate: string) => ({
      supplier_id: supplier,
      product_id: products[rate],
      collection_date: '2026-03-01',
      quantity: q,
      unit: 'kg',
    })
    const check = (
      status: number,
      error: { code: string; details?: { fields?: object } } | undefined,
      q: string,
      rate: string,
    ) => {
      const expected = oracle(q, rate)
      const what = `${q} x ${rate} (${money(expected)})`
      if (expected <= MAX_AMOUNT_MINOR) {
        expect(status, `${what}: ${JSON.stringify(error)}`).toBeLessThan(300)
        accepted.push(expected)
      } else {
        expect(error?.code, what).toBe('VALIDATION_FAILED')
        expect(Object.keys(error?.details?.fields ?? {}), what).toEqual(['quantity'])
        refused++
      }
      return expected
    }
    await fc.assert(
      fc.asyncProperty(quantity, fc.constantFrom(...RATES), fc.boolean(), async (q, rate, viaSync) => {
        const before = await snapshot()
        if (viaSync) {
          const res = await device.push([device.op('collection', 'create', newId(), body(q, rate))])
          expect(res.status).toBe(200)
          const [r] = res.body.results
          const expected = check(r.status === 'success' ? 200 : 422, r.error, q, rate)
          if (r.status === 'success') expect(r.data.total_amount).toBe(money(expected))
          else expect(entityDelta(before, await snapshot())).toEqual({ rows: 0, versions: 0 })
        } else {
          const res = await api.post('/api/collections', body(q, rate))
          const expected = check(res.status, res.body.error, q, rate)
          if (res.status === 201) {
            expect(res.body.total_amount).toBe(money(expected))
            expect((await api.get(`/api/collections/${res.body.id}`)).body.total_amount).toBe(money(expected))
          } else {
            expect(res.status).toBe(422)
            expect(describeChange(before, await snapshot())).toBe('')
          }
        }
      }),
      { numRuns: RUNS * 4, seed: SEED },
    )
    expect(accepted.length).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)

    // The supplier's sums, exact; then with some rows standing in for many (their totals written straight
    // into the table, as 900,719 rows at the maximum would reach 2^53), near and past 2^53 and 2^63.
    const expectSums = async (collections: bigint) => {
      const balance = await api.get(`/api/suppliers/${supplier}/balance`)
      expect(balance.status, JSON.stringify(balance.body)).toBe(200)
      expect(balance.body).toMatchObject({ total_collections: money(collections), balance: money(collections) })
      const report = await api.get('/api/reports/balances')
      expect(report.status).toBe(200)
      const row = report.body.data.find((r: { supplier_id: string }) => r.supplier_id === supplier)
      expect(row.total_collections).toBe(money(collections))
      const statement = await api.get(`/api/suppliers/${supplier}/statement`)
      expect(statement.status).toBe(200)
      expect(statement.body.closing_balance).toBe(money(collections))
    }
    let total = accepted.reduce((a, b) => a + b, 0n)
    await expectSums(total)
    const ids = (
      await s.db.handle.db
        .selectFrom('collections')
        .select(['id', 'total_minor'])
        .where('supplier_id', '=', supplier)
        .where('deleted_at', 'is', null)
        .execute()
    ).map((r) => ({ id: r.id, total: BigInt(r.total_minor) }))
    for (const limit of [2n ** 53n, 2n ** 63n]) {
      // Three rows carry the sum to within a cent of the limit, and one cent past it: two multiples of 1024
      // (exact as doubles below 2^63, as stored rows are exact below 2^53) and one of about 10,000,000.00.
      for (const delta of [-1n, 0n, 1n]) {
        const rest = total - ids[0].total - ids[1].total - ids[2].total
        const target = limit + delta - rest
        const first = ((target - 10n ** 9n) / 2n / 1024n) * 1024n
        const second = ((target - 10n ** 9n - first) / 1024n) * 1024n
        const parts = [first, second, target - first - second]
        expect(parts[2] > 0n && parts[2] <= MAX_AMOUNT_MINOR).toBe(true)
        for (const [i, value] of parts.entries()) {
          await s.db.handle.db
            .updateTable('collections')
            .set({ total_minor: sql`${value.toString()}` as never })
            .where('id', '=', ids[i].id)
            .execute()
          ids[i].total = value
        }
        total = rest + parts.reduce((a, b) => a + b, 0n)
        expect(total).toBe(limit + delta)
        await expectSums(total)
      }
    }
  }, 120_000)
})
