/**
 * The role matrix, route by route: what each role may read, create, update
 * and delete, and the collector's "own rows only" rules.
 */
import { randomUUID } from 'node:crypto'
import type { EntityType, Role } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, type Reply, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

const ROLES: Role[] = ['admin', 'manager', 'finance', 'collector']
const EVERYONE = ROLES
const MASTER: Role[] = ['admin', 'manager']

/** The types clients write (settlement runs and lines are the server's: settlement tests). */
type Writable = Exclude<EntityType, 'settlement_run' | 'settlement_line'>

const PATHS: Record<Writable, string> = {
  supplier: '/api/suppliers',
  product: '/api/products',
  product_rate: '/api/product-rates',
  collection: '/api/collections',
  payment: '/api/payments',
  deduction: '/api/deductions',
  route: '/api/routes',
  route_assignment: '/api/route-assignments',
}

/** Who may do what; a collector's collection rights are about their own rows (tested below). */
const RULES: Record<Writable, Record<'read' | 'create' | 'update' | 'delete', Role[]>> = {
  supplier: { read: EVERYONE, create: ['admin', 'manager', 'collector'], update: MASTER, delete: MASTER },
  product: { read: EVERYONE, create: MASTER, update: MASTER, delete: MASTER },
  product_rate: { read: EVERYONE, create: MASTER, update: MASTER, delete: MASTER },
  collection: { read: EVERYONE, create: ['admin', 'manager', 'collector'], update: MASTER, delete: MASTER },
  payment: {
    read: ['admin', 'manager', 'finance'],
    create: ['admin', 'manager', 'finance'],
    update: ['admin', 'manager', 'finance'],
    delete: ['admin', 'manager', 'finance'],
  },
  deduction: {
    read: EVERYONE,
    create: ['admin', 'manager', 'finance'],
    update: ['admin', 'manager', 'finance'],
    delete: ['admin', 'manager', 'finance'],
  },
  route: { read: EVERYONE, create: MASTER, update: MASTER, delete: MASTER },
  route_assignment: { read: EVERYONE, create: MASTER, update: MASTER, delete: MASTER },
}

let s: TestServer
let base: Awaited<ReturnType<typeof seedBasics>>
let seq = 0
const code = (p: string) => `${p}${++seq}-${Math.random().toString(36).slice(2, 6)}`

/** A valid create body of each type (a rate gets a product of its own, so rates never overlap). */
async function createBody(type: EntityType): Promise<Record<string, unknown>> {
  switch (type) {
    case 'supplier':
      return { code: code('S'), name: 'Wanjiru' }
    case 'product':
      return { code: code('P'), name: 'Milk', default_unit: 'l' }
    case 'product_rate': {
      const product = await s.as.admin.post('/api/products', await createBody('product'))
      return { product_id: product.body.id, unit: 'l', rate: '45.00', effective_date: '2021-01-01' }
    }
    case 'collection':
      return {
        supplier_id: base.supplierId,
        product_id: base.productId,
        collection_date: '2026-02-01',
        quantity: '2',
        unit: 'kg',
      }
    case 'payment':
      return { supplier_id: base.supplierId, payment_date: '2026-02-01', amount: '10.00', payment_type: 'advance' }
    case 'deduction':
      return {
        supplier_id: base.supplierId,
        kind: 'charge',
        description: 'Bags',
        amount: '40.00',
        effective_date: '2026-02-01',
      }
    case 'route':
      return { code: code('R'), name: 'Ridge' }
    case 'route_assignment':
      return { route_id: base.routeId, user_id: s.users.manager.id, valid_from: '2026-01-01' }
    default:
      throw new Error(`${type} rows are written by the server only`)
  }
}

/** A harmless change of each type that keeps the row valid and priced the same. */
const PATCHES: Record<Writable, Record<string, unknown>> = {
  supplier: { address: 'Ridge road' },
  product: { description: 'Fresh' },
  product_rate: { is_active: true },
  collection: { notes: 'checked' },
  payment: { notes: 'checked' },
  deduction: { notes: 'checked' },
  route: { description: 'checked' },
  route_assignment: { valid_to: '2027-12-31' },
}

/** Creates a row as admin and returns it. */
async function adminCreate(type: Writable) {
  const res = await s.as.admin.post(PATHS[type], await createBody(type))
  if (res.status !== 201) throw new Error(`${type}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as { id: string; version: number }
}

const versionOf = async (type: Writable, id: string) => (await s.as.admin.get(`${PATHS[type]}/${id}`)).body.version

function expectAllowed(res: Reply, allowed: boolean, ok: number, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(allowed ? ok : 403)
  if (!allowed) expect(res.body.error.code, what).toBe('FORBIDDEN')
}

beforeAll(async () => {
  s = await startTestServer()
  base = await seedBasics(s.as.manager)
})
afterAll(() => s?.close())

describe('role matrix', () => {
  test.each(Object.keys(PATHS) as Writable[])('%s routes', async (type) => {
    const path = PATHS[type]
    const rules = RULES[type]
    const target = await adminCreate(type)
    for (const role of ROLES) {
      const api = s.as[role]
      const what = (op: string) => `${role} ${op} ${type}`

      expectAllowed(await api.get(path), rules.read.includes(role), 200, what('list'))
      const one = await api.get(`${path}/${target.id}`)
      // A collector reads only their own collections; someone else's is simply not there.
      if ((type === 'collection' || type === 'route_assignment') && role === 'collector') {
        expect(one.status, what('get')).toBe(404)
      } else expectAllowed(one, rules.read.includes(role), 200, what('get'))

      const id = randomUUID()
      const created = await api.post(path, { ...(await createBody(type)), id })
      expectAllowed(created, rules.create.includes(role), 201, what('create'))
      if (!rules.create.includes(role)) expect((await s.as.admin.get(`${path}/${id}`)).status).toBe(404)

      const version = await versionOf(type, target.id)
      const updated = await api.patch(`${path}/${target.id}`, { ...PATCHES[type], version })
      expectAllowed(updated, rules.update.includes(role), 200, what('update'))
      expect(await versionOf(type, target.id)).toBe(rules.update.includes(role) ? version + 1 : version)

      // Allowed deletes get a row of their own; refused ones are tried on the shared target.
      const victim = rules.delete.includes(role) ? await adminCreate(type) : target
      const victimVersion = await versionOf(type, victim.id)
      const deleted = await api.del(`${path}/${victim.id}?version=${victimVersion}`)
      expectAllowed(deleted, rules.delete.includes(role), 200, what('delete'))
      if (rules.delete.includes(role)) expect(deleted.body.deleted_at).not.toBeNull()
      else expect((await s.as.admin.get(`${path}/${victim.id}`)).status).toBe(200)
    }
  })

  test('every entity, report, notification and user route needs a token', async () => {
    const paths = [
      ...Object.values(PATHS),
      `/api/suppliers/${base.supplierId}/balance`,
      `/api/suppliers/${base.supplierId}/statement`,
      '/api/reports/balances',
      `/api/history/supplier/${base.supplierId}`,
      '/api/users',
      '/api/notifications',
    ]
    for (const path of paths) {
      const res = await s.anon.get(path)
      expect(res.status, path).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHENTICATED')
    }
    const write = await s.anon.post('/api/suppliers', await createBody('supplier'))
    expect(write.status).toBe(401)
  })

  test('reports: balances for everyone, the all-supplier report and statements not for collectors', async () => {
    for (const role of ROLES) {
      const balance = await s.as[role].get(`/api/suppliers/${base.supplierId}/balance`)
      expect(balance.status, role).toBe(200)
      expect(balance.body.supplier_id).toBe(base.supplierId)
      const mayReport = role !== 'collector'
      expectAllowed(await s.as[role].get('/api/reports/balances'), mayReport, 200, `${role} balances report`)
      expectAllowed(
        await s.as[role].get(`/api/suppliers/${base.supplierId}/statement`),
        mayReport,
        200,
        `${role} statement`,
      )
    }
  })
})

describe('collector', () => {
  let collector: Api
  let own: { id: string; version: number }
  let others: { id: string; version: number }
  beforeAll(async () => {
    collector = s.as.collector
    own = (await collector.post('/api/collections', await createBody('collection'))).body
    others = (await s.as.manager.post('/api/collections', await createBody('collection'))).body
  })

  test('records collections as themselves', async () => {
    const res = await collector.get(`/api/collections/${own.id}`)
    expect(res.status).toBe(200)
    expect(res.body.user_id).toBe(s.users.collector.id)
    expect(res.body.created_by).toBe(s.users.collector.id)
  })

  test('sending the user_id of someone else is 403 and writes nothing', async () => {
    const id = randomUUID()
    const res = await collector.post('/api/collections', {
      ...(await createBody('collection')),
      id,
      user_id: s.users.manager.id,
    })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
    expect((await s.as.admin.get(`/api/collections/${id}`)).status).toBe(404)
    const same = await collector.post('/api/collections', {
      ...(await createBody('collection')),
      user_id: s.users.collector.id,
    })
    expect(same.status).toBe(201)
  })

  test('updates own collections but cannot hand them to someone else', async () => {
    const v = (await collector.get(`/api/collections/${own.id}`)).body.version
    const ok = await collector.patch(`/api/collections/${own.id}`, { quantity: '3', version: v })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(ok.body.total_amount).toBe('360.00')
    const moved = await collector.patch(`/api/collections/${own.id}`, { user_id: s.users.manager.id, version: v + 1 })
    expect(moved.status).toBe(403)
    expect((await s.as.admin.get(`/api/collections/${own.id}`)).body.user_id).toBe(s.users.collector.id)
  })

  test("cannot update or delete someone else's collection, nor delete their own", async () => {
    const other = await collector.put(`/api/collections/${others.id}`, { notes: 'mine now', version: others.version })
    expect(other.status).toBe(403)
    const delOther = await collector.del(`/api/collections/${others.id}?version=${others.version}`)
    expect(delOther.status).toBe(403)
    const v = (await collector.get(`/api/collections/${own.id}`)).body.version
    const delOwn = await collector.del(`/api/collections/${own.id}?version=${v}`)
    expect(delOwn.status).toBe(403)
    expect(delOwn.body.error.code).toBe('FORBIDDEN')
    const stored = await s.as.admin.get(`/api/collections/${others.id}`)
    expect(stored.body).toMatchObject({ version: others.version, notes: null, deleted_at: null })
    expect((await collector.get(`/api/collections/${own.id}`)).status).toBe(200)
  })

  test('lists only their own collections, whatever the filter says', async () => {
    const mine = await collector.get('/api/collections?per_page=100')
    expect(mine.status).toBe(200)
    expect(mine.body.total).toBeGreaterThanOrEqual(2)
    for (const row of mine.body.data) expect(row.user_id).toBe(s.users.collector.id)
    const all = await s.as.manager.get('/api/collections?per_page=100')
    expect(all.body.total).toBeGreaterThan(mine.body.total)
    const spoofed = await collector.get(`/api/collections?user_id=${s.users.manager.id}`)
    expect(spoofed.body.total).toBe(0)
  })

  test('history: own collections yes, others and payments no', async () => {
    expect((await collector.get(`/api/history/collection/${own.id}`)).status).toBe(200)
    expect((await collector.get(`/api/history/collection/${others.id}`)).status).toBe(404)
    const payment = await adminCreate('payment')
    expect((await collector.get(`/api/history/payment/${payment.id}`)).status).toBe(403)
  })

  test('can create suppliers but not change them; cannot create products or rates', async () => {
    const created = await collector.post('/api/suppliers', await createBody('supplier'))
    expect(created.status).toBe(201)
    const upd = await collector.patch(`/api/suppliers/${created.body.id}`, { name: 'Renamed', version: 1 })
    expect(upd.status).toBe(403)
    expect((await collector.post('/api/products', await createBody('product'))).status).toBe(403)
    expect((await collector.post('/api/product-rates', await createBody('product_rate'))).status).toBe(403)
  })
})

describe('acting for others', () => {
  test('managers may record a collection for a collector; finance may not record collections', async () => {
    const res = await s.as.manager.post('/api/collections', {
      ...(await createBody('collection')),
      user_id: s.users.collector.id,
    })
    expect(res.status).toBe(201)
    expect(res.body.user_id).toBe(s.users.collector.id)
    expect(res.body.created_by).toBe(s.users.manager.id)
    const finance = await s.as.finance.post('/api/collections', await createBody('collection'))
    expect(finance.status).toBe(403)
  })

  test('finance may record a payment for another user', async () => {
    const res = await s.as.finance.post('/api/payments', {
      ...(await createBody('payment')),
      user_id: s.users.manager.id,
    })
    expect(res.status).toBe(201)
    expect(res.body.user_id).toBe(s.users.manager.id)
  })

  test('a user_id that names nobody is refused', async () => {
    const res = await s.as.manager.post('/api/collections', {
      ...(await createBody('collection')),
      user_id: randomUUID(),
    })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('REFERENCE_NOT_FOUND')
  })
})
