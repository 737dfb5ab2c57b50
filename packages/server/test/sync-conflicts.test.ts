/** Conflicts: detection by version, 3-way merge of disjoint fields, manual money, and each resolution. */
import { newId } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TestDevice } from './helpers/sync-client'
import { seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>
let a: TestDevice
let b: TestDevice

beforeAll(async () => {
  s = await startTestServer()
  basics = await seedBasics(s.as.manager)
  a = new TestDevice(s.as.manager, 'device-manager')
  b = new TestDevice(await s.login(s.users.admin.email, undefined, 'device-b'), 'device-b')
})
afterAll(() => s?.close())

async function newSupplier(device: TestDevice) {
  const id = newId()
  const res = await device.push([
    device.op('supplier', 'create', id, { code: `C-${id.slice(-8)}`, name: 'Base', phone: '111', address: 'Hill' }),
  ])
  expect(res.body.results[0].status).toBe('success')
  return id
}

describe('detection', () => {
  test('disjoint-field edits from two devices merge, and the merge is noted', async () => {
    const id = await newSupplier(a)
    expect((await a.push([a.op('supplier', 'update', id, { phone: '222' }, 1)])).body.results[0].status).toBe('success')
    const res = await b.push([b.op('supplier', 'update', id, { name: 'Renamed' }, 1)])
    expect(res.body.results[0]).toMatchObject({
      status: 'success',
      version: 3,
      data: { name: 'Renamed', phone: '222' },
    })
    expect(res.body.results[0].data.sync_metadata.merged).toMatchObject({ base_version: 1, server_version: 2 })
  })

  test('same-field edits conflict with base, server and client versions', async () => {
    const id = await newSupplier(a)
    await a.push([a.op('supplier', 'update', id, { name: 'From A' }, 1)])
    const res = await b.push([b.op('supplier', 'update', id, { name: 'From B', address: 'Valley' }, 1)])
    const r = res.body.results[0]
    expect(r.status).toBe('conflict')
    expect(r.conflict).toMatchObject({
      server_version: 2,
      fields: ['name'],
      base: { name: 'Base', version: 1 },
      server: { name: 'From A', version: 2 },
      client: { name: 'From B', address: 'Valley' },
    })
    const row = await s.as.manager.get(`/api/suppliers/${id}`)
    expect(row.body).toMatchObject({ name: 'From A', address: 'Hill', version: 2 })
    const pending = await b.api.get('/api/sync/pending?device_id=device-b')
    expect(pending.body.operations.find((p: { entity_id: string }) => p.entity_id === id)).toMatchObject({
      status: 'conflict',
    })
  })

  test('setting a field to the value the server already has is not a conflict', async () => {
    const id = await newSupplier(a)
    await a.push([a.op('supplier', 'update', id, { name: 'Same' }, 1)])
    const res = await b.push([b.op('supplier', 'update', id, { name: 'Same' }, 1)])
    expect(res.body.results[0].status).toBe('success')
  })

  test('a delete with a stale version conflicts', async () => {
    const id = await newSupplier(a)
    await a.push([a.op('supplier', 'update', id, { phone: '999' }, 1)])
    const res = await b.push([b.op('supplier', 'delete', id, {}, 1)])
    expect(res.body.results[0]).toMatchObject({
      status: 'conflict',
      conflict: { server_version: 2, fields: ['phone'] },
    })
    expect((await s.as.manager.get(`/api/suppliers/${id}`)).status).toBe(200)
  })

  test('an update or delete of a deleted row conflicts', async () => {
    const id = await newSupplier(a)
    await a.push([a.op('supplier', 'delete', id, {}, 1)])
    const upd = await b.push([b.op('supplier', 'update', id, { name: 'Zombie' }, 1)])
    expect(upd.body.results[0]).toMatchObject({ status: 'conflict', conflict: { fields: ['deleted_at'] } })
    const del = await b.push([b.op('supplier', 'delete', id, {}, 2)])
    expect(del.body.results[0].status).toBe('conflict')
  })

  test('a create whose id exists with other content conflicts; with the same content it succeeds', async () => {
    const id = newId()
    const fields = { code: `D-${id.slice(-8)}`, name: 'Twin' }
    await a.push([a.op('supplier', 'create', id, fields)])
    const same = await b.push([b.op('supplier', 'create', id, fields)])
    expect(same.body.results[0]).toMatchObject({ status: 'success', version: 1 })
    const other = await b.push([b.op('supplier', 'create', id, { ...fields, name: 'Other' })])
    expect(other.body.results[0]).toMatchObject({ status: 'conflict', conflict: { fields: ['name'] } })
  })

  test('payment amounts always go to manual resolution, even when only one side changed them', async () => {
    const id = newId()
    const payment = {
      supplier_id: basics.supplierId,
      payment_date: '2026-03-02',
      amount: '100.00',
      payment_type: 'advance',
    }
    await a.push([a.op('payment', 'create', id, payment)])
    await a.push([a.op('payment', 'update', id, { notes: 'checked' }, 1)])
    const res = await b.push([b.op('payment', 'update', id, { amount: '150' }, 1)])
    expect(res.body.results[0]).toMatchObject({ status: 'conflict', conflict: { fields: ['amount'] } })
  })
})

describe('resolution', () => {
  async function conflicted() {
    const id = await newSupplier(a)
    await a.push([a.op('supplier', 'update', id, { name: 'Server name', phone: '555' }, 1)])
    const op = b.op('supplier', 'update', id, { name: 'Client name' }, 1)
    const res = await b.push([op])
    expect(res.body.results[0].status).toBe('conflict')
    return { id, op }
  }
  const resolve = (local_id: string, resolution: string, fields?: Record<string, unknown>) =>
    b.api.post('/api/sync/resolve', { device_id: 'device-b', local_id, resolution, fields })

  test('use_server drops the client change and records it', async () => {
    const { id, op } = await conflicted()
    const res = await resolve(op.local_id, 'use_server')
    expect(res.status).toBe(200)
    expect(res.body.result).toMatchObject({ status: 'success', version: 2, data: { name: 'Server name' } })
    const stored = await s.db.handle.db
      .selectFrom('sync_operations')
      .selectAll()
      .where('local_id', '=', op.local_id)
      .executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ status: 'resolved', resolution: 'use_server' })
    expect((await s.as.manager.get(`/api/suppliers/${id}`)).body.version).toBe(2)
    const pending = await b.api.get('/api/sync/pending?device_id=device-b')
    expect(pending.body.operations.find((p: { local_id: string }) => p.local_id === op.local_id)).toBeUndefined()
  })

  test('force applies the client change on the current version, and history shows it', async () => {
    const { id, op } = await conflicted()
    const res = await resolve(op.local_id, 'force')
    expect(res.body.result).toMatchObject({ version: 3, data: { name: 'Client name', phone: '555' } })
    const history = await s.as.manager.get(`/api/history/supplier/${id}`)
    const last = history.body.data.at(-1)
    expect(last.version).toBe(3)
    expect(last.data.sync_metadata.resolved).toMatchObject({ resolution: 'force', local_id: op.local_id })
    expect(last.sync_operation_id).toBeTruthy()
  })

  test('merge applies the chosen fields', async () => {
    const { id, op } = await conflicted()
    const res = await resolve(op.local_id, 'merge', { name: 'Chosen', phone: '556' })
    expect(res.body.result.data).toMatchObject({ name: 'Chosen', phone: '556', version: 3 })
    expect((await s.as.manager.get(`/api/suppliers/${id}`)).body.name).toBe('Chosen')
  })

  test('a resolved operation cannot be resolved again, and a replay reports how it ended', async () => {
    const { op } = await conflicted()
    await resolve(op.local_id, 'use_server')
    expect((await resolve(op.local_id, 'force')).status).toBe(409)
    const replay = await b.push([op])
    expect(replay.body.results[0]).toMatchObject({ status: 'duplicate', original_status: 'resolved' })
  })

  test('the same resolution sent again (its answer was lost) gets the stored outcome and writes nothing', async () => {
    const { id, op } = await conflicted()
    const first = await resolve(op.local_id, 'force')
    expect(first.body.result).toMatchObject({ status: 'success', version: 3 })
    const again = await resolve(op.local_id, 'force')
    expect(again.status).toBe(200)
    expect(again.body.result).toMatchObject({ status: 'success', version: 3, data: { name: 'Client name' } })
    expect((await s.as.manager.get(`/api/history/supplier/${id}`)).body.data).toHaveLength(3)
    expect((await resolve(op.local_id, 'use_server')).status).toBe(409)
  })

  // Found by the fault simulation (sim/): use_server answered with the current row, which a manager had
  // meanwhile given to another user, so a collector's device stored a collection it may not read.
  test("use_server on a row that is no longer the caller's answers with a revoked tombstone, never the row", async () => {
    const c = new TestDevice(s.as.collector, 'device-collector')
    const id = newId()
    const create = c.op('collection', 'create', id, {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2026-03-01',
      quantity: '10',
      unit: 'kg',
    })
    expect((await c.push([create])).body.results[0].status).toBe('success')
    await a.push([a.op('collection', 'update', id, { quantity: '11' }, 1)])
    const op = c.op('collection', 'update', id, { quantity: '12' }, 1)
    expect((await c.push([op])).body.results[0].status).toBe('conflict')
    await a.push([a.op('collection', 'update', id, { user_id: s.users.finance.id, notes: 'not yours' }, 2)])
    const res = await c.api.post('/api/sync/resolve', {
      device_id: 'device-collector',
      local_id: op.local_id,
      resolution: 'use_server',
    })
    expect(res.status).toBe(200)
    expect(res.body.result).toMatchObject({ status: 'success', version: 3 })
    expect(res.body.result.data).toEqual({ id, version: 3, deleted_at: expect.any(String), revoked: true })
    const replay = await c.push([op])
    expect(replay.body.results[0]).toMatchObject({ status: 'duplicate', data: { id, revoked: true } })
    expect(JSON.stringify([res.body, replay.body])).not.toContain('not yours')
  })

  test("nobody resolves or reads another user's operation", async () => {
    const { op } = await conflicted()
    const other = await s.as.manager.post('/api/sync/resolve', {
      device_id: 'device-b',
      local_id: op.local_id,
      resolution: 'force',
    })
    expect(other.status).toBe(404)
    const pending = await s.as.manager.get('/api/sync/pending?device_id=device-b')
    expect(pending.body.operations).toEqual([])
  })
})

describe('original mobile app', () => {
  test('its request shape works end to end and is answered in its vocabulary', async () => {
    const legacy = await s.login(s.users.manager.email, undefined, 'legacy-phone')
    const body = {
      device_id: 'legacy-phone',
      operations: [
        {
          local_id: -1,
          entity: 'supplier',
          operation: 'create',
          data: { code: 'LEG-1', name: 'Old App' },
          timestamp: 1732451234567,
        },
        {
          local_id: -2,
          entity: 'collection',
          operation: 'create',
          data: {
            supplier_id: basics.supplierId,
            product_id: basics.productId,
            collection_date: '2026-03-03',
            quantity: 5,
            unit: 'kg',
          },
          timestamp: '2026-03-03T10:00:00Z',
        },
        { local_id: -3, entity: 'supplier', operation: 'update', data: { id: newId(), version: 1, name: 'Ghost' } },
        { local_id: -4, entity: 'payment', operation: 'create', data: { supplier_id: basics.supplierId } },
      ],
    }
    const res = await legacy.post('/api/sync', body)
    expect(res.status).toBe(200)
    expect(res.body.success).toBe(true) // processed; each result says how its operation ended
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'success',
      'success',
      'not_found',
      'error',
    ])
    expect(res.body.results[3].message).toMatch(/valid/i)
    const supplierId = res.body.results[0].entity_id
    expect((await s.as.manager.get(`/api/suppliers/${supplierId}`)).body.name).toBe('Old App')
    const update = await legacy.post('/api/sync', {
      device_id: 'legacy-phone',
      operations: [
        {
          local_id: -5,
          entity: 'supplier',
          operation: 'update',
          data: { id: supplierId, version: 1, name: 'Renamed' },
        },
      ],
    })
    expect(update.body).toMatchObject({ success: true, results: [{ status: 'success', entity_id: supplierId }] })
    // Sent again: what was applied is a duplicate; what failed (it wrote nothing) is processed again,
    // because the original app treats `duplicate` as synced (and would drop an operation that never applied).
    const replay = await legacy.post('/api/sync', body)
    expect(replay.body.results.map((r: { status: string }) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'not_found',
      'error',
    ])
    expect(replay.body.results[0].entity_id).toBe(supplierId)
  })
})
