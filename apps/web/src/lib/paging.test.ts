import { describe, expect, test } from 'vitest'
import { pageOf } from './paging'

describe('paging', () => {
  test('clamps the page and counts pages', () => {
    const rows = Array.from({ length: 45 }, (_, i) => i)
    expect(pageOf(rows, 3, 20)).toEqual({ rows: [40, 41, 42, 43, 44], page: 3, pages: 3 })
    expect(pageOf(rows, 9, 20).page).toBe(3)
    expect(pageOf([], 1, 20)).toEqual({ rows: [], page: 1, pages: 1 })
  })
})
