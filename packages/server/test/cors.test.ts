/**
 * Cross-origin calls (TRACKVAULT_CORS_ORIGINS): closed by default, open to
 * the listed origins only, with a preflight that allows what our clients
 * send and answers that expose what they read. A real server on loopback.
 */
import { PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadConfig } from '../src/config'
import { startTestServer, type TestServer } from './helpers/test-server'

const APP = 'https://app.example.com'
const OTHER = 'https://evil.example.net'
/** The request headers packages/client/src/http.ts sends (and an event stream's reconnection). */
const CLIENT_HEADERS = ['authorization', 'content-type', PROTOCOL_HEADER, 'last-event-id']

const preflight = (url: string, origin: string, method = 'POST', headers = CLIENT_HEADERS) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers.join(','),
    },
  })

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'))
const listOf = (value: string | null) => (value ?? '').split(',').map((v) => v.trim().toLowerCase())

describe('closed by default', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(() => s?.close())

  test('no CORS header on any answer, and no preflight', async () => {
    const res = await fetch(`${s.url}/api/auth/me`, {
      headers: { origin: APP, authorization: `Bearer ${s.as.manager.token}` },
    })
    expect(res.status).toBe(200)
    expect(corsHeaders(res)).toEqual([])
    const pre = await preflight(`${s.url}/api/sync`, APP)
    expect(pre.status).toBe(404)
    expect(corsHeaders(pre)).toEqual([])
  })
})

describe('with an allow-list', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({
      corsOrigins: [APP, 'http://localhost:5173'],
      rateLimit: { max: 40, timeWindowMs: 60_000 },
    })
  })
  afterAll(() => s?.close())

  test('the preflight of a listed origin allows our clients headers and methods', async () => {
    for (const [path, method] of [
      ['/api/sync', 'POST'],
      ['/api/suppliers/x', 'PATCH'],
      ['/api/suppliers/x', 'DELETE'],
      ['/api/sync/events', 'GET'],
    ]) {
      const res = await preflight(`${s.url}${path}`, APP, method)
      expect(res.status, path).toBe(204)
      expect(res.headers.get('access-control-allow-origin')).toBe(APP)
      expect(listOf(res.headers.get('access-control-allow-methods'))).toContain(method.toLowerCase())
      const allowed = listOf(res.headers.get('access-control-allow-headers'))
      for (const h of CLIENT_HEADERS) expect(allowed, h).toContain(h)
      expect(res.headers.get('access-control-allow-credentials')).toBeNull()
      expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0)
      expect(listOf(res.headers.get('vary'))).toContain('origin')
    }
    const dev = await preflight(`${s.url}/api/sync`, 'http://localhost:5173')
    expect(dev.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
  })

  test('answers to a listed origin expose what clients read: Retry-After, the protocol, the request id', async () => {
    const res = await fetch(`${s.url}/api/sync/changes?limit=1`, {
      headers: {
        origin: APP,
        authorization: `Bearer ${s.as.collector.token}`,
        [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION),
      },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
    const exposed = listOf(res.headers.get('access-control-expose-headers'))
    for (const h of ['retry-after', PROTOCOL_HEADER, 'x-request-id']) expect(exposed, h).toContain(h)
    expect(res.headers.get(PROTOCOL_HEADER)).toBeTruthy()
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('an origin not on the list gets no CORS header at all, and its preflight is refused', async () => {
    for (const origin of [OTHER, 'null', `${APP}.evil.net`, 'http://app.example.com', `${APP}:8443`]) {
      const pre = await preflight(`${s.url}/api/sync`, origin)
      expect(pre.status, origin).toBe(404)
      expect(corsHeaders(pre), origin).toEqual([])
      const res = await fetch(`${s.url}/health`, { headers: { origin } })
      expect(res.status).toBe(200)
      expect(corsHeaders(res), origin).toEqual([])
    }
  })

  test('errors carry the CORS headers too, so the app can read the error code (401, 429; last: it spends the rate limit)', async () => {
    const unauth = await fetch(`${s.url}/api/auth/me`, { headers: { origin: APP } })
    expect(unauth.status).toBe(401)
    expect(unauth.headers.get('access-control-allow-origin')).toBe(APP)
    expect(((await unauth.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED')
    let limited: Response | undefined
    for (let i = 0; i < 60 && !limited; i++) {
      const res = await fetch(`${s.url}/api/suppliers`, { headers: { origin: APP } })
      if (res.status === 429) limited = res
      else await res.body?.cancel()
    }
    expect(limited?.status).toBe(429)
    expect(limited?.headers.get('access-control-allow-origin')).toBe(APP)
    expect(listOf(limited?.headers.get('access-control-expose-headers') ?? null)).toContain('retry-after')
  })
})

describe('TRACKVAULT_CORS_ORIGINS', () => {
  test('unset or empty: no origin', () => {
    expect(loadConfig({}).TRACKVAULT_CORS_ORIGINS).toEqual([])
    expect(loadConfig({ TRACKVAULT_CORS_ORIGINS: ' ' }).TRACKVAULT_CORS_ORIGINS).toEqual([])
  })

  test('a comma-separated list of exact origins', () => {
    expect(
      loadConfig({ TRACKVAULT_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).TRACKVAULT_CORS_ORIGINS,
    ).toEqual(['https://app.example.com', 'http://localhost:5173'])
  })

  test('anything that is not an origin is refused, each named', () => {
    for (const bad of [
      '*',
      'app.example.com',
      'https://app.example.com/',
      'https://app.example.com/path',
      'ftp://x.org',
    ]) {
      expect(() => loadConfig({ TRACKVAULT_CORS_ORIGINS: `https://ok.example.com,${bad}` }), bad).toThrow(
        new RegExp(`TRACKVAULT_CORS_ORIGINS: not an origin .*${bad.replace(/[.*/]/g, '\\$&')}`),
      )
    }
  })
})
