/**
 * Every failure has the same shape and a stable code; 5xx answers never leak
 * internals.
 */
import { ERROR_CODES } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TEST_DIALECT } from '../src/testing/test-db'
import { describeChange, listTables, type Snapshot, snapshotter } from './helpers/db-snapshot'
import { expectRawError, fieldsOf } from './helpers/error-contract'
import { rawWithToken } from './helpers/raw-http'
import { type Reply, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

/** Asserts `{ error: { code, message, details? } }` with nothing else, and the code's status. */
function expectError(res: Reply, status: number, code: keyof typeof ERROR_CODES) {
  expect(res.status, JSON.stringify(res.body)).toBe(status)
  expect(ERROR_CODES[code].status).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  expect(Object.keys(res.body)).toEqual(['error'])
  expect(res.body.error.code).toBe(code)
  expect(typeof res.body.error.message).toBe('string')
  expect(res.body.error.message.length).toBeGreaterThan(0)
  for (const key of Object.keys(res.body.error)) expect(['code', 'message', 'details']).toContain(key)
}

describe('request errors', () => {
  let s: TestServer
  let snapshot: () => Promise<Snapshot>
  beforeAll(async () => {
    s = await startTestServer({ bodyLimit: 1000 })
    snapshot = snapshotter(s.db.handle.db, await listTables(s.db.handle.db, TEST_DIALECT))
  })
  afterAll(() => s?.close())
  /** A raw request as the admin (paths are sent as given, unlike fetch). */
  const send = (method: string, path: string, body?: string) =>
    rawWithToken(s.url, s.as.admin.token as string, method, path, body)

  test('malformed JSON is 400 MALFORMED_JSON', async () => {
    const res = await s.as.admin.request('POST', '/api/suppliers', '{"code": "S1", "name": ', {
      'content-type': 'application/json',
    })
    expectError(res, 400, 'MALFORMED_JSON')
    const list = await s.as.admin.get('/api/suppliers')
    expect(list.body.total).toBe(0)
  })

  test('an empty JSON body is 400 too', async () => {
    const res = await s.as.admin.request('POST', '/api/suppliers', '', { 'content-type': 'application/json' })
    expectError(res, 400, 'MALFORMED_JSON')
  })

  test('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await s.as.admin.post('/api/suppliers', { code: 'BIG', name: 'x'.repeat(2000) })
    expectError(res, 413, 'PAYLOAD_TOO_LARGE')
    const small = await s.as.admin.post('/api/suppliers', { code: 'SMALL', name: 'x'.repeat(100) })
    expect(small.status).toBe(201)
  })

  test('validation failures are 422 VALIDATION_FAILED with messages per field', async () => {
    const res = await s.as.admin.post('/api/suppliers', { code: 'has spaces!', name: '', email: 'nope' })
    expectError(res, 422, 'VALIDATION_FAILED')
    const fields = res.body.error.details.fields
    expect(Object.keys(fields).sort()).toEqual(['code', 'email', 'name'])
    for (const messages of Object.values(fields)) {
      expect(Array.isArray(messages)).toBe(true)
      expect((messages as string[]).every((m) => typeof m === 'string' && m.length > 0)).toBe(true)
    }
  })

  test('domain-level validation uses the same shape (decimals, dates)', async () => {
    const { productId, supplierId } = await seedBasics(s.as.manager)
    const res = await s.as.collector.post('/api/collections', {
      supplier_id: supplierId,
      product_id: productId,
      collection_date: '2026-02-30',
      quantity: 'twelve',
      unit: 'kg',
    })
    expectError(res, 422, 'VALIDATION_FAILED')
    expect(Object.keys(res.body.error.details.fields).sort()).toEqual(['collection_date', 'quantity'])
  })

  test('per_page over 100 is 422 naming per_page', async () => {
    const res = await s.as.admin.get('/api/suppliers?per_page=101')
    expectError(res, 422, 'VALIDATION_FAILED')
    expect(Object.keys(res.body.error.details.fields).join()).toMatch(/per_page/)
    expect((await s.as.admin.get('/api/suppliers?per_page=100')).status).toBe(200)
  })

  test('an unknown sort_by is 422 naming the allowed ones', async () => {
    const res = await s.as.admin.get('/api/suppliers?sort_by=password_hash')
    expectError(res, 422, 'VALIDATION_FAILED')
    expect(res.body.error.details.fields.sort_by[0]).toMatch(/code/)
  })

  // Found by the fuzzer (fuzz.test.ts): a 500 on every list, both databases.
  test('sort_by naming an Object.prototype member is a 422, not a 500 (entity-queries.ts: own keys only)', async () => {
    for (const path of ['/api/suppliers', '/api/products', '/api/product-rates', '/api/collections', '/api/payments']) {
      for (const sortBy of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
        const res = await send('GET', `${path}?sort_by=${sortBy}`)
        expectRawError(res, 422, 'VALIDATION_FAILED', `${path} sort_by=${sortBy}`)
        expect(fieldsOf(res)).toEqual(['sort_by'])
      }
    }
  })

  test('a malformed id in the path is 422, an unknown one 404', async () => {
    expectError(await s.as.admin.get('/api/suppliers/not-a-uuid'), 422, 'VALIDATION_FAILED')
    expectError(await s.as.admin.get('/api/suppliers/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND')
  })

  // Found by the fuzzer (fuzz.test.ts): Fastify answered these with its own body, or a bare 414.
  test('a malformed %-escape or an over-long path segment gets the standard error body (app.ts: frameworkErrors)', async () => {
    const before = await snapshot()
    for (const path of ['/api/suppliers/%ZZ', '/api/payments/%', '/api/history/supplier/%E0%A4%A']) {
      expectRawError(await send('GET', path), 400, 'BAD_REQUEST', path)
      expectRawError(await send('PATCH', path, '{"version":1}'), 400, 'BAD_REQUEST', `PATCH ${path}`)
    }
    // Fastify's own answer to a path parameter over 100 characters was a bare 414.
    expectRawError(await send('GET', `/api/suppliers/${'a'.repeat(300)}`), 400, 'BAD_REQUEST', 'long id')
    expect(describeChange(before, await snapshot())).toBe('')
  })

  test('unknown routes are 404 NOT_FOUND, signed in or not', async () => {
    expectError(await s.anon.get('/api/nothing-here'), 404, 'NOT_FOUND')
    expectError(await s.as.admin.get('/api/nothing-here'), 404, 'NOT_FOUND')
    expectError(await s.as.admin.request('PATCH', '/api/suppliers'), 404, 'NOT_FOUND')
    expectError(await s.anon.get('/nope'), 404, 'NOT_FOUND')
  })

  test('missing or bad credentials are 401 with the same shape', async () => {
    expectError(await s.anon.get('/api/suppliers'), 401, 'UNAUTHENTICATED')
    const login = await s.anon.post('/api/auth/login', { email: s.users.admin.email, password: 'wrong-password' })
    expectError(login, 401, 'INVALID_CREDENTIALS')
  })

  test('a forbidden action is 403 FORBIDDEN', async () => {
    expectError(await s.as.collector.get('/api/payments'), 403, 'FORBIDDEN')
  })
})

describe('rate limit and server failures', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { max: 5, timeWindowMs: 60_000 } })
  })
  afterAll(() => s?.close())

  test('more requests than allowed are 429 RATE_LIMITED with Retry-After, per user', async () => {
    const api = s.as.finance
    for (let i = 0; i < 5; i++) expect((await api.get('/api/suppliers')).status).toBe(200)
    const res = await api.get('/api/suppliers')
    expectError(res, 429, 'RATE_LIMITED')
    const retryAfter = Number(res.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    // Another user behind the same address is not throttled.
    expect((await s.as.collector.get('/api/suppliers')).status).toBe(200)
    // Health checks are never throttled.
    expect((await s.anon.get('/health')).status).toBe(200)
  })

  test('the limit is per user, not per token: a second sign-in does not reset it', async () => {
    const first = s.as.manager
    const second = await s.login(s.users.manager.email)
    for (let i = 0; i < 3; i++) expect((await first.get('/api/products')).status).toBe(200)
    for (let i = 0; i < 2; i++) expect((await second.get('/api/products')).status).toBe(200)
    expectError(await second.get('/api/products'), 429, 'RATE_LIMITED')
    expectError(await first.get('/api/products'), 429, 'RATE_LIMITED')
  })

  test('made-up tokens count against the address, so they cannot dodge the limit', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const bogus = Buffer.from(`bogus-${i}-${Math.random()}`).toString('base64url')
      const res = await s.anon.request('GET', '/api/suppliers', undefined, { authorization: `Bearer ${bogus}` })
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429])
  })

  test('a database failure is 500 INTERNAL with no internals in the body', async () => {
    // Settlement lines reference payments (migration 012): PostgreSQL drops the reference with it.
    const drop = s.db.handle.db.schema.dropTable('payments')
    await (s.db.handle.caps.dialect === 'postgres' ? drop.cascade() : drop).execute()
    const api = s.as.admin
    const list = await api.get('/api/payments')
    const create = await api.post('/api/payments', {
      supplier_id: '00000000-0000-4000-8000-000000000000',
      payment_date: '2026-01-01',
      amount: '1.00',
      payment_type: 'advance',
    })
    for (const res of [list, create]) {
      expect(res.status).toBe(500)
      expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } })
      expect(JSON.stringify(res.body)).not.toMatch(/payments|select|sqlite|relation|stack|at /i)
    }
    // The rest of the API keeps working.
    expect((await api.get('/api/suppliers')).status).toBe(200)
  })
})
