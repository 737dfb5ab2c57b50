/**
 * The real sync client in a browser app served from another origin, against a
 * real server process with TRACKVAULT_CORS_ORIGINS: its fetch goes through
 * the CORS checks a browser makes (a preflight for every request that is not
 * "simple", the answer's Allow-Origin, only safelisted or exposed headers
 * readable), so a header the client sends that the server's preflight does
 * not allow, or one it reads that is not exposed, fails here.
 */
import { createSyncClient, type FetchLike } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import {
  createTestDb,
  createUser,
  type ServerProcess,
  startServerProcess,
  type TestDb,
} from '@trackvault/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

const ORIGIN = 'https://app.example.com'
const PASSWORD = 'e2e-password-1'
const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'POST'])
const SIMPLE_HEADERS = new Set(['accept', 'accept-language', 'content-language'])
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])
const SAFELISTED_RESPONSE = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
])

const list = (v: string | null) => (v ?? '').split(',').map((s) => s.trim().toLowerCase())
const requests: Array<{ method: string; path: string; preflight: boolean }> = []

/** fetch as a page on ORIGIN sees it (the CORS protocol of the Fetch standard, without caching). */
const browserFetch: FetchLike = async (input, init = {}) => {
  const url = new URL(String(input))
  const method = (init.method ?? 'GET').toUpperCase()
  const headers = new Headers(init.headers)
  const unsafe = [...headers.keys()].filter(
    (h) => !SIMPLE_HEADERS.has(h) && !(h === 'content-type' && SIMPLE_TYPES.has(headers.get(h) ?? '')),
  )
  const preflight = !SIMPLE_METHODS.has(method) || unsafe.length > 0
  if (preflight) {
    const pre = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': method,
        ...(unsafe.length ? { 'access-control-request-headers': unsafe.sort().join(',') } : {}),
      },
    })
    const allowedHeaders = list(pre.headers.get('access-control-allow-headers'))
    const allowedMethods = list(pre.headers.get('access-control-allow-methods'))
    if (
      !pre.ok ||
      pre.headers.get('access-control-allow-origin') !== ORIGIN ||
      (!SIMPLE_METHODS.has(method) && !allowedMethods.includes(method.toLowerCase())) ||
      unsafe.some((h) => !allowedHeaders.includes(h))
    ) {
      throw new TypeError(`CORS preflight of ${method} ${url.pathname} refused (${unsafe.join(', ')})`)
    }
  }
  headers.set('origin', ORIGIN)
  const res = await fetch(url, { ...init, headers })
  if (res.headers.get('access-control-allow-origin') !== ORIGIN) {
    throw new TypeError(`CORS: ${method} ${url.pathname} is not readable from ${ORIGIN}`)
  }
  requests.push({ method, path: url.pathname, preflight })
  const exposed = new Set(list(res.headers.get('access-control-expose-headers')))
  const readable = new Headers()
  for (const [k, v] of res.headers) if (SAFELISTED_RESPONSE.has(k) || exposed.has(k)) readable.set(k, v)
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: readable })
}

let db: TestDb
let server: ServerProcess
beforeAll(async () => {
  db = await createTestDb()
  await createUser(db.handle.db, { name: 'Manager', email: 'manager@cors.test', password: PASSWORD, role: 'manager' })
  await db.handle.close()
  server = await startServerProcess({ ...db.env, TRACKVAULT_CORS_ORIGINS: `${ORIGIN},http://localhost:5173` })
})
afterAll(async () => {
  await server?.stop('SIGKILL')
  await db?.drop()
})

test('signs in, pushes, pulls and listens for live events across origins', async () => {
  const client = createSyncClient({
    baseUrl: server.url,
    storage: createMemoryStore(),
    retryDelayMs: 20,
    syncIntervalMs: 0,
    fetch: browserFetch,
  })
  try {
    await client.login('manager@cors.test', PASSWORD)
    client.start() // the triggers, the live event stream among them
    await client.suppliers.create({ code: 'X-1', name: 'Across origins' })
    const result = await client.sync()
    expect(result.error).toBeUndefined()
    // The push reached the server (the client may have pushed already, shortly after the write).
    const session = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'manager@cors.test', password: PASSWORD }),
    }).then((r) => r.json())
    const suppliers = await fetch(`${server.url}/api/suppliers`, {
      headers: { authorization: `Bearer ${session.token}` },
    }).then((r) => r.json())
    expect(suppliers.data.map((x: { code: string }) => x.code)).toEqual(['X-1'])
    await expect.poll(() => requests.some((r) => r.path === '/api/sync/events'), { timeout: 5000 }).toBe(true)
    const paths = new Set(requests.map((r) => `${r.method} ${r.path}`))
    for (const p of ['POST /api/auth/login', 'POST /api/sync', 'GET /api/sync/changes', 'GET /api/sync/events']) {
      expect(paths, p).toContain(p)
    }
    // Every one of them needed a preflight (Authorization or the protocol header): the preflights passed.
    expect(requests.filter((r) => r.path.startsWith('/api/sync')).every((r) => r.preflight)).toBe(true)
  } finally {
    await client.close()
  }
})

test('from an origin not on the list, the very first request fails as in a browser', async () => {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://elsewhere.example.org',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-trackvault-protocol',
    },
  })
  expect(res.status).toBe(404)
  expect(res.headers.get('access-control-allow-origin')).toBeNull()
})
