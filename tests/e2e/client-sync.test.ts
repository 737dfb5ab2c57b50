/** Several devices edit offline against a real server process, then converge. */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import {
  clientSnapshot,
  type Harness,
  makeClient,
  PASSWORD,
  serverSnapshot,
  startHarness,
  type TestClient,
} from '../helpers/client-harness'

let h: Harness
let admin: TestClient
let productId: string

beforeAll(async () => {
  h = await startHarness()
  admin = makeClient(h)
  await admin.client.login(h.users.admin.email, PASSWORD)
  const product = await admin.client.products.create({ code: 'TEA', name: 'Tea', default_unit: 'kg' })
  productId = product.id
  await admin.client.productRates.create({
    product_id: productId,
    unit: 'kg',
    rate: '120',
    effective_date: '2020-01-01',
  })
  const s = await admin.client.sync()
  expect(s.error).toBeUndefined()
})
afterAll(async () => {
  await admin?.client.close()
  await h?.close()
})

describe('offline edits converge', () => {
  test('three devices edit offline, come back online, and end with identical replicas equal to the server', async () => {
    const a = makeClient(h)
    const b = makeClient(h)
    const c = makeClient(h)
    await a.client.login(h.users.manager.email, PASSWORD)
    await b.client.login(h.users.collector.email, PASSWORD)
    await c.client.login(h.users.finance.email, PASSWORD)
    for (const d of [a, b, c]) expect((await d.client.sync()).error).toBeUndefined()
    const existing = await a.client.suppliers.create({ code: 'EX-1', name: 'Existing' })
    await a.client.sync()
    for (const d of [b, c]) await d.client.sync()

    for (const d of [a, b, c]) d.offline = true
    // Manager: a supplier and its collections created offline together; edits and a delete.
    const s1 = await a.client.suppliers.create({ code: 'OFF-A', name: 'Offline A' })
    const col = await a.client.collections.create({
      supplier_id: s1.id,
      product_id: productId,
      collection_date: '2026-05-01',
      quantity: '10',
      unit: 'kg',
    })
    expect(col.total_amount).toBe('1200.00') // offline preview from local rates
    await a.client.collections.update(col.id, { quantity: '12.5' })
    await a.client.suppliers.update(s1.id, { phone: '0700' })
    await a.client.suppliers.update(existing.id, { address: 'Ridge' })
    const doomed = await a.client.suppliers.create({ code: 'OFF-DEL', name: 'Short lived' })
    await a.client.suppliers.remove(doomed.id)
    // Collector: a new supplier with a collection, and a collection on the existing supplier.
    const s2 = await b.client.suppliers.create({ code: 'OFF-B', name: 'Offline B' })
    await b.client.collections.create({
      supplier_id: s2.id,
      product_id: productId,
      collection_date: '2026-05-02',
      quantity: '3.333',
      unit: 'kg',
    })
    await b.client.collections.create({
      supplier_id: existing.id,
      product_id: productId,
      collection_date: '2026-05-02',
      quantity: '1',
      unit: 'kg',
    })
    // Finance: a payment to the existing supplier.
    await c.client.payments.create({
      supplier_id: existing.id,
      payment_date: '2026-05-03',
      amount: '500',
      payment_type: 'advance',
    })
    expect(await a.client.unsyncedCount()).toBe(7)
    await vi.waitFor(() => expect(a.client.status.current.pending).toBe(7))

    for (const d of [a, b, c]) d.offline = false
    for (const d of [a, b, c]) {
      const s = await d.client.sync()
      expect(s.error).toBeUndefined()
      expect(s.failed + s.conflicts).toBe(0)
    }
    await admin.client.sync()
    for (const d of [a, b, c]) await d.client.sync() // pull what the others pushed

    const server = await serverSnapshot(h)
    expect(await clientSnapshot(admin.client)).toEqual(server)
    expect(await clientSnapshot(a.client)).toEqual(server)
    // Collectors see only their own collections and no payments; finance sees everything.
    expect(await clientSnapshot(c.client)).toEqual(server)
    const bSnap = await clientSnapshot(b.client)
    expect(bSnap.suppliers).toEqual(server.suppliers)
    expect(bSnap.payments).toEqual([])
    expect(bSnap.collections).toHaveLength(2)

    const priced = await a.client.collections.get(col.id)
    expect(priced).toMatchObject({ quantity: '12.500', total_amount: '1500.00', version: 2 })
    expect(priced?._sync).toBeUndefined()
    for (const d of [a, b, c]) {
      expect(d.client.status.current).toMatchObject({ pending: 0, failed: 0, conflicts: 0 })
      await d.client.close()
    }
  })
})
