import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { SeqSet } from './seq-set'

describe('SeqSet', () => {
  test('iterates live seqs in order under adds and deletes in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(200)), { maxLength: 400 }), (steps) => {
        const set = new SeqSet()
        const model = new Set<number>()
        for (const [add, n] of steps) {
          if (add) {
            set.add(n)
            model.add(n)
          } else {
            set.delete(n)
            model.delete(n)
          }
          const seen: number[] = []
          set.until((s) => {
            seen.push(s)
            return true
          })
          expect(seen).toEqual([...model].sort((a, b) => a - b))
          expect(set.size).toBe(model.size)
        }
      }),
      { numRuns: 100 },
    )
  })
})
