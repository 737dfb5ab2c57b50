import type { RatePeriod } from '@trackvault/core'
import { describe, expect, it } from 'vitest'
import {
  collectionTotals,
  quantitiesByUnit,
  quantityProblem,
  quoteCollection,
  trimQuantity,
  weighingLine,
  weighingText,
} from './pricing'

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
    expect(quantityProblem('abc')).toBe('is not a number')
    expect(quantityProblem('0')).toMatch(/greater than zero/)
    expect(quantityProblem('12.5')).toBeUndefined()
  })
})

describe('quoteCollection: every pricing mode', () => {
  const base = { product_id: 'p1', unit: 'kg', date: '2024-05-01' }

  it('prices the net: gross less tare x containers less the deduction (core netQuantity)', () => {
    const q = quoteCollection([rate()], {
      ...base,
      quantity: '52',
      tare_per_container: '0.75',
      containers: '2',
      deduction_percent: '4',
    })
    // 52 - 1.5 = 50.5; 4% of 50.5 = 2.02; net 48.48 x 120.00 = 5817.60
    expect(q.net).toEqual({ net: '48.480', tare: '1.500', deduction: '2.020' })
    expect(q.amount).toBe('5817.60')
    expect(q.fields).toMatchObject({
      quantity: '52.000',
      tare_per_container: '0.750',
      containers: 2,
      deduction_percent: '4.00',
    })
  })

  it('rounds the deduction half up to grams and the amount half up to cents', () => {
    // 10.001 x 3.33% = 0.3330333 -> 0.333; net 9.668 x 0.05 = 0.4834 -> 0.48
    const q = quoteCollection([rate({ rate: '0.05' })], { ...base, quantity: '10.001', deduction_percent: '3.33' })
    expect(q.net?.net).toBe('9.668')
    expect(q.amount).toBe('0.48')
  })

  it('says which weighing field is wrong', () => {
    const tare = quoteCollection([rate()], { ...base, quantity: '1', tare_per_container: '0.5', containers: '2' })
    expect(tare.problems.tare_per_container).toMatch(/must be less than the weight/)
    expect(tare.amount).toBeUndefined()
    expect(tare.fields).toBeUndefined()
    const all = quoteCollection([rate()], { ...base, quantity: '10', deduction_percent: '100' })
    expect(all.problems.deduction_percent).toMatch(/some weight/)
    expect(quoteCollection([rate()], { ...base, quantity: '10', containers: '1.5' }).problems.containers).toMatch(
      /whole number/,
    )
    expect(quoteCollection([rate()], { ...base, quantity: '10', deduction_percent: '101' }).problems).toHaveProperty(
      'deduction_percent',
    )
    expect(quoteCollection([rate()], { ...base, quantity: '10', tare_per_container: '-1' }).problems).toHaveProperty(
      'tare_per_container',
    )
  })

  it('prices a graded collection with the rate of its grade', () => {
    const rates = [rate({ id: 'a', grade: 'A', rate: '150.00' }), rate({ id: 'b', grade: 'B', rate: '100.00' })]
    expect(quoteCollection(rates, { ...base, quantity: '2', grade: 'A' })).toMatchObject({ amount: '300.00' })
    expect(quoteCollection(rates, { ...base, quantity: '2', grade: 'B' })).toMatchObject({ amount: '200.00' })
    const none = quoteCollection(rates, { ...base, quantity: '2' })
    expect(none.rate).toBeUndefined()
    expect(none.amount).toBeUndefined()
    expect(none.fields).toMatchObject({ grade: null })
  })

  it('prices a quality collection by the formula: base + fat% x fat_rate + SNF% x snf_rate', () => {
    const milk = rate({ unit: 'l', rate: '10.00', fat_rate: '3.00', snf_rate: '1.50' })
    const input = { ...base, unit: 'l', quantity: '12.5', fat_percent: '3.8', snf_percent: '8.5' }
    const q = quoteCollection([milk], input)
    // 10.00 + 3.8 x 3.00 + 8.5 x 1.50 = 34.15 per litre; 12.5 l = 426.875 -> 426.88
    expect(q.perUnit).toBe('34.15')
    expect(q.amount).toBe('426.88')
    expect(q.fields).toMatchObject({ fat_percent: '3.80', snf_percent: '8.50' })
    // Without a reading the formula cannot price it: price pending.
    const pending = quoteCollection([milk], { ...input, snf_percent: '' })
    expect(pending.rate?.id).toBe('r1')
    expect(pending.amount).toBeUndefined()
    expect(pending.fields).toMatchObject({ snf_percent: null })
  })

  it('gives the fields to send even with no rate (the collection is kept, price pending)', () => {
    const q = quoteCollection([], { ...base, quantity: '5' })
    expect(q.amount).toBeUndefined()
    expect(q.net?.net).toBe('5.000')
    expect(q.fields?.quantity).toBe('5.000')
  })
})

describe('weighingText', () => {
  it('reads a stored weighing, net by core', () => {
    const w = weighingText({
      quantity: '52.000',
      tare_per_container: '0.750',
      containers: 2,
      deduction_percent: '4.00',
    })
    expect(w).toEqual({
      gross: '52',
      containers: 2,
      tarePerContainer: '0.75',
      tare: '1.5',
      deductionPercent: '4',
      deduction: '2.02',
      net: '48.48',
    })
    expect(weighingLine(w!, 'kg')).toBe('52 − 2 × 0.75 − 4% (2.02) = 48.48 kg')
    const plain = weighingText({
      quantity: '12.500',
      tare_per_container: '0.000',
      containers: 0,
      deduction_percent: '0.00',
    })
    expect(weighingLine(plain!, 'kg')).toBe('12.5 kg')
    expect(weighingText({ quantity: '1.000', tare_per_container: '1.000', containers: 1 })).toBeUndefined()
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

  it('totals the net quantities, the ones paid for', () => {
    expect(
      collectionTotals([
        { quantity: '52.000', net_quantity: '48.480', unit: 'kg', total_amount: '5817.60' },
        { quantity: '10.000', net_quantity: '10.000', unit: 'kg', total_amount: null },
      ]).byUnit,
    ).toEqual([{ unit: 'kg', total: '58.480' }])
  })

  it('trims trailing zeros of quantities', () => {
    expect(trimQuantity('50.500')).toBe('50.5')
    expect(trimQuantity('12.000')).toBe('12')
    expect(trimQuantity('100')).toBe('100')
    expect(trimQuantity(null)).toBe('—')
  })
})
