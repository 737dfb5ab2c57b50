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
 * The parts, in ./fuzz/: hostile-values.ts (what requests are broken with),
 * endpoints.ts (the routes), arbitraries.ts (values from schemas),
 * requests.ts (requests, and the bytes sent), pools.ts (the rows they aim
 * at), oracle.ts (what a request may change, and the run's figures),
 * config.ts (the FUZZ_* settings).
 *
 * Replay: FUZZ_SEED=<seed> (printed on failure) and FUZZ_RUNS=<n> to change
 * the budget; FUZZ_SHRINK=1 shrinks a failure to a minimal request. The bugs
 * the fuzzer found are pinned beside the tests of the code they were in
 * (errors, input-guard and sync-push tests; RELIABILITY.md lists them), and
 * the property test of totals at the bounds is in money-bounds.test.ts.
 */
import { randomUUID } from 'node:crypto'
import { CLIENT_WRITTEN_TYPES, type EntityType, newId } from '@trackvault/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TEST_DIALECT } from '../src/testing/test-db'
import { ENTITY_BODIES, type Pools, TICKET } from './fuzz/arbitraries'
import { ONLY, RUNS, SEED, SHRINK, VERBOSE } from './fuzz/config'
import { bodyLimitOf, ENTITY_PATHS, type Endpoint, enumerateEndpoints, key, PATH_OF } from './fuzz/endpoints'
import { BAD_DATES, BAD_DECIMALS, INJECTIONS } from './fuzz/hostile-values'
import { accounting, FuzzStats } from './fuzz/oracle'
import { seedPools } from './fuzz/pools'
import { type FuzzRequest, Materialiser, requestArb } from './fuzz/requests'
import { changedTables, describeChange, listTables, type Snapshot, snapshotter } from './helpers/db-snapshot'
import { errorContract } from './helpers/error-contract'
import { type RawResponse, rawRequest } from './helpers/raw-http'
import { startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let snapshot: () => Promise<Snapshot>
let pools: Pools
let requests: Materialiser
let endpoints: Endpoint[]
let documentedCount = 0
const stats = new FuzzStats()

beforeAll(async () => {
  s = await startTestServer({
    rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
    loginThrottle: { freeAttempts: 1_000_000, addressFreeAttempts: 1_000_000 },
  })
  snapshot = snapshotter(s.db.handle.db, await listTables(s.db.handle.db, TEST_DIALECT))
  requests = new Materialiser(s)
  pools = await seedPools(s)
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
    console.log(stats.summary({ dialect: TEST_DIALECT, seed: SEED, runs: RUNS, documented: documentedCount }))
  }
  await s?.close()
})

/** One request: sent, then held to the properties above (a throw names the request and the answer). */
async function fuzzOnce(e: Endpoint, r: FuzzRequest): Promise<void> {
  const started = performance.now()
  const { wire, token } = await requests.materialise(e, r)
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
  stats.record(e, res, performance.now() - started)
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
    problems.push(...(await accounting(s.db.handle.db, e, res, before, after, token)))
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

/** Each endpoint's own seed, derived from the run's. */
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
    for (const type of CLIENT_WRITTEN_TYPES) expect(ENTITY_BODIES[type], type).toBeDefined()
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
        seq: requests.nextSeq(),
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
