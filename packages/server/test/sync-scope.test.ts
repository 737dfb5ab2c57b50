/**
 * Routes and sync scopes (core's scope.ts, domain/sync-scope.ts, sync/snapshot.ts): a collector's
 * device holds its routes' suppliers (and unrouted ones) with their deductions and settlement
 * lines, its own recent collections, and all products and rates; moves and reassignments reach
 * devices as SCOPE_CHANGED and a fresh snapshot; a supplier a collector adds joins its route.
 */
import { newId, todayIn } from '@trackvault/core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TEST_DIALECT } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'
import { TestDevice } from './helpers/sync-client'
import { type Api, PASSWORD, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let base: Awaited<ReturnType<typeof seedBasics>>
const today = todayIn('UTC')
const shift = (days: number) => {
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

interface Held {
  rows: Map<string, { version: number; deleted: boolean; data: Record<string, unknown> }>
  cursor: string
  pages: number
}

/** Pulls to the end like a device: from `since`, page by page; SCOPE_CHANGED is returned, not thrown. */
async function pullAll(api: Api, since?: string, limit = 500, held?: Held): Promise<Held | 'SCOPE_CHANGED'> {
  const out: Held = held ?? { rows: new Map(), cursor: '', pages: 0 }
  let cursor = since
  for (;;) {
    const res = await api.get(`/api/sync/changes?limit=${limit}${cursor ? `&since=${cursor}` : ''}`)
    if (res.status === 409 && res.body.error.code === 'SCOPE_CHANGED') return 'SCOPE_CHANGED'
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    out.pages += 1
    for (const c of res.body.changes) {
      out.rows.set(`${c.entity_type}/${c.entity_id}`, { version: c.version, deleted: c.deleted, data: c.data })
    }
    cursor = res.body.cursor
    out.cursor = res.body.cursor
    if (!res.body.has_more) return out
  }
}

const held = (h: Held | 'SCOPE_CHANGED', type: string) => {
  if (h === 'SCOPE_CHANGED') throw new Error('scope changed')
  return [...h.rows.entries()]
    .filter(([k, v]) => k.startsWith(`${type}/`) && !v.deleted)
    .map(([k]) => k.slice(type.length + 1))
    .sort()
}

async function post(path: string, body: Record<string, unknown>, as: Api = s.as.manager) {
  const res = await as.post(path, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; version: number }
}

let routeA: string
let routeB: string
let inA: string
let inB: string
let unrouted: string
let assignment: { id: string; version: number }

beforeAll(async () => {
  s = await startTestServer()
  base = await seedBasics(s.as.admin)
  routeA = (await post('/api/routes', { code: 'RA', name: 'Ridge A' })).id
  routeB = (await post('/api/routes', { code: 'RB', name: 'Valley B' })).id
  inA = (await post('/api/suppliers', { code: 'SA1', name: 'Atieno', route_id: routeA })).id
  inB = (await post('/api/suppliers', { code: 'SB1', name: 'Baraka', route_id: routeB })).id
  unrouted = base.supplierId
  for (const supplier of [inA, inB]) {
    await post('/api/deductions', {
      supplier_id: supplier,
      kind: 'charge',
      description: 'Bags',
      amount: '40.00',
      effective_date: today,
    })
  }
  assignment = await post('/api/route-assignments', {
    route_id: routeA,
    user_id: s.users.collector.id,
    valid_from: shift(-30),
  })
  // Starts tomorrow: not part of today's scope.
  await post('/api/route-assignments', { route_id: routeB, user_id: s.users.collector.id, valid_from: shift(1) })
})
afterAll(() => s?.close())

describe('a collector device holds its routes', () => {
  test("its first pull is its scope: its routes' and unrouted suppliers, their deductions, all products", async () => {
    const h = await pullAll(s.as.collector)
    expect(held(h, 'supplier')).toEqual([inA, unrouted].sort())
    const deductions = held(h, 'deduction')
    expect(deductions).toHaveLength(1)
    expect(held(h, 'product')).toContain(base.productId)
    expect(held(h, 'product_rate')).toContain(base.rateId)
    expect(held(h, 'route').sort()).toEqual([base.routeId, routeA, routeB].sort())
    // Its own assignments only (both, the one starting tomorrow too).
    expect(held(h, 'route_assignment')).toHaveLength(2)
    // A manager's device holds every supplier.
    expect(held(await pullAll(s.as.manager), 'supplier')).toEqual([inA, inB, unrouted].sort())
  })

  test('paged small, the snapshot is the same rows and then goes on from where it began', async () => {
    const whole = await pullAll(s.as.collector)
    const paged = await pullAll(s.as.collector, undefined, 2)
    if (whole === 'SCOPE_CHANGED' || paged === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect([...paged.rows.keys()].sort()).toEqual([...whole.rows.keys()].sort())
    expect(paged.pages).toBeGreaterThan(4)
    // Changes after the snapshot arrive incrementally, in scope only.
    const later = (await post('/api/suppliers', { code: 'SA2', name: 'Akinyi', route_id: routeA })).id
    const elsewhere = (await post('/api/suppliers', { code: 'SB2', name: 'Bahati', route_id: routeB })).id
    const next = await pullAll(s.as.collector, paged.cursor)
    if (next === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(next.rows.has(`supplier/${later}`)).toBe(true)
    expect(next.rows.has(`supplier/${elsewhere}`)).toBe(false)
  })

  test('own collections of the window only (a setting); older ones stay on the server', async () => {
    const window = await s.as.admin.patch('/api/settings', { sync_window_days: 60 })
    expect(window.status, JSON.stringify(window.body)).toBe(200)
    const device = new TestDevice(await s.login(s.users.collector.email, undefined, 'scope-window'), 'scope-window')
    const recent = newId()
    const old = newId()
    const collection = (id: string, date: string) =>
      device.op('collection', 'create', id, {
        supplier_id: inA,
        product_id: base.productId,
        collection_date: date,
        quantity: '10',
        unit: 'kg',
      })
    const pushed = await device.push([collection(recent, shift(-5)), collection(old, shift(-65))])
    expect(pushed.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success'])
    const h = await pullAll(s.as.collector)
    expect(held(h, 'collection')).toContain(recent)
    expect(held(h, 'collection')).not.toContain(old)
    // Without a window (the default), all of them.
    expect((await s.as.admin.patch('/api/settings', { sync_window_days: null })).status).toBe(200)
    expect(held(await pullAll(s.as.collector), 'collection')).toEqual(expect.arrayContaining([recent, old]))
  })

  test('a supplier a collector adds offline joins its route', async () => {
    const device = new TestDevice(await s.login(s.users.collector.email, undefined, 'scope-add'), 'scope-add')
    const id = newId()
    const pushed = await device.push([device.op('supplier', 'create', id, { code: 'SA-NEW', name: 'Chebet' })])
    expect(pushed.body.results[0].status).toBe('success')
    expect((await s.as.manager.get(`/api/suppliers/${id}`)).body.route_id).toBe(routeA)
    // A manager's stays unrouted unless they say otherwise.
    const theirs = await post('/api/suppliers', { code: 'SM-NEW', name: 'Mwangi' })
    expect((await s.as.manager.get(`/api/suppliers/${theirs.id}`)).body.route_id).toBeNull()
  })

  test('a supplier moving into or out of its routes changes its scope: SCOPE_CHANGED, then the new scope', async () => {
    const before = await pullAll(s.as.collector)
    if (before === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(held(before, 'supplier')).not.toContain(inB)
    const row = (await s.as.manager.get(`/api/suppliers/${inB}`)).body
    const moved = await s.as.manager.patch(`/api/suppliers/${inB}`, { route_id: routeA, version: row.version })
    expect(moved.status, JSON.stringify(moved.body)).toBe(200)
    expect(await pullAll(s.as.collector, before.cursor)).toBe('SCOPE_CHANGED')
    const after = await pullAll(s.as.collector)
    expect(held(after, 'supplier')).toContain(inB)
    expect(held(after, 'deduction')).toHaveLength(2) // its deduction came with it
    // Moving it back: out of scope again.
    const back = await s.as.manager.patch(`/api/suppliers/${inB}`, { route_id: routeB, version: moved.body.version })
    expect(back.status).toBe(200)
    if (after === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(await pullAll(s.as.collector, after.cursor)).toBe('SCOPE_CHANGED')
    expect(held(await pullAll(s.as.collector), 'supplier')).not.toContain(inB)
  })

  test('a move between routes the collector does not serve leaves its cursor alone', async () => {
    const other = (await post('/api/routes', { code: 'RC', name: 'Coast C' })).id
    const before = await pullAll(s.as.collector)
    if (before === 'SCOPE_CHANGED') throw new Error('scope changed')
    const row = (await s.as.manager.get(`/api/suppliers/${inB}`)).body
    expect((await s.as.manager.patch(`/api/suppliers/${inB}`, { route_id: other, version: row.version })).status).toBe(
      200,
    )
    const next = await pullAll(s.as.collector, before.cursor)
    expect(next).not.toBe('SCOPE_CHANGED')
    if (next === 'SCOPE_CHANGED') return
    expect(next.rows.has(`supplier/${inB}`)).toBe(false)
  })

  test('reassignment: a route added or ended changes the scope', async () => {
    const before = await pullAll(s.as.collector)
    if (before === 'SCOPE_CHANGED') throw new Error('scope changed')
    const ended = await s.as.manager.patch(`/api/route-assignments/${assignment.id}`, {
      valid_to: shift(-1),
      version: assignment.version,
    })
    expect(ended.status, JSON.stringify(ended.body)).toBe(200)
    expect(await pullAll(s.as.collector, before.cursor)).toBe('SCOPE_CHANGED')
    const after = await pullAll(s.as.collector)
    if (after === 'SCOPE_CHANGED') throw new Error('scope changed')
    // Only unrouted suppliers are left on the device.
    expect(held(after, 'supplier')).toContain(unrouted)
    expect(held(after, 'supplier')).not.toContain(inA)
    for (const id of held(after, 'supplier')) expect(after.rows.get(`supplier/${id}`)?.data.route_id).toBeNull()
    const again = await s.as.manager.patch(`/api/route-assignments/${assignment.id}`, {
      valid_to: null,
      version: ended.body.version,
    })
    expect(again.status).toBe(200)
    expect(held(await pullAll(s.as.collector), 'supplier')).toContain(inA)
  })

  test('a manager is never scoped; a cursor from before scopes goes on; a stale stamp is refused', async () => {
    const manager = await pullAll(s.as.manager)
    if (manager === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(manager.cursor).not.toContain('~')
    const collector = await pullAll(s.as.collector)
    if (collector === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(collector.cursor).toMatch(/~[0-9a-f]{16}$/)
    // A collector's cursor from before routes existed (no stamp) goes on, and gets one.
    const legacy = await pullAll(s.as.collector, collector.cursor.split('~')[0])
    if (legacy === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(legacy.cursor).toBe(collector.cursor)
    // A stamp that is not the collector's: pull again from the start.
    const forged = `${collector.cursor.split('~')[0]}~0000000000000000`
    const res = await s.as.collector.get(`/api/sync/changes?since=${forged}`)
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('SCOPE_CHANGED')
    // A scoped cursor shown by a manager (say a collector promoted): pull everything again.
    expect((await s.as.manager.get(`/api/sync/changes?since=${collector.cursor}`)).body.error.code).toBe(
      'SCOPE_CHANGED',
    )
  })

  test('bad input: an unknown route, an assignment ending before it starts', async () => {
    const taken = await s.as.manager.post('/api/routes', { code: 'RA', name: 'Ridge again' })
    expect(taken.status).toBe(409)
    expect(taken.body.error.details.fields.code).toEqual(['already used'])
    const bad = await s.as.manager.post('/api/suppliers', { code: 'SX', name: 'Nobody', route_id: newId() })
    expect(bad.status).toBe(422)
    expect(bad.body.error.code).toBe('REFERENCE_NOT_FOUND')
    const backwards = await s.as.manager.post('/api/route-assignments', {
      route_id: routeA,
      user_id: s.users.collector.id,
      valid_from: '2026-05-01',
      valid_to: '2026-04-01',
    })
    expect(backwards.status).toBe(422)
    expect(backwards.body.error.details.fields.valid_to).toBeDefined()
    const forbidden = await s.as.collector.post('/api/route-assignments', {
      route_id: routeB,
      user_id: s.users.collector.id,
      valid_from: today,
    })
    expect(forbidden.status).toBe(403)
  })
})

describe('directory lookups: a supplier of another route added to the device', () => {
  test('found online, pinned: it, its deductions and its later changes reach the device; unpinned: it leaves', async () => {
    const route = (await post('/api/routes', { code: 'RP', name: 'Plains P' })).id
    const far = (await post('/api/suppliers', { code: 'FAR-1', name: 'Faraji', route_id: route })).id
    await post('/api/deductions', {
      supplier_id: far,
      kind: 'charge',
      description: 'Transport',
      amount: '15.00',
      effective_date: today,
    })
    const before = await pullAll(s.as.collector)
    if (before === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(held(before, 'supplier')).not.toContain(far)
    // Online, the collector finds it in the directory (every supplier may be read).
    const found = await s.as.collector.get('/api/suppliers?search=Faraji')
    expect(found.body.data.map((r: { id: string }) => r.id)).toEqual([far])
    const pinned = await s.as.collector.put(`/api/sync/pins/${far}`, {})
    expect(pinned.status, JSON.stringify(pinned.body)).toBe(200)
    expect((await s.as.collector.put(`/api/sync/pins/${far}`, {})).body).toEqual(pinned.body) // idempotent
    expect((await s.as.collector.get('/api/sync/pins')).body.data).toEqual([pinned.body])
    expect(await pullAll(s.as.collector, before.cursor)).toBe('SCOPE_CHANGED')
    const after = await pullAll(s.as.collector)
    if (after === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(held(after, 'supplier')).toContain(far)
    const deductionOf = (h: Held) => [...h.rows.values()].filter((r) => r.data.supplier_id === far && !r.deleted)
    expect(deductionOf(after)).toHaveLength(1)
    // Its later changes arrive incrementally, wherever its route is.
    const row = (await s.as.manager.get(`/api/suppliers/${far}`)).body
    expect((await s.as.manager.patch(`/api/suppliers/${far}`, { phone: '0711', version: row.version })).status).toBe(
      200,
    )
    await post('/api/deductions', {
      supplier_id: far,
      kind: 'charge',
      description: 'Bags',
      amount: '5.00',
      effective_date: today,
    })
    const next = await pullAll(s.as.collector, after.cursor)
    if (next === 'SCOPE_CHANGED') throw new Error('scope changed')
    expect(next.rows.get(`supplier/${far}`)?.data.phone).toBe('0711')
    expect(deductionOf(next)).toHaveLength(1)
    // Unpinned: its next pull is its scope without it.
    expect((await s.as.collector.del(`/api/sync/pins/${far}`)).status).toBe(204)
    expect(await pullAll(s.as.collector, next.cursor)).toBe('SCOPE_CHANGED')
    expect(held(await pullAll(s.as.collector), 'supplier')).not.toContain(far)
  })

  test('bad input and other roles: unknown supplier 404, an office role 403, nothing written', async () => {
    const unknown = await s.as.collector.put(`/api/sync/pins/${newId()}`, {})
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('NOT_FOUND')
    const notUuid = await s.as.collector.put('/api/sync/pins/nope', {})
    expect(notUuid.status).toBe(422)
    const office = await s.as.manager.put(`/api/sync/pins/${inA}`, {})
    expect(office.status).toBe(403)
    expect((await s.as.collector.get('/api/sync/pins')).body.data).toEqual([])
  })
})

describe("a collector's cached balances", () => {
  test("GET /api/sync/balances: its scope's suppliers with records, exact; none of other routes; office roles 403", async () => {
    const route = (await post('/api/routes', { code: 'RBAL', name: 'Balances' })).id
    const mine = (await post('/api/suppliers', { code: 'BAL-1', name: 'Wambui', route_id: route })).id
    const theirs = (await post('/api/suppliers', { code: 'BAL-2', name: 'Otieno', route_id: routeB })).id
    await post('/api/route-assignments', { route_id: route, user_id: s.users.collector.id, valid_from: shift(-1) })
    for (const supplier of [mine, theirs]) {
      await post('/api/collections', {
        supplier_id: supplier,
        product_id: base.productId,
        collection_date: today,
        quantity: '12.5',
        unit: 'kg',
      })
    }
    await post('/api/payments', { supplier_id: mine, payment_date: today, amount: '100.00', payment_type: 'advance' })
    const res = await s.as.collector.get('/api/sync/balances')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const byId = new Map(res.body.data.map((b: { supplier_id: string }) => [b.supplier_id, b]))
    // 12.5 kg at 120.00 = 1500.00, less an advance of 100.00.
    expect(byId.get(mine)).toMatchObject({ total_collections: '1500.00', total_payments: '100.00', balance: '1400.00' })
    expect(byId.has(theirs)).toBe(false)
    expect(res.body.data).toEqual(
      await Promise.all(
        res.body.data.map(async (b: { supplier_id: string }) => {
          const one = await s.as.collector.get(`/api/suppliers/${b.supplier_id}/balance`)
          return one.body
        }),
      ),
    )
    expect((await s.as.manager.get('/api/sync/balances')).status).toBe(403)
  })
})

/**
 * PostgreSQL runs writers side by side: a deduction written while its supplier moves must record
 * the route its supplier has at the deduction's place in the log, or a device of the new route
 * that took its snapshot in between never gets the deduction (its entry names the old route), and
 * a device of the old route does.
 */
describe.runIf(TEST_DIALECT === 'postgres')('scopes under concurrent writes (PostgreSQL)', () => {
  test('a deduction written while its supplier moves reaches the devices of its new route', async () => {
    const routeP = (await post('/api/routes', { code: 'RPX', name: 'Plains PX' })).id
    const routeQ = (await post('/api/routes', { code: 'RQX', name: 'Quarry Q' })).id
    const x = await post('/api/suppliers', { code: 'SPX', name: 'Wanjiru', route_id: routeP })
    const d = await post('/api/deductions', {
      supplier_id: x.id,
      kind: 'charge',
      description: 'Bags',
      amount: '40.00',
      effective_date: today,
    })
    const collector = await createUser(s.db.handle.db, {
      name: 'Quarry collector',
      email: 'quarry@test.local',
      password: PASSWORD,
      role: 'collector',
    })
    const quarry = await s.login(collector.email)
    await post('/api/route-assignments', { route_id: routeQ, user_id: collector.id, valid_from: shift(-3) })

    // Another transaction holds the history key the deduction's update will write: the update
    // does its work, then waits (just before it takes its place in the log) until that one ends.
    const blocker = new pg.Client({
      connectionString: s.db.env.DATABASE_URL,
      options: `-c search_path=${s.db.env.TRACKVAULT_PG_SCHEMA}`,
    })
    await blocker.connect()
    try {
      await blocker.query('begin')
      await blocker.query(
        `insert into entity_history (entity_type, entity_id, version, operation, data, created_at)
         values ('deduction', $1, 2, 'update', '{}', $2)`,
        [d.id, new Date().toISOString()],
      )
      const blockerPid = (await blocker.query('select pg_backend_pid() as pid')).rows[0].pid as number
      const update = s.as.manager.patch(`/api/deductions/${d.id}`, { description: 'Bags and twine', version: 1 })
      const waiter = async () => {
        for (let i = 0; i < 250; i++) {
          const { rows } = await blocker.query(
            'select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))',
            [blockerPid],
          )
          if (rows[0].n > 0) return
          await new Promise((r) => setTimeout(r, 20))
        }
        throw new Error('the update never waited')
      }
      await waiter()
      // Meanwhile the supplier moves to Q, and Q's collector pulls its new scope.
      const moved = await s.as.manager.patch(`/api/suppliers/${x.id}`, { route_id: routeQ, version: x.version })
      expect(moved.status, JSON.stringify(moved.body)).toBe(200)
      const first = await pullAll(quarry)
      if (first === 'SCOPE_CHANGED') throw new Error('scope changed')
      expect(held(first, 'deduction')).toContain(d.id)
      expect(first.rows.get(`deduction/${d.id}`)?.version).toBe(1)
      // The update goes on and commits after the move.
      await blocker.query('rollback')
      const updated = await update
      expect(updated.status, JSON.stringify(updated.body)).toBe(200)
      // Q's device gets the new version (directly, or through a new snapshot).
      let next = await pullAll(quarry, first.cursor, 500, first)
      if (next === 'SCOPE_CHANGED') next = await pullAll(quarry)
      if (next === 'SCOPE_CHANGED') throw new Error('scope changed twice')
      expect(next.rows.get(`deduction/${d.id}`)?.version).toBe(2)
      const entry = await s.db.handle.db
        .selectFrom('change_log')
        .select(['seq', 'scope'])
        .where('entity_id', '=', d.id)
        .where('version', '=', 2)
        .executeTakeFirstOrThrow()
      const move = await s.db.handle.db
        .selectFrom('change_log')
        .select('seq')
        .where('entity_id', '=', x.id)
        .where('version', '=', moved.body.version)
        .executeTakeFirstOrThrow()
      // Logged after the move, so it names Q (its supplier's route at that place in the log).
      expect(Number(entry.seq)).toBeGreaterThan(Number(move.seq))
      expect(entry.scope).toBe(routeQ)
    } finally {
      await blocker.query('rollback').catch(() => {})
      await blocker.end()
    }
  })
})
