import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { User } from '@trackvault/core'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createSyncClient, type SyncClient } from './client'
import type { ApiError, FetchLike } from './http'
import { OnlineManager } from './network/network-monitor'
import { checkVerifier, lockoutMs, MIN_UNLOCK_ITERATIONS, makeVerifier, type UnlockRecord } from './offline-unlock'
import type { KVStore } from './storage/kv-store'
import { createMemoryStore } from './storage/memory-store'
import { createSqliteStore } from './storage/sqlite-store'

const PASSWORDS: Record<string, string> = { 'a@farm.test': 'alpha-password-1', 'b@farm.test': 'bravo-password-2' }

function user(email: string): User {
  const id = email.startsWith('a') ? 'user-a' : 'user-b'
  return {
    id,
    name: id,
    email,
    role: 'manager',
    is_active: true,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  }
}

/** A server that answers sign-in and sign-out while `online`, and fails like a lost network otherwise. */
function fakeServer() {
  const state = { online: true, logins: 0, revoked: [] as string[], sent: [] as string[] }
  const fetch: FetchLike = async (url, init) => {
    state.sent.push(`${url} ${init?.body ?? ''}`)
    if (!state.online) throw new TypeError('Failed to fetch')
    const json = (status: number, body: unknown) =>
      new Response(body === null ? null : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      })
    if (url.endsWith('/api/auth/login')) {
      const { email, password } = JSON.parse(String(init?.body))
      if (PASSWORDS[email] !== password) return json(401, { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong' } })
      state.logins += 1
      const token = `token-${state.logins}`
      return json(200, { token, expires_at: '2099-01-01T00:00:00.000Z', user: user(email), receipt_prefix: 'D1' })
    }
    if (url.endsWith('/api/auth/logout')) {
      state.revoked.push(String(((init?.headers ?? {}) as Record<string, string>).authorization))
      return new Response(null, { status: 204 })
    }
    return json(503, { error: { code: 'UNAVAILABLE', message: 'not in this fake' } })
  }
  return { state, fetch }
}

const clients: SyncClient[] = []
const dirs: string[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const c of clients.splice(0)) await c.close().catch(() => {})
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function open(storage: KVStore, fetch: FetchLike): SyncClient {
  const client = createSyncClient({ baseUrl: 'http://server.test', storage, fetch, network: new OnlineManager(true) })
  clients.push(client)
  return client
}

/** A store that stays readable after its client closes (the client closes its store). */
function sharedMemory(): KVStore {
  const inner = createMemoryStore()
  return {
    ...inner,
    get: inner.get.bind(inner),
    getMany: inner.getMany.bind(inner),
    scan: inner.scan.bind(inner),
    commit: inner.commit.bind(inner),
    close: async () => {},
  }
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: ApiError) => e,
  )
  if (!err) throw new Error('expected a refusal')
  return err
}

describe('the password verifier', () => {
  test('accepts the password, refuses another, slow hash with a random salt, no password kept', async () => {
    const v = await makeVerifier('correct horse')
    if (!v) throw new Error('WebCrypto missing')
    expect(v.algorithm).toBe('PBKDF2-SHA-256')
    expect(v.iterations).toBeGreaterThanOrEqual(100_000)
    expect(await checkVerifier(v, 'correct horse')).toBe(true)
    expect(await checkVerifier(v, 'correct horsE')).toBe(false)
    expect(await checkVerifier(v, '')).toBe(false)
    const again = await makeVerifier('correct horse')
    expect(again?.salt).not.toBe(v.salt) // a random salt each time: equal passwords do not look equal
    expect(again?.hash).not.toBe(v.hash)
    expect(JSON.stringify(v)).not.toContain('correct horse')
    await expect(makeVerifier('x', MIN_UNLOCK_ITERATIONS - 1)).rejects.toThrow()
    expect(await checkVerifier({ ...v, iterations: 1000 }, 'correct horse')).toBe(false) // a weakened record is not trusted
  })

  test('the throttle: four free guesses, then 30 s doubling, at most an hour', () => {
    expect([1, 2, 3, 4].map(lockoutMs)).toEqual([0, 0, 0, 0])
    expect([5, 6, 7].map(lockoutMs)).toEqual([30_000, 60_000, 120_000])
    expect(lockoutMs(40)).toBe(3_600_000)
  })
})

describe('offline sign-in on the client', () => {
  test('after one online sign-in: right password restores the session offline, the unrevoked token resumed', async () => {
    const server = fakeServer()
    const store = sharedMemory()
    const client = open(store, server.fetch)
    await client.login('a@farm.test', PASSWORDS['a@farm.test'])
    expect(await client.canUnlockOffline()).toBe(true)
    // Nothing on the device holds the password in plain, and the verifier never goes to the server.
    const everything = JSON.stringify(await store.scan(''))
    expect(everything).not.toContain(PASSWORDS['a@farm.test'])
    const record = (await store.get('unlock/user-a')) as unknown as UnlockRecord
    expect(record.email).toBe('a@farm.test')

    server.state.online = false
    await client.logout()
    expect(client.user).toBeUndefined()
    expect(((await store.get('unlock/user-a')) as unknown as UnlockRecord).parked?.token).toBe('token-1')

    expect((await refusal(client.unlockOffline('a@farm.test', 'nope'))).code).toBe('INVALID_CREDENTIALS')
    expect(client.user).toBeUndefined()
    const who = await client.unlockOffline(' A@Farm.test ', PASSWORDS['a@farm.test'])
    expect(who.id).toBe('user-a')
    expect(client.user?.id).toBe('user-a')
    // It writes offline, with the receipt prefix of the last online sign-in.
    await client.suppliers.create({ code: 'OFF-1', name: 'Offline supplier' })
    expect(await client.unsyncedCount()).toBe(1)
    // The parked token is in use again (not kept twice), the failed guess forgotten.
    const after = (await store.get('unlock/user-a')) as unknown as UnlockRecord
    expect(after.parked).toBeUndefined()
    expect(after.failures).toBe(0)
    expect(((await store.get('meta/session')) as { token: string }).token).toBe('token-1')
    expect(server.state.sent.join('\n')).not.toContain(record.verifier.hash)
    expect(server.state.sent.join('\n')).not.toContain(record.verifier.salt)
  })

  test('signed out online: the offline session has no token, so the next sync asks for the password', async () => {
    const server = fakeServer()
    const store = sharedMemory()
    const client = open(store, server.fetch)
    await client.login('a@farm.test', PASSWORDS['a@farm.test'])
    await client.logout()
    expect(server.state.revoked).toEqual(['Bearer token-1'])
    await client.unlockOffline('a@farm.test', PASSWORDS['a@farm.test'])
    expect(((await store.get('meta/session')) as { token: string }).token).toBe('')
  })

  test('an online sign-in revokes the session signing out offline left valid', async () => {
    const server = fakeServer()
    const store = sharedMemory()
    const client = open(store, server.fetch)
    await client.login('a@farm.test', PASSWORDS['a@farm.test'])
    server.state.online = false
    await client.logout()
    server.state.online = true
    await client.login('a@farm.test', PASSWORDS['a@farm.test'])
    await vi.waitFor(() => expect(server.state.revoked).toEqual(['Bearer token-1']))
    expect(((await store.get('unlock/user-a')) as unknown as UnlockRecord).parked).toBeUndefined()
    expect(((await store.get('meta/session')) as { token: string }).token).toBe('token-2')
  })

  test('a clock set back does not lengthen the wait', async () => {
    const server = fakeServer()
    let now = Date.parse('2026-12-06T10:00:00Z')
    vi.spyOn(Date, 'now').mockImplementation(() => now)
    const client = open(sharedMemory(), server.fetch)
    await client.login('a@farm.test', PASSWORDS['a@farm.test'])
    await client.logout()
    for (let i = 1; i <= 5; i++) await refusal(client.unlockOffline('a@farm.test', `guess-${i}`))
    now -= 24 * 3600_000
    const err = await refusal(client.unlockOffline('a@farm.test', PASSWORDS['a@farm.test']))
    expect(err.code).toBe('RATE_LIMITED')
    expect(err.retryAfterMs).toBe(30_000)
  })

  test('turned off (simulations, benchmarks): no verifier is kept, an older one is dropped', async () => {
    const server = fakeServer()
    const store = sharedMemory()
    const on = open(store, server.fetch)
    await on.login('a@farm.test', PASSWORDS['a@farm.test'])
    await on.close()
    const off = createSyncClient({
      baseUrl: 'http://server.test',
      storage: store,
      fetch: server.fetch,
      offlineUnlock: false,
    })
    clients.push(off)
    await off.login('a@farm.test', PASSWORDS['a@farm.test'])
    expect(await off.canUnlockOffline()).toBe(false)
    expect(await store.scan('unlock/')).toEqual([])
  })

  test('unknown on this device: unavailable, not a wrong password', async () => {
    const server = fakeServer()
    const client = open(sharedMemory(), server.fetch)
    await client.login('a@farm.test', PASSWORDS['a@farm.test'])
    await client.logout()
    const err = await refusal(client.unlockOffline('b@farm.test', PASSWORDS['b@farm.test']))
    expect(err.code).toBe('OFFLINE_UNLOCK_UNAVAILABLE')
  })

  test('wrong guesses are throttled (30 s, doubling), and re-opening the store does not reset it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-unlock-'))
    dirs.push(dir)
    const file = join(dir, 'device.db')
    const server = fakeServer()
    let now = Date.parse('2026-12-06T10:00:00Z')
    vi.spyOn(Date, 'now').mockImplementation(() => now)
    const first = open(createSqliteStore(file), server.fetch)
    await first.login('a@farm.test', PASSWORDS['a@farm.test'])
    server.state.online = false
    await first.logout()
    for (let i = 1; i <= 4; i++) {
      expect((await refusal(first.unlockOffline('a@farm.test', `guess-${i}`))).code).toBe('INVALID_CREDENTIALS')
    }
    const fifth = await refusal(first.unlockOffline('a@farm.test', 'guess-5'))
    expect(fifth.code).toBe('RATE_LIMITED')
    expect(fifth.retryAfterMs).toBe(30_000)
    await first.close()

    // A reload: a new client over the same file. Still locked, even with the right password.
    const second = open(createSqliteStore(file), server.fetch)
    now += 10_000
    const locked = await refusal(second.unlockOffline('a@farm.test', PASSWORDS['a@farm.test']))
    expect(locked.code).toBe('RATE_LIMITED')
    expect(locked.retryAfterMs).toBe(20_000)
    expect(second.user).toBeUndefined()
    now += 20_000
    const sixth = await refusal(second.unlockOffline('a@farm.test', 'guess-6'))
    expect(sixth.retryAfterMs).toBe(60_000) // doubled
    await second.close()

    const third = open(createSqliteStore(file), server.fetch)
    now += 60_000
    expect((await third.unlockOffline('a@farm.test', PASSWORDS['a@farm.test'])).id).toBe('user-a')
    await third.logout()
    // A success starts the count again: four free guesses.
    for (let i = 1; i <= 4; i++) {
      expect((await refusal(third.unlockOffline('a@farm.test', `again-${i}`))).code).toBe('INVALID_CREDENTIALS')
    }
  })

  test("shared phone: user B's offline sign-in clears A's replica, never A's queue", async () => {
    const server = fakeServer()
    const store = sharedMemory()
    const client = open(store, server.fetch)
    await client.login('b@farm.test', PASSWORDS['b@farm.test']) // B signed in online once
    await client.logout()
    await client.login('a@farm.test', PASSWORDS['a@farm.test'])
    server.state.online = false
    const a1 = await client.suppliers.create({ code: 'A-1', name: 'A supplier one' })
    await client.suppliers.create({ code: 'A-2', name: 'A supplier two' })
    await client.logout()
    const aQueue = await store.scan('op/')
    expect(aQueue).toHaveLength(2)

    await client.unlockOffline('b@farm.test', PASSWORDS['b@farm.test'])
    expect(client.user?.id).toBe('user-b')
    expect(await store.scan('op/')).toEqual(aQueue) // A's queue, byte for byte
    expect(await client.suppliers.list()).toEqual([]) // A's rows are not shown to B
    expect(await client.queue()).toEqual([])
    await client.suppliers.create({ code: 'B-1', name: 'B supplier' })
    expect(await client.unsyncedCount()).toBe(1)
    await client.logout()

    await client.unlockOffline('a@farm.test', PASSWORDS['a@farm.test'])
    expect((await client.queue()).map((op) => op.entity_id).sort()).toEqual(
      aQueue.map(([, op]) => (op as { entity_id: string }).entity_id).sort(),
    )
    expect((await client.suppliers.get(a1.id))?.name).toBe('A supplier one') // A's own changes shown again
    expect((await client.suppliers.list()).map((s) => s.code).sort()).toEqual(['A-1', 'A-2'])
  })
})
