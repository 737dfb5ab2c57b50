/**
 * Event-stream tickets and the life of a stream (issue 11, item 2): a ticket
 * opens one event stream, once, and nothing else; it dies with the session
 * that minted it; every stream ends when its session ends (logout, expiry,
 * deactivation, password reset, role change), also when the session ends
 * through another server process on the same PostgreSQL database.
 */
import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { migrateToLatest } from '../src/db/migrate'
import { type ServerProcess, startServerProcess } from '../src/testing/server-process'
import { createTestDb, TEST_DIALECT, type TestDb } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'
import { rawRequest } from './helpers/raw-http'
import { connectEvents, openEvents, type SseStream } from './helpers/sse-client'
import { Api, PASSWORD, startTestServer, type TestServer } from './helpers/test-server'

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')
/** The session check interval of these servers. */
const CHECK_MS = 200

const open: SseStream[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((stream) => stream.close()))
})

async function stream(baseUrl: string, auth: { token: string } | { ticket: string }) {
  const s = await connectEvents(baseUrl, auth)
  open.push(s)
  expect((await s.next('ready')).event).toBe('ready')
  return s
}

/** Milliseconds until `stream` is ended by the server, or Infinity if it still runs after `withinMs`. */
async function endsWithin(s: SseStream, withinMs: number): Promise<number> {
  const started = performance.now()
  const ended = await Promise.race([
    s.ended.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), withinMs)),
  ])
  return ended ? performance.now() - started : Number.POSITIVE_INFINITY
}

async function ticketOf(api: Api): Promise<string> {
  const res = await api.post('/api/sync/events/ticket')
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.ticket
}

describe('one server process', () => {
  let s: TestServer
  let n = 0
  beforeAll(async () => {
    s = await startTestServer({ liveSessionCheckMs: CHECK_MS })
  })
  afterAll(() => s?.close())

  async function freshUser(role: 'collector' | 'manager' = 'collector') {
    const email = `session${++n}@test.local`
    const user = await createUser(s.db.handle.db, { name: `Session ${n}`, email, password: PASSWORD, role })
    return { id: user.id, email, api: await s.login(email, PASSWORD, `device-${n}`) }
  }

  test('a ticket is no bearer token in any form, and cannot mint another ticket', async () => {
    const ticket = await ticketOf(s.as.collector)
    for (const header of [`Bearer ${ticket}`, `Bearer sse-ticket:${ticket}`, `bearer sse-ticket:${ticket}`]) {
      for (const [method, path] of [
        ['GET', '/api/auth/me'],
        ['GET', '/api/suppliers'],
        ['GET', '/api/sync/changes'],
        ['POST', '/api/sync/events/ticket'],
        ['POST', '/api/auth/logout'],
        ['GET', '/api/sync/events'],
      ]) {
        const res = await rawRequest(s.url, {
          method,
          path,
          headers: { authorization: header, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          body: method === 'POST' ? '{}' : undefined,
        })
        expect(res.status, `${header.slice(0, 20)}… ${method} ${path}`).toBe(401)
      }
    }
    // Nor as a ticket in the query of another route.
    expect((await s.anon.get(`/api/auth/me?ticket=${ticket}`)).status).toBe(401)
    // The ticket itself still opens its one stream.
    await stream(s.url, { ticket })
    const again = await openEvents(`${s.url}/api/sync/events?ticket=${ticket}`)
    expect(again).toMatchObject({ ok: false, status: 401 })
  })

  test('a ticket records the session that minted it and is refused once that session has ended', async () => {
    const u = await freshUser()
    const rows = async (ticket: string) =>
      s.db.handle.db
        .selectFrom('auth_tokens')
        .select(['kind', 'parent_hash', 'expires_at'])
        .where('token_hash', '=', sha256(`sse-ticket:${ticket}`))
        .executeTakeFirstOrThrow()
    const byLogout = await ticketOf(u.api)
    expect(await rows(byLogout)).toMatchObject({ kind: 'sse_ticket', parent_hash: sha256(u.api.token as string) })
    expect((await u.api.post('/api/auth/logout')).status).toBe(204)
    expect(await openEvents(`${s.url}/api/sync/events?ticket=${byLogout}`)).toMatchObject({ ok: false, status: 401 })

    const v = await freshUser()
    const byExpiry = await ticketOf(v.api)
    await s.db.handle.db
      .updateTable('auth_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', sha256(v.api.token as string))
      .execute()
    expect(await openEvents(`${s.url}/api/sync/events?ticket=${byExpiry}`)).toMatchObject({ ok: false, status: 401 })

    const w = await freshUser()
    const byDeactivation = await ticketOf(w.api)
    await s.db.handle.db.updateTable('users').set({ is_active: 0 }).where('id', '=', w.id).execute()
    expect(await openEvents(`${s.url}/api/sync/events?ticket=${byDeactivation}`)).toMatchObject({
      ok: false,
      status: 401,
    })
  })

  test('logout ends the streams of that session at once (header and ticket), not those of another session', async () => {
    const u = await freshUser()
    const other = await s.login(u.email, PASSWORD, 'other-phone')
    const byHeader = await stream(s.url, { token: u.api.token as string })
    const byTicket = await stream(s.url, { ticket: await ticketOf(u.api) })
    const otherStream = await stream(s.url, { token: other.token as string })
    expect((await u.api.post('/api/auth/logout')).status).toBe(204)
    const took = Math.max(await endsWithin(byHeader, 1000), await endsWithin(byTicket, 1000))
    console.log(`logout -> its streams ended after ${took.toFixed(1)} ms (${TEST_DIALECT})`)
    expect(took).toBeLessThan(CHECK_MS)
    expect(await endsWithin(otherStream, 3 * CHECK_MS)).toBe(Number.POSITIVE_INFINITY)
    expect(await openEvents(`${s.url}/api/sync/events`, { authorization: `Bearer ${u.api.token}` })).toMatchObject({
      ok: false,
      status: 401,
    })
  })

  test('deactivation, password reset and a role change through the API end the streams at once', async () => {
    const cases: Array<[string, (id: string) => Promise<{ status: number }>]> = [
      ['deactivation', (id) => s.as.admin.patch(`/api/users/${id}`, { is_active: false })],
      ['password reset', (id) => s.as.admin.post(`/api/users/${id}/password`, { password: 'a-new-password-1' })],
      ['role change', (id) => s.as.admin.patch(`/api/users/${id}`, { role: 'finance' })],
    ]
    for (const [what, change] of cases) {
      const u = await freshUser()
      const streams = [
        await stream(s.url, { token: u.api.token as string }),
        await stream(s.url, { ticket: await ticketOf(u.api) }),
      ]
      expect((await change(u.id)).status, what).toBeLessThan(300)
      for (const st of streams) expect(await endsWithin(st, 1000), what).toBeLessThan(CHECK_MS)
    }
  })

  test('expiry and a change made directly in the database end the streams within the check interval', async () => {
    const expiring = await freshUser()
    const disabled = await freshUser()
    const a = await stream(s.url, { token: expiring.api.token as string })
    const b = await stream(s.url, { ticket: await ticketOf(disabled.api) })
    await s.db.handle.db
      .updateTable('auth_tokens')
      .set({ expires_at: new Date(Date.now() + 300).toISOString() })
      .where('token_hash', '=', sha256(expiring.api.token as string))
      .execute()
    await s.db.handle.db.updateTable('users').set({ is_active: 0 }).where('id', '=', disabled.id).execute()
    const tookA = await endsWithin(a, 3000)
    const tookB = await endsWithin(b, 3000)
    console.log(`expiry -> stream ended after ${tookA.toFixed(0)} ms; direct deactivation -> ${tookB.toFixed(0)} ms`)
    expect(tookA).toBeLessThan(300 + 3 * CHECK_MS)
    expect(tookB).toBeLessThan(3 * CHECK_MS)
  })

  test('a stream whose session lives is not ended by the checks', async () => {
    const u = await freshUser('manager')
    const st = await stream(s.url, { token: u.api.token as string })
    expect(await endsWithin(st, 5 * CHECK_MS)).toBe(Number.POSITIVE_INFINITY)
    expect((await s.as.manager.post('/api/suppliers', { code: `S-${++n}`, name: 'Poke' })).status).toBe(201)
    expect((await st.next('change')).event).toBe('change')
  })
})

// Several processes share one database only on PostgreSQL.
describe.skipIf(TEST_DIALECT !== 'postgres')('two server processes on one PostgreSQL database', () => {
  let db: TestDb
  let a: ServerProcess
  let b: ServerProcess
  const email = 'two-process@test.local'
  beforeAll(async () => {
    db = await createTestDb()
    await createUser(db.handle.db, { name: 'Two processes', email, password: PASSWORD, role: 'manager' })
    const env = {
      ...db.env,
      TRACKVAULT_WEB_ROOT: '/nonexistent/web-root',
      TRACKVAULT_LIVE_SESSION_CHECK_SECONDS: '0.3',
    }
    ;[a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
  }, 30_000)
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await db?.drop().catch(() => {})
  })

  const login = async (server: ServerProcess) => {
    const res = await new Api(server.url).post('/api/auth/login', { email, password: PASSWORD })
    expect(res.status).toBe(200)
    return new Api(server.url, res.body.token)
  }

  test('a logout served by process A ends the streams of that session on process B', async () => {
    const onA = await login(a)
    const onB = new Api(b.url, onA.token)
    const byHeader = await stream(b.url, { token: onA.token as string })
    // A ticket minted on A opens a stream on B.
    const byTicket = await stream(b.url, { ticket: await ticketOf(onA) })
    const untouched = await stream(b.url, { token: (await login(b)).token as string })
    expect((await onA.post('/api/auth/logout')).status).toBe(204)
    const took = Math.max(await endsWithin(byHeader, 3000), await endsWithin(byTicket, 3000))
    console.log(`logout on A -> streams on B ended after ${took.toFixed(0)} ms (check every 300 ms)`)
    expect(took).toBeLessThan(1500)
    expect(await endsWithin(untouched, 900)).toBe(Number.POSITIVE_INFINITY)
    expect((await onB.get('/api/auth/me')).status).toBe(401)
  })

  test('a deactivation served by process A ends the streams of that user on process B', async () => {
    const user = await createUser(db.handle.db, {
      name: 'Deactivated elsewhere',
      email: 'elsewhere@test.local',
      password: PASSWORD,
      role: 'collector',
    })
    const res = await new Api(b.url).post('/api/auth/login', { email: 'elsewhere@test.local', password: PASSWORD })
    const onB = new Api(b.url, res.body.token)
    const st = await stream(b.url, { ticket: await ticketOf(onB) })
    const admin = await createUser(db.handle.db, {
      name: 'Admin',
      email: 'admin-two@test.local',
      password: PASSWORD,
      role: 'admin',
    })
    const adminRes = await new Api(a.url).post('/api/auth/login', { email: admin.email, password: PASSWORD })
    const adminOnA = new Api(a.url, adminRes.body.token)
    expect((await adminOnA.patch(`/api/users/${user.id}`, { is_active: false })).status).toBe(200)
    expect(await endsWithin(st, 3000)).toBeLessThan(1500)
  })
})

describe('migration 004-auth-token-kind', () => {
  test('outstanding tickets of the old form become revoked tickets; sessions stay sessions', async () => {
    const db = await createTestDb({ migrate: false })
    try {
      await migrateToLatest(db.handle.db, '003-change-owner')
      const user = await createUser(db.handle.db, {
        name: 'Upgraded',
        email: 'upgraded@test.local',
        password: PASSWORD,
        role: 'collector',
      })
      const now = Date.now()
      const row = (hash: string, lifetimeMs: number) => ({
        token_hash: hash,
        user_id: user.id,
        device_id: 'd1',
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + lifetimeMs).toISOString(),
        revoked_at: null,
      })
      // biome-ignore lint/suspicious/noExplicitAny: the table before migration 004 has no kind column
      const old = db.handle.db as any
      await old
        .insertInto('auth_tokens')
        .values([row(sha256('session-token'), 30 * 24 * 3600_000), row(sha256('sse-ticket:old-ticket'), 60_000)])
        .execute()
      await migrateToLatest(db.handle.db)
      const rows = await db.handle.db
        .selectFrom('auth_tokens')
        .select(['token_hash', 'kind', 'parent_hash', 'revoked_at'])
        .orderBy('kind')
        .execute()
      expect(rows).toEqual([
        { token_hash: sha256('session-token'), kind: 'session', parent_hash: null, revoked_at: null },
        {
          token_hash: sha256('sse-ticket:old-ticket'),
          kind: 'sse_ticket',
          parent_hash: null,
          revoked_at: expect.any(String),
        },
      ])
    } finally {
      await db.drop()
    }
  })
})
