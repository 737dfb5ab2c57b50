/** Operations: health, metrics, the OpenAPI document and the interactive docs. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { buildApp } from '../src/app'
import { createTestDb, TEST_DIALECT } from '../src/testing/test-db'
import { startTestServer, type TestServer } from './helpers/test-server'

const METRICS_TOKEN = 'metrics-scraper-token-0123456789'
let s: TestServer
beforeAll(async () => {
  s = await startTestServer({ metrics: { token: METRICS_TOKEN } })
})
afterAll(() => s?.close())

test('GET /health answers 200 with the database checked, without a token', async () => {
  const res = await s.anon.get('/health')
  expect(res.status).toBe(200)
  expect(res.body.status).toBe('ok')
  expect(res.body.database).toBe(TEST_DIALECT)
  expect(typeof res.body.latency_ms).toBe('number')
  expect(JSON.stringify(res.body)).not.toMatch(/postgres:\/\/|password/)
})

test('GET /health answers 503 when the database is gone', async () => {
  const db = await createTestDb()
  const app = await buildApp({ db: db.handle })
  try {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    await db.drop()
    const res = await app.inject({ method: 'GET', url: '/health' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ status: 'unavailable', database: TEST_DIALECT })
  } finally {
    await app.close()
  }
})

test('GET /metrics is Prometheus text with request durations by route and status', async () => {
  await s.as.manager.get('/api/suppliers')
  await s.anon.get('/api/suppliers')
  const res = await s.anon.request('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  const text = res.body as string
  expect(text).toContain('# TYPE trackvault_http_request_duration_seconds histogram')
  const bucket =
    /trackvault_http_request_duration_seconds_count\{[^}]*route="\/api\/suppliers\/?"[^}]*status="200"[^}]*\} (\d+)/
  expect(Number(bucket.exec(text)?.[1])).toBeGreaterThanOrEqual(1)
  expect(text).toMatch(/trackvault_http_request_duration_seconds_count\{[^}]*status="401"/)
  expect(text).toContain('process_cpu_seconds_total')
})

test('GET /api/openapi.json documents every resource with schemas and bearer auth', async () => {
  const res = await s.anon.get('/api/openapi.json')
  expect(res.status).toBe(200)
  const doc = res.body
  expect(doc.openapi).toMatch(/^3\./)
  expect(doc.info.title).toBe('TrackVault API')
  const paths = Object.keys(doc.paths).map((p) => p.replace(/\/$/, ''))
  for (const p of [
    '/api/auth/login',
    '/api/auth/me',
    '/api/users',
    '/api/suppliers',
    '/api/suppliers/{id}',
    '/api/products',
    '/api/product-rates',
    '/api/collections',
    '/api/collections/{id}',
    '/api/payments',
    '/api/suppliers/{id}/balance',
    '/api/reports/balances',
  ]) {
    expect(paths, p).toContain(p)
  }
  expect(paths).not.toContain('/metrics')
  expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
  // Operations carry the request and response schemas of the routes.
  const collections = doc.paths['/api/collections/'] ?? doc.paths['/api/collections']
  const post = collections.post
  expect(post.requestBody.content['application/json'].schema.properties).toHaveProperty('quantity')
  expect(post.requestBody.content['application/json'].schema.properties).not.toHaveProperty('total_amount')
  expect(post.responses['201'].content['application/json'].schema.properties).toHaveProperty('total_amount')
  expect(post.responses).toHaveProperty('422')
  expect(doc.paths['/api/auth/login'].post.security).toEqual([])
})

test('/api/docs serves the interactive docs as HTML', async () => {
  const res = await fetch(`${s.url}/api/docs`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/text\/html/)
  expect(await res.text()).toMatch(/swagger/i)
})
