/**
 * A collector's device follows its routes (docs/sync-protocol.md, "Scopes"): a real client against
 * a real server process. A supplier moved out of the collector's route leaves the device at its
 * next sync (SCOPE_CHANGED, then a fresh pull of its scope) while what the collector queued offline
 * is sent exactly once and stays shown until it settles; a route added brings its suppliers.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Harness, makeClient, PASSWORD, startHarness, type TestClient } from '../helpers/client-harness'

let h: Harness
let manager: TestClient
let collector: TestClient
let productId: string
const ids = async (c: TestClient) => (await c.client.suppliers.list()).map((s) => s.code).sort()

beforeAll(async () => {
  h = await startHarness()
  manager = makeClient(h)
  collector = makeClient(h)
  await manager.client.login(h.users.manager.email, PASSWORD)
  await collector.client.login(h.users.collector.email, PASSWORD)
})
afterAll(async () => {
  await manager?.client.close()
  await collector?.client.close()
  await h?.close()
})

describe('a collector device and its routes', () => {
  test('moves and reassignments reach the device; its queue is kept and sent once', async () => {
    const m = manager.client
    const product = await m.products.create({ code: 'TEA', name: 'Tea', default_unit: 'kg' })
    productId = product.id
    await m.productRates.create({ product_id: productId, unit: 'kg', rate: '100', effective_date: '2020-01-01' })
    const ridge = await m.routes.create({ code: 'RIDGE', name: 'Ridge' })
    const valley = await m.routes.create({ code: 'VALLEY', name: 'Valley' })
    const atieno = await m.suppliers.create({ code: 'R-ATIENO', name: 'Atieno', route_id: ridge.id })
    await m.suppliers.create({ code: 'V-BARAKA', name: 'Baraka', route_id: valley.id })
    await m.suppliers.create({ code: 'U-CHEBET', name: 'Chebet' })
    await m.routeAssignments.create({
      route_id: ridge.id,
      user_id: h.users.collector.id,
      valid_from: '2020-01-01',
    })
    expect((await m.sync()).error).toBeUndefined()

    const c = collector.client
    expect((await c.sync()).error).toBeUndefined()
    expect(await ids(collector)).toEqual(['R-ATIENO', 'U-CHEBET'])

    // Offline: a collection for Atieno, and a supplier whose code another route's supplier has.
    collector.offline = true
    const delivery = await c.collections.create({
      supplier_id: atieno.id,
      product_id: productId,
      collection_date: '2026-05-01',
      quantity: '10',
      unit: 'kg',
    })
    await c.suppliers.create({ code: 'V-BARAKA', name: 'Baraka too' })
    // Meanwhile the office moves Atieno to the valley.
    await m.suppliers.update(atieno.id, { route_id: valley.id })
    expect((await m.sync()).error).toBeUndefined()

    collector.offline = false
    const back = await c.sync()
    expect(back.error).toBeUndefined()
    expect(back.successful).toBe(1) // the collection
    expect(back.failed).toBe(1) // the duplicate code
    // Atieno left the device; the refused supplier is still shown, waiting for the collector.
    expect(await ids(collector)).toEqual(['U-CHEBET', 'V-BARAKA'])
    expect((await c.suppliers.list()).find((s) => s.code === 'V-BARAKA')?.name).toBe('Baraka too')
    expect(await c.failed.list()).toHaveLength(1)
    // The collection was sent exactly once and is on the device, priced.
    const onServer = await m.collections.list()
    expect(onServer.filter((r) => r.id === delivery.id)).toHaveLength(0) // the manager has not pulled yet
    expect((await m.sync()).error).toBeUndefined()
    expect((await m.collections.list()).filter((r) => r.id === delivery.id)).toHaveLength(1)
    expect(await c.collections.get(delivery.id)).toMatchObject({ total_amount: '1000.00' })

    // The collector is given the valley too: its suppliers arrive.
    await m.routeAssignments.create({ route_id: valley.id, user_id: h.users.collector.id, valid_from: '2020-01-01' })
    expect((await m.sync()).error).toBeUndefined()
    expect((await c.sync()).error).toBeUndefined()
    expect(await ids(collector)).toEqual(['R-ATIENO', 'U-CHEBET', 'V-BARAKA', 'V-BARAKA'])
    expect(c.status.current).toMatchObject({ pending: 0, conflicts: 0, failed: 1 })
    // Balances of its suppliers are cached with the sync: Atieno's 10 kg at 100.00, for use without signal.
    const cached = await c.cachedBalances()
    expect(cached?.data.find((b) => b.supplier_id === atieno.id)).toMatchObject({ balance: '1000.00' })
  })

  test('the directory: a supplier of another route, found online and added to the device, then removed', async () => {
    const m = manager.client
    const coast = await m.routes.create({ code: 'COAST', name: 'Coast' })
    const far = await m.suppliers.create({ code: 'C-FARAJI', name: 'Faraji Coast', route_id: coast.id })
    expect((await m.sync()).error).toBeUndefined()
    const c = collector.client
    expect((await c.sync()).error).toBeUndefined()
    expect(await ids(collector)).not.toContain('C-FARAJI')

    const found = await c.directory.search('Faraji')
    expect(found.map((s) => [s.code, s.on_device])).toEqual([['C-FARAJI', false]])
    await c.directory.add(far.id)
    expect(await ids(collector)).toContain('C-FARAJI')
    expect((await c.directory.search('Faraji'))[0].on_device).toBe(true)
    expect((await c.directory.added()).map((p) => p.supplier_id)).toEqual([far.id])

    // Offline the directory says so; the device keeps what it holds.
    collector.offline = true
    await expect(c.directory.search('Faraji')).rejects.toThrow()
    collector.offline = false

    await c.directory.remove(far.id)
    expect(await ids(collector)).not.toContain('C-FARAJI')
  })
})
