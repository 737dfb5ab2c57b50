/**
 * GET /api/sync/changes: commit order, paging, tombstones, permissions, and the
 * proof that a cursor never skips a committed change under concurrent writers.
 */
import { cursorEpoch, decodeCursor, EPOCH_PATTERN, encodeCursor, newId } from '@trackvault/core'
import { sql, type Transaction } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { issueToken } from '../src/auth/tokens'
import type { Database } from '../src/db/schema'
import { appendChanges, type PendingChange } from '../src/domain/change-log'
import { writeHistory } from '../src/domain/history'
import type { Actor } from '../src/domain/write-context'
import { pullChanges } from '../src/sync/pull'
import { type ServerProcess, startServerProcess } from '../src/testing/server-process'
import { createTestDb, TEST_DIALECT, type TestDb } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'
import { TestDevice } from './helpers/sync-client'
import { Api, PASSWORD, type Reply, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

interface Change {
  entity_type: string
  entity_id: string
  version: number
  deleted: boolean
  data: Record<string, unknown>
}
interface Page {
  changes: Change[]
  cursor: string
  has_more: boolean
  epoch?: string
}
interface LogRow {
  seq: number
  key: string
  entity_type: string
  user_id: unknown
  hasHistory: boolean
  created_at: string
}

const keyOf = (c: { entity_type: string; entity_id: string; version: number }) =>
  `${c.entity_type}:${c.entity_id}:${c.version}`

async function pull(api: Api, since?: string, limit?: number): Promise<Page> {
  const q = new URLSearchParams()
  if (since !== undefined) q.set('since', since)
  if (limit !== undefined) q.set('limit', String(limit))
  const res = await api.get<Page>(`/api/sync/changes${q.size ? `?${q}` : ''}`)
  if (res.status !== 200) throw new Error(`pull failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** Pages from `since` until has_more is false; returns every change and the last cursor. */
async function pullAll(api: Api, since?: string, limit = 500) {
  const changes: Change[] = []
  const pages: Page[] = []
  let cursor = since
  for (;;) {
    const page = await pull(api, cursor, limit)
    pages.push(page)
    changes.push(...page.changes)
    cursor = page.cursor
    if (!page.has_more) return { changes, cursor, pages }
  }
}

/** The change log as the database holds it, in seq order, with the row owner from history. */
async function changeLog(s: { db: TestDb }): Promise<LogRow[]> {
  const rows = await s.db.handle.db
    .selectFrom('change_log as c')
    .leftJoin('entity_history as h', (join) =>
      join
        .onRef('h.entity_type', '=', 'c.entity_type')
        .onRef('h.entity_id', '=', 'c.entity_id')
        .onRef('h.version', '=', 'c.version'),
    )
    .select(['c.seq', 'c.entity_type', 'c.entity_id', 'c.version', 'c.created_at', 'h.data'])
    .orderBy('c.seq')
    .execute()
  return rows.map((r) => ({
    seq: Number(r.seq),
    key: keyOf({ entity_type: r.entity_type, entity_id: r.entity_id, version: Number(r.version) }),
    entity_type: r.entity_type,
    user_id: r.data === null ? undefined : (JSON.parse(r.data) as Record<string, unknown>).user_id,
    hasHistory: r.data !== null,
    created_at: r.created_at,
  }))
}

const headSeq = async (s: { db: TestDb }) =>
  Number(
    (
      await s.db.handle.db
        .selectFrom('counters')
        .select('value')
        .where('name', '=', 'change_seq')
        .executeTakeFirstOrThrow()
    ).value,
  )

/** What "every change exactly once" means: nothing missing, nothing twice, nothing unknown, same order. */
function exactlyOnce(seen: string[], committed: string[]) {
  const seenSet = new Set(seen)
  const committedSet = new Set(committed)
  const counts = new Map<string, number>()
  for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1)
  return {
    missing: committed.filter((k) => !seenSet.has(k)),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([k]) => k),
    unknown: seen.filter((k) => !committedSet.has(k)),
    inOrder: seen.length === committed.length && seen.every((k, i) => k === committed[i]),
  }
}

const collectionBody = (basics: { supplierId: string; productId: string }, over: Record<string, unknown> = {}) => ({
  supplier_id: basics.supplierId,
  product_id: basics.productId,
  collection_date: '2026-03-01',
  quantity: '10.5',
  unit: 'kg',
  ...over,
})
const supplierBody = () => ({ code: `S-${newId().slice(-10)}`, name: 'Wanjiru' })
const paymentBody = (supplierId: string) => ({
  supplier_id: supplierId,
  payment_date: '2026-03-02',
  amount: '100.00',
  payment_type: 'advance',
})

describe('pull', () => {
  let s: TestServer
  let basics: Awaited<ReturnType<typeof seedBasics>>
  let collector2: Api
  let collector2Id: string
  let managerDevice: TestDevice

  beforeAll(async () => {
    s = await startTestServer()
    basics = await seedBasics(s.as.manager)
    managerDevice = new TestDevice(s.as.manager, 'device-manager')
    const c2 = await createUser(s.db.handle.db, {
      name: 'Second collector',
      email: 'collector2@test.local',
      password: PASSWORD,
      role: 'collector',
    })
    collector2Id = c2.id
    collector2 = await s.login('collector2@test.local', PASSWORD, 'device-collector2')
  })
  afterAll(() => s?.close())

  test('since omitted starts at the beginning and answers {changes, cursor, has_more} in commit order', async () => {
    const first = await pull(s.as.manager)
    expect(Object.keys(first).sort()).toEqual(['changes', 'cursor', 'epoch', 'has_more'])
    expect(first.has_more).toBe(false)
    expect(typeof first.cursor).toBe('string')
    // seedBasics: product, then its rate, then the supplier, then a route.
    expect(first.changes.map((c) => [c.entity_type, c.version, c.deleted])).toEqual([
      ['product', 1, false],
      ['product_rate', 1, false],
      ['supplier', 1, false],
      ['route', 1, false],
    ])
    expect(first.changes.map((c) => c.entity_id)).toEqual([
      basics.productId,
      basics.rateId,
      basics.supplierId,
      basics.routeId,
    ])
    for (const c of first.changes) {
      expect(Object.keys(c).sort()).toEqual(['data', 'deleted', 'entity_id', 'entity_type', 'version'])
      expect(c.data).toMatchObject({ id: c.entity_id, version: c.version })
    }
    // The same as starting from cursor zero, and the same order as the log.
    expect(await pull(s.as.manager, encodeCursor(0))).toEqual(first)
    expect(first.changes.map(keyOf)).toEqual((await changeLog(s)).map((r) => r.key))
    expect(decodeCursor(first.cursor)).toBe(await headSeq(s))
    expect(first.epoch).toMatch(EPOCH_PATTERN)
    expect(cursorEpoch(first.cursor)).toBe(first.epoch)
  })

  test('paging with a small limit returns every change exactly once, in commit order', async () => {
    for (let i = 0; i < 11; i++) {
      const sup = await s.as.manager.post('/api/suppliers', supplierBody())
      expect(sup.status).toBe(201)
      const upd = await s.as.manager.patch(`/api/suppliers/${sup.body.id}`, { version: 1, name: `Renamed ${i}` })
      expect(upd.status).toBe(200)
    }
    const log = (await changeLog(s)).map((r) => r.key)
    expect(log.length).toBeGreaterThanOrEqual(25)
    const whole = await pull(s.as.manager, undefined, 5000)
    const paged = await pullAll(s.as.manager, undefined, 4)
    expect(paged.pages.length).toBe(Math.floor(log.length / 4) + 1)
    for (const page of paged.pages.slice(0, -1)) {
      expect(page.changes).toHaveLength(4)
      expect(page.has_more).toBe(true)
    }
    expect(paged.pages.at(-1)?.changes.length).toBeLessThan(4)
    expect(exactlyOnce(paged.changes.map(keyOf), log)).toEqual({
      missing: [],
      duplicates: [],
      unknown: [],
      inOrder: true,
    })
    expect(paged.changes).toEqual(whole.changes)
    expect(paged.cursor).toBe(whole.cursor)
    // Cursors only move forward, one per page.
    const seqs = paged.pages.map((p) => Number.parseInt(p.cursor.slice(1), 36))
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
    // Nothing new: an empty page that keeps the cursor.
    expect(await pull(s.as.manager, paged.cursor, 4)).toEqual({
      changes: [],
      cursor: paged.cursor,
      has_more: false,
      epoch: cursorEpoch(paged.cursor),
    })
    // A later write shows up after that cursor and nothing else does.
    const late = await s.as.manager.post('/api/suppliers', supplierBody())
    const after = await pull(s.as.manager, paged.cursor, 4)
    expect(after.changes.map(keyOf)).toEqual([keyOf({ entity_type: 'supplier', entity_id: late.body.id, version: 1 })])
  })

  test('a cursor the server did not issue is 422 VALIDATION_FAILED', async () => {
    for (const since of ['garbage', 'c', 'C1', 'c-1', '12', 'c1.5', 'czzzzzzzzzzzz', `c${'1'.repeat(30)}`, '']) {
      const res = await s.as.manager.get(`/api/sync/changes?since=${encodeURIComponent(since)}`)
      expect(res.status, since).toBe(422)
      expect(res.body.error.code, since).toBe('VALIDATION_FAILED')
    }
  })

  test('limit is bounded: 1..5000, whole numbers only', async () => {
    for (const limit of ['0', '-1', '5001', '1.5', 'abc', '']) {
      const res = await s.as.manager.get(`/api/sync/changes?limit=${limit}`)
      expect(res.status, limit).toBe(422)
      expect(res.body.error.code, limit).toBe('VALIDATION_FAILED')
    }
    const one = await pull(s.as.manager, undefined, 1)
    expect(one.changes).toHaveLength(1)
    expect(one.has_more).toBe(true)
    expect(decodeCursor(one.cursor)).toBe(1)
    const max = await pull(s.as.manager, undefined, 5000)
    expect(max.has_more).toBe(false)
    expect(max.changes.length).toBe(await headSeq(s))
    // Default limit (500) when omitted: everything here fits.
    expect((await pull(s.as.manager)).changes.length).toBe(max.changes.length)
  })

  test('pull needs a signed-in user', async () => {
    const res = await s.anon.get('/api/sync/changes')
    expect(res.status).toBe(401)
  })

  test('a deleted row comes as a tombstone with deleted=true and its data', async () => {
    const since = (await pull(s.as.manager, undefined, 5000)).cursor
    const pay = await s.as.finance.post('/api/payments', paymentBody(basics.supplierId))
    expect(pay.status).toBe(201)
    const gone = await s.as.finance.del(`/api/payments/${pay.body.id}?version=1`)
    expect(gone.status).toBe(200)
    // A delete through sync is a tombstone too.
    const manager = managerDevice
    const supId = newId()
    const pushed = await manager.push([
      manager.op('supplier', 'create', supId, supplierBody()),
      manager.op('supplier', 'delete', supId, {}, 1),
    ])
    expect(pushed.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success'])

    const { changes } = await pullAll(s.as.manager, since)
    expect(changes.map((c) => [c.entity_type, c.entity_id, c.version, c.deleted])).toEqual([
      ['payment', pay.body.id, 1, false],
      ['payment', pay.body.id, 2, true],
      ['supplier', supId, 1, false],
      ['supplier', supId, 2, true],
    ])
    const tomb = changes[1]
    expect(tomb.data).toMatchObject({ id: pay.body.id, version: 2, amount: '100.00', supplier_id: basics.supplierId })
    expect(tomb.data.deleted_at).toEqual(expect.any(String))
    expect(changes[0].data.deleted_at).toBeNull()
    expect(changes[3].data).toMatchObject({ id: supId, version: 2, deleted_at: expect.any(String) })
  })

  test("a collector never gets payments or other users' collections, yet its cursor moves past them", async () => {
    const since = (await pull(s.as.manager, undefined, 5000)).cursor
    const own = await s.as.collector.post('/api/collections', collectionBody(basics))
    const other = await collector2.post('/api/collections', collectionBody(basics))
    const pay = await s.as.finance.post('/api/payments', paymentBody(basics.supplierId))
    const forCollector = await s.as.manager.post(
      '/api/collections',
      collectionBody(basics, { user_id: s.users.collector.id }),
    )
    const managers = await s.as.manager.post('/api/collections', collectionBody(basics))
    const sup = await s.as.manager.post('/api/suppliers', supplierBody())
    for (const r of [own, other, pay, forCollector, managers, sup]) expect(r.status).toBe(201)
    expect(other.body.user_id).toBe(collector2Id)

    const all = await pullAll(s.as.manager, since)
    expect(all.changes.map((c) => c.entity_id)).toEqual([
      own.body.id,
      other.body.id,
      pay.body.id,
      forCollector.body.id,
      managers.body.id,
      sup.body.id,
    ])
    const mine = await pullAll(s.as.collector, since)
    expect(mine.changes.map((c) => c.entity_id)).toEqual([own.body.id, forCollector.body.id, sup.body.id])
    expect(mine.changes.some((c) => c.entity_type === 'payment')).toBe(false)
    expect(decodeCursor(mine.cursor)).toBe(decodeCursor(all.cursor))
    const theirs = await pullAll(collector2, since)
    expect(theirs.changes.map((c) => c.entity_id)).toEqual([other.body.id, sup.body.id])
    expect(decodeCursor(theirs.cursor)).toBe(decodeCursor(all.cursor))
    // Finance reads everything, payments included.
    expect((await pullAll(s.as.finance, since)).changes.map((c) => c.entity_id)).toEqual(
      all.changes.map((c) => c.entity_id),
    )

    // Hidden rows are skipped by the database: a page holds the next changes the caller may read,
    // and the last page's cursor moves past the hidden ones after them.
    const afterOwn = encodeCursor(Number.parseInt(since.slice(1), 36) + 1)
    const page = await pull(s.as.collector, afterOwn, 2)
    expect(page.changes.map((c) => c.entity_id)).toEqual([forCollector.body.id, sup.body.id])
    expect(page.has_more).toBe(true)
    const last = await pull(s.as.collector, page.cursor, 2)
    expect(last).toEqual({ changes: [], cursor: last.cursor, has_more: false, epoch: cursorEpoch(all.cursor) })
    expect(decodeCursor(last.cursor)).toBe(decodeCursor(all.cursor))
  })

  test('REST writes and sync pushes both appear; a conflict or a failed operation adds no change', async () => {
    const since = (await pull(s.as.manager, undefined, 5000)).cursor
    const logBefore = (await changeLog(s)).length
    // REST: one create, one update, then a stale update (409) and an invalid create (422).
    const sup = await s.as.manager.post('/api/suppliers', supplierBody())
    const renamed = await s.as.manager.patch(`/api/suppliers/${sup.body.id}`, { version: 1, name: 'Server name' })
    expect(renamed.status).toBe(200)
    const stale = await s.as.manager.patch(`/api/suppliers/${sup.body.id}`, { version: 1, name: 'Stale' })
    expect(stale.status).toBe(409)
    const invalid = await s.as.manager.post('/api/collections', collectionBody(basics, { quantity: '-3' }))
    expect(invalid.status).toBe(422)
    // Sync: a success, a validation failure, a permission failure, a same-field conflict, a success.
    const device = new TestDevice(s.as.collector, 'device-collector')
    const c1 = newId()
    const c2 = newId()
    const conflictDevice = managerDevice
    const pushed = await device.push([
      device.op('collection', 'create', c1, collectionBody(basics)),
      device.op('collection', 'create', newId(), collectionBody(basics, { quantity: '-1' })),
      device.op('payment', 'create', newId(), paymentBody(basics.supplierId)),
      device.op('collection', 'create', c2, collectionBody(basics, { quantity: '3' })),
    ])
    expect(pushed.body.results.map((r: { status: string }) => r.status)).toEqual([
      'success',
      'failed',
      'failed',
      'success',
    ])
    const conflicted = await conflictDevice.push([
      conflictDevice.op('supplier', 'update', sup.body.id, { name: 'Client name' }, 1),
    ])
    expect(conflicted.body.results[0].status).toBe('conflict')

    const { changes, cursor } = await pullAll(s.as.manager, since)
    expect(changes.map((c) => [c.entity_type, c.entity_id, c.version])).toEqual([
      ['supplier', sup.body.id, 1],
      ['supplier', sup.body.id, 2],
      ['collection', c1, 1],
      ['collection', c2, 1],
    ])
    expect(changes[1].data.name).toBe('Server name')
    expect((await changeLog(s)).length).toBe(logBefore + 4)
    // A push answers with the cursor of its own last change; a conflict-only push with the head.
    expect(pushed.body.cursor).toBe(cursor)
    expect(conflicted.body.cursor).toBe(cursor)
  })
})

/**
 * THE PROOF. Writers (REST creates/updates/deletes, sync batches, contended
 * updates that 409) run concurrently, on PostgreSQL through two server
 * processes on one schema, while pullers page with a small limit from their
 * own cursors. Each puller must see exactly the committed change log, in
 * order: nothing skipped, nothing twice.
 */
describe('concurrent writers and pullers', () => {
  const WRITERS = 12
  const ROUNDS = 6
  const PULL_LIMIT = 7
  let s: TestServer
  let other: ServerProcess | undefined
  let basics: Awaited<ReturnType<typeof seedBasics>>
  let collector2Id: string
  let urls: string[]

  beforeAll(async () => {
    s = await startTestServer({ rateLimit: { max: 1_000_000, timeWindowMs: 60_000 } })
    basics = await seedBasics(s.as.manager)
    collector2Id = (
      await createUser(s.db.handle.db, {
        name: 'Second collector',
        email: 'collector2@test.local',
        password: PASSWORD,
        role: 'collector',
      })
    ).id
    urls = [s.url]
    // SQLite serialises writers in one process anyway; PostgreSQL gets a second process on the same schema.
    if (TEST_DIALECT === 'postgres') {
      other = await startServerProcess({ ...s.db.env, TRACKVAULT_RATE_LIMIT: '1000000', LOG_LEVEL: 'warn' })
      urls.push(other.url)
    }
  })
  afterAll(async () => {
    await other?.stop('SIGKILL')
    await s?.close()
  })

  /** A client with its own token and device, on server `i % urls.length`. */
  async function client(userId: string, deviceId: string, i: number) {
    const { token } = await issueToken(s.db.handle.db, userId, deviceId, 3600_000)
    const api = new Api(urls[i % urls.length], token)
    return { api, device: new TestDevice(api, deviceId) }
  }

  test('every committed change reaches every puller exactly once, in commit order', async () => {
    const hot = await s.as.manager.post('/api/suppliers', supplierBody())
    expect(hot.status).toBe(201)
    const startSeq = await headSeq(s)
    const committed = new Set<string>()
    const outcomes = { rest: 0, restRejected: 0, syncSuccess: 0, syncConflict: 0, syncFailed: 0, pushes: 0 }
    const add = (type: string, row: { id: string; version: number }) =>
      committed.add(keyOf({ entity_type: type, entity_id: row.id, version: row.version }))
    const rest = async (res: Promise<Reply>, type: string, ok: number) => {
      const r = await res
      if (r.status === ok) {
        outcomes.rest++
        add(type, r.body)
        return r.body as { id: string; version: number }
      }
      if (r.status !== 409) throw new Error(`unexpected ${r.status}: ${JSON.stringify(r.body)}`)
      outcomes.restRejected++
      return undefined
    }
    const push = async (device: TestDevice, ops: ReturnType<TestDevice['op']>[]) => {
      const res = await device.push(ops)
      if (res.status !== 200) throw new Error(`push ${res.status}: ${JSON.stringify(res.body)}`)
      outcomes.pushes++
      for (const r of res.body.results) {
        if (r.status === 'success') {
          outcomes.syncSuccess++
          committed.add(keyOf(r))
        } else if (r.status === 'conflict') outcomes.syncConflict++
        else outcomes.syncFailed++
      }
      return res.body.results as { status: string; entity_id: string; version: number }[]
    }

    const roles = [
      { role: 'manager', id: s.users.manager.id },
      { role: 'collector', id: s.users.collector.id },
      { role: 'finance', id: s.users.finance.id },
      { role: 'collector', id: collector2Id },
      { role: 'admin', id: s.users.admin.id },
    ]
    const writer = async (w: number) => {
      const who = roles[w % roles.length]
      const { api, device } = await client(who.id, `device-w${w}`, w)
      for (let round = 0; round < ROUNDS; round++) {
        if (who.role === 'manager' || who.role === 'admin') {
          const sup = await rest(api.post('/api/suppliers', supplierBody()), 'supplier', 201)
          if (sup) await rest(api.patch(`/api/suppliers/${sup.id}`, { version: 1, name: `W${w}` }), 'supplier', 200)
          const pay = await rest(api.post('/api/payments', paymentBody(basics.supplierId)), 'payment', 201)
          if (pay) await rest(api.del(`/api/payments/${pay.id}?version=1`), 'payment', 200)
          const a = newId()
          const b = newId()
          await push(device, [
            device.op('collection', 'create', a, collectionBody(basics)),
            device.op('collection', 'create', b, collectionBody(basics, { quantity: '2' })),
            device.op('collection', 'update', a, { quantity: '4' }, 1),
            device.op('collection', 'delete', b, {}, 1),
            device.op('collection', 'create', newId(), collectionBody(basics, { quantity: '-1' })), // fails
          ])
        } else if (who.role === 'collector') {
          const col = await rest(api.post('/api/collections', collectionBody(basics)), 'collection', 201)
          if (col) await rest(api.patch(`/api/collections/${col.id}`, { version: 1, quantity: '7' }), 'collection', 200)
          const a = newId()
          await push(device, [
            device.op('collection', 'create', a, collectionBody(basics, { quantity: '1' })),
            device.op('collection', 'create', newId(), collectionBody(basics, { quantity: '2' })),
            device.op('collection', 'update', a, { quantity: '5' }, 1),
            device.op('supplier', 'create', newId(), supplierBody()),
            device.op('payment', 'create', newId(), paymentBody(basics.supplierId)), // forbidden: fails
          ])
        } else {
          const pay = await rest(api.post('/api/payments', paymentBody(basics.supplierId)), 'payment', 201)
          if (pay) {
            await rest(api.patch(`/api/payments/${pay.id}`, { version: 1, reference_number: `R${w}` }), 'payment', 200)
          }
          const a = newId()
          await push(device, [
            device.op('payment', 'create', a, paymentBody(basics.supplierId)),
            device.op('payment', 'update', a, { reference_number: `M${w}-${round}` }, 1),
            device.op('payment', 'create', newId(), paymentBody(basics.supplierId)),
          ])
        }
        if (who.role === 'manager' || who.role === 'admin') {
          // Contended: renames of one supplier from the version last read (losers get 409), and a
          // sync update from base version 1 of the same field (a conflict once somebody renamed it).
          const cur = await api.get(`/api/suppliers/${hot.body.id}`)
          await rest(
            api.patch(`/api/suppliers/${hot.body.id}`, { version: cur.body.version, name: `Hot ${w}.${round}` }),
            'supplier',
            200,
          )
          const res = await push(device, [
            device.op('supplier', 'update', hot.body.id, { name: `Sync ${w}.${round}` }, 1),
          ])
          expect(['success', 'conflict']).toContain(res[0].status)
        }
      }
    }

    let writersDone = false
    let caughtUpWhileWriting = 0
    const puller = async (api: Api) => {
      const seen: Change[] = []
      const pageSizes: number[] = []
      // From cursor zero: the log itself (a collector's pull without one is a snapshot of its scope).
      let cursor: string | undefined = encodeCursor(0)
      for (;;) {
        const doneBefore = writersDone
        const page = await pull(api, cursor, PULL_LIMIT)
        pageSizes.push(page.changes.length)
        seen.push(...page.changes)
        cursor = page.cursor
        if (!page.has_more) {
          if (doneBefore) return { seen, pageSizes, cursor }
          caughtUpWhileWriting++
          await new Promise((r) => setTimeout(r, 3))
        }
      }
    }
    const pullerClients = await Promise.all([
      client(s.users.manager.id, 'device-p0', 0),
      client(s.users.admin.id, 'device-p1', 1),
      client(s.users.collector.id, 'device-p2', 2),
      client(s.users.finance.id, 'device-p3', 3),
      client(s.users.manager.id, 'device-p4', 5),
    ])
    const started = Date.now()
    const pulling = pullerClients.map((c) => puller(c.api))
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))
    writersDone = true
    const results = await Promise.all(pulling)
    const elapsed = Date.now() - started

    const log = await changeLog(s)
    const all = log.map((r) => r.key)
    const collectorView = log
      .filter(
        (r) => r.entity_type !== 'payment' && (r.entity_type !== 'collection' || r.user_id === s.users.collector.id),
      )
      .map((r) => r.key)
    const expected = [all, all, collectorView, all, all]
    // Evidence the race was real: pullers reached the head while writes were still committing, and on
    // PostgreSQL transactions committed in another order than they began (created_at is taken at BEGIN).
    const inversions = log.slice(1).filter((r, i) => r.created_at < log[i].created_at).length
    console.info(
      `[sync-pull proof ${TEST_DIALECT}] ${committed.size} changes from ${WRITERS} writers on ${urls.length} process(es), ` +
        `${results.length} pullers (limit ${PULL_LIMIT}, ${results.map((r) => r.pageSizes.length).join('/')} pages), ` +
        `${caughtUpWhileWriting} caught-up pulls mid-write, ${inversions} begin/commit order inversions, ` +
        `outcomes ${JSON.stringify(outcomes)}, ${elapsed} ms`,
    )

    // Every puller saw exactly the committed log (its visible part), in commit order.
    results.forEach((res, i) => {
      expect(exactlyOnce(res.seen.map(keyOf), expected[i]), `puller ${i}`).toEqual({
        missing: [],
        duplicates: [],
        unknown: [],
        inOrder: true,
      })
      expect(decodeCursor(res.cursor)).toBe(log[log.length - 1].seq)
      expect(Math.max(...res.pageSizes)).toBeLessThanOrEqual(PULL_LIMIT)
      for (const c of res.seen) expect(c.data).toMatchObject({ id: c.entity_id, version: c.version })
    })
    expect(results[2].seen.some((c) => c.entity_type === 'payment')).toBe(false)

    // The log itself: contiguous seqs, one entry per history row, and exactly the committed writes.
    expect(log.map((r) => r.seq)).toEqual(log.map((_, i) => i + 1))
    expect(log.filter((r) => !r.hasHistory)).toEqual([])
    const historyCount = Number(
      (
        await s.db.handle.db
          .selectFrom('entity_history')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    expect(historyCount).toBe(log.length)
    const during = log.filter((r) => r.seq > startSeq).map((r) => r.key)
    expect(exactlyOnce(during, [...committed]).missing).toEqual([])
    expect(during.length).toBe(committed.size)
    expect(new Set(during).size).toBe(during.length)
    expect(committed.size).toBe(outcomes.rest + outcomes.syncSuccess)

    expect(caughtUpWhileWriting).toBeGreaterThan(0)
    if (TEST_DIALECT === 'postgres') expect(inversions).toBeGreaterThan(0)
    expect(outcomes.restRejected + outcomes.syncConflict).toBeGreaterThan(0)
    expect(outcomes.syncFailed).toBeGreaterThan(0)
  }, 90_000) // a proof under load, not a timing: 12 writers and 5 pullers on two processes
})

/**
 * NEGATIVE CONTROL (PostgreSQL): the race the proof is about is real, and the
 * exactly-once check catches it. A sequence taken at insert time lets a
 * later-numbered transaction commit first, so a naive `seq > cursor` reader
 * skips; the counter row makes the second writer wait until the first commits.
 */
describe.runIf(TEST_DIALECT === 'postgres')('negative control on PostgreSQL', () => {
  let db: TestDb
  const clients: pg.Client[] = []
  const connect = async () => {
    const c = new pg.Client({
      connectionString: db.env.DATABASE_URL,
      options: `-c search_path=${db.env.TRACKVAULT_PG_SCHEMA}`,
    })
    await c.connect()
    clients.push(c)
    return c
  }
  beforeAll(async () => {
    db = await createTestDb()
  })
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => {})
    await db?.drop()
  })

  test('a naive reader of a sequence assigned at insert skips a change that commits late', async () => {
    const [t1, t2, reader] = [await connect(), await connect(), await connect()]
    await reader.query('create table naive_log (seq bigint generated always as identity primary key, label text)')
    await t1.query('begin')
    const s1 = (await t1.query(`insert into naive_log (label) values ('T1') returning seq`)).rows[0].seq
    await t2.query('begin')
    const s2 = (await t2.query(`insert into naive_log (label) values ('T2') returning seq`)).rows[0].seq
    expect(Number(s1)).toBeLessThan(Number(s2))
    await t2.query('commit') // T2 commits first although it took the higher number
    const seen: string[] = []
    let cursor = 0
    const naivePull = async () => {
      const { rows } = await reader.query('select seq, label from naive_log where seq > $1 order by seq', [cursor])
      for (const r of rows) {
        seen.push(r.label)
        cursor = Math.max(cursor, Number(r.seq))
      }
    }
    await naivePull() // sees T2, cursor jumps past T1's number
    await t1.query('commit')
    await naivePull() // T1 is committed now, but behind the cursor
    const committed = (await reader.query('select label from naive_log order by seq')).rows.map((r) => r.label)
    expect(committed).toEqual(['T1', 'T2'])
    // The check the proof uses fails on the naive reader.
    expect(exactlyOnce(seen, committed)).toEqual({ missing: ['T1'], duplicates: [], unknown: [], inOrder: false })
  })

  test('with the counter row, a second writer cannot take a number until the first commits', async () => {
    const kdb = db.handle.db
    const actor: Actor = { id: 'reader', role: 'manager', name: 'Reader', deviceId: null }
    const now = new Date().toISOString()
    const write = (id: string) => async (trx: Transaction<Database>) => {
      const change: PendingChange = {
        entity_type: 'supplier',
        entity_id: id,
        version: 1,
        deleted: false,
        operation: 'create',
        data: JSON.stringify({ id, version: 1, name: id }),
        user_id: null,
        device_id: null,
        sync_operation_id: null,
        owner_id: null,
        previous_owner_id: null,
        scope: null,
        previous_scope: null,
      }
      await writeHistory(trx, [change], now)
      return appendChanges(trx, [change], now)
    }
    let releaseT1 = () => {}
    let releaseT2 = () => {}
    const gate1 = new Promise<void>((r) => {
      releaseT1 = r
    })
    const gate2 = new Promise<void>((r) => {
      releaseT2 = r
    })
    let t1Seq: (n: number | null) => void = () => {}
    const t1Appended = new Promise<number | null>((r) => {
      t1Seq = r
    })
    let t2Pid: (n: number) => void = () => {}
    const t2Started = new Promise<number>((r) => {
      t2Pid = r
    })
    let t2Seq: (n: number | null) => void = () => {}
    const t2Appended = new Promise<number | null>((r) => {
      t2Seq = r
    })
    try {
      // T1 takes its number first and is slow to commit.
      const t1 = kdb.transaction().execute(async (trx) => {
        t1Seq(await write('T1')(trx))
        await gate1
      })
      const seq1 = await t1Appended
      // T2 starts its own work meanwhile, then asks for a number: it must wait for T1.
      let t2Done = false
      const t2 = kdb.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)
        t2Pid(rows[0].pid)
        t2Seq(await write('T2')(trx))
        await gate2
      })
      void t2.finally(() => {
        t2Done = true
      })
      const pid = await t2Started
      let waiting = ''
      for (let i = 0; i < 100 && waiting !== 'Lock'; i++) {
        const { rows } = await sql<{ w: string | null }>`
          select wait_event_type as w from pg_stat_activity where pid = ${pid}`.execute(kdb)
        waiting = rows[0]?.w ?? ''
        if (waiting !== 'Lock') await new Promise((r) => setTimeout(r, 20))
      }
      expect(waiting).toBe('Lock')
      expect(t2Done).toBe(false)
      const reader = (since?: string) => pullChanges(kdb, actor, since, 7)
      expect((await reader()).changes).toEqual([])

      releaseT1()
      await t1
      const seq2 = await t2Appended
      expect(seq2).toBe((seq1 as number) + 1) // numbered after T1, because it waited for T1's commit
      const seen: string[] = []
      const first = await reader() // T1 committed, T2 not yet: the reader may advance to T1 only
      seen.push(...first.changes.map((c) => c.entity_id))
      expect(decodeCursor(first.cursor)).toBe(seq1 as number)
      releaseT2()
      await t2
      const second = await reader(first.cursor)
      seen.push(...second.changes.map((c) => c.entity_id))
      expect(exactlyOnce(seen, ['T1', 'T2'])).toEqual({ missing: [], duplicates: [], unknown: [], inOrder: true })
    } finally {
      releaseT1()
      releaseT2()
    }
  })
})

describe('reassignment', () => {
  test('a collection moved to another collector leaves the old owner as a revoked tombstone', async () => {
    const s2 = await startTestServer()
    try {
      const basics = await seedBasics(s2.as.manager)
      const created = await s2.as.collector.post('/api/collections', {
        supplier_id: basics.supplierId,
        product_id: basics.productId,
        collection_date: '2026-04-01',
        quantity: '1',
        unit: 'kg',
      })
      const before = await s2.as.collector.get('/api/sync/changes')
      const other = await createUser(s2.db.handle.db, {
        name: 'Other',
        email: 'other@test.local',
        password: 'password-123',
        role: 'collector',
      })
      const moved = await s2.as.manager.patch(`/api/collections/${created.body.id}`, { version: 1, user_id: other.id })
      expect(moved.status).toBe(200)
      const tombstone = {
        entity_type: 'collection',
        entity_id: created.body.id,
        version: 2,
        deleted: true,
        data: { id: created.body.id, version: 2, deleted_at: moved.body.updated_at, revoked: true },
      }
      const after = await s2.as.collector.get(`/api/sync/changes?since=${before.body.cursor}`)
      expect(after.body.changes).toEqual([tombstone])
      // The other collector gets the row itself; the manager too.
      const { token: otherToken } = await issueToken(s2.db.handle.db, other.id, 'device-other', 3600_000)
      const forOther = await new Api(s2.url, otherToken).get(`/api/sync/changes?since=${before.body.cursor}`)
      expect(forOther.body.changes.map((c: { data: { user_id: string } }) => c.data.user_id)).toEqual([other.id])
      // Entries logged before owners were tracked (migration 003) are decided from the history instead.
      await s2.db.handle.db.updateTable('change_log').set({ owner_id: null, previous_owner_id: null }).execute()
      const untracked = await s2.as.collector.get(`/api/sync/changes?since=${before.body.cursor}`)
      expect(untracked.body.changes).toEqual([tombstone])
    } finally {
      await s2.close()
    }
  })
})
