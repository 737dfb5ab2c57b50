/**
 * The one test suite every KVStore adapter passes (see kv-store.ts for the
 * contract). Each adapter's test calls `runStoreSuite(name, factory)`; the
 * factory hands back a fresh, empty store and, where the adapter persists,
 * `reopen` (a new store over the same data, after `close`). An adapter that can
 * simulate a crash inside `commit` names its crash points in `options` and arms
 * them through `armCrash`; the others skip those tests, saying why.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, test } from 'vitest'
import type { CommitBatch, Json, KVStore } from './kv-store'

/** A place inside `commit` where an adapter can simulate a crash, and what `reopen` must show after it. */
export interface CrashPoint {
  name: string
  expect: 'all' | 'none'
}

export interface StoreSuiteOptions {
  /** Crash points the adapter's `armCrash` understands; none means the crash tests are skipped. */
  crashPoints?: CrashPoint[]
}

export interface StoreHandle {
  store: KVStore
  /** A new store over the same data (called after `store.close()`). */
  reopen?: () => Promise<KVStore>
  cleanup?: () => Promise<void>
  /** Makes the next `commit` die at `point` as if the process were killed; no later call reaches storage. */
  armCrash?: (point: string) => void
}

/** Key order of the contract: UTF-16 code units, as `<`. */
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const keysOf = (entries: Array<[string, Json]>) => entries.map(([k]) => k)

export function runStoreSuite(name: string, factory: () => Promise<StoreHandle>, options: StoreSuiteOptions = {}) {
  describe(`KVStore: ${name}`, () => {
    const opened: Array<{ stores: KVStore[]; cleanup?: () => Promise<void> }> = []

    /** A fresh handle whose stores (including reopened ones) are closed and cleaned up after the test. */
    async function open() {
      const handle = await factory()
      const entry = { stores: [handle.store], cleanup: handle.cleanup }
      opened.push(entry)
      const reopen = handle.reopen
        ? async () => {
            const s = await handle.reopen!()
            entry.stores.push(s)
            return s
          }
        : undefined
      return { ...handle, reopen }
    }

    afterEach(async () => {
      for (const { stores, cleanup } of opened.splice(0)) {
        for (const s of stores) await s.close().catch(() => {})
        await cleanup?.()
      }
    })

    test('get and getMany return undefined for absent keys, values in request order', async () => {
      const { store } = await open()
      expect(await store.get('missing')).toBeUndefined()
      await store.commit({
        put: [
          ['b', 2],
          ['a', 1],
          ['n', null],
        ],
      })
      expect(await store.get('a')).toBe(1)
      expect(await store.get('n')).toBeNull()
      expect(await store.getMany(['b', 'missing', 'a', 'n', 'b'])).toEqual([2, undefined, 1, null, 2])
      expect(await store.getMany([])).toEqual([])
    })

    test('one object put under several keys reads back as independent copies', async () => {
      const { store } = await open()
      const shared = { row: { n: 1 }, list: [1] }
      await store.commit({
        put: [
          ['s/a', shared],
          ['s/b', shared],
          ['s/c', 7],
        ],
      })
      const a = (await store.get('s/a')) as typeof shared
      a.row.n = 99
      a.list.push(2)
      expect(await store.get('s/b')).toEqual({ row: { n: 1 }, list: [1] })
      expect(await store.scan('s/')).toEqual([
        ['s/a', { row: { n: 1 }, list: [1] }],
        ['s/b', { row: { n: 1 }, list: [1] }],
        ['s/c', 7],
      ])
    })

    test('getMany of many keys: request order, repeats, absent and unusual keys', async () => {
      const { store } = await open()
      const odd = ['', 'a', 'a/😀', 'a/\ue000', 'a/\uffff', 'q"uote', 'back\\slash', 'new\nline', '[1]', 'é']
      const many = Array.from({ length: 1_500 }, (_, i) => `m/${String(i).padStart(4, '0')}`)
      await store.commit({ put: [...odd, ...many].map((k, i): [string, Json] => [k, { i }]) })
      const asked = ['missing', ...odd, ...[...many].reverse(), 'a', 'm/', ...odd]
      const expected = (k: string) => {
        const i = [...odd, ...many].indexOf(k)
        return i < 0 ? undefined : { i }
      }
      expect(await store.getMany(asked)).toEqual(asked.map(expected))
      // Repeated keys are independent copies too.
      const [x, y] = (await store.getMany(['a', 'a', 'b', 'c', 'd', 'e'])) as Array<{ i: number }>
      x.i = -1
      expect(y).toEqual({ i: 1 })
    })

    test('JSON values round trip: nested, unicode, empty strings, numbers', async () => {
      const { store } = await open()
      const values: Array<[string, Json]> = [
        ['nested', { a: [1, { b: [true, false, null] }], c: { d: { e: 'deep' } }, empty: {}, list: [] }],
        ['unicode', 'héllo wörld ✓ 日本語 👩‍👩‍👧 e\u0301 \u0000 "quoted" \\ back\nnew line'],
        ['empty-string', ''],
        ['empty-object', {}],
        ['empty-array', []],
        ['numbers', [0, -1, 1.5, -0.000001, 1e21, 5e-324, Number.MAX_SAFE_INTEGER, 0.1 + 0.2]],
        ['true', true],
        ['false', false],
        ['zero', 0],
        ['', 'the empty key'],
        ['key with spaces / and: colons', 'ok'],
      ]
      await store.commit({ put: values })
      for (const [k, v] of values) expect(await store.get(k)).toEqual(v)
      expect(await store.getMany(values.map(([k]) => k))).toEqual(values.map(([, v]) => v))
      expect(await store.scan('')).toEqual([...values].sort((a, b) => byKey(a[0], b[0])))
    })

    test('values are independent copies, both ways', async () => {
      const { store } = await open()
      const input = { list: [1, 2], inner: { x: 1 } }
      await store.commit({ put: [['k', input]] })
      input.list.push(3)
      input.inner.x = 99
      const got = (await store.get('k')) as { list: number[]; inner: { x: number } }
      expect(got).toEqual({ list: [1, 2], inner: { x: 1 } })
      got.list.push(4)
      got.inner.x = 7
      const [many] = (await store.getMany(['k'])) as Array<{ list: number[] }>
      many.list.length = 0
      const [[, scanned]] = (await store.scan('k')) as Array<[string, { inner: { x: number } }]>
      scanned.inner.x = -1
      expect(await store.get('k')).toEqual({ list: [1, 2], inner: { x: 1 } })
    })

    test('scan returns exactly the keys under a prefix, in code unit order', async () => {
      const { store } = await open()
      const keys = [
        'a',
        'a/',
        'a/b',
        'a/b/c',
        'a/z',
        'a/~',
        'a/\u00e9',
        'a/\u00ff',
        'a/\u00ff\u00ff',
        'a/\ue000',
        'a/😀',
        'a/\uffff',
        'a/\uffffz',
        'a.',
        'a0',
        'ab',
        'b',
        'A/',
        '',
      ]
      // Insert in a shuffled order so ordering cannot come from insertion.
      await store.commit({ put: [...keys].reverse().map((k, i) => [k, i]) })
      const expected = (prefix: string) => keys.filter((k) => k.startsWith(prefix)).sort(byKey)
      expect(keysOf(await store.scan('a/'))).toEqual([
        'a/',
        'a/b',
        'a/b/c',
        'a/z',
        'a/~',
        'a/\u00e9',
        'a/\u00ff',
        'a/\u00ff\u00ff',
        'a/😀', // a surrogate pair (U+D83D...) sorts before U+E000 in code unit order
        'a/\ue000',
        'a/\uffff',
        'a/\uffffz',
      ])
      for (const prefix of ['a', 'a/b', 'a/\u00ff', 'a/\uffff', 'ab', 'b', 'A', '', 'zzz', 'a/b/c/d']) {
        expect(keysOf(await store.scan(prefix)), `scan(${JSON.stringify(prefix)})`).toEqual(expected(prefix))
      }
      const all = await store.scan('')
      expect(all).toHaveLength(keys.length)
      expect(Object.fromEntries(all)).toEqual(Object.fromEntries([...keys].reverse().map((k, i) => [k, i])))
    })

    test('zero-padded numeric keys sort numerically, unpadded ones as strings', async () => {
      const { store } = await open()
      const nums = [100, 9, 10, 1, 99, 1000, 0, 11]
      await store.commit({
        put: [...nums.map((n): [string, Json] => [`q/${String(n).padStart(6, '0')}`, n]), ['n/10', 10], ['n/9', 9]],
      })
      expect((await store.scan('q/')).map(([, v]) => v)).toEqual([...nums].sort((a, b) => a - b))
      expect(keysOf(await store.scan('n/'))).toEqual(['n/10', 'n/9'])
    })

    test('within a batch deletes apply before puts; later puts of a key win', async () => {
      const { store } = await open()
      await store.commit({
        put: [
          ['k', 1],
          ['gone', 1],
          ['stay', 1],
        ],
      })
      await store.commit({
        put: [
          ['k', 2],
          ['fresh', 'x'],
        ],
        del: ['k', 'gone', 'never-existed', 'fresh'],
      })
      expect(await store.scan('')).toEqual([
        ['fresh', 'x'],
        ['k', 2],
        ['stay', 1],
      ])
      await store.commit({
        put: [
          ['dup', 1],
          ['dup', 2],
          ['dup', 3],
        ],
      })
      expect(await store.get('dup')).toBe(3)
      await store.commit({})
      await store.commit({ put: [], del: [] })
      expect(keysOf(await store.scan(''))).toEqual(['dup', 'fresh', 'k', 'stay'])
    })

    test('a commit that fails applies nothing of its batch', async () => {
      const { store } = await open()
      await store.commit({
        put: [
          ['x', 'old'],
          ['y', 'old'],
        ],
      })
      const notJson = (() => {}) as unknown as Json
      await expect(
        store.commit({
          del: ['x'],
          put: [
            ['y', 'new'],
            ['z', 'new'],
            ['bad', notJson],
          ],
        }),
      ).rejects.toThrow()
      expect(await store.scan('')).toEqual([
        ['x', 'old'],
        ['y', 'old'],
      ])
      // The store stays usable after a rejected batch.
      await store.commit({ put: [['z', 'ok']] })
      expect(await store.get('z')).toBe('ok')
    })

    test('commits started without awaiting apply in call order', async () => {
      const { store } = await open()
      const writes = Array.from({ length: 20 }, (_, i) =>
        store.commit({
          put: [
            ['seq', i],
            [`s/${i}`, i],
          ],
          del: ['seq'],
        }),
      )
      await Promise.all(writes)
      expect(await store.scan('s/')).toHaveLength(20)
      expect(await store.get('seq')).toBe(19)
    })

    test('matches a model under random batches and prefixes', async () => {
      const { store } = await open()
      const model = new Map<string, Json>()
      const key = fc
        .array(fc.constantFrom('a', 'b', '/', '0', '9', '\u00ff', '\ue000', '😀', '\uffff'), { maxLength: 4 })
        .map((parts) => parts.join(''))
      const batch = fc.record({
        put: fc.array(fc.tuple(key, fc.oneof(fc.integer(), fc.string(), fc.constant(null)))),
        del: fc.array(key, { maxLength: 5 }),
      })
      await fc.assert(
        fc.asyncProperty(batch, key, async (b: CommitBatch, prefix) => {
          await store.commit(b)
          for (const k of b.del ?? []) model.delete(k)
          for (const [k, v] of b.put ?? []) model.set(k, v)
          const expected = [...model].filter(([k]) => k.startsWith(prefix)).sort((x, y) => byKey(x[0], y[0]))
          expect(await store.scan(prefix)).toEqual(expected)
        }),
        { numRuns: 60 },
      )
    })

    test('handles large batches (5,000 puts, then 5,000 deletes)', async () => {
      const { store } = await open()
      const n = 5_000
      const put = Array.from({ length: n }, (_, i): [string, Json] => [`big/${String(i).padStart(5, '0')}`, { i }])
      await store.commit({ put: [...put].reverse() })
      const all = await store.scan('big/')
      expect(all).toHaveLength(n)
      expect(all[0]).toEqual(['big/00000', { i: 0 }])
      expect(all[n - 1]).toEqual(put[n - 1])
      expect(keysOf(all)).toEqual(put.map(([k]) => k))
      expect(await store.getMany(['big/01234', 'big/04999'])).toEqual([{ i: 1234 }, { i: 4999 }])
      await store.commit({ del: put.map(([k]) => k) })
      expect(await store.scan('big/')).toEqual([])
    })

    test('commit throughput, 1,000 puts (reported, not asserted)', async () => {
      const { store } = await open()
      const rounds = 5
      const started = performance.now()
      for (let r = 0; r < rounds; r++) {
        await store.commit({
          put: Array.from({ length: 1_000 }, (_, i): [string, Json] => [`t/${i}`, { r, i, name: `item ${i}` }]),
        })
      }
      const ms = (performance.now() - started) / rounds
      console.log(`[${name}] 1,000-put commit: ${ms.toFixed(1)} ms (${Math.round(1_000_000 / ms)} puts/s)`)
      expect(await store.get('t/999')).toEqual({ r: rounds - 1, i: 999, name: 'item 999' })
    })

    test('close makes every further use fail', async () => {
      const { store } = await open()
      await store.commit({ put: [['k', 1]] })
      await store.close()
      await expect(store.get('k')).rejects.toThrow()
      await expect(store.getMany(['k'])).rejects.toThrow()
      await expect(store.scan('')).rejects.toThrow()
      await expect(store.commit({ put: [['k', 2]] })).rejects.toThrow()
      await store.close() // closing twice is harmless
    })

    test('data survives close and reopen', async (ctx) => {
      const { store, reopen } = await open()
      if (!reopen) return ctx.skip('no reopen: this adapter keeps nothing between instances')
      await store.commit({
        put: [
          ['p/1', { a: 1 }],
          ['p/2', 'two'],
          ['p/3', null],
          ['q', [1]],
        ],
      })
      await store.commit({ del: ['p/2'], put: [['p/0', 0]] })
      await store.close()
      const again = await reopen()
      expect(await again.scan('p/')).toEqual([
        ['p/0', 0],
        ['p/1', { a: 1 }],
        ['p/3', null],
      ])
      expect(await again.getMany(['q', 'p/2'])).toEqual([[1], undefined])
      await again.commit({ put: [['p/2', 'back']] })
      await again.close()
      const third = await reopen()
      expect(await third.get('p/2')).toBe('back')
    })

    const crashPoints = options.crashPoints ?? []
    describe('crash inside commit, then reopen: all of the batch or none', () => {
      if (crashPoints.length === 0) test.skip('this adapter declares no crash points', () => {})
      test.each(crashPoints.map((p) => [p.name, p.expect] as const))('crash %s -> %s', async (point, outcome) => {
        const { store, reopen, armCrash } = await open()
        if (!reopen || !armCrash) throw new Error('crash points need reopen and armCrash')
        const before: Array<[string, Json]> = [
          ['c/a', 'old'],
          ['c/gone', 'old'],
          ['c/z', 'old'],
        ]
        await store.commit({ put: before })
        const added = Array.from({ length: 50 }, (_, i): [string, Json] => [`c/n/${String(i).padStart(2, '0')}`, i])
        armCrash(point)
        await expect(
          store.commit({ del: ['c/gone'], put: [...added, ['c/a', 'new'], ['c/z', { v: 'new' }]] }),
        ).rejects.toThrow()
        await store.close()
        const after = await reopen()
        const all: Array<[string, Json]> = [['c/a', 'new'], ...added, ['c/z', { v: 'new' }]]
        expect(await after.scan('c/')).toEqual(outcome === 'all' ? all : before)
        // The recovered store takes new commits normally.
        await after.commit({ put: [['c/after', true]] })
        expect(await after.get('c/after')).toBe(true)
      })
    })
  })
}
