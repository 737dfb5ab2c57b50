/** The users' names, for the roles that see others' records (lists name who recorded what). */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
beforeAll(async () => {
  s = await startTestServer()
})
afterAll(() => s?.close())

test('admins, managers and finance read every user name and role; collectors may not; no email, no hash', async () => {
  for (const role of ['admin', 'manager', 'finance'] as const) {
    const res = await s.as[role].get('/api/people')
    expect(res.status, role).toBe(200)
    const ids = res.body.data.map((p: { id: string }) => p.id)
    for (const u of Object.values(s.users)) expect(ids).toContain(u.id)
    for (const p of res.body.data) expect(Object.keys(p).sort()).toEqual(['id', 'is_active', 'name', 'role'])
  }
  const collector = await s.as.collector.get('/api/people')
  expect([collector.status, collector.body.error.code]).toEqual([403, 'FORBIDDEN'])
  expect((await s.anon.get('/api/people')).status).toBe(401)
})
