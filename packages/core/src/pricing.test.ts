import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { netQuantity, priceCollection, pricingModeErrors, rateFor } from './pricing'
import type { RatePeriod } from './rates'

const rate = (over: Partial<RatePeriod> = {}): RatePeriod => ({
  id: 'r1',
  product_id: 'p',
  unit: 'kg',
  rate: '120.00',
  effective_date: '2026-01-01',
  end_date: null,
  is_active: true,
  ...over,
})
const c = { product_id: 'p', unit: 'kg', collection_date: '2026-03-01', quantity: '50.500' }

describe('priceCollection', () => {
  test('the rate in force, quantity x rate rounded half up to cents', () => {
    expect(priceCollection([rate()], c)).toEqual({
      ok: true,
      price: { product_rate_id: 'r1', rate_applied: '120.00', total_amount: '6060.00' },
    })
    expect(priceCollection([rate({ rate: '0.01' })], { ...c, quantity: '0.500' })).toMatchObject({
      price: { total_amount: '0.01' },
    })
  })

  test('no rate in force: no_rate; over the maximum amount: too_large with the message for quantity', () => {
    expect(priceCollection([rate({ end_date: '2026-02-01' })], c)).toEqual({ ok: false, reason: 'no_rate' })
    expect(priceCollection([rate({ rate: '1000000000.00' })], { ...c, quantity: '1.000' })).toMatchObject({
      ok: false,
      reason: 'too_large',
      message: expect.stringContaining('100000000.00'),
    })
  })
})

describe('netQuantity', () => {
  test('gross - tare x containers - deduction (percent of the weight after tare, half up to grams)', () => {
    expect(
      netQuantity({ quantity: '52.000', tare_per_container: '0.750', containers: 2, deduction_percent: '4.00' }),
    ).toEqual({
      ok: true,
      net: '48.480',
      tare: '1.500',
      deduction: '2.020',
    })
    expect(netQuantity({ quantity: '10.000' })).toEqual({ ok: true, net: '10.000', tare: '0.000', deduction: '0.000' })
    // 0.333 x 1.5% = 0.0049950 -> 0.005 (half up)
    expect(netQuantity({ quantity: '0.333', deduction_percent: '1.50' })).toMatchObject({
      net: '0.328',
      deduction: '0.005',
    })
  })

  test('a tare that takes the whole weight, or a deduction that takes all of it, is refused by field', () => {
    expect(netQuantity({ quantity: '1.000', tare_per_container: '0.500', containers: 2 })).toMatchObject({
      ok: false,
      field: 'tare_per_container',
    })
    expect(netQuantity({ quantity: '1.000', deduction_percent: '100.00' })).toMatchObject({
      ok: false,
      field: 'deduction_percent',
    })
  })

  test('exact for random weighings, against an independent BigInt computation', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 6n }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 9_999 }),
        (grossMilli, tareMilli, containers, pctHundredths) => {
          const afterTare = grossMilli - tareMilli * BigInt(containers)
          const fmt = (m: bigint) => `${m / 1000n}.${String(m % 1000n).padStart(3, '0')}`
          const out = netQuantity({
            quantity: fmt(grossMilli),
            tare_per_container: fmt(tareMilli),
            containers,
            deduction_percent: `${Math.floor(pctHundredths / 100)}.${String(pctHundredths % 100).padStart(2, '0')}`,
          })
          if (afterTare <= 0n) {
            expect(out).toMatchObject({ ok: false, field: 'tare_per_container' })
            return
          }
          // half up, in exact integers: deduction = floor((afterTare x pct x 2 + 10000) / 20000)
          const deduction = (afterTare * BigInt(pctHundredths) * 2n + 10_000n) / 20_000n
          const net = afterTare - deduction
          if (net <= 0n) {
            expect(out).toMatchObject({ ok: false, field: 'deduction_percent' })
            return
          }
          expect(out).toEqual({
            ok: true,
            net: fmt(net),
            tare: fmt(tareMilli * BigInt(containers)),
            deduction: fmt(deduction),
          })
        },
      ),
    )
  })
})

describe('grades and quality formulas', () => {
  const graded = [
    rate({ id: 'a', grade: 'A', rate: '30.00' }),
    rate({ id: 'b', grade: 'B', rate: '25.00' }),
    rate({ id: 'flat' }),
  ]
  test('a graded collection is priced by the rate of its grade; no grade, the rate without one', () => {
    expect(priceCollection(graded, { ...c, quantity: '10.000', grade: 'B' })).toMatchObject({
      price: { product_rate_id: 'b', rate_applied: '25.00', total_amount: '250.00' },
    })
    expect(priceCollection(graded, { ...c, quantity: '10.000' })).toMatchObject({ price: { product_rate_id: 'flat' } })
    expect(priceCollection(graded, { ...c, grade: 'C' })).toEqual({ ok: false, reason: 'no_rate' })
  })

  test('milk: base + fat% x fat_rate + SNF% x snf_rate per litre, half up to cents; no readings, no price', () => {
    const milk = [rate({ id: 'm', unit: 'l', rate: '20.00', fat_rate: '3.50', snf_rate: '1.25' })]
    const litres = { ...c, unit: 'l', quantity: '12.500' }
    // 20 + 4.05 x 3.50 + 8.45 x 1.25 = 20 + 14.175 + 10.5625 = 44.7375 -> 44.74
    expect(priceCollection(milk, { ...litres, fat_percent: '4.05', snf_percent: '8.45' })).toEqual({
      ok: true,
      price: { product_rate_id: 'm', rate_applied: '44.74', total_amount: '559.25' },
    })
    expect(priceCollection(milk, { ...litres, fat_percent: '4.05' })).toEqual({ ok: false, reason: 'no_rate' })
  })

  test('the rate per unit of a formula, exact against an independent BigInt computation', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.bigInt({ min: 0n, max: 10n ** 5n }),
        fc.bigInt({ min: 0n, max: 10n ** 5n }),
        fc.bigInt({ min: 0n, max: 10_000n }),
        fc.bigInt({ min: 0n, max: 10_000n }),
        (base, fatRate, snfRate, fat, snf) => {
          const m = (v: bigint) => `${v / 100n}.${String(v % 100n).padStart(2, '0')}`
          const r = rate({ rate: m(base), fat_rate: m(fatRate), snf_rate: m(snfRate) })
          const hundredthsOfCents = base * 100n + fat * fatRate + snf * snfRate
          const expected = (hundredthsOfCents * 2n + 100n) / 200n // half up
          expect(rateFor(r, { fat_percent: m(fat), snf_percent: m(snf) })).toBe(m(expected))
        },
      ),
    )
  })

  test('the rules a rate and a collection keep with their product', () => {
    const leaf = { pricing: 'graded' as const, grades: ['A', 'B'] }
    expect(pricingModeErrors('collection', { grade: null }, leaf)).toEqual({ grade: ['required: one of A, B'] })
    expect(pricingModeErrors('collection', { grade: 'C' }, leaf)).toEqual({ grade: ['must be one of A, B'] })
    expect(pricingModeErrors('product_rate', { grade: 'A' }, leaf)).toBeUndefined()
    expect(pricingModeErrors('product_rate', { grade: 'A' }, {})).toEqual({
      grade: ['this product is not priced by grade'],
    })
    const milk = { pricing: 'quality' as const }
    expect(pricingModeErrors('collection', { fat_percent: '4.00' }, milk)).toEqual({
      snf_percent: ['required for a product priced by quality'],
    })
    expect(pricingModeErrors('product_rate', { fat_rate: '1.00' }, {})).toEqual({
      fat_rate: ['only for a product priced by quality'],
    })
    expect(pricingModeErrors('collection', { fat_percent: '4.00', snf_percent: '8.00' }, {})).toBeUndefined() // readings kept, not priced
  })
})
