import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let manager: Api
let basics: Awaited<ReturnType<typeof seedBasics>>
beforeAll(async () => {
  s = await startTestServer()
  manager = s.as.manager
  basics = await seedBasics(manager)
})
afterAll(() => s?.close())

const uniq = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}`

async function created(api: Api, path: string, body: Record<string, unknown>) {
  const res = await api.post(path, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

/** One row of each entity type: how to make it, which table holds it, and a field to change. */
const KINDS = [
  {
    path: '/api/suppliers',
    table: 'suppliers',
    body: async () => ({ code: uniq('S'), name: 'Wanjiru' }),
    change: { name: 'Wanjiru Kamau' },
  },
  {
    path: '/api/products',
    table: 'products',
    body: async () => ({ code: uniq('P'), name: 'Milk', default_unit: 'l' }),
    change: { description: 'fresh, morning' },
  },
  {
    path: '/api/product-rates',
    table: 'product_rates',
    body: async () => {
      const p = await created(manager, '/api/products', { code: uniq('P'), name: 'Leaf', default_unit: 'kg' })
      return { product_id: p.id, unit: 'kg', rate: '10.5', effective_date: '2024-01-01' }
    },
    change: { rate: '11.25' },
  },
  {
    path: '/api/collections',
    table: 'collections',
    body: async () => ({
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2025-03-01',
      quantity: '2',
      unit: 'kg',
    }),
    change: { notes: 'wet leaves' },
  },
  {
    path: '/api/payments',
    table: 'payments',
    body: async () => ({
      supplier_id: basics.supplierId,
      payment_date: '2025-03-02',
      amount: '100',
      payment_type: 'advance',
    }),
    change: { reference_number: 'MPESA-1' },
  },
] as const

describe.each(KINDS)('$path', (kind) => {
  test('create returns the entity with server-set fields; a client-made id is kept; get returns it', async () => {
    const res = await manager.post(kind.path, await kind.body())
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.body.version).toBe(1)
    expect(Number.isNaN(Date.parse(res.body.created_at))).toBe(false)
    expect(res.body.created_by).toBe(s.users.manager.id)
    // Which device wrote a row is audit data (history, admins and managers), never part of the row.
    expect(res.body).not.toHaveProperty('device_id')
    expect(res.body.deleted_at).toBeNull()

    const id = randomUUID()
    const own = await created(s.as.admin, kind.path, { ...(await kind.body()), id })
    expect(own.id).toBe(id)
    expect(own.created_by).toBe(s.users.admin.id)
    expect(own).not.toHaveProperty('device_id')
    const again = await s.as.admin.post(kind.path, { ...(await kind.body()), id })
    expect([again.status, again.body.error.code]).toEqual([409, 'DUPLICATE'])

    const got = await manager.get(`${kind.path}/${id}`)
    expect(got.status).toBe(200)
    expect(got.body).toEqual(own)
    expect((await manager.get(`${kind.path}/${randomUUID()}`)).status).toBe(404)
  })

  test('PUT and PATCH with the version bump it; a stale version is a 409 carrying the current row', async () => {
    const row = await created(manager, kind.path, await kind.body())
    const put = await manager.put(`${kind.path}/${row.id}`, { ...kind.change, version: 1 })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body.version).toBe(2)
    expect(put.body).toMatchObject(kind.change)
    const patch = await s.as.admin.patch(`${kind.path}/${row.id}`, { version: 2 })
    expect(patch.status).toBe(200)
    expect(patch.body.version).toBe(3)
    expect(patch.body.updated_by).toBe(s.users.admin.id)
    expect(patch.body.created_by).toBe(s.users.manager.id)

    const stale = await manager.patch(`${kind.path}/${row.id}`, { ...kind.change, version: 2 })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('VERSION_CONFLICT')
    expect(stale.body.error.details.current).toEqual(patch.body)
    expect((await manager.get(`${kind.path}/${row.id}`)).body.version).toBe(3)
  })

  test('delete with ?version soft-deletes; stale or repeated writes are 409', async () => {
    const row = await created(manager, kind.path, await kind.body())
    expect((await manager.del(`${kind.path}/${row.id}?version=one`)).status).toBe(422)
    const stale = await manager.del(`${kind.path}/${row.id}?version=2`)
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('VERSION_CONFLICT')
    expect(stale.body.error.details.current.version).toBe(1)

    const del = await manager.del(`${kind.path}/${row.id}?version=1`)
    expect(del.status).toBe(200)
    expect(del.body.version).toBe(2)
    expect(del.body.deleted_at).not.toBeNull()

    expect((await manager.get(`${kind.path}/${row.id}`)).status).toBe(404)
    const list = await manager.get(`${kind.path}?per_page=100`)
    expect(list.body.data.map((r: { id: string }) => r.id)).not.toContain(row.id)
    const stored = await s.db.handle.db
      .selectFrom(kind.table)
      .select(['deleted_at', 'version'])
      .where('id', '=', row.id)
      .executeTakeFirst()
    expect(stored?.deleted_at).toBe(del.body.deleted_at)
    expect(Number(stored?.version)).toBe(2)

    const update = await manager.patch(`${kind.path}/${row.id}`, { ...kind.change, version: 2 })
    expect(update.status).toBe(409)
    expect(update.body.error.details.current.deleted_at).toBe(del.body.deleted_at)
    expect((await manager.del(`${kind.path}/${row.id}?version=2`)).status).toBe(409)
  })
})

describe('lists', () => {
  test('pages, per_page, total, sorting and search over suppliers', async () => {
    const tag = uniq('zz')
    for (const name of ['Cedric', 'Alice', 'Bob']) {
      await created(manager, '/api/suppliers', { code: uniq('L'), name: `${name} ${tag}` })
    }
    const p1 = await manager.get(`/api/suppliers?search=${tag}&per_page=2&page=1&sort_by=name&sort_order=asc`)
    expect(p1.status).toBe(200)
    expect(p1.body).toMatchObject({ page: 1, per_page: 2, total: 3 })
    expect(p1.body.data.map((r: { name: string }) => r.name)).toEqual([`Alice ${tag}`, `Bob ${tag}`])
    const p2 = await manager.get(`/api/suppliers?search=${tag.toUpperCase()}&per_page=2&page=2&sort_by=name`)
    expect(p2.body.data.map((r: { name: string }) => r.name)).toEqual([`Cedric ${tag}`])
    const desc = await manager.get(`/api/suppliers?search=${tag}&sort_by=name&sort_order=desc`)
    expect(desc.body.data[0].name).toBe(`Cedric ${tag}`)

    const bad = await manager.get('/api/suppliers?sort_by=password_hash')
    expect(bad.status).toBe(422)
    expect(bad.body.error.code).toBe('VALIDATION_FAILED')
    expect((await manager.get('/api/suppliers?per_page=101')).status).toBe(422)
    // LIKE wildcards in the search are literal.
    expect((await manager.get(`/api/suppliers?search=${tag.slice(0, 2)}%25_`)).body.total).toBe(0)
  })

  test('is_active filter on suppliers and products', async () => {
    const tag = uniq('act')
    await created(manager, '/api/suppliers', { code: uniq('A'), name: `On ${tag}` })
    await created(manager, '/api/suppliers', { code: uniq('A'), name: `Off ${tag}`, is_active: false })
    const on = await manager.get(`/api/suppliers?search=${tag}&is_active=true`)
    expect(on.body.data.map((r: { name: string }) => r.name)).toEqual([`On ${tag}`])
    const off = await manager.get(`/api/suppliers?search=${tag}&is_active=false`)
    expect(off.body.data.map((r: { name: string }) => r.name)).toEqual([`Off ${tag}`])
    await created(manager, '/api/products', {
      code: uniq('X'),
      name: `Off ${tag}`,
      default_unit: 'kg',
      is_active: false,
    })
    const products = await manager.get(`/api/products?search=${tag}&is_active=0`)
    expect(products.body.total).toBe(1)
    expect(products.body.data[0].is_active).toBe(false)
  })

  test('collections filter by supplier, product, unit and date range', async () => {
    const other = await created(manager, '/api/suppliers', { code: uniq('F'), name: 'Filter' })
    const p = await created(manager, '/api/products', { code: uniq('F'), name: 'Milk', default_unit: 'l' })
    await created(manager, '/api/product-rates', {
      product_id: p.id,
      unit: 'l',
      rate: '50',
      effective_date: '2020-01-01',
    })
    await created(manager, '/api/product-rates', {
      product_id: p.id,
      unit: 'kg',
      rate: '60',
      effective_date: '2020-01-01',
    })
    const base = { supplier_id: other.id, product_id: p.id, quantity: '1' }
    for (const [date, unit] of [
      ['2025-01-01', 'l'],
      ['2025-01-15', 'l'],
      ['2025-02-01', 'kg'],
    ]) {
      await created(manager, '/api/collections', { ...base, collection_date: date, unit })
    }
    const bySupplier = await manager.get(`/api/collections?supplier_id=${other.id}`)
    expect(bySupplier.body.total).toBe(3)
    const byProduct = await manager.get(`/api/collections?product_id=${p.id}&unit=l&sort_by=collection_date`)
    expect(byProduct.body.data.map((c: { collection_date: string }) => c.collection_date)).toEqual([
      '2025-01-01',
      '2025-01-15',
    ])
    const range = await manager.get(`/api/collections?supplier_id=${other.id}&from_date=2025-01-15&to_date=2025-02-01`)
    expect(range.body.total).toBe(2)
    const rates = await manager.get(`/api/product-rates?product_id=${p.id}&unit=kg`)
    expect(rates.body.data.map((r: { rate: string }) => r.rate)).toEqual(['60.00'])
  })

  test('payments filter by payment_type and date range', async () => {
    const sup = await created(manager, '/api/suppliers', { code: uniq('F'), name: 'Payee' })
    const mk = (payment_date: string, payment_type: string) =>
      created(s.as.finance, '/api/payments', { supplier_id: sup.id, payment_date, amount: '5', payment_type })
    await mk('2025-05-01', 'advance')
    await mk('2025-05-10', 'partial')
    await mk('2025-06-01', 'advance')
    const adv = await manager.get(`/api/payments?supplier_id=${sup.id}&payment_type=advance`)
    expect(adv.body.total).toBe(2)
    expect(adv.body.data.every((r: { payment_type: string }) => r.payment_type === 'advance')).toBe(true)
    const may = await manager.get(`/api/payments?supplier_id=${sup.id}&from_date=2025-05-01&to_date=2025-05-31`)
    expect(may.body.data.map((r: { payment_date: string }) => r.payment_date).sort()).toEqual([
      '2025-05-01',
      '2025-05-10',
    ])
    expect((await manager.get('/api/payments?payment_type=bribe')).status).toBe(422)
  })

  test('collections filter by where the weight came from (typed by hand or from a scale)', async () => {
    const sup = await created(manager, '/api/suppliers', { code: uniq('W'), name: 'Weighed' })
    const base = { supplier_id: sup.id, product_id: basics.productId, collection_date: '2025-03-01', unit: 'kg' }
    const typed = await created(manager, '/api/collections', { ...base, quantity: '7.5' })
    const scaled = await created(manager, '/api/collections', {
      ...base,
      quantity: '12.345',
      weight_source: 'scale',
      scale_id: 'ble:AbC123==',
    })
    const ids = async (query: string) =>
      (await manager.get(`/api/collections?supplier_id=${sup.id}${query}`)).body.data.map((c: { id: string }) => c.id)
    expect(await ids('&weight_source=typed')).toEqual([typed.id])
    expect(await ids('&weight_source=scale')).toEqual([scaled.id])
    expect((await ids('')).sort()).toEqual([typed.id, scaled.id].sort())
    expect((await manager.get('/api/collections?weight_source=guessed')).status).toBe(422)
  })
})

describe('unique codes', () => {
  test('a duplicate supplier code is 409 DUPLICATE, on create and update; free again after delete', async () => {
    const code = uniq('DUP')
    const first = await created(manager, '/api/suppliers', { code, name: 'One' })
    const dup = await manager.post('/api/suppliers', { code, name: 'Two' })
    expect(dup.status).toBe(409)
    expect(dup.body.error.code).toBe('DUPLICATE')
    const other = await created(manager, '/api/suppliers', { code: uniq('DUP'), name: 'Three' })
    const clash = await manager.patch(`/api/suppliers/${other.id}`, { code, version: 1 })
    expect(clash.status).toBe(409)
    expect(clash.body.error.code).toBe('DUPLICATE')

    expect((await manager.del(`/api/suppliers/${first.id}?version=1`)).status).toBe(200)
    const reused = await manager.post('/api/suppliers', { code, name: 'Four' })
    expect(reused.status).toBe(201)
    expect(reused.body.code).toBe(code)
  })
})

describe('mass assignment', () => {
  test('server-owned fields in a create body are ignored', async () => {
    const res = await manager.post('/api/collections', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2025-04-01',
      quantity: '10',
      unit: 'kg',
      version: 42,
      rate_applied: '1.00',
      total_amount: '1.00',
      product_rate_id: randomUUID(),
      created_by: s.users.collector.id,
      updated_by: s.users.collector.id,
      created_at: '2000-01-01T00:00:00.000Z',
      deleted_at: '2000-01-01T00:00:00.000Z',
      device_id: 'forged',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      version: 1,
      rate_applied: '120.00',
      total_amount: '1200.00',
      product_rate_id: basics.rateId,
      created_by: s.users.manager.id,
      updated_by: s.users.manager.id,
      deleted_at: null,
      user_id: s.users.manager.id,
    })
    expect(res.body).not.toHaveProperty('device_id')
    expect(res.body.created_at.startsWith('2000')).toBe(false)
  })

  test('server-owned fields and the id in an update body are ignored', async () => {
    const row = await created(manager, '/api/collections', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2025-04-02',
      quantity: '3',
      unit: 'kg',
    })
    const otherId = randomUUID()
    const res = await manager.put(`/api/collections/${row.id}`, {
      version: 1,
      id: otherId,
      notes: 'checked',
      rate_applied: '1.00',
      total_amount: '1.00',
      product_rate_id: randomUUID(),
      created_by: s.users.admin.id,
      created_at: '2000-01-01T00:00:00.000Z',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({
      id: row.id,
      version: 2,
      notes: 'checked',
      rate_applied: '120.00',
      total_amount: '360.00',
      product_rate_id: basics.rateId,
      created_by: s.users.manager.id,
      created_at: row.created_at,
    })
    expect((await manager.get(`/api/collections/${otherId}`)).status).toBe(404)
    expect((await manager.get(`/api/collections/${row.id}`)).body.notes).toBe('checked')
  })

  test('a collector cannot record a collection as someone else', async () => {
    const res = await s.as.collector.post('/api/collections', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2025-04-03',
      quantity: '1',
      unit: 'kg',
      user_id: s.users.manager.id,
    })
    expect(res.status).toBe(403)
    const mine = await created(s.as.collector, '/api/collections', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2025-04-03',
      quantity: '1',
      unit: 'kg',
    })
    const steal = await s.as.collector.patch(`/api/collections/${mine.id}`, { version: 1, user_id: s.users.admin.id })
    expect(steal.status).toBe(403)
    expect((await manager.get(`/api/collections/${mine.id}`)).body.user_id).toBe(s.users.collector.id)
  })
})
