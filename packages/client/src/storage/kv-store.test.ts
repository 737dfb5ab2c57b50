/**
 * Every KVStore adapter against the one shared suite, plus the few checks
 * that only make sense for one adapter (a real SIGKILL for SQLite, transient
 * AsyncStorage failures).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAsyncStorage } from '@react-native-async-storage/async-storage/jest'
import Database from 'better-sqlite3'
import { IDBKeyRange, IDBObjectStore, indexedDB } from 'fake-indexeddb'
import { describe, expect, test, vi } from 'vitest'
import { type AsyncStorageLike, createAsyncStorageStore } from './async-storage-store'
import { createIndexedDbStore } from './indexeddb-store'
import type { Json } from './kv-store'
import { runStoreSuite } from './kv-store.suite'
import { createMemoryStore } from './memory-store'
import { createSqliteStore } from './sqlite-store'

let seq = 0
const uniqueName = (kind: string) => `tv-${kind}-${process.pid}-${++seq}`

runStoreSuite('memory', async () => ({ store: createMemoryStore() }))

runStoreSuite('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tv-kv-'))
  const file = join(dir, 'kv.db')
  return {
    store: createSqliteStore(file),
    reopen: async () => createSqliteStore(file),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
})

runStoreSuite('indexeddb', async () => {
  const name = uniqueName('idb')
  const open = () => createIndexedDbStore(name, { indexedDB, IDBKeyRange })
  return {
    store: open(),
    reopen: async () => open(),
    cleanup: () => dropIdb(name),
  }
})

/** Deletes a fake-indexeddb database; an open store is closed by Dexie on the version change. */
function dropIdb(name: string) {
  return new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error)
  })
}

type Fault = 'before-journal' | 'after-journal' | 'mid-apply' | 'before-journal-removed'

/**
 * Wraps AsyncStorage so a commit can die at a chosen step. Once it has died,
 * every call fails, like a killed process: only `reopen` (over the raw
 * storage) goes on.
 */
function crashable(inner: AsyncStorageLike) {
  let armed: Fault | null = null
  let dead = false
  const die = () => {
    dead = true
    armed = null
    throw new Error('simulated crash')
  }
  const alive = () => {
    if (dead) throw new Error('process is dead')
  }
  const storage: AsyncStorageLike = {
    getItem: async (k) => {
      alive()
      return inner.getItem(k)
    },
    getMany: async (ks) => {
      alive()
      return inner.getMany(ks)
    },
    getAllKeys: async () => {
      alive()
      return inner.getAllKeys()
    },
    setItem: async (k, v) => {
      alive()
      if (armed === 'before-journal') die()
      return inner.setItem(k, v)
    },
    removeMany: async (ks) => {
      alive()
      if (armed === 'after-journal') die()
      return inner.removeMany(ks)
    },
    setMany: async (entries) => {
      alive()
      if (armed === 'after-journal') die()
      if (armed === 'mid-apply') {
        const half = Object.entries(entries).slice(0, Math.floor(Object.keys(entries).length / 2))
        await inner.setMany(Object.fromEntries(half))
        die()
      }
      return inner.setMany(entries)
    },
    removeItem: async (k) => {
      alive()
      if (armed === 'before-journal-removed') die()
      return inner.removeItem(k)
    },
  }
  return { storage, arm: (fault: Fault) => (armed = fault) }
}

runStoreSuite(
  'async-storage',
  async () => {
    const raw = createAsyncStorage(uniqueName('as'))
    const { storage, arm } = crashable(raw)
    return {
      store: createAsyncStorageStore(storage),
      reopen: async () => createAsyncStorageStore(raw),
      cleanup: () => raw.clear(),
      armCrash: (point) => arm(point as Fault),
    }
  },
  {
    crashPoints: [
      { name: 'before-journal', expect: 'none' },
      { name: 'after-journal', expect: 'all' },
      { name: 'mid-apply', expect: 'all' },
      { name: 'before-journal-removed', expect: 'all' },
    ],
  },
)

describe('indexeddb adapter specifics', () => {
  // Commits go through a plain IndexedDB transaction, reads through Dexie: these check the two agree.
  const openIdb = () => {
    const name = uniqueName('idb')
    return { name, store: createIndexedDbStore(name, { indexedDB, IDBKeyRange }) }
  }

  test('reads see each commit, also of keys read before it, and so does a second connection', async () => {
    const { name, store } = openIdb()
    const other = createIndexedDbStore(name, { indexedDB, IDBKeyRange })
    try {
      await store.commit({
        put: [
          ['a', 1],
          ['b', 1],
          ['c/1', 1],
        ],
      })
      expect([await store.get('a'), await store.getMany(['a', 'b']), await store.scan('c/')]).toEqual([
        1,
        [1, 1],
        [['c/1', 1]],
      ])
      await store.commit({
        del: ['a', 'c/1'],
        put: [
          ['b', 2],
          ['c/2', { n: 2 }],
        ],
      })
      for (const s of [store, other]) {
        expect(await s.get('a')).toBeUndefined()
        expect(await s.get('b')).toBe(2)
        expect(await s.getMany(['a', 'b', 'c/2'])).toEqual([undefined, 2, { n: 2 }])
        expect(await s.scan('c/')).toEqual([['c/2', { n: 2 }]])
      }
      await other.commit({ put: [['b', 3]] })
      expect(await store.get('b')).toBe(3)
    } finally {
      await other.close()
      await store.close()
      await dropIdb(name)
    }
  })

  test('a transaction aborted after its requests were queued rejects and writes nothing', async () => {
    const { name, store } = openIdb()
    try {
      await store.commit({
        put: [
          ['x', 'old'],
          ['y', 'old'],
        ],
      })
      const put = IDBObjectStore.prototype.put
      const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(function (this: IDBObjectStore, v) {
        const req = put.call(this, v)
        this.transaction.abort()
        return req
      })
      try {
        await expect(store.commit({ del: ['x'], put: [['y', 'new']] })).rejects.toThrow(/abort/i)
      } finally {
        spy.mockRestore()
      }
      expect(await store.scan('')).toEqual([
        ['x', 'old'],
        ['y', 'old'],
      ])
      await store.commit({ put: [['y', 'ok']] })
      expect(await store.get('y')).toBe('ok')
    } finally {
      await store.close()
      await dropIdb(name)
    }
  })

  test('after the database is deleted under it, the next commits reopen it, in call order', async () => {
    const { name, store } = openIdb()
    try {
      await store.commit({ put: [['a', 1]] })
      await dropIdb(name) // Dexie closes its connection on the version change
      const writes = Array.from({ length: 10 }, (_, i) => store.commit({ del: ['seq'], put: [['seq', i]] }))
      await Promise.all(writes)
      expect(await store.scan('')).toEqual([['seq', 9]])
    } finally {
      await store.close()
      await dropIdb(name)
    }
  })
})

describe('async-storage adapter specifics', () => {
  test('keeps to its namespace and leaves other keys alone', async () => {
    const raw = createAsyncStorage(uniqueName('as'))
    await raw.setItem('other', 'x')
    await raw.setItem('trackvault2:d:k', '"y"')
    const a = createAsyncStorageStore(raw, 'trackvault')
    const b = createAsyncStorageStore(raw, 'other-ns')
    await a.commit({ put: [['k', 1]] })
    await b.commit({ put: [['k', 2]] })
    expect(await a.scan('')).toEqual([['k', 1]])
    expect(await b.scan('')).toEqual([['k', 2]])
    expect((await raw.getAllKeys()).sort()).toEqual(['other', 'other-ns:d:k', 'trackvault2:d:k', 'trackvault:d:k'])
    expect(() => createAsyncStorageStore(raw, 'bad:ns')).toThrow(/namespace/)
  })

  test('with a slow storage, overlapping commits and scans never see half a batch', async () => {
    const raw = createAsyncStorage(uniqueName('as'))
    const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 3))
    const slow = Object.fromEntries(
      Object.entries(raw).map(([k, fn]) => [
        k,
        async (...args: unknown[]) => {
          await jitter()
          return fn(...args)
        },
      ]),
    ) as unknown as AsyncStorageLike
    const store = createAsyncStorageStore(slow)
    await store.commit({ put: [['m/0', 0]] })
    const seen: Array<Array<[string, Json]>> = []
    const ops: Array<Promise<unknown>> = []
    for (let n = 1; n <= 15; n++) {
      const put: Array<[string, Json]> = Array.from({ length: 5 }, (_, i) => [`x/${i}`, n])
      ops.push(store.commit({ del: [`m/${n - 1}`], put: [...put, [`m/${n}`, n]] }))
      ops.push(store.scan('').then((s) => seen.push(s)))
    }
    await Promise.all(ops)
    expect(seen).toHaveLength(15)
    for (const snapshot of seen) {
      const markers = snapshot.filter(([k]) => k.startsWith('m/'))
      expect(markers).toHaveLength(1)
      const [[, n]] = markers
      expect(snapshot.filter(([k]) => k.startsWith('x/'))).toEqual(
        n === 0 ? [] : [0, 1, 2, 3, 4].map((i) => [`x/${i}`, n]),
      )
    }
    expect(await store.scan('m/')).toEqual([['m/15', 15]])
    expect(await raw.getItem('trackvault:journal')).toBeNull()
  })

  test('after a transient failure mid-commit, the same store recovers the batch on its next call', async () => {
    const raw = createAsyncStorage(uniqueName('as'))
    let failOnce = false
    const flaky: AsyncStorageLike = {
      ...raw,
      setMany: async (entries) => {
        if (failOnce) {
          failOnce = false
          throw new Error('disk full')
        }
        return raw.setMany(entries)
      },
    }
    const store = createAsyncStorageStore(flaky)
    await store.commit({ put: [['a', 1]] })
    failOnce = true
    await expect(store.commit({ del: ['a'], put: [['b', 2]] })).rejects.toThrow('disk full')
    expect(await store.scan('')).toEqual([['b', 2]])
    expect(await raw.getItem('trackvault:journal')).toBeNull()
  })
})

describe('sqlite adapter specifics', () => {
  test('uses WAL, synchronous=FULL and leaves a borrowed Database open on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tv-kv-'))
    try {
      const db = new Database(join(dir, 'borrowed.db'))
      const store = createSqliteStore(db)
      await store.commit({ put: [['k', { v: 1 }]] })
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
      expect(db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get('k')).toBe('{"v":1}')
      await store.close()
      expect(db.open).toBe(true)
      await expect(store.get('k')).rejects.toThrow(/closed/)
      db.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('rejects keys with unpaired surrogates instead of corrupting them', async () => {
    const store = createSqliteStore(':memory:')
    await expect(store.commit({ put: [['bad\ud800', 1]] })).rejects.toThrow(/surrogate/)
    await expect(store.get('\udc00')).rejects.toThrow(/surrogate/)
    expect(await store.scan('')).toEqual([])
    await store.close()
  })

  test('a process killed with SIGKILL mid-commit leaves whole batches only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tv-kv-kill-'))
    try {
      const file = join(dir, 'kv.db')
      const script = join(dir, 'writer.mts')
      const adapter = fileURLToPath(new URL('./sqlite-store.ts', import.meta.url))
      // Each batch rewrites all 500 keys with its number and deletes the previous batch's marker.
      await writeFile(
        script,
        `import { createSqliteStore } from ${JSON.stringify(adapter)}
const store = createSqliteStore(${JSON.stringify(file)})
for (let n = 1; ; n++) {
  const put = Array.from({ length: 500 }, (_, i) => ['k/' + String(i).padStart(3, '0'), n])
  put.push(['marker/' + n, n])
  await store.commit({ put, del: ['marker/' + (n - 1)] })
  if (n === 3) process.stdout.write('ready\\n')
}
`,
      )
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
        child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)))
      })
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 150))
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited

      const store = createSqliteStore(file)
      const values = (await store.scan('k/')).map(([, v]) => v)
      const markers = await store.scan('marker/')
      await store.close()
      expect(values).toHaveLength(500)
      expect(markers).toHaveLength(1)
      const [[, n]] = markers
      expect(n).toBeGreaterThanOrEqual(3)
      expect(new Set(values)).toEqual(new Set([n]))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 20_000)
})
