import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { LocalDb } from './local-db'
import type { Json } from './storage/kv-store'
import { createMemoryStore } from './storage/memory-store'

const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
const key = fc
  .tuple(fc.constantFrom('a/', 'b/', 'a/x/', ''), fc.constantFrom('1', '2', '3', 'z', '😀'))
  .map(([p, s]) => p + s)

describe('LocalTx', () => {
  test("scan, getMany and writesUnder see the transaction's own writes over the store's", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(key, fc.integer()), { maxLength: 12 }),
        fc.array(fc.tuple(key, fc.option(fc.integer(), { nil: undefined })), { maxLength: 12 }),
        fc.constantFrom('', 'a/', 'a/x/', 'b/', 'c/'),
        async (stored, writes, prefix) => {
          const store = createMemoryStore()
          await store.commit({ put: stored })
          const model = new Map<string, Json>(stored)
          const db = new LocalDb(store)
          await db.write(async (tx) => {
            expect(tx.hasWritesUnder(prefix)).toBe(false)
            for (const [k, v] of writes) {
              if (v === undefined) {
                tx.del(k)
                model.delete(k)
              } else {
                tx.put(k, v)
                model.set(k, v)
              }
              // interleave scans with writes: the sorted index of the writes is kept up to date
              const expected = [...model].filter(([k2]) => k2.startsWith(prefix)).sort(byKey)
              expect(await tx.scan(prefix)).toEqual(expected)
            }
            const own = [...new Map(writes)].filter(([k]) => k.startsWith(prefix)).sort(byKey)
            expect(tx.writesUnder(prefix)).toEqual(own)
            expect(tx.hasWritesUnder(prefix)).toBe(own.length > 0)
            const keys = [...new Set([...stored.map(([k]) => k), ...writes.map(([k]) => k), 'none'])]
            expect(await tx.getMany(keys)).toEqual(keys.map((k) => model.get(k)))
          })
          expect(await store.scan('')).toEqual([...model].sort(byKey))
        },
      ),
      { numRuns: 150 },
    )
  })

  test('prefetch reads many keys at once; each get after it still returns its own copy', async () => {
    const store = createMemoryStore()
    await store.commit({ put: [['k/1', { n: 1 }]] })
    let reads = 0
    const db = new LocalDb({
      get: (k) => store.get(k),
      getMany: (keys) => {
        reads += 1
        return store.getMany(keys)
      },
      scan: (p) => store.scan(p),
      commit: (b) => store.commit(b),
      close: () => store.close(),
    })
    await db.write(async (tx) => {
      await tx.prefetch(['k/1', 'k/2', 'k/1'])
      expect(reads).toBe(1)
      const a = await tx.get<{ n: number }>('k/1')
      a!.n = 99
      expect(await tx.get('k/1')).toEqual({ n: 1 })
      expect(await tx.get('k/2')).toBeUndefined()
    })
  })

  test('commit observers hear the written values, or that a commit failed', async () => {
    const store = createMemoryStore()
    let fail = false
    const db = new LocalDb({
      get: (k) => store.get(k),
      getMany: (k) => store.getMany(k),
      scan: (p) => store.scan(p),
      commit: async (b) => {
        if (fail) throw new Error('disk full')
        return store.commit(b)
      },
      close: () => store.close(),
    })
    const heard: string[] = []
    db.observe({
      committed: (w) => heard.push([...w].map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')),
      failed: () => heard.push('failed'),
      foreign: () => heard.push('foreign'),
    })
    await db.write(async (tx) => {
      tx.put('a', 1)
      tx.del('b')
    })
    await db.write(async () => {}) // nothing written: nothing to hear
    fail = true
    await expect(db.write(async (tx) => tx.put('c', 1))).rejects.toThrow('disk full')
    expect(heard).toEqual(['a=1,b=undefined', 'failed'])
    expect(db.committing).toBe(false)
  })
})
