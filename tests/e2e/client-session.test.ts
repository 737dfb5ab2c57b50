/** Sessions on shared phones, expired sessions, automatic triggers and the seed's entry points. */
import { createSyncClient, setDefaultClient, syncOfflineOperations } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { type Harness, makeClient, PASSWORD, startHarness } from '../helpers/client-harness'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

describe('shared phone', () => {
  test('signing out keeps unsynced changes for their user, tells how many, and hides them from the next user', async () => {
    const phone = makeClient(h)
    await phone.client.login(h.users.manager.email, PASSWORD)
    phone.offline = true
    const s = await phone.client.suppliers.create({ code: 'SHARED-1', name: 'Made by manager' })
    await phone.client.suppliers.create({ code: 'SHARED-2', name: 'Also by manager' })
    expect(await phone.client.logout()).toEqual({ unsynced: 2 })

    phone.offline = false
    await phone.client.login(h.users.collector.email, PASSWORD)
    expect(await phone.client.suppliers.get(s.id)).toBeUndefined()
    const summary = await phone.client.sync()
    expect(summary.successful).toBe(0) // the collector never sends the manager's work
    expect((await h.db.handle.db.selectFrom('suppliers').select('id').execute()).length).toBe(0)
    await phone.client.logout()

    await phone.client.login(h.users.manager.email, PASSWORD)
    expect(await phone.client.unsyncedCount()).toBe(2)
    expect((await phone.client.sync()).successful).toBe(2)
    expect(await phone.client.suppliers.get(s.id)).toMatchObject({ version: 1, name: 'Made by manager' })
    await phone.client.close()
  })

  // Found by the fault simulation (sim/): after another user had the phone, the first user's unsynced
  // records were missing from their lists (and could not be edited) until they synced.
  test('signing back in shows your unsynced records at once, before any sync', async () => {
    const phone = makeClient(h)
    await phone.client.login(h.users.manager.email, PASSWORD)
    phone.offline = true
    const s = await phone.client.suppliers.create({ code: 'BACK-1', name: 'Offline work' })
    await phone.client.logout()
    phone.offline = false
    await phone.client.login(h.users.finance.email, PASSWORD)
    expect(await phone.client.suppliers.get(s.id)).toBeUndefined()
    await phone.client.logout()
    await phone.client.login(h.users.manager.email, PASSWORD)
    phone.offline = true
    expect(await phone.client.suppliers.get(s.id)).toMatchObject({ name: 'Offline work', _sync: 'pending' })
    await phone.client.suppliers.update(s.id, { name: 'Edited before sync' })
    phone.offline = false
    expect((await phone.client.sync()).successful).toBe(2)
    expect(await phone.client.suppliers.get(s.id)).toMatchObject({ name: 'Edited before sync', version: 2 })
    await phone.client.close()
  })

  test('an expired session pauses sync as needs-auth and keeps the queue', async () => {
    const d = makeClient(h)
    await d.client.login(h.users.manager.email, PASSWORD)
    await d.client.suppliers.create({ code: 'AUTH-1', name: 'Waiting' })
    await h.db.handle.db.updateTable('auth_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute()
    const summary = await d.client.sync()
    expect(summary.error?.status).toBe(401)
    expect(d.client.status.current.connection).toBe('needs-auth')
    expect(await d.client.unsyncedCount()).toBe(1)
    await d.client.login(h.users.manager.email, PASSWORD)
    expect(d.client.status.current.connection).toBe('idle')
    expect((await d.client.sync()).successful).toBe(1)
    await d.client.close()
  })
})

describe('triggers', () => {
  test('a write on one device reaches a started device through the live poke, without a manual sync', async () => {
    const a = makeClient(h)
    await a.client.login(h.users.manager.email, PASSWORD)
    const b = createSyncClient({ baseUrl: h.server.url, storage: createMemoryStore(), syncIntervalMs: 0 })
    await b.login(h.users.admin.email, PASSWORD)
    b.start()
    await vi.waitFor(() => expect(b.status.current.lastSyncAt).not.toBeNull(), { timeout: 5000 })
    const s = await a.client.suppliers.create({ code: 'LIVE-1', name: 'Poked' })
    const started = Date.now()
    await a.client.sync()
    await vi.waitFor(async () => expect(await b.suppliers.get(s.id)).toMatchObject({ name: 'Poked' }), {
      timeout: 5000,
    })
    console.log(`live propagation A -> B: ${Date.now() - started} ms`)
    await a.client.close()
    await b.close()
  })

  test('a local write on a started client is pushed shortly after, without a manual sync', async () => {
    const d = makeClient(h)
    await d.client.login(h.users.manager.email, PASSWORD)
    d.client.start()
    // Let the start-up sync finish first, so only the write can trigger the next one.
    await vi.waitFor(() => expect(d.client.status.current.lastSyncAt).not.toBeNull(), { timeout: 5000 })
    await vi.waitFor(() => expect(d.client.status.current.syncing).toBe(false))
    const s = await d.client.suppliers.create({ code: 'WRITE-1', name: 'Pushed soon' })
    await vi.waitFor(async () => expect(await d.client.suppliers.get(s.id)).toMatchObject({ version: 1 }), {
      timeout: 5000,
    })
    expect(await d.client.unsyncedCount()).toBe(0)
    await d.client.close()
  })

  test('reconnection triggers a sync', async () => {
    const d = makeClient(h)
    await d.client.login(h.users.manager.email, PASSWORD)
    d.client.start()
    d.offline = true
    d.client.network.setOnline(false)
    const s = await d.client.suppliers.create({ code: 'RECONNECT-1', name: 'Back online' })
    d.offline = false
    d.client.network.setOnline(true)
    await vi.waitFor(async () => expect(await d.client.suppliers.get(s.id)).toMatchObject({ version: 1 }), {
      timeout: 5000,
    })
    expect(await d.client.unsyncedCount()).toBe(0)
    await d.client.close()
  })
})

describe("the seed's usage examples", () => {
  test('syncOfflineOperations(onProgress, onComplete) reports progress and results', async () => {
    const d = makeClient(h, undefined, { batchSize: 2 })
    setDefaultClient(d.client)
    await d.client.login(h.users.manager.email, PASSWORD)
    for (let i = 0; i < 5; i++) await d.client.suppliers.create({ code: `SEED-${i}`, name: `Seed ${i}` })
    const progress: string[] = []
    let results: number[] = []
    await syncOfflineOperations(
      (current, total) => progress.push(`${current}/${total}`),
      (successful, failed, conflicts) => {
        results = [successful, failed, conflicts]
      },
    )
    expect(progress).toEqual(['0/5', '2/5', '4/5', '5/5'])
    expect(results).toEqual([5, 0, 0])
    setDefaultClient(undefined)
    await d.client.close()
  })
})
