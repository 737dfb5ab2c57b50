/**
 * Security headers on every kind of answer, and who may read /metrics
 * (issue 11, item 11). The browser side (the web app and the Swagger UI
 * working under the policy) is tests/web/security-headers.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadConfig } from '../src/config'
import { rawRequest } from './helpers/raw-http'
import { startTestServer, type TestServer } from './helpers/test-server'

/** The headers every answer must carry, whatever served it. */
function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string) {
  const csp = String(headers['content-security-policy'] ?? '')
  const directives = Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values.join(' ')]),
  )
  expect(directives, `${what}: ${csp}`).toMatchObject({
    'default-src': "'self'",
    'script-src': "'self'",
    'connect-src': "'self'",
    'worker-src': "'self'",
    'manifest-src': "'self'",
    'object-src': "'none'",
    'frame-ancestors': "'none'",
  })
  expect(csp, what).not.toMatch(/unsafe-eval|upgrade-insecure-requests|\*/)
  // Inline styles on the Swagger UI's pages only (its bundle adds <style> elements); never inline scripts.
  expect(directives['script-src'], what).not.toContain('unsafe-inline')
  if (!what.startsWith('Swagger UI')) expect(csp, what).not.toContain('unsafe-inline')
  expect(headers['x-frame-options'], what).toBe('DENY')
  expect(headers['x-content-type-options'], what).toBe('nosniff')
  expect(headers['referrer-policy'], what).toBe('no-referrer')
  expect(headers['strict-transport-security'], what).toMatch(/^max-age=\d+$/)
}

describe('security headers', () => {
  let s: TestServer
  let webRoot: string
  beforeAll(async () => {
    // A stand-in for the built web app: the headers do not depend on what the files hold.
    webRoot = mkdtempSync(join(tmpdir(), 'trackvault-web-'))
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>TrackVault</title>')
    writeFileSync(join(webRoot, 'sw.js'), 'self.addEventListener("fetch", () => {})')
    writeFileSync(join(webRoot, 'manifest.webmanifest'), '{"name":"TrackVault"}')
    s = await startTestServer({ webRoot })
  })
  afterAll(async () => {
    await s?.close()
    rmSync(webRoot, { recursive: true, force: true })
  })

  test('on API answers, errors, the web app, the docs, the health check and the event stream', async () => {
    const token = s.as.manager.token as string
    const cases: Array<[string, string, Record<string, string>, number]> = [
      ['API read', '/api/suppliers', { authorization: `Bearer ${token}` }, 200],
      ['API error', '/api/suppliers', {}, 401],
      ['not found', '/api/nothing-here', {}, 404],
      ['health', '/health', {}, 200],
      ['OpenAPI document', '/api/openapi.json', {}, 200],
      ['Swagger UI', '/api/docs/', {}, 200],
      ['Swagger UI script', '/api/docs/static/swagger-initializer.js', {}, 200],
      ['web app', '/', { accept: 'text/html' }, 200],
      ['web app deep link', '/collections/new', { accept: 'text/html' }, 200],
      ['service worker', '/sw.js', {}, 200],
      ['manifest', '/manifest.webmanifest', {}, 200],
      ['metrics (off)', '/metrics', {}, 404],
      ['event stream', '/api/sync/events', { authorization: `Bearer ${token}` }, 200],
    ]
    for (const [what, path, headers, status] of cases) {
      const res = await rawRequest(s.url, { method: 'GET', path, headers })
      expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(status)
      expectSecurityHeaders(res.headers, what)
    }
  })
})

describe('GET /metrics', () => {
  const TOKEN = 'scrape-me-if-you-can-0123456789'
  const get = (s: TestServer, authorization?: string) =>
    rawRequest(s.url, { method: 'GET', path: '/metrics', headers: authorization ? { authorization } : {} })

  test('with neither a token nor public, nobody reads it: 404 NOT_FOUND', async () => {
    const s = await startTestServer()
    try {
      for (const auth of [undefined, `Bearer ${TOKEN}`, `Bearer ${s.as.admin.token}`]) {
        const res = await get(s, auth)
        expect(res.status).toBe(404)
        expect((res.json as { error: { code: string } }).error.code).toBe('NOT_FOUND')
        expect(res.text).not.toContain('trackvault_')
      }
    } finally {
      await s.close()
    }
  })

  test('with a token, only its bearer reads it; anyone else (a user token too) gets 401', async () => {
    const s = await startTestServer({ metrics: { token: TOKEN } })
    try {
      for (const auth of [
        undefined,
        'Bearer wrong',
        `Bearer ${TOKEN}x`,
        `Basic ${TOKEN}`,
        `Bearer ${s.as.admin.token}`,
      ]) {
        const res = await get(s, auth)
        expect(res.status, String(auth)).toBe(401)
        expect((res.json as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED')
        expect(res.text).not.toContain('trackvault_')
      }
      const ok = await get(s, `Bearer ${TOKEN}`)
      expect(ok.status).toBe(200)
      expect(ok.text).toContain('trackvault_http_request_duration_seconds')
    } finally {
      await s.close()
    }
  })

  test('public when the operator says so', async () => {
    const s = await startTestServer({ metrics: { public: true } })
    try {
      const res = await get(s)
      expect(res.status).toBe(200)
      expect(res.text).toContain('process_cpu_seconds_total')
    } finally {
      await s.close()
    }
  })

  test('TRACKVAULT_METRICS_TOKEN needs 16 characters; TRACKVAULT_METRICS_PUBLIC is 0 or 1', () => {
    expect(loadConfig({}).TRACKVAULT_METRICS_PUBLIC).toBe('0')
    expect(loadConfig({ TRACKVAULT_METRICS_TOKEN: TOKEN }).TRACKVAULT_METRICS_TOKEN).toBe(TOKEN)
    expect(() => loadConfig({ TRACKVAULT_METRICS_TOKEN: 'short' })).toThrow(/TRACKVAULT_METRICS_TOKEN/)
    expect(() => loadConfig({ TRACKVAULT_METRICS_PUBLIC: 'yes' })).toThrow(/TRACKVAULT_METRICS_PUBLIC/)
  })
})
