import { DEFAULT_SETTINGS } from '@trackvault/core'
import { describe, expect, test } from 'vitest'
import { entityApis } from './entities'
import type { ApiClient } from './http'
import { serverKey, viewKey } from './keys'
import { LocalDb } from './local-db'
import { serverRow, storeServerRows, viewRow } from './replica'
import type { CommitBatch } from './storage/kv-store'
import { createMemoryStore } from './storage/memory-store'
import { SyncEngine } from './sync-engine'

/** A sync engine over `db` for user u1, pulling pages of `pullLimit`. */
const syncEngine = (db: LocalDb, api: ApiClient, pullLimit: number) =>
  new SyncEngine({
    db,
    api,
    deviceId: () => 'device_1',
    userId: () => 'u1',
    config: { maxRetries: 0, retryDelayMs: 1, pullLimit },
  })

const row = (version: number, name: string) => ({ id: 's1', version, name, deleted_at: null })

describe('storeServerRows', () => {
  test('keeps a newer stored version, unless it is outdated (held from before a restore)', async () => {
    const db = new LocalDb(createMemoryStore())
    const store = (rows: Parameters<typeof storeServerRows>[1], outdated?: (key: string) => boolean) =>
      db.write((tx) => storeServerRows(tx, rows, 'u1', { outdated }))
    await store([{ type: 'supplier', id: 's1', row: row(5, 'gap') }])
    const older = [{ type: 'supplier' as const, id: 's1', row: row(4, 'restored') }]
    expect(await store(older)).toEqual([])
    expect((await db.read((tx) => serverRow(tx, 'supplier', 's1')))?.name).toBe('gap')
    // The restored server's v4 replaces the v5 it never made; within the page versions still order.
    const key = serverKey('supplier', 's1')
    const page = [...older, { type: 'supplier' as const, id: 's1', row: row(3, 'older in the page') }]
    const stored = await store(page, (k) => k === key)
    expect(stored.map((s) => s.row.name)).toEqual(['restored'])
    expect((await db.read((tx) => serverRow(tx, 'supplier', 's1')))?.name).toBe('restored')
  })
})

/** A server of `n` suppliers (pulled in pages of 100) that applies every pushed change as the next version. */
function fakeServer(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `s${String(i).padStart(4, '0')}`,
    version: 1,
    code: `S${i}`,
    name: `supplier ${i}`,
    is_active: true,
    deleted_at: null,
  }))
  const api = {
    settings: async () => DEFAULT_SETTINGS,
    pull: async (since?: string) => {
      const from = since ? Number(since) : 0
      const page = rows.slice(from, from + 100)
      const changes = page.map((r) => ({ entity_type: 'supplier', entity_id: r.id, version: r.version, data: r }))
      return { changes, cursor: String(from + page.length), has_more: from + page.length < n }
    },
    push: async (body: { operations: Array<{ local_id: string; entity_id: string; payload: object }> }) => ({
      results: body.operations.map((o) => {
        const i = rows.findIndex((r) => r.id === o.entity_id)
        rows[i] = { ...rows[i], ...o.payload, version: rows[i].version + 1 }
        return { local_id: o.local_id, status: 'success', version: rows[i].version, data: rows[i] }
      }),
    }),
  }
  return api as unknown as ApiClient
}

describe('one copy of a row', () => {
  test('a pull stores each row once; a queued change keeps the server row as its base until it settles', async () => {
    const inner = createMemoryStore()
    const commits: CommitBatch[] = []
    const rowReads = { n: 0 }
    const db = new LocalDb({
      get: (k) => inner.get(k),
      getMany: (k) => {
        rowReads.n += k.filter((key) => key.startsWith('row/') || key.startsWith('srv/')).length
        return inner.getMany(k)
      },
      scan: (p) => inner.scan(p),
      commit: (b) => {
        commits.push(b)
        return inner.commit(b)
      },
      close: () => inner.close(),
    })
    const engine = syncEngine(db, fakeServer(250), 100)
    expect((await engine.sync()).pulled).toBe(250)
    expect(rowReads.n).toBe(0) // a first pull into an empty replica reads none of it
    const keys = async (prefix: string) => (await inner.scan(prefix)).map(([k]) => k)
    expect(await keys('row/supplier/')).toHaveLength(250)
    expect(await keys('srv/')).toEqual([])
    // Exactly one key written per row: each page's commit is its 100 (or 50) views and the cursor.
    const pages = commits.filter((b) => b.put?.some(([k]) => k === 'meta/cursor'))
    expect(pages.map((b) => [b.put?.length, b.del?.length ?? 0])).toEqual([
      [101, 0],
      [101, 0],
      [51, 0],
    ])

    const apis = entityApis(
      db,
      () => ({ id: 'u1', role: 'admin' }),
      () => {},
    )
    await apis.supplier.update('s0007', { name: 'renamed here' })
    const pending = { serverRow: await db.read((tx) => serverRow(tx, 'supplier', 's0007')) }
    expect(pending.serverRow).toMatchObject({ version: 1, name: 'supplier 7' })
    expect(await inner.get(serverKey('supplier', 's0007'))).toEqual(pending.serverRow)
    expect(await inner.get(viewKey('supplier', 's0007'))).toMatchObject({ name: 'renamed here', _sync: 'pending' })
    expect(await keys('srv/')).toEqual(['srv/supplier/s0007'])

    // The change settles: the view is the server row again, and the copy is gone.
    const summary = await engine.sync()
    expect(summary).toMatchObject({ successful: 1, failed: 0 })
    expect(await keys('srv/')).toEqual([])
    const settled = await db.read((tx) => viewRow(tx, 'supplier', 's0007'))
    expect(settled).toMatchObject({ version: 2, name: 'renamed here' })
    expect(settled && '_sync' in settled).toBe(false)
    expect(await db.read((tx) => serverRow(tx, 'supplier', 's0007'))).toEqual(settled)
    expect(await keys('row/supplier/')).toHaveLength(250)
  })

  test('a first pull keeps the newest version of a row that comes twice, and later pulls read what is held', async () => {
    const supplier = (version: number, name: string) => ({
      entity_type: 'supplier',
      entity_id: 'x',
      version,
      data: { id: 'x', version, code: 'X', name, deleted_at: null },
    })
    const pages: Record<string, { changes: unknown[]; cursor: string; has_more: boolean }> = {
      start: { changes: [supplier(5, 'five')], cursor: 'p1', has_more: true },
      p1: { changes: [supplier(4, 'four: older, after a snapshot')], cursor: 'p2', has_more: false },
      p2: { changes: [supplier(3, 'three')], cursor: 'p3', has_more: false },
    }
    const api = {
      settings: async () => DEFAULT_SETTINGS,
      pull: async (since?: string) => pages[since ?? 'start'],
    } as unknown as ApiClient
    const db = new LocalDb(createMemoryStore())
    const engine = syncEngine(db, api, 1)
    await engine.sync()
    expect(await db.read((tx) => viewRow(tx, 'supplier', 'x'))).toMatchObject({ version: 5, name: 'five' })
    await engine.sync() // from p2: an older version than the device holds is ignored
    expect(await db.read((tx) => viewRow(tx, 'supplier', 'x'))).toMatchObject({ version: 5, name: 'five' })
    expect(await db.store.scan('srv/')).toEqual([])
  })

  test("a local create has no server row until it is confirmed; an old layout's copies are read first and dropped", async () => {
    const db = new LocalDb(createMemoryStore())
    const apis = entityApis(
      db,
      () => ({ id: 'u1', role: 'admin' }),
      () => {},
    )
    const made = await apis.supplier.create({ code: 'N1', name: 'new here' })
    expect(await db.read((tx) => serverRow(tx, 'supplier', made.id))).toBeUndefined()
    expect(await db.store.scan('srv/')).toEqual([])

    // The old layout: a copy of every row next to its view (here one that differs only in being older).
    const old = { id: 'o1', version: 3, code: 'O', name: 'old', is_active: true, deleted_at: null }
    await db.write(async (tx) => {
      tx.put(serverKey('supplier', 'o1'), { ...old, name: 'the copy' })
      tx.put(viewKey('supplier', 'o1'), old)
    })
    expect((await db.read((tx) => serverRow(tx, 'supplier', 'o1')))?.name).toBe('the copy')
    await db.write((tx) => storeServerRows(tx, [{ type: 'supplier', id: 'o1', row: { ...old, version: 4 } }], 'u1'))
    expect(await db.store.get(serverKey('supplier', 'o1'))).toBeUndefined()
    expect(await db.read((tx) => serverRow(tx, 'supplier', 'o1'))).toMatchObject({ version: 4, name: 'old' })
  })
})
