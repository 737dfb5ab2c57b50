/** GET /api/sync/events: authenticated Server-Sent Events that poke devices when changes commit, across processes. */
import { decodeCursor, newId } from '@trackvault/core'
import type { KyselyPlugin } from 'kysely'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { buildApp } from '../src/app'
import { issueToken } from '../src/auth/tokens'
import { headCursor } from '../src/domain/change-log'
import { type ServerProcess, startServerProcess } from '../src/testing/server-process'
import { createTestDb, TEST_DIALECT, type TestDb } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'
import { connectEvents, cursorOf, newDispatcher, openEvents, type SseEvent, type SseStream } from './helpers/sse-client'
import { TestDevice } from './helpers/sync-client'
import { Api, PASSWORD, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

/** A poke must reach connected devices well within this. */
const MAX_POKE_MS = 1000

const seqOf = (e: SseEvent) => decodeCursor(cursorOf(e)) as number

/** Streams opened by a test; closed after it so no test leaks listeners into the next. */
const open: SseStream[] = []
const closeAll = () => Promise.all(open.splice(0).map((stream) => stream.close()))
afterEach(closeAll)

/** `openEvents`, keeping a stream that opened (even one that should not have) for closing after the test. */
async function tryOpen(url: string, headers: Record<string, string> = {}) {
  const opened = await openEvents(url, headers)
  if (opened.ok) open.push(opened.stream)
  return opened
}

async function connect(baseUrl: string, auth: { token: string } | { ticket: string }) {
  const stream = await connectEvents(baseUrl, auth)
  open.push(stream)
  return stream
}

const supplier = () => ({ code: `S-${newId().slice(-8)}`, name: 'Live supplier' })

/** Polls `probe` until it returns true or `timeoutMs` passes; returns whether it did. */
async function eventually(probe: () => boolean | Promise<boolean>, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('one server process', () => {
  let s: TestServer
  /** The manager's device; one instance for the file, so its seq keeps increasing. */
  let managerDevice: TestDevice
  beforeAll(async () => {
    s = await startTestServer()
    managerDevice = new TestDevice(s.as.manager, 'device-manager')
  })
  afterAll(() => s?.close())
  // Every test closes its streams; wait until the server has seen them go, so counts start from zero.
  afterEach(async () => {
    await closeAll()
    await eventually(() => s.app.changeFeed.listenerCount('change') === 0)
  })

  const token = (api: Api) => ({ token: api.token as string })
  const ticketFor = async (api: Api) => {
    const res = await api.post('/api/sync/events/ticket')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body as { ticket: string; expires_at: string }
  }

  describe('authentication', () => {
    test('without credentials, with an unknown token or an unknown ticket the stream is refused with 401', async () => {
      const none = await tryOpen(`${s.url}/api/sync/events`)
      expect(none).toMatchObject({ ok: false, status: 401, body: { error: { code: 'UNAUTHENTICATED' } } })
      const badToken = await tryOpen(`${s.url}/api/sync/events`, { authorization: 'Bearer not-a-token' })
      expect(badToken).toMatchObject({ ok: false, status: 401 })
      const badTicket = await tryOpen(`${s.url}/api/sync/events?ticket=not-a-ticket`)
      expect(badTicket).toMatchObject({ ok: false, status: 401 })
      expect((await s.anon.post('/api/sync/events/ticket')).status).toBe(401)
    })

    test('the Authorization header opens the stream with no token in the URL; the first event is ready with the current cursor', async () => {
      // A write first, so the cursor is not the trivial c0.
      expect((await s.as.manager.post('/api/suppliers', supplier())).status).toBe(201)
      const head = await headCursor(s.db.handle.db)
      const stream = await connect(s.url, token(s.as.collector))
      expect(stream.response.url).toBe(`${s.url}/api/sync/events`)
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
      expect(stream.response.headers.get('cache-control')).toMatch(/no-cache/)
      const ready = await stream.next()
      expect(ready.event).toBe('ready')
      expect(stream.events[0]).toBe(ready)
      expect(cursorOf(ready)).toBe(head)
      expect(ready.id).toBe(head)
      expect(decodeCursor(head)).toBeGreaterThan(0)
      // The EventSource reconnection delay is announced.
      expect(stream.parser.retry).toBeGreaterThan(0)
    })

    test('a ticket opens the stream once: a second use is refused', async () => {
      const before = Date.now()
      const { ticket, expires_at } = await ticketFor(s.as.collector)
      // Short-lived: about a minute, never the session's 30 days.
      expect(Date.parse(expires_at)).toBeGreaterThan(before)
      expect(Date.parse(expires_at)).toBeLessThanOrEqual(Date.now() + 61_000)
      const stream = await connect(s.url, { ticket })
      expect((await stream.next()).event).toBe('ready')
      const again = await tryOpen(`${s.url}/api/sync/events?ticket=${encodeURIComponent(ticket)}`)
      expect(again).toMatchObject({ ok: false, status: 401, body: { error: { code: 'UNAUTHENTICATED' } } })
      // Even after the first stream is gone.
      await stream.close()
      const third = await tryOpen(`${s.url}/api/sync/events?ticket=${encodeURIComponent(ticket)}`)
      expect(third).toMatchObject({ ok: false, status: 401 })
    })

    test('an expired ticket is refused', async () => {
      const { ticket, expires_at } = await ticketFor(s.as.finance)
      // Age the ticket past its expiry instead of waiting a minute.
      const aged = await s.db.handle.db
        .updateTable('auth_tokens')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('user_id', '=', s.users.finance.id)
        .where('expires_at', '=', expires_at)
        .executeTakeFirst()
      expect(Number(aged.numUpdatedRows)).toBe(1)
      const res = await tryOpen(`${s.url}/api/sync/events?ticket=${encodeURIComponent(ticket)}`)
      expect(res).toMatchObject({ ok: false, status: 401, body: { error: { code: 'UNAUTHENTICATED' } } })
    })

    test('one ticket sent twice at the same time opens exactly one stream', async () => {
      for (let round = 0; round < 3; round++) {
        const { ticket } = await ticketFor(s.as.collector)
        const url = `${s.url}/api/sync/events?ticket=${encodeURIComponent(ticket)}`
        const answers = await Promise.all([tryOpen(url), tryOpen(url), tryOpen(url)])
        expect(answers.map((a) => (a.ok ? 200 : a.status)).sort()).toEqual([200, 401, 401])
      }
    })

    test('a ticket is not a bearer token, and a session token is not a ticket', async () => {
      const { ticket } = await ticketFor(s.as.manager)
      // A ticket travels in URLs (logs, proxies): it must open the stream and nothing else.
      const asBearer = new Api(s.url, ticket)
      expect((await asBearer.get('/api/suppliers')).status).toBe(401)
      expect((await tryOpen(`${s.url}/api/sync/events`, { authorization: `Bearer ${ticket}` })).ok).toBe(false)
      // The long-lived session token is refused in the URL, and stays valid (not consumed as a ticket).
      const session = await s.login(s.users.manager.email, PASSWORD, 'device-manager')
      const inUrl = await tryOpen(`${s.url}/api/sync/events?ticket=${encodeURIComponent(session.token as string)}`)
      expect(inUrl).toMatchObject({ ok: false, status: 401 })
      expect((await session.get('/api/suppliers')).status).toBe(200)
      // The ticket itself is still unused and works once.
      const stream = await connect(s.url, { ticket })
      expect((await stream.next()).event).toBe('ready')
    })
  })

  describe('pokes', () => {
    test('a REST write pokes a connected client within a second; pulling from its cursor returns the change', async () => {
      const stream = await connect(s.url, token(s.as.collector))
      const ready = await stream.next('ready')
      const started = performance.now()
      const created = await s.as.manager.post('/api/suppliers', supplier())
      expect(created.status).toBe(201)
      const change = await stream.next('change')
      const latency = change.at - started
      console.log(`REST write -> change event: ${latency.toFixed(1)} ms (${TEST_DIALECT})`)
      expect(latency).toBeLessThan(MAX_POKE_MS)
      expect(seqOf(change)).toBeGreaterThan(seqOf(ready))
      expect(change.id).toBe(cursorOf(change))
      const pulled = await s.as.collector.get(`/api/sync/changes?since=${cursorOf(ready)}`)
      expect(pulled.status).toBe(200)
      expect(pulled.body.changes).toContainEqual(
        expect.objectContaining({ entity_type: 'supplier', entity_id: created.body.id, version: 1 }),
      )
      expect(decodeCursor(pulled.body.cursor)).toBeGreaterThanOrEqual(seqOf(change))
    })

    test('a sync push pokes with a cursor at or after the one the push returned', async () => {
      const device = managerDevice
      const stream = await connect(s.url, token(s.as.finance))
      const ready = await stream.next('ready')
      const id = newId()
      const started = performance.now()
      const pushed = await device.push([device.op('supplier', 'create', id, supplier())])
      expect(pushed.status).toBe(200)
      expect(pushed.body.results[0].status).toBe('success')
      const change = await stream.next('change')
      const latency = change.at - started
      console.log(`sync push -> change event: ${latency.toFixed(1)} ms (${TEST_DIALECT})`)
      expect(latency).toBeLessThan(MAX_POKE_MS)
      expect(seqOf(change)).toBeGreaterThanOrEqual(decodeCursor(pushed.body.cursor) as number)
      const pulled = await s.as.finance.get(`/api/sync/changes?since=${cursorOf(ready)}`)
      expect(pulled.body.changes.map((c: { entity_id: string }) => c.entity_id)).toContain(id)
    })

    test('a push that changes nothing (a replay) sends no change event', async () => {
      const device = managerDevice
      const ops = [device.op('supplier', 'create', newId(), supplier())]
      expect((await device.push(ops)).body.results[0].status).toBe('success')
      const stream = await connect(s.url, token(s.as.manager))
      await stream.next('ready')
      const replay = await device.push(ops)
      expect(replay.body.results[0].status).toBe('duplicate')
      await expect(stream.next('change', 300)).rejects.toThrow(/no 'change' event/)
    })

    test('several connected clients (header and ticket) all get the poke', async () => {
      const streams = await Promise.all([
        connect(s.url, token(s.as.admin)),
        connect(s.url, token(s.as.manager)),
        connect(s.url, token(s.as.finance)),
        connect(s.url, token(s.as.collector)),
        connect(s.url, token(s.as.collector)),
        connect(s.url, { ticket: (await ticketFor(s.as.collector)).ticket }),
      ])
      await Promise.all(streams.map((stream) => stream.next('ready')))
      const started = performance.now()
      const created = await s.as.manager.post('/api/suppliers', supplier())
      expect(created.status).toBe(201)
      const changes = await Promise.all(streams.map((stream) => stream.next('change')))
      const slowest = Math.max(...changes.map((c) => c.at - started))
      console.log(`one write -> ${streams.length} clients poked, slowest ${slowest.toFixed(1)} ms (${TEST_DIALECT})`)
      expect(slowest).toBeLessThan(MAX_POKE_MS)
      expect(new Set(changes.map(cursorOf)).size).toBe(1)
    })

    test("a collector's stream is poked for its own rows and shared ones, not for another collector's", async () => {
      const basics = await seedBasics(s.as.manager)
      const other = await createUser(s.db.handle.db, {
        name: 'Other collector',
        email: `other-${newId().slice(-6)}@test.local`,
        password: PASSWORD,
        role: 'collector',
      })
      const otherApi = new Api(s.url, (await issueToken(s.db.handle.db, other.id, 'device-other', 3600_000)).token)
      const collection = (over: Record<string, unknown> = {}) => ({
        supplier_id: basics.supplierId,
        product_id: basics.productId,
        collection_date: '2026-05-01',
        quantity: '1',
        unit: 'kg',
        ...over,
      })
      const mine = await connect(s.url, token(s.as.collector))
      const managers = await connect(s.url, token(s.as.manager))
      await Promise.all([mine.next('ready'), managers.next('ready')])
      expect((await otherApi.post('/api/collections', collection())).status).toBe(201)
      await managers.next('change')
      await expect(mine.next('change', 300)).rejects.toThrow(/no 'change' event/)
      const forMe = await s.as.manager.post('/api/collections', collection({ user_id: s.users.collector.id }))
      expect(forMe.status).toBe(201)
      const poke = await mine.next('change')
      const pulled = await s.as.collector.get(`/api/sync/changes?since=${cursorOf(mine.events[0])}`)
      expect(pulled.body.changes.map((c: { entity_id: string }) => c.entity_id)).toContain(forMe.body.id)
      expect(decodeCursor(pulled.body.cursor)).toBeGreaterThanOrEqual(seqOf(poke))
      // Moved away from the collector: it is poked, and pulls the revoked tombstone.
      const moved = await s.as.manager.patch(`/api/collections/${forMe.body.id}`, { version: 1, user_id: other.id })
      expect(moved.status).toBe(200)
      await mine.next('change')
    })

    test('a client that disconnects is unsubscribed from the change feed', async () => {
      expect(s.app.changeFeed.listenerCount('change')).toBe(0)
      const streams = await Promise.all([1, 2, 3].map(() => connect(s.url, token(s.as.manager))))
      await Promise.all(streams.map((stream) => stream.next('ready')))
      expect(s.app.changeFeed.listenerCount('change')).toBe(3)
      expect(s.app.liveStreams.size).toBe(3)
      await Promise.all(streams.map((stream) => stream.close()))
      expect(await eventually(() => s.app.changeFeed.listenerCount('change') === 0)).toBe(true)
      expect(s.app.liveStreams.size).toBe(0)
      // Writes after the disconnect still work (nothing writes into the closed sockets).
      expect((await s.as.manager.post('/api/suppliers', supplier())).status).toBe(201)
    })
  })
})

describe('a client that goes away while its stream is being opened', () => {
  test('leaves nothing subscribed', async () => {
    const db = await createTestDb()
    // Every query answers late while `delayMs` is set: the client can leave while the handler awaits the database.
    let delayMs = 0
    const slow: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
        return args.result
      },
    }
    const app = await buildApp({ db: { ...db.handle, db: db.handle.db.withPlugin(slow) } })
    try {
      await app.listen({ port: 0, host: '127.0.0.1' })
      const address = app.server.address()
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
      const user = await createUser(db.handle.db, {
        name: 'Gone',
        email: 'gone@test.local',
        password: PASSWORD,
        role: 'collector',
      })
      const { token } = await issueToken(db.handle.db, user.id, null, 60_000)
      delayMs = 150
      await Promise.all(
        [50, 200, 350].map(async (leaveAfter) => {
          const controller = new AbortController()
          const dispatcher = newDispatcher()
          const init = { headers: { authorization: `Bearer ${token}` }, signal: controller.signal, dispatcher }
          const pending = fetch(`${url}/api/sync/events`, init as RequestInit).catch(() => undefined)
          await new Promise((r) => setTimeout(r, leaveAfter))
          controller.abort()
          await pending
          await dispatcher?.destroy()
        }),
      )
      // Long enough for every handler to get past its database reads.
      await new Promise((r) => setTimeout(r, 800))
      delayMs = 0
      expect(app.changeFeed.listenerCount('change')).toBe(0)
      expect(app.liveStreams.size).toBe(0)
    } finally {
      delayMs = 0
      await app.close()
      await db.drop()
    }
  })
})

describe('shutdown', () => {
  test('closing the server with open streams resolves promptly and ends the streams', async () => {
    const server = await startTestServer()
    try {
      const streams = await Promise.all([
        connectEvents(server.url, { token: server.as.manager.token as string }),
        connectEvents(server.url, { token: server.as.collector.token as string }),
        connectEvents(server.url, {
          ticket: (await server.as.finance.post('/api/sync/events/ticket')).body.ticket,
        }),
      ])
      await Promise.all(streams.map((stream) => stream.next('ready')))
      const started = performance.now()
      await server.app.close()
      const took = performance.now() - started
      console.log(`app.close() with ${streams.length} open streams: ${took.toFixed(1)} ms`)
      expect(took).toBeLessThan(3000)
      // Every stream was ended by the server (not left hanging until the client gives up).
      const ended = await Promise.race([
        Promise.all(streams.map((stream) => stream.ended)).then(() => true),
        new Promise((r) => setTimeout(() => r(false), 2000)),
      ])
      expect(ended).toBe(true)
      expect(server.app.changeFeed.listenerCount('change')).toBe(0)
    } finally {
      await server.db.drop()
    }
  })
})

// LISTEN/NOTIFY exists only on PostgreSQL; an embedded SQLite file is served by one process, so there
// is no other process to poke and nothing to test here on SQLite.
describe.skipIf(TEST_DIALECT !== 'postgres')('two server processes on one PostgreSQL database', () => {
  let db: TestDb
  let a: ServerProcess
  let b: ServerProcess
  const email = 'live-manager@test.local'
  let onA: Api
  let onB: Api
  /** The signed-in devices, one per process; each keeps its own seq. */
  let deviceA: TestDevice
  let deviceB: TestDevice

  beforeAll(async () => {
    db = await createTestDb()
    await createUser(db.handle.db, { name: 'Live manager', email, password: PASSWORD, role: 'manager' })
    // The API only: these processes need not serve the web app build.
    const env = { ...db.env, TRACKVAULT_WEB_ROOT: '/nonexistent/web-root' }
    ;[a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    const login = async (server: ServerProcess, deviceId: string) => {
      const res = await new Api(server.url).post('/api/auth/login', { email, password: PASSWORD, device_id: deviceId })
      if (res.status !== 200) throw new Error(`login on ${server.url}: ${res.status} ${JSON.stringify(res.body)}`)
      return new Api(server.url, res.body.token)
    }
    onA = await login(a, 'device-a')
    onB = await login(b, 'device-b')
    deviceA = new TestDevice(onA, 'device-a')
    deviceB = new TestDevice(onB, 'device-b')
  }, 30_000)
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await db?.drop().catch(() => {})
  })

  /** Backends of this test's schema that LISTEN for changes (one per server process). */
  const listeners = async () => {
    const rows = await pg_stat(`select pid from pg_stat_activity where query = $1 and datname = current_database()`, [
      `LISTEN "trackvault_changes_${db.env.TRACKVAULT_PG_SCHEMA}"`,
    ])
    return rows.map((r) => Number(r.pid)).sort()
  }
  const pg_stat = async (text: string, values: unknown[]) => {
    const client = new pg.Client({ connectionString: db.env.DATABASE_URL })
    await client.connect()
    try {
      return (await client.query(text, values)).rows
    } finally {
      await client.end()
    }
  }

  /**
   * Pushes a write through `device` (signed in on one process) and measures until `other`, a stream of the
   * other process, is poked. `own`, a stream of the writer's process, is poked with the same cursor.
   */
  async function crossPoke(device: TestDevice, own: SseStream, other: SseStream, label: string) {
    const started = performance.now()
    const pushed = await device.push([device.op('supplier', 'create', newId(), supplier())])
    expect(pushed.status).toBe(200)
    expect(pushed.body.results[0].status).toBe('success')
    const change = await other.next('change', 3000)
    const latency = change.at - started
    console.log(`${label}: push sent -> change event on the other process after ${latency.toFixed(1)} ms`)
    expect(latency).toBeLessThan(MAX_POKE_MS)
    expect(seqOf(change)).toBeGreaterThanOrEqual(decodeCursor(pushed.body.cursor) as number)
    // Locally, and again by its own NOTIFY: a repeat of a cursor already sent is not sent again.
    expect(seqOf(await own.next('change'))).toBe(seqOf(change))
    return { change, pushed, latency }
  }

  test('each process LISTENs on the database', async () => {
    expect(await listeners()).toHaveLength(2)
  })

  test('a write on process A pokes a client of process B, and vice versa', async () => {
    const streamB = await connect(b.url, { token: onB.token as string })
    const streamA = await connect(a.url, { token: onA.token as string })
    const readyB = await streamB.next('ready')
    await streamA.next('ready')

    const ab = await crossPoke(deviceA, streamA, streamB, 'A -> B')
    const pulled = await onB.get(`/api/sync/changes?since=${cursorOf(readyB)}`)
    expect(pulled.body.changes.map((c: { entity_id: string }) => c.entity_id)).toContain(
      ab.pushed.body.results[0].entity_id,
    )
    const ba = await crossPoke(deviceB, streamB, streamA, 'B -> A')
    expect(seqOf(ba.change)).toBeGreaterThan(seqOf(ab.change))
    // Nothing else arrived: no duplicate pokes for one commit.
    expect(streamA.events.filter((e) => e.event === 'change').map(seqOf)).toEqual([seqOf(ab.change), seqOf(ba.change)])
    expect(streamB.events.filter((e) => e.event === 'change').map(seqOf)).toEqual([seqOf(ab.change), seqOf(ba.change)])
  })

  test('after the LISTEN connection is killed, each process reconnects and cross-process pokes still arrive', async () => {
    const streamB = await connect(b.url, { token: onB.token as string })
    const streamA = await connect(a.url, { token: onA.token as string })
    const readyB = await streamB.next('ready')
    const readyA = await streamA.next('ready')
    const before = await listeners()
    expect(before).toHaveLength(2)
    const killed = await pg_stat(`select pg_terminate_backend(pid) as ok from unnest($1::int[]) as pid`, [before])
    expect(killed.every((r) => r.ok === true)).toBe(true)

    // Each listener comes back on a new backend and pokes its clients (a NOTIFY may have been missed).
    expect(
      await eventually(async () => {
        const now = await listeners()
        return now.length === 2 && now.every((pid) => !before.includes(pid))
      }, 5000),
    ).toBe(true)
    expect(seqOf(await streamB.next('change', 5000))).toBe(seqOf(readyB))
    expect(seqOf(await streamA.next('change', 5000))).toBe(seqOf(readyA))

    await crossPoke(deviceA, streamA, streamB, 'A -> B after LISTEN reconnect')
    await crossPoke(deviceB, streamB, streamA, 'B -> A after LISTEN reconnect')
  })
})
