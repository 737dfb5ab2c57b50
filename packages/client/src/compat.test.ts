import { afterEach, expect, test } from 'vitest'
import { createSyncClient, type SyncClient } from './client'
import { getDefaultClient, setDefaultClient, syncOfflineOperations } from './compat'
import { createMemoryStore } from './storage/memory-store'

const clients: SyncClient[] = []
const make = () => {
  const client = createSyncClient({ baseUrl: 'http://trackvault.test', storage: createMemoryStore(), live: false })
  clients.push(client)
  return client
}

afterEach(async () => {
  setDefaultClient(undefined)
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

test('creating a client registers no default: the app names it', async () => {
  make()
  expect(() => getDefaultClient()).toThrow(/setDefaultClient/)
  const second = make()
  setDefaultClient(second)
  expect(getDefaultClient()).toBe(second)
})

test('syncOfflineOperations syncs the default client and reports the outcome', async () => {
  const client = make()
  setDefaultClient(client)
  const completed: number[][] = []
  const summary = await syncOfflineOperations(undefined, (...counts) => completed.push(counts))
  expect(summary.error?.status).toBe(401) // nobody signed in: nothing is sent
  expect(completed).toEqual([[0, 0, 0]])
})
