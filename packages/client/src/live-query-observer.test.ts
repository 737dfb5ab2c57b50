import { afterEach, expect, test } from 'vitest'
import { SyncClient } from './client'
import type { FetchLike } from './http'
import { LiveQueryObserver } from './live-query-observer'
import { createMemoryStore } from './storage/memory-store'

/** What the client keeps of a signed-in manager. */
const USER = { id: '0190a000-0000-7000-8000-00000000000a', email: 'm@example.com', role: 'manager' }

/** A client signed in as a manager, with no server beyond sign-in: local writes are all these tests need. */
async function signedInClient(): Promise<{ client: SyncClient }> {
  const fetch: FetchLike = async (url) => {
    if (!url.endsWith('/api/auth/login')) throw new TypeError('fetch failed')
    return new Response(JSON.stringify({ token: 't', expires_at: '2999-01-01T00:00:00.000Z', user: USER }))
  }
  const c = new SyncClient({ baseUrl: 'http://trackvault.test', storage: createMemoryStore(), fetch, live: false })
  await c.login(USER.email, 'secret')
  return { client: c }
}

let n = 0
const supplier = () => ({ code: `S${++n}`, name: `Supplier ${n}` })

let client: SyncClient
afterEach(async () => {
  await client?.close()
})

const tick = () => new Promise((r) => setTimeout(r, 10))

/** A query whose runs finish only when the test says so. */
function gatedQuery<T>(value: () => T) {
  const gates: Array<() => void> = []
  return {
    runs: () => gates.length,
    finish: (i: number) => gates[i](),
    query: () =>
      new Promise<T>((resolve) => {
        gates.push(() => resolve(value()))
      }),
  }
}

test('a result arriving after the last unsubscribe is dropped', async () => {
  ;({ client } = await signedInClient())
  const q = gatedQuery(() => 'late')
  const observer = new LiveQueryObserver({ client, query: q.query })
  const stop = observer.subscribe(() => {})
  expect(q.runs()).toBe(1)
  stop()
  q.finish(0)
  await tick()
  expect(observer.getSnapshot()).toEqual({ data: undefined, error: undefined, isLoading: true })
})

test('a restart drops the old run; changes during a run coalesce into one more run', async () => {
  ;({ client } = await signedInClient())
  const old = gatedQuery(() => 'old')
  const observer = new LiveQueryObserver<string>({ client, query: old.query })
  let notified = 0
  observer.subscribe(() => {
    notified += 1
  })
  const next = gatedQuery(() => 'new')
  observer.setOptions({ client, query: next.query }, true)
  old.finish(0)
  await tick()
  expect(observer.getSnapshot().isLoading).toBe(true)

  next.finish(0)
  await tick()
  expect(observer.getSnapshot().data).toBe('new')
  const afterFirst = notified

  // Two writes: the first starts a re-run, the second lands during it and causes exactly one more.
  await client.suppliers.create(supplier())
  await client.suppliers.create(supplier())
  await tick()
  expect(next.runs()).toBe(2)
  next.finish(1)
  await tick()
  expect(next.runs()).toBe(3) // the second write landed during run 2
  next.finish(2)
  await tick()
  expect(next.runs()).toBe(3)
  expect(notified).toBe(afterFirst) // same data 'new': no notification
})

const productQueries = {
  'client.products': (c: SyncClient) => c.products.list(),
  "client.entity('product')": (c: SyncClient) => c.entity('product').list(),
}

test.each(Object.entries(productQueries))('watches only the entity types the query touched (%s)', async (_, list) => {
  ;({ client } = await signedInClient())
  let runs = 0
  const observer = new LiveQueryObserver({
    client,
    query: (c) => {
      runs += 1
      return list(c)
    },
  })
  observer.subscribe(() => {})
  await tick()
  expect(runs).toBe(1)
  await client.suppliers.create(supplier())
  await tick()
  expect(runs).toBe(1)
  await client.products.create({ code: `P${++n}`, name: 'Milk', default_unit: 'l' })
  await tick()
  expect(runs).toBe(2)
})
