/** The start command as a real process: migrations, first admin, demo data, graceful shutdown. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../src/seed/bootstrap'
import { startServerProcess } from '../src/testing/server-process'
import { createTestDb, type TestDb } from '../src/testing/test-db'

describe('demo mode', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb()
    await db.handle.close()
  })
  afterAll(() => db?.drop().catch(() => {}))

  test('seeds demo data and accounts, prints the credentials, and shuts down gracefully on SIGTERM', async () => {
    const server = await startServerProcess({ ...db.env, TRACKVAULT_DEMO: '1' })
    try {
      expect(server.output()).toContain(DEMO_ACCOUNTS[0].email)
      for (const account of DEMO_ACCOUNTS) {
        const res = await fetch(`${server.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: account.email, password: DEMO_PASSWORD }),
        })
        expect(res.status).toBe(200)
      }
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: DEMO_ACCOUNTS[1].email, password: DEMO_PASSWORD }),
      }).then((r) => r.json())
      const auth = { authorization: `Bearer ${login.token}` }
      const suppliers = await fetch(`${server.url}/api/suppliers`, { headers: auth }).then((r) => r.json())
      expect(suppliers.total).toBeGreaterThanOrEqual(5)
      const collections = await fetch(`${server.url}/api/collections`, { headers: auth }).then((r) => r.json())
      expect(collections.total).toBeGreaterThan(20)
      const report = await fetch(`${server.url}/api/reports/balances`, { headers: auth }).then((r) => r.json())
      expect(report.totals.total_collections).toMatch(/^\d+\.\d{2}$/)
      // The built web app is served at / with deep links falling back to index.html.
      const html = { accept: 'text/html' }
      const home = await fetch(`${server.url}/`, { headers: html })
      expect(home.status).toBe(200)
      expect(await home.text()).toContain('<div id="root">')
      const deep = await fetch(`${server.url}/suppliers/some-id`, { headers: html })
      expect(await deep.text()).toContain('<div id="root">')
      const sw = await fetch(`${server.url}/sw.js`)
      expect(sw.headers.get('cache-control')).toBe('no-cache')
      const apiMiss = await fetch(`${server.url}/api/nothing-here`, { headers: html })
      expect(apiMiss.status).toBe(404)
      expect((await apiMiss.json()).error.code).toBe('NOT_FOUND')
      // A request in flight when SIGTERM arrives still completes.
      const inFlight = fetch(`${server.url}/api/reports/balances`, { headers: auth })
      const code = await server.stop('SIGTERM')
      expect(code, server.output().slice(-3000)).toBe(0)
      expect((await inFlight).status).toBe(200)
    } finally {
      await server.stop('SIGKILL')
    }
  })
})

describe('first start without demo data', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb()
    await db.handle.close()
  })
  afterAll(() => db?.drop().catch(() => {}))

  test('creates the admin from the environment, no demo accounts, and logs JSON', async () => {
    const server = await startServerProcess({
      ...db.env,
      TRACKVAULT_DEMO: '0',
      TRACKVAULT_ADMIN_EMAIL: 'boss@example.com',
      TRACKVAULT_ADMIN_PASSWORD: 'a-long-secret',
    })
    try {
      const login = (email: string, password: string) =>
        fetch(`${server.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        })
      expect((await login('boss@example.com', 'a-long-secret')).status).toBe(200)
      expect((await login(DEMO_ACCOUNTS[0].email, DEMO_PASSWORD)).status).toBe(401)
      const firstLine = server
        .output()
        .split('\n')
        .find((l) => l.startsWith('{'))
      expect(JSON.parse(firstLine ?? 'null')).toMatchObject({ level: 30 })
    } finally {
      await server.stop()
    }
  })
})
