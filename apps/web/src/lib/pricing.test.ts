import type { RatePeriod } from '@trackvault/core'
import { describe, expect, it } from 'vitest'
import { collectionTotals, quantitiesByUnit, quantityProblem, quoteCollection, trimQuantity } from './pricing'

const rate = (over: Partial<RatePeriod> = {}): RatePeriod => ({
  id: 'r1',
  product_id: 'p1',
  unit: 'kg',
  rate: '120.00',
  effective_date: '2024-01-01',
  end_date: null,
  is_active: true,
  ...over,
})

describe('quoteCollection', () => {
  it('prices quantity x rate exactly, rounding half up to cents', () => {
    const q = quoteCollection([rate()], { product_id: 'p1', unit: 'kg', date: '2024-05-01', quantity: '50.5' })
    expect(q.rate?.id).toBe('r1')
    expect(q.amount).toBe('6060.00')
    // 0.105 x 0.05 = 0.00525 -> 0.01
    const r = quoteCollection([rate({ rate: '0.05' })], {
      product_id: 'p1',
      unit: 'kg',
      date: '2024-05-01',
      quantity: '0.105',
    })
    expect(r.amount).toBe('0.01')
    // a float would say 0.30000000000000004
    const s = quoteCollection([rate({ rate: '0.10' })], {
      product_id: 'p1',
      unit: 'kg',
      date: '2024-05-01',
      quantity: '3',
    })
    expect(s.amount).toBe('0.30')
  })

  it('refuses a total over the maximum amount, as the server does (core: collectionTotal)', () => {
    const at = (quantity: string) =>
      quoteCollection([rate({ rate: '1000.00' })], { product_id: 'p1', unit: 'kg', date: '2024-05-01', quantity })
    expect(at('100000')).toMatchObject({ amount: '100000000.00', quantityProblem: undefined })
    expect(at('100000.001')).toMatchObject({
      amount: undefined,
      quantityProblem: 'times the rate 1000.00 must be at most 100000000.00',
    })
    expect(at('100000.001').rate?.id).toBe('r1')
  })

  it('normalises the unit as typed', () => {
    const q = quoteCollection([rate()], { product_id: 'p1', unit: ' KG ', date: '2024-05-01', quantity: '2' })
    expect(q.amount).toBe('240.00')
  })

  it('picks the rate in force on the date', () => {
    const rates = [
      rate({ id: 'old', rate: '100.00', effective_date: '2024-01-01', end_date: '2024-03-31' }),
      rate({ id: 'new', rate: '110.00', effective_date: '2024-04-01' }),
    ]
    expect(quoteCollection(rates, { product_id: 'p1', unit: 'kg', date: '2024-03-31', quantity: '1' }).amount).toBe(
      '100.00',
    )
    expect(quoteCollection(rates, { product_id: 'p1', unit: 'kg', date: '2024-04-01', quantity: '1' }).amount).toBe(
      '110.00',
    )
  })

  it('has no rate or amount when none is in force', () => {
    const q = quoteCollection([rate()], { product_id: 'p1', unit: 'kg', date: '2023-12-31', quantity: '5' })
    expect(q.rate).toBeUndefined()
    expect(q.amount).toBeUndefined()
    expect(quoteCollection([rate()], { product_id: 'p1', unit: 'l', date: '2024-05-01', quantity: '5' }).rate).toBe(
      undefined,
    )
  })

  it('reports unusable quantities and gives no amount', () => {
    const q = quoteCollection([rate()], { product_id: 'p1', unit: 'kg', date: '2024-05-01', quantity: '1.2345' })
    expect(q.quantityProblem).toMatch(/3 decimal places/)
    expect(q.amount).toBeUndefined()
    expect(quantityProblem('')).toBeUndefined()
    expect(quantityProblem('abc')).toMatch(/not a decimal/)
    expect(quantityProblem('0')).toMatch(/greater than zero/)
    expect(quantityProblem('12.5')).toBeUndefined()
  })
})

describe('totals', () => {
  it('sums quantities per unit', () => {
    expect(
      quantitiesByUnit([
        { quantity: '1.100', unit: 'kg' },
        { quantity: '2.200', unit: 'kg' },
        { quantity: '3.000', unit: 'l' },
      ]),
    ).toEqual([
      { unit: 'kg', total: '3.300' },
      { unit: 'l', total: '3.000' },
    ])
  })

  it('totals a set of collections', () => {
    expect(
      collectionTotals([
        { quantity: '50.500', unit: 'kg', total_amount: '6060.00' },
        { quantity: '1.000', unit: 'kg', total_amount: null },
      ]),
    ).toEqual({ count: 2, byUnit: [{ unit: 'kg', total: '51.500' }], amount: '6060.00', unpriced: 1 })
  })

  it('trims trailing zeros of quantities', () => {
    expect(trimQuantity('50.500')).toBe('50.5')
    expect(trimQuantity('12.000')).toBe('12')
    expect(trimQuantity('100')).toBe('100')
    expect(trimQuantity(null)).toBe('—')
  })
})
