import { describe, expect, it } from 'vitest'
import { moneyMinor, sumMoney } from './money-format'

describe('money', () => {
  it('sums money exactly and counts missing amounts', () => {
    expect(sumMoney(['0.10', '0.20', null, '1000000.01'])).toEqual({ total: '1000000.31', missing: 1 })
    expect(sumMoney([])).toEqual({ total: '0.00', missing: 0 })
  })

  it('moneyMinor rejects what is not money', () => {
    expect(moneyMinor('12.5')).toBe(1250n)
    expect(moneyMinor(null)).toBeNull()
    expect(moneyMinor('abc')).toBeNull()
    expect(moneyMinor('1.234')).toBeNull()
  })
})
