/**
 * Phones running the original TrackVault app keep working: its requests, exactly as it builds
 * them (helpers/original-app.ts), against this server, on SQLite and PostgreSQL.
 */
import { newId } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { OriginalApp } from './helpers/original-app'
import { PASSWORD, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>

beforeAll(async () => {
  s = await startTestServer()
  basics = await seedBasics(s.as.manager)
})
afterAll(() => s?.close())

const count = async (table: 'collections' | 'sync_operations' | 'entity_history') =>
  Number(
    (
      await s.db.handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

async function phone(role: 'collector' | 'manager' = 'collector') {
  const app = new OriginalApp(s.url)
  await app.login(s.users[role].email, PASSWORD)
  return app
}

describe('a failed operation sent again', () => {
  test('is processed again: a collection refused for a supplier the server did not have lands once it does', async () => {
    // The phone knew a supplier the server had not recorded yet (its creation was still on another
    // phone): the collection fails REFERENCE_NOT_FOUND, the app keeps it, and retries it later.
    const supplierId = newId()
    const app = await phone()
    const queued = app.enqueue('create', 'collection', {
      supplier_id: supplierId,
      product_id: basics.productId,
      collection_date: '2026-03-01',
      quantity: 12.5,
      unit: 'kg',
    })
    const first = await app.sync()
    expect(first.results.get(queued.local_id)).toMatchObject({ status: 'error' })
    expect(app.queue).toHaveLength(1) // the app keeps it for a retry
    const collections = await count('collections')

    const supplier = await s.as.manager.post('/api/suppliers', {
      id: supplierId,
      code: `LATE-${newId().slice(-6)}`,
      name: 'Late',
    })
    expect(supplier.status).toBe(201)
    const second = await app.sync()
    expect(second.results.get(queued.local_id)).toMatchObject({ status: 'success' })
    expect(second.results.get(queued.local_id)?.data.total_amount).toBe('1500.00')
    expect(app.queue).toHaveLength(0)
    expect(await count('collections')).toBe(collections + 1)

    // Applied now: sent again (an answer lost), it is a duplicate and writes nothing.
    const ledger = await count('sync_operations')
    app.queue.push({ ...queued, retryCount: 0 })
    const third = await app.sync()
    expect(third.results.get(queued.local_id)).toMatchObject({ status: 'duplicate' })
    expect(await count('collections')).toBe(collections + 1)
    expect(await count('sync_operations')).toBe(ledger)
    const row = await s.db.handle.db
      .selectFrom('sync_operations')
      .select(['status', 'error_code'])
      .where('local_id', '=', queued.local_id)
      .execute()
    expect(row).toEqual([{ status: 'success', error_code: null }])
  })

  test('a collection with no rate in force is recorded (unpriced), not refused', async () => {
    const product = await s.as.manager.post('/api/products', {
      code: `NR-${newId().slice(-6)}`,
      name: 'Milk',
      default_unit: 'l',
    })
    const app = await phone()
    const queued = app.enqueue('create', 'collection', {
      supplier_id: basics.supplierId,
      product_id: product.body.id,
      collection_date: '2026-03-01',
      quantity: 12.5,
      unit: 'l',
    })
    const { results } = await app.sync()
    expect(results.get(queued.local_id)).toMatchObject({ status: 'success', data: { total_amount: null } })
    expect(app.queue).toHaveLength(0)
  })

  test('that fails again is answered by its new outcome, and stays recorded once', async () => {
    const app = await phone()
    const queued = app.enqueue('create', 'collection', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2026-03-01',
      quantity: -1,
      unit: 'kg',
    })
    for (let i = 0; i < 3; i++) {
      const { results } = await app.sync()
      expect(results.get(queued.local_id)).toMatchObject({ status: 'error', message: expect.any(String) })
    }
    expect((await app.sync()).failed).toBe(1) // the app gives up after three tries
    const rows = await s.db.handle.db
      .selectFrom('sync_operations')
      .select('status')
      .where('local_id', '=', queued.local_id)
      .execute()
    expect(rows).toEqual([{ status: 'failed' }])
  })
})

describe('deletes without a version', () => {
  test('queued delete {id} applies to the current version, soft and in history, and says what it deleted', async () => {
    const manager = await phone('manager')
    const supplier = await s.as.manager.post('/api/suppliers', { code: `DEL-${newId().slice(-6)}`, name: 'Gone' })
    // Someone else changed the row after the phone last saw it: the delete goes ahead (the user's
    // intent), and the tombstone keeps what it deleted, visible on every device that holds the row.
    await s.as.admin.patch(`/api/suppliers/${supplier.body.id}`, { name: 'Renamed', version: 1 })
    const del = manager.enqueue('delete', 'supplier', { id: supplier.body.id })
    const missing = manager.enqueue('delete', 'supplier', { id: newId() })
    const { results } = await manager.sync()
    expect(results.get(del.local_id)).toMatchObject({ status: 'success', entity_id: supplier.body.id, version: 3 })
    expect(results.get(missing.local_id)).toMatchObject({ status: 'not_found' })
    expect(manager.queue).toHaveLength(0)
    const tombstone = results.get(del.local_id)?.data
    expect(tombstone.deleted_at).not.toBeNull()
    expect(tombstone.name).toBe('Renamed')
    expect(tombstone.sync_metadata.unversioned_delete).toEqual({
      deleted_version: 2,
      last_changed_by: s.users.admin.id,
      last_changed_at: expect.any(String),
    })
    const history = await s.as.admin.get(`/api/history/supplier/${supplier.body.id}`)
    expect(history.body.data.map((h: { operation: string }) => h.operation)).toEqual(['create', 'update', 'delete'])
    // Sent again: a replay; another delete of the deleted row: not found (the app drops it), no write.
    manager.queue.push({ ...del, retryCount: 0 })
    manager.enqueue('delete', 'supplier', { id: supplier.body.id })
    const again = await manager.sync()
    expect([...again.results.values()].map((r) => r.status)).toEqual(['duplicate', 'not_found'])
    const versions = await s.as.admin.get(`/api/history/supplier/${supplier.body.id}`)
    expect(versions.body.data).toHaveLength(3)
  })

  test('DELETE /api/collections/:id online, without ?version and without a Content-Type', async () => {
    const manager = await phone('manager')
    const created = await manager.request('POST', '/collections', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2026-03-02',
      quantity: 3,
      unit: 'kg',
    })
    expect(created.status).toBe(201)
    const res = await manager.request('DELETE', `/collections/${created.data.id}`)
    expect(res.status, JSON.stringify(res.data)).toBe(200)
    expect(res.data).toMatchObject({ id: created.data.id, version: 2, deleted_at: expect.any(String) })
    expect(res.data.sync_metadata.unversioned_delete.deleted_version).toBe(1)
    const gone = await manager.request('DELETE', `/collections/${newId()}`)
    expect([gone.status, gone.data.error.code]).toEqual([404, 'NOT_FOUND'])
    // A client that names the version still gets the version check.
    const other = await manager.request('POST', '/collections', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2026-03-02',
      quantity: 4,
      unit: 'kg',
    })
    await s.as.admin.patch(`/api/collections/${other.data.id}`, { notes: 'checked', version: 1 })
    const stale = await manager.request('DELETE', `/collections/${other.data.id}?version=1`)
    expect([stale.status, stale.data.error.code]).toEqual([409, 'VERSION_CONFLICT'])
  })
})

describe('sign-in and session restore', () => {
  test('GET /auth/me is the user, as the app reads it, and still carries user and device for our client', async () => {
    const app = await phone()
    const me = await app.getMe()
    expect(me.status).toBe(200)
    expect(me.data).toMatchObject({
      id: s.users.collector.id,
      email: s.users.collector.email,
      role: 'collector',
      is_active: true,
    })
    expect(me.data.user).toMatchObject({ id: s.users.collector.id, role: 'collector' })
    expect(me.data).not.toHaveProperty('password_hash')
    await app.logout()
    expect((await app.getMe()).status).toBe(401)
  })
})

describe('answers in the original vocabulary', () => {
  test('a processed batch says success: true even when an operation failed; an empty batch too', async () => {
    const app = await phone()
    app.enqueue('create', 'collection', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: 'never',
      quantity: 1,
      unit: 'kg',
    })
    app.enqueue('create', 'supplier', { code: `OK-${newId().slice(-6)}`, name: 'Fine' })
    const res = await app.request('POST', '/sync', {
      device_id: app.deviceId,
      operations: app.queue.map((op) => ({
        local_id: op.local_id,
        entity: op.entity,
        operation: op.type,
        data: op.data,
        timestamp: op.timestamp,
      })),
    })
    expect(res.status).toBe(200)
    expect(res.data.success).toBe(true)
    expect(res.data.results.map((r: { status: string }) => r.status)).toEqual(['error', 'success'])
    const empty = await app.request('POST', '/sync', { device_id: app.deviceId, operations: [] })
    expect([empty.status, empty.data.success]).toEqual([200, true])
    const pending = await app.request('GET', `/sync/pending?device_id=${app.deviceId}`)
    expect(pending.data.success).toBe(true)
    expect(pending.data.operations).toHaveLength(1)
    expect(pending.data.operations[0]).toMatchObject({ status: 'failed', entity_type: 'collection' })
  })

  test("the next user of a shared phone sends the last one's queue: replays stay replays", async () => {
    const app = await phone()
    const op = app.enqueue('create', 'collection', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: '2026-03-03',
      quantity: 7,
      unit: 'kg',
    })
    // Applied, but the answer never reached the phone; the collector signs out, the manager signs in.
    const lost = await app.request('POST', '/sync', {
      device_id: app.deviceId,
      operations: [
        { local_id: op.local_id, entity: op.entity, operation: op.type, data: op.data, timestamp: op.timestamp },
      ],
    })
    expect(lost.data.results[0].status).toBe('success')
    const collections = await count('collections')
    await app.logout()
    await app.login(s.users.manager.email, PASSWORD)
    const { results } = await app.sync()
    expect(results.get(op.local_id)).toMatchObject({ status: 'duplicate', entity_id: lost.data.results[0].entity_id })
    expect(await count('collections')).toBe(collections)
  })
})
