/**
 * Browser side of the initial-pull workload (bench/workloads/initial-pull.ts),
 * bundled by ./build.ts and loaded from the TrackVault server's own origin
 * (no CORS). Exposes on `window`:
 *
 * - `benchPull`: a fresh SyncClient on the IndexedDB (Dexie) adapter, signed
 *   in with a session the bench mints (`window.benchMintSession`, exposed by
 *   Playwright), timed from `client.sync()` until it returns, i.e. until
 *   every page is stored in the replica;
 * - `benchRawPull`: the baseline: the same pages fetched with `fetch` and
 *   parsed, nothing stored;
 * - `benchStoreFloor`: the pages of the last raw pull committed straight
 *   into a fresh IndexedDB store, one put per row (its view, as the replica
 *   stores a row with no local change), one commit per page: what the storage alone costs; through the product's
 *   adapter (Dexie), or (`raw`) through bare IndexedDB, one readwrite
 *   transaction per page, to tell Dexie's share from the browser's.
 */
import { createSyncClient, type FetchLike, type Json, type Session } from '@trackvault/client'
import { createIndexedDbStore } from '@trackvault/client/indexeddb'

interface Page {
  changes: Array<{ entity_type: string; entity_id: string; data: Record<string, unknown> }>
  cursor: string
  has_more: boolean
}

export interface PullResult {
  ms: number
  pulled: number
  /** Rows in the replica afterwards (their views). */
  rows: number
  error?: string
}

export interface RawResult {
  ms: number
  rows: number
  pages: number
}

declare global {
  interface Window {
    benchMintSession(deviceId: string): Promise<Session>
    benchPull(opts: { email: string; pullLimit: number; dbName: string }): Promise<PullResult>
    benchRawPull(opts: { token: string; pullLimit: number; keep: boolean }): Promise<RawResult>
    benchStoreFloor(opts: { dbName: string; raw: boolean }): Promise<{ ms: number; rows: number }>
    benchForget(): void
    benchDropDb(name: string): Promise<void>
  }
}

let kept: Page[] = []

window.benchPull = async ({ email, pullLimit, dbName }) => {
  const storage = createIndexedDbStore(dbName)
  const fetchFn: FetchLike = async (input, init) => {
    if (input.endsWith('/api/auth/login')) {
      const { device_id } = JSON.parse(String(init?.body)) as { device_id: string }
      const session = await window.benchMintSession(device_id)
      return new Response(JSON.stringify(session), { status: 200, headers: { 'content-type': 'application/json' } })
    }
    return fetch(input, init)
  }
  const client = createSyncClient({ baseUrl: location.origin, storage, fetch: fetchFn, live: false, pullLimit })
  await client.login(email, 'not-checked')
  const t0 = performance.now()
  const summary = await client.sync()
  const ms = performance.now() - t0
  const rows = (await storage.scan('row/')).length
  await client.close()
  return { ms, pulled: summary.pulled, rows, error: summary.error?.code }
}

window.benchRawPull = async ({ token, pullLimit, keep }) => {
  kept = []
  let cursor: string | undefined
  let rows = 0
  let pages = 0
  const t0 = performance.now()
  for (;;) {
    const q = new URLSearchParams({ limit: String(pullLimit) })
    if (cursor) q.set('since', cursor)
    const res = await fetch(`/api/sync/changes?${q}`, { headers: { authorization: `Bearer ${token}` } })
    if (!res.ok) throw new Error(`pull answered ${res.status}`)
    const page = (await res.json()) as Page
    rows += page.changes.length
    pages += 1
    if (keep) kept.push(page)
    cursor = page.cursor
    if (!page.has_more) break
  }
  return { ms: performance.now() - t0, rows, pages }
}

window.benchStoreFloor = async ({ dbName, raw }) => {
  const entries = (page: Page) =>
    page.changes.map((c): [string, Json] => [`row/${c.entity_type}/${c.entity_id}`, c.data as Json])
  let rows = 0
  if (!raw) {
    const store = createIndexedDbStore(dbName)
    const t0 = performance.now()
    for (const page of kept) {
      await store.commit({ put: entries(page) })
      rows += page.changes.length
    }
    const ms = performance.now() - t0
    await store.close()
    return { ms, rows }
  }
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(dbName, 1)
    req.onupgradeneeded = () => req.result.createObjectStore('kv', { keyPath: 'key' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  const t0 = performance.now()
  for (const page of kept) {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('kv', 'readwrite')
      const store = tx.objectStore('kv')
      for (const [key, value] of entries(page)) store.put({ key, value })
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
      tx.onabort = () => reject(tx.error)
    })
    rows += page.changes.length
  }
  const ms = performance.now() - t0
  db.close()
  return { ms, rows }
}

window.benchForget = () => {
  kept = []
}

window.benchDropDb = (name) =>
  new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => resolve()
    req.onblocked = () => resolve()
  })
