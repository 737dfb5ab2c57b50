import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>
let tablet: Api
beforeAll(async () => {
  s = await startTestServer()
  basics = await seedBasics(s.as.manager)
  tablet = await s.login(s.users.admin.email, undefined, 'tablet-7')
})
afterAll(() => s?.close())

interface Entry {
  version: number
  operation: string
  user_id: string
  device_id: string
  created_at: string
  data: Record<string, unknown>
}

const historyOf = async (type: string, id: string, api: Api = s.as.manager) => {
  const res = await api.get(`/api/history/${type}/${id}`)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.data as Entry[]
}

describe('history', () => {
  test('every accepted change of a supplier is a full version with who and which device', async () => {
    const v1 = (await s.as.manager.post('/api/suppliers', { code: 'H1', name: 'Achieng', phone: '0700' })).body
    const v2 = (await tablet.patch(`/api/suppliers/${v1.id}`, { name: 'Achieng O.', version: 1 })).body
    const stale = await s.as.manager.patch(`/api/suppliers/${v1.id}`, { name: 'lost', version: 1 })
    expect(stale.status).toBe(409)
    const v3 = (await s.as.manager.put(`/api/suppliers/${v1.id}`, { address: 'Kericho', version: 2 })).body
    const v4 = (await s.as.admin.del(`/api/suppliers/${v1.id}?version=3`)).body
    expect(v4.version).toBe(4)

    const h = await historyOf('supplier', v1.id)
    expect(h.map((e) => [e.version, e.operation, e.user_id, e.device_id])).toEqual([
      [1, 'create', s.users.manager.id, 'device-manager'],
      [2, 'update', s.users.admin.id, 'tablet-7'],
      [3, 'update', s.users.manager.id, 'device-manager'],
      [4, 'delete', s.users.admin.id, 'device-admin'],
    ])
    expect(h.map((e) => e.data)).toEqual([v1, v2, v3, v4])
    expect(h[2].data).toMatchObject({ name: 'Achieng O.', phone: '0700', address: 'Kericho' })
    expect(h[3].data.deleted_at).not.toBeNull()
    for (const e of h) expect(Number.isNaN(Date.parse(e.created_at))).toBe(false)
    expect(h.some((e) => e.data.name === 'lost')).toBe(false)
  })

  test('a collection version keeps its price as it was', async () => {
    const c = (
      await s.as.collector.post('/api/collections', {
        supplier_id: basics.supplierId,
        product_id: basics.productId,
        collection_date: '2025-06-01',
        quantity: '2',
        unit: 'kg',
      })
    ).body
    await s.as.collector.patch(`/api/collections/${c.id}`, { quantity: '3', version: 1 })
    const h = await historyOf('collection', c.id, s.as.collector)
    expect(h.map((e) => [e.data.quantity, e.data.total_amount, e.data.rate_applied])).toEqual([
      ['2.000', '240.00', '120.00'],
      ['3.000', '360.00', '120.00'],
    ])
    // The collector sees who changed their collection, not from which device (admins and managers do).
    expect(h.every((e) => e.user_id === s.users.collector.id && e.device_id === null)).toBe(true)
    const audited = await historyOf('collection', c.id, s.as.manager)
    expect(audited.every((e) => e.device_id === 'device-collector' && !('device_id' in e.data))).toBe(true)
    expect((await historyOf('collection', c.id, s.as.finance)).length).toBe(2)
  })

  test('rates, products and payments have history too', async () => {
    const rates = await historyOf('product_rate', basics.rateId)
    expect(rates).toHaveLength(1)
    expect(rates[0]).toMatchObject({ operation: 'create', data: { id: basics.rateId, rate: '120.00' } })
    const products = await historyOf('product', basics.productId)
    expect(products[0].data.id).toBe(basics.productId)
    const p = (
      await s.as.finance.post('/api/payments', {
        supplier_id: basics.supplierId,
        payment_date: '2025-06-02',
        amount: '10',
        payment_type: 'advance',
      })
    ).body
    await s.as.finance.del(`/api/payments/${p.id}?version=1`)
    const h = await historyOf('payment', p.id, s.as.finance)
    expect(h.map((e) => e.operation)).toEqual(['create', 'delete'])
    expect(h[1].data).toMatchObject({ amount: '10.00', version: 2 })
  })

  test('unknown ids are 404, another entity type with that id is 404, bad types are 422', async () => {
    const res = await s.as.manager.get(`/api/history/supplier/${randomUUID()}`)
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('NOT_FOUND')
    expect((await s.as.manager.get(`/api/history/product/${basics.supplierId}`)).status).toBe(404)
    expect((await s.as.manager.get(`/api/history/users/${basics.supplierId}`)).status).toBe(422)
    expect((await s.anon.get(`/api/history/supplier/${basics.supplierId}`)).status).toBe(401)
  })

  test("a collector cannot read the history of someone else's collection", async () => {
    const c = (
      await s.as.manager.post('/api/collections', {
        supplier_id: basics.supplierId,
        product_id: basics.productId,
        collection_date: '2025-06-03',
        quantity: '1',
        unit: 'kg',
      })
    ).body
    expect((await s.as.collector.get(`/api/history/collection/${c.id}`)).status).toBe(404)
    await s.as.manager.del(`/api/collections/${c.id}?version=1`)
    expect((await s.as.collector.get(`/api/history/collection/${c.id}`)).status).toBe(404)
    expect((await historyOf('collection', c.id)).map((e) => e.operation)).toEqual(['create', 'delete'])
  })
})
