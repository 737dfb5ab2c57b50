import { describe, expect, test } from 'vitest'
import { priceCollection } from './pricing'
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
