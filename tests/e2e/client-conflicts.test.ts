/** The same record edited on two devices: a conflict surfaces on the second, and each resolution works. */
import { createSyncClient } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { type Harness, makeClient, PASSWORD, startHarness, type TestClient } from '../helpers/client-harness'

let h: Harness
let a: TestClient
let b: TestClient

beforeAll(async () => {
  h = await startHarness()
  a = makeClient(h)
  b = makeClient(h)
  await a.client.login(h.users.manager.email, PASSWORD)
  await b.client.login(h.users.admin.email, PASSWORD)
})
afterAll(async () => {
  await a?.client.close()
  await b?.client.close()
  await h?.close()
})

/** A supplier both devices know, then edited offline on both: A's change reaches the server first. */
async function conflictOn(
  field: 'name' | 'phone',
  aValue: string,
  bValue: string,
  bExtra: Record<string, string> = {},
) {
  const s = await a.client.suppliers.create({
    code: `K-${Math.random().toString(36).slice(2, 8)}`,
    name: 'Base',
    phone: '1',
  })
  await a.client.sync()
  // A sync already running on B (a previous test's resolution nudges one) may have pulled before
  // A's push: sync() joins it, so a second call is what is sure to start after A's commit.
  await b.client.sync()
  await b.client.sync()
  b.offline = true
  await a.client.suppliers.update(s.id, { [field]: aValue })
  await b.client.suppliers.update(s.id, { [field]: bValue, ...bExtra })
  expect((await a.client.sync()).successful).toBe(1)
  b.offline = false
  const summary = await b.client.sync()
  expect(summary.conflicts).toBe(1)
  const [conflict] = await b.client.conflicts.list()
  expect(conflict.conflict).toMatchObject({
    fields: [field],
    server: { [field]: aValue },
    base: { [field]: field === 'name' ? 'Base' : '1' },
  })
  // Nothing is lost locally: the view keeps B's change, marked as a conflict.
  expect(await b.client.suppliers.get(s.id)).toMatchObject({ [field]: bValue, _sync: 'conflict' })
  return { id: s.id, localId: conflict.local_id }
}

describe('conflicts', () => {
  test('disjoint edits on two devices merge without a conflict', async () => {
    const s = await a.client.suppliers.create({ code: 'MERGE-1', name: 'Base', phone: '1' })
    await a.client.sync()
    await b.client.sync()
    b.offline = true
    await a.client.suppliers.update(s.id, { phone: '2' })
    await b.client.suppliers.update(s.id, { name: 'B name' })
    await a.client.sync()
    b.offline = false
    const summary = await b.client.sync()
    expect(summary).toMatchObject({ successful: 1, conflicts: 0 })
    expect(await b.client.suppliers.get(s.id)).toMatchObject({ name: 'B name', phone: '2', version: 3 })
    await a.client.sync()
    expect(await a.client.suppliers.get(s.id)).toMatchObject({ name: 'B name', phone: '2', version: 3 })
  })

  test('use_server drops the local change and shows the server row', async () => {
    const { id, localId } = await conflictOn('name', 'A wins', 'B loses')
    await b.client.conflicts.resolve(localId, 'use_server')
    expect(await b.client.suppliers.get(id)).toMatchObject({ name: 'A wins', version: 2 })
    expect(await b.client.conflicts.list()).toEqual([])
  })

  test('force puts the local change on top of the server version', async () => {
    const { id, localId } = await conflictOn('name', 'A first', 'B forced', { address: 'B street' })
    await b.client.conflicts.resolve(localId, 'force')
    expect(await b.client.suppliers.get(id)).toMatchObject({ name: 'B forced', address: 'B street', version: 3 })
    await a.client.sync()
    expect(await a.client.suppliers.get(id)).toMatchObject({ name: 'B forced', version: 3 })
  })

  test('merge applies the fields the person chose', async () => {
    const { id, localId } = await conflictOn('phone', '222', '333')
    await b.client.conflicts.resolve(localId, { merge: { phone: '223' } })
    expect(await b.client.suppliers.get(id)).toMatchObject({ phone: '223', version: 3 })
  })

  test('review later keeps the change parked and durable until resolved', async () => {
    const { id, localId } = await conflictOn('name', 'A now', 'B later')
    await b.client.conflicts.resolve(localId, 'review_later')
    await b.client.sync()
    const parked = await b.client.conflicts.list()
    expect(parked).toHaveLength(1)
    expect(parked[0]).toMatchObject({ local_id: localId, status: 'review_later' })
    expect(await b.client.suppliers.get(id)).toMatchObject({ name: 'B later', _sync: 'review_later' })
    await b.client.conflicts.resolve(localId, 'use_server')
    expect(await b.client.suppliers.get(id)).toMatchObject({ name: 'A now' })
  })

  test('a later change of a row parked on a conflict waits, then goes out on the resolved version', async () => {
    const { id, localId } = await conflictOn('name', 'A v2', 'B v2')
    await b.client.suppliers.update(id, { address: 'after conflict' })
    const s = await b.client.sync()
    expect(s.successful).toBe(0) // waits behind the conflict
    await b.client.conflicts.resolve(localId, 'use_server')
    await b.client.sync()
    expect(await b.client.suppliers.get(id)).toMatchObject({ name: 'A v2', address: 'after conflict', version: 3 })
    await vi.waitFor(() => expect(b.client.status.current).toMatchObject({ pending: 0, conflicts: 0 }))
  })
})

describe('failures', () => {
  test('a refused operation shows as failed, and can be edited and retried, or discarded', async () => {
    const product = await a.client.products.create({ code: 'FAIL-P', name: 'Leaf', default_unit: 'kg' })
    await a.client.productRates.create({ product_id: product.id, unit: 'kg', rate: '10', effective_date: '2020-01-01' })
    const gone = await a.client.suppliers.create({ code: 'FAIL-GONE', name: 'Moved away' })
    await a.client.sync()
    const c = makeClient(h)
    await c.client.login(h.users.collector.email, PASSWORD)
    await c.client.sync()
    // The office removes a supplier while the collector, offline, still records for them.
    await a.client.suppliers.remove(gone.id)
    await a.client.sync()
    const s = await c.client.suppliers.create({ code: 'FAIL-1', name: 'Ok' })
    const fields = {
      supplier_id: gone.id,
      product_id: product.id,
      collection_date: '2026-06-01',
      quantity: '2',
      unit: 'kg',
    }
    const col = await c.client.collections.create(fields)
    expect(col.total_amount).toBe('20.00') // the device's preview
    const summary = await c.client.sync()
    expect(summary).toMatchObject({ successful: 1, failed: 1 }) // the new supplier before it still syncs
    const [failed] = await c.client.failed.list()
    expect(failed).toMatchObject({ entity_id: col.id, error: { code: 'REFERENCE_NOT_FOUND' } })
    // The server's details are kept: they name the field at fault (the sync center marks it).
    expect(failed.error?.details).toEqual({ fields: { supplier_id: ['not found'] } })
    expect(await c.client.collections.get(col.id)).toMatchObject({ _sync: 'failed' })
    await c.client.failed.retry(failed.local_id, { payload: { ...fields, supplier_id: s.id } })
    expect((await c.client.sync()).successful).toBe(1)
    expect(await c.client.collections.get(col.id)).toMatchObject({
      supplier_id: s.id,
      total_amount: '20.00',
      version: 1,
    })

    const other = await c.client.collections.create({ ...fields, quantity: '3' })
    await c.client.sync()
    const [again] = await c.client.failed.list()
    await c.client.failed.discard(again.local_id)
    expect(await c.client.collections.get(other.id)).toBeUndefined()
    await vi.waitFor(() => expect(c.client.status.current.failed).toBe(0))
    await c.client.close()
  })

  test('quantity x rate over the maximum amount: no price preview, refused by name, fixed by a retry', async () => {
    const product = await a.client.products.create({ code: 'MAX-P', name: 'Leaf', default_unit: 'kg' })
    await a.client.productRates.create({
      product_id: product.id,
      unit: 'kg',
      rate: '1000',
      effective_date: '2020-01-01',
    })
    await a.client.sync()
    const c = makeClient(h)
    await c.client.login(h.users.collector.email, PASSWORD)
    await c.client.sync()
    const s = await c.client.suppliers.create({ code: 'MAX-1', name: 'Big' })
    const fields = { supplier_id: s.id, product_id: product.id, collection_date: '2026-06-01', unit: 'kg' }
    // 100000.001 kg x 1000.00 = 100000001.00, over 100000000.00: the preview (core's bound) shows no amount.
    const col = await c.client.collections.create({ ...fields, quantity: '100000.001' })
    expect(col).toMatchObject({ rate_applied: null, total_amount: null })
    expect(await c.client.sync()).toMatchObject({ successful: 1, failed: 1 })
    const [failed] = await c.client.failed.list()
    expect(failed).toMatchObject({ entity_id: col.id, error: { code: 'VALIDATION_FAILED' } })
    expect(failed.error?.message).toBe('Quantity times the rate 1000.00 must be at most 100000000.00')
    await c.client.failed.retry(failed.local_id, { payload: { ...fields, quantity: '100000' } })
    expect((await c.client.sync()).successful).toBe(1)
    expect(await c.client.collections.get(col.id)).toMatchObject({ total_amount: '100000000.00', version: 1 })
    await c.client.close()
  })

  // Found by the fault simulation (sim/): the edit went out under the first attempt's local_id, the
  // server answered with that attempt's stored outcome, and the edit was silently dropped.
  test('an edited retry of a change whose answer was lost is a new change: it never vanishes', async () => {
    let loseAnswers = true
    const c = createSyncClient({
      baseUrl: h.server.url,
      storage: createMemoryStore(),
      retryDelayMs: 1,
      maxRetries: 0,
      live: false,
      syncIntervalMs: 0,
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        if (!loseAnswers || !input.endsWith('/api/sync') || init?.method !== 'POST') return res
        // The server committed; a gateway gave up waiting.
        return new Response(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'gateway timeout' } }), {
          status: 504,
        })
      },
    })
    await c.login(h.users.manager.email, PASSWORD)
    const s = await c.suppliers.create({ code: 'EDIT-1', name: 'First' })
    expect((await c.sync()).error?.code).toBe('UNAVAILABLE')
    const [failed] = await c.failed.list()
    expect(failed).toMatchObject({ entity_id: s.id, error: { transient: true } })
    loseAnswers = false
    await c.failed.retry(failed.local_id, { payload: { ...failed.payload, name: 'Edited' } })
    // The first form had landed: the edited create of the same row is a conflict the user sees.
    expect(await c.sync()).toMatchObject({ successful: 0, conflicts: 1 })
    const [conflict] = await c.conflicts.list()
    expect(conflict).toMatchObject({ entity_id: s.id, payload: { name: 'Edited' }, conflict: { fields: ['name'] } })
    await c.conflicts.resolve(conflict.local_id, 'force')
    expect(await c.suppliers.get(s.id)).toMatchObject({ name: 'Edited', version: 2 })
    await c.close()
  })

  test('a busy server: retried with backoff, shown as failed after the retries, sent again on the next sync', async () => {
    const c = makeClient(h)
    await c.client.login(h.users.manager.email, PASSWORD)
    const s = await c.client.suppliers.create({ code: 'BUSY-1', name: 'Busy' })
    let attempts = 0
    c.intercept = (url, init) => {
      if (!url.endsWith('/api/sync') || init?.method !== 'POST') return undefined
      attempts += 1
      return new Response(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'busy' } }), { status: 503 })
    }
    const summary = await c.client.sync()
    expect(attempts).toBe(4) // the first try and 3 retries
    expect(summary.error?.code).toBe('UNAVAILABLE')
    const [failed] = await c.client.failed.list()
    expect(failed).toMatchObject({ entity_id: s.id, error: { code: 'UNAVAILABLE', transient: true } })
    c.intercept = undefined
    expect((await c.client.sync()).successful).toBe(1)
    expect(await c.client.failed.list()).toEqual([])
    expect(await c.client.suppliers.get(s.id)).toMatchObject({ version: 1 })
    await c.client.close()
  })
})
