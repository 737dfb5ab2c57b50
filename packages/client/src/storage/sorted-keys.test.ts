import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { SortedKeys } from './sorted-keys'

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const key = fc
  .array(fc.constantFrom('a', 'b', '/', '0', '\u00ff', '\ue000', '😀', '\uffff'), { maxLength: 4 })
  .map((parts) => parts.join(''))

describe('SortedKeys', () => {
  test('matches a sorted model under random adds, deletes and prefix queries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), key), { maxLength: 300 }),
        fc.array(key, { maxLength: 10 }),
        (steps, prefixes) => {
          const keys = new SortedKeys()
          const model = new Set<string>()
          for (const [add, k] of steps) {
            expect(add ? keys.add(k) : keys.delete(k)).toBe(add ? !model.has(k) : model.has(k))
            if (add) model.add(k)
            else model.delete(k)
          }
          expect(keys.size).toBe(model.size)
          for (const p of ['', ...prefixes]) {
            const expected = [...model].filter((k) => k.startsWith(p)).sort(byKey)
            expect(keys.withPrefix(p)).toEqual(expected)
            expect(keys.hasPrefix(p)).toBe(expected.length > 0)
          }
          for (const k of prefixes) expect(keys.has(k)).toBe(model.has(k))
        },
      ),
      { numRuns: 200 },
    )
  })

  test('stays ordered across block splits and merges away empty blocks (10,000 keys)', () => {
    const n = 10_000
    const all = Array.from({ length: n }, (_, i) => `k/${String((i * 7919) % n).padStart(5, '0')}`)
    const keys = new SortedKeys()
    for (const k of all) keys.add(k)
    expect(keys.withPrefix('k/')).toEqual([...all].sort(byKey))
    for (const k of all.slice(0, n - 3)) keys.delete(k)
    expect(keys.withPrefix('')).toEqual(all.slice(n - 3).sort(byKey))
    const built = new SortedKeys(['b', 'a', 'c', 'a'])
    expect(built.withPrefix('')).toEqual(['a', 'b', 'c'])
    expect(built.size).toBe(3)
  })
})
