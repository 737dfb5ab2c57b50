import { describe, expect, test } from 'vitest'
import { BatchSizer, SLOW_ANSWER_MS } from './batch-sizer'

describe('BatchSizer', () => {
  test('adapts: starts at 10, doubles on quick whole answers up to the ceiling', () => {
    const s = new BatchSizer(undefined)
    const sizes: number[] = []
    for (let i = 0; i < 8; i++) {
      sizes.push(s.size)
      s.answered(s.size, 50, 1, true)
    }
    expect(sizes).toEqual([10, 20, 40, 80, 160, 200, 200, 200])
    expect(new BatchSizer(undefined, 5000).size).toBe(10)
    const big = new BatchSizer(undefined, 5000)
    for (let i = 0; i < 12; i++) big.answered(big.size, 50, 1, true)
    expect(big.size).toBe(500) // never above what the server accepts
  })

  test('does not grow on a batch cut short (one op per row), and halves, not below 10, on trouble', () => {
    const s = new BatchSizer(undefined)
    s.answered(3, 10, 1, true)
    expect(s.size).toBe(10)
    for (let i = 0; i < 4; i++) s.answered(s.size, 10, 1, true)
    expect(s.size).toBe(160)
    s.answered(160, SLOW_ANSWER_MS + 1, 1, true) // slow
    expect(s.size).toBe(80)
    s.answered(80, 10, 2, true) // needed a retry
    expect(s.size).toBe(40)
    s.answered(40, 10, 1, false) // partial: the server stopped on a transient error
    expect(s.size).toBe(20)
    s.answered(20, 2000, 1, true) // neither quick nor slow: stays
    expect(s.size).toBe(20)
    s.answered(20, SLOW_ANSWER_MS + 1, 1, true)
    s.answered(10, SLOW_ANSWER_MS + 1, 1, true)
    expect(s.size).toBe(10)
  })

  test('413 halves down to 1 and caps growth for the rest of the sync', () => {
    const s = new BatchSizer(undefined)
    for (let i = 0; i < 3; i++) s.answered(s.size, 10, 1, true)
    expect(s.size).toBe(80)
    expect(s.tooLarge()).toBe(true)
    expect(s.size).toBe(40)
    for (let i = 0; i < 3; i++) s.answered(s.size, 10, 1, true)
    expect(s.size).toBe(40)
    while (s.size > 1) expect(s.tooLarge()).toBe(true)
    expect(s.tooLarge()).toBe(false)
  })

  test('an explicit batchSize is fixed (only 413 halves it)', () => {
    const s = new BatchSizer(25)
    s.answered(25, 10, 1, true)
    s.answered(25, SLOW_ANSWER_MS + 1, 3, false)
    expect(s.size).toBe(25)
    expect(s.tooLarge()).toBe(true)
    expect(s.size).toBe(12)
    expect(new BatchSizer(2).size).toBe(2)
  })
})
