import { DEFAULT_SETTINGS } from '@trackvault/core'
import { describe, expect, test } from 'vitest'
import { type ApiClient, ApiError } from './http'
import { LocalDb } from './local-db'
import { enqueue, listOps, putOp } from './queue'
import { rebuildView, storeServerRow } from './replica'
import type { KVStore } from './storage/kv-store'
import { createMemoryStore } from './storage/memory-store'
import { SyncEngine } from './sync-engine'

/** A store that counts how many queued operations (`op/` values) are read from it. */
function countingStore() {
  const inner = createMemoryStore()
  const count = { opReads: 0 }
  const ops = (keys: string[]) => keys.filter((k) => k.startsWith('op/')).length
  const store: KVStore = {
    get: (k) => {
      count.opReads += ops([k])
      return inner.get(k)
    },
    getMany: (keys) => {
      count.opReads += ops(keys)
      return inner.getMany(keys)
    },
    scan: async (prefix) => {
      const out = await inner.scan(prefix)
      count.opReads += ops(out.map(([k]) => k))
      return out
    },
    commit: (b) => inner.commit(b),
    close: () => inner.close(),
  }
  return { store, count }
}

/** A server that applies everything; `slowMs` delays each answer. */
function fakeApi(opts: { batches: Array<{ seqs: number[]; rows: string[] }>; failFirst?: number }) {
  let calls = 0
  const api = {
    push: async (body: {
      operations: Array<{ local_id: string; seq: number; entity_type: string; entity_id: string }>
    }) => {
      calls += 1
      if (opts.failFirst && calls <= opts.failFirst) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', 'too large')
      opts.batches.push({ seqs: body.operations.map((o) => o.seq), rows: body.operations.map((o) => o.entity_id) })
      return {
        results: body.operations.map((o) => ({
          local_id: o.local_id,
          status: 'success',
          entity_type: o.entity_type,
          entity_id: o.entity_id,
          version: 1,
          data: { id: o.entity_id, version: 1, code: 'C', name: 'n', deleted_at: null },
        })),
        cursor: 'c1',
      }
    },
    settings: async () => DEFAULT_SETTINGS,
    pull: async () => ({ changes: [], cursor: 'c1', has_more: false }),
  }
  return api as unknown as ApiClient
}

async function queueOffline(db: LocalDb, n: number, rowEvery: number) {
  for (let i = 0; i < n; i++) {
    await db.write(async (tx) => {
      await enqueue(tx, {
        user_id: i % 7 === 3 ? 'other' : 'u1', // another user's work on the same phone: kept, never sent
        entity_type: 'supplier',
        entity_id: `row-${i % rowEvery}`,
        operation_type: i < rowEvery ? 'create' : 'update',
        base_version: null,
        payload: { name: `n${i}` },
      })
    })
  }
}

describe('SyncEngine push', () => {
  test('drains with growing batches, in seq order, one op per row per batch, reading each op about once', async () => {
    const { store, count } = countingStore()
    const db = new LocalDb(store)
    await queueOffline(db, 1200, 400)
    const batches: Array<{ seqs: number[]; rows: string[] }> = []
    const engine = new SyncEngine({
      db,
      api: fakeApi({ batches }),
      deviceId: () => 'device_1',
      userId: () => 'u1',
      config: { maxRetries: 0, retryDelayMs: 1, pullLimit: 1000 },
    })
    count.opReads = 0
    const progress: string[] = []
    const summary = await engine.sync({ onProgress: (c, t) => progress.push(`${c}/${t}`) })
    const mine = 1200 - Math.floor((1200 + 3) / 7)
    expect(summary).toMatchObject({ successful: mine, failed: 0, conflicts: 0 })
    expect(progress[0]).toBe(`0/${mine}`)
    expect(progress[progress.length - 1]).toBe(`${mine}/${mine}`)
    const sent = batches.flatMap((b) => b.seqs)
    expect(sent).toEqual([...sent].sort((a, b) => a - b))
    for (const b of batches) expect(new Set(b.rows).size).toBe(b.rows.length)
    expect(batches[0].seqs).toHaveLength(10)
    expect(Math.max(...batches.map((b) => b.seqs.length))).toBeGreaterThan(100)
    // Reading the whole queue per batch would be ~1,000 ops x ~20 batches. With the index: one load,
    // each sent op once, and per settled op its row's other ops (3 per row here).
    expect(count.opReads).toBeLessThan(5 * 1200)
    const left = await db.read(listOps)
    expect(left).toHaveLength(1200 - mine)
    expect(left.every((o) => o.user_id === 'other' && o.status === 'pending')).toBe(true)
  })

  test('an explicit batchSize stays fixed; 413 halves it', async () => {
    const db = new LocalDb(createMemoryStore())
    await queueOffline(db, 60, 60)
    const batches: Array<{ seqs: number[]; rows: string[] }> = []
    const engine = new SyncEngine({
      db,
      api: fakeApi({ batches, failFirst: 1 }),
      deviceId: () => 'device_1',
      userId: () => 'u1',
      config: { batchSize: 8, maxRetries: 0, retryDelayMs: 1, pullLimit: 1000 },
    })
    await engine.sync()
    expect(batches.map((b) => b.seqs.length).slice(0, 3)).toEqual([4, 4, 4])
  })
})

describe('SyncEngine pull', () => {
  test('a page is stored in one commit, with the same result as storing and rebuilding row by row', async () => {
    const change = (id: string, version: number, name: string) => ({
      entity_type: 'supplier',
      entity_id: id,
      version,
      deleted: false,
      data: { id, version, code: id, name, deleted_at: null },
    })
    const page = [
      change('a', 1, 'a1'),
      change('b', 2, 'b2'),
      change('c', 1, 'c1'),
      change('a', 3, 'a3'), // the same row twice in a page
      change('d', 1, 'stale'), // older than what the device has
      change('e', 1, 'e1'),
    ]
    const seed = async (db: LocalDb) => {
      await db.write(async (tx) => {
        tx.put('srv/supplier/d', { id: 'd', version: 5, code: 'd', name: 'd5', deleted_at: null })
        tx.put('row/supplier/d', { id: 'd', version: 5, code: 'd', name: 'd5', deleted_at: null })
        for (const [user, id] of [
          ['u1', 'b'],
          ['u1', 'c'],
          ['other', 'e'],
        ]) {
          const op = await enqueue(tx, {
            user_id: user,
            entity_type: 'supplier',
            entity_id: id,
            operation_type: 'update',
            base_version: 1,
            payload: { name: `${id} edited by ${user}` },
          })
          // parked, so this sync has nothing to push and only pulls
          putOp(tx, { ...op, status: id === 'b' ? 'conflict' : 'review_later', recorded: true })
        }
      })
    }
    const reference = new LocalDb(createMemoryStore())
    await seed(reference)
    const seeded = await reference.store.scan('')
    await reference.write(async (tx) => {
      for (const c of page) {
        if (await storeServerRow(tx, 'supplier', c.data)) await rebuildView(tx, 'supplier', c.entity_id, 'u1')
      }
    })
    const store = createMemoryStore()
    let commits = 0
    const db = new LocalDb({
      get: (k) => store.get(k),
      getMany: (k) => store.getMany(k),
      scan: (p) => store.scan(p),
      commit: (b) => {
        commits += 1
        return store.commit(b)
      },
      close: () => store.close(),
    })
    await store.commit({ put: seeded }) // the same queue, timestamps and all
    commits = 0
    const api = {
      settings: async () => DEFAULT_SETTINGS,
      pull: async () => ({ changes: page, cursor: 'c9', has_more: false }),
    } as unknown as ApiClient
    const engine = new SyncEngine({
      db,
      api,
      deviceId: () => 'device_1',
      userId: () => 'u1',
      config: { maxRetries: 0, retryDelayMs: 1, pullLimit: 1000 },
    })
    const summary = await engine.sync()
    expect(summary.pulled).toBe(page.length)
    expect(commits).toBe(2) // the page (rows, views, cursor), then last_sync_at
    const rows = async (d: LocalDb) => [...(await d.store.scan('srv/')), ...(await d.store.scan('row/'))]
    expect(await rows(db)).toEqual(await rows(reference))
    expect(await db.store.get('meta/cursor')).toBe('c9')
  })

  test('the next page is fetched while one is being stored, each asked for with the cursor before it', async () => {
    const events: string[] = []
    const pages = ['c1', 'c2', 'c3'].map((cursor, i) => ({
      changes: [
        {
          entity_type: 'supplier',
          entity_id: `s${i}`,
          version: 1,
          deleted: false,
          data: { id: `s${i}`, version: 1, code: `S${i}`, name: 'n', deleted_at: null },
        },
      ],
      cursor,
      has_more: i < 2,
    }))
    const api = {
      settings: async () => DEFAULT_SETTINGS,
      pull: async (since?: string) => {
        events.push(`fetch ${since ?? 'start'}`)
        return pages[since === undefined ? 0 : Number(since.slice(1))]
      },
    } as unknown as ApiClient
    const store = createMemoryStore()
    const db = new LocalDb({
      get: (k) => store.get(k),
      getMany: (k) => store.getMany(k),
      scan: (p) => store.scan(p),
      commit: async (b) => {
        const cursor = b.put?.find(([k]) => k === 'meta/cursor')?.[1]
        if (cursor) {
          events.push(`store ${cursor} begins`)
          await new Promise((r) => setTimeout(r, 20)) // a slow disk
          events.push(`store ${cursor} ends`)
        }
        return store.commit(b)
      },
      close: () => store.close(),
    })
    const engine = new SyncEngine({
      db,
      api,
      deviceId: () => 'device_1',
      userId: () => 'u1',
      config: { maxRetries: 0, retryDelayMs: 1, pullLimit: 1 },
    })
    expect((await engine.sync()).pulled).toBe(3)
    expect(events).toEqual([
      'fetch start',
      'fetch c1',
      'store c1 begins',
      'store c1 ends',
      'fetch c2',
      'store c2 begins',
      'store c2 ends',
      'store c3 begins',
      'store c3 ends',
    ])
    expect(await store.get('meta/cursor')).toBe('c3')
    expect((await store.scan('row/supplier/')).map(([k]) => k)).toEqual([
      'row/supplier/s0',
      'row/supplier/s1',
      'row/supplier/s2',
    ])
    expect(await store.scan('srv/')).toEqual([]) // no local changes: one copy of each row
  })
})
