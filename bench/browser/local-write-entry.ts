/**
 * Browser side of the local-write workload (bench/workloads/local-write.ts),
 * bundled by ./build.ts and served by Playwright on a made-up origin (no
 * server: the device's sync is answered by a stub, as in Node). Exposes
 * `window.benchLocalWrite`: the same device and timing as the Node side
 * (bench/lib/local-write-device.ts) on the IndexedDB (Dexie) adapter over
 * Chromium's real IndexedDB, with the durability Chromium gives by default
 * (the adapter sets none; Chromium's default is 'relaxed' since version 121).
 * Also bare IndexedDB commits with `durability: 'strict'` (flushed before
 * they complete), to show what a flushed commit costs here.
 */
import { createIndexedDbStore } from '@trackvault/client/indexeddb'
import { timeBareCommits, timeCreates } from '../lib/local-write-device'

export interface LocalWriteResult {
  ms: number[]
  rawMs: number[]
  strictMs: number[]
}

declare global {
  interface Window {
    benchLocalWrite(opts: { existing: number; samples: number; warmup: number; run: string }): Promise<LocalWriteResult>
  }
}

function dropDb(name: string): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => resolve()
    req.onblocked = () => resolve()
  })
}

/** Bare IndexedDB: one readwrite transaction with strict durability per put. */
async function strictCommits(name: string, samples: number, warmup: number): Promise<number[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1)
    req.onupgradeneeded = () => req.result.createObjectStore('kv', { keyPath: 'key' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  const value = { quantity: '12.500', unit: 'kg', notes: null, rate_applied: '120.00', pad: 'x'.repeat(300) }
  const ms: number[] = []
  for (let i = 0; i < samples + warmup; i++) {
    const t0 = performance.now()
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('kv', 'readwrite', { durability: 'strict' })
      tx.objectStore('kv').put({ key: `bench/${String(i).padStart(8, '0')}`, value })
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
      tx.onabort = () => reject(tx.error)
    })
    if (i >= warmup) ms.push(performance.now() - t0)
  }
  db.close()
  return ms
}

window.benchLocalWrite = async ({ existing, samples, warmup, run }) => {
  const raw = createIndexedDbStore(`lw-raw-${run}`)
  const rawMs = await timeBareCommits(raw, samples, warmup)
  await raw.close()
  await dropDb(`lw-raw-${run}`)
  const ms = await timeCreates(createIndexedDbStore(`lw-${run}`), { existing, samples, warmup })
  await dropDb(`lw-${run}`)
  const strictMs = await strictCommits(`lw-strict-${run}`, samples, warmup)
  await dropDb(`lw-strict-${run}`)
  return { ms, rawMs, strictMs }
}
