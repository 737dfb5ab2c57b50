import { DEFAULT_SETTINGS } from '@trackvault/core'
import { describe, expect, it } from 'vitest'
import { businessToday, entryCheck } from './settings'

const nairobi = { ...DEFAULT_SETTINGS, time_zone: 'Africa/Nairobi', future_tolerance_days: 1 }
// 22:30 UTC on 1 March is 01:30 on 2 March in Nairobi.
const at = new Date('2026-03-01T22:30:00Z')

describe('business settings in the forms', () => {
  it("dates a new record with the business's today, not UTC's", () => {
    expect(businessToday(nairobi, at)).toBe('2026-03-02')
    expect(businessToday(DEFAULT_SETTINGS, at)).toBe('2026-03-01')
  })

  it('flags a date past today + the tolerance before saving', () => {
    expect(entryCheck('collection', { collection_date: '2026-03-03' }, nairobi, at).fields).toEqual({})
    expect(entryCheck('collection', { collection_date: '2026-03-04' }, nairobi, at).fields.collection_date).toMatch(
      /must not be after 2026-03-03/,
    )
    expect(entryCheck('payment', { payment_date: '2026-03-04' }, nairobi, at).fields.payment_date).toMatch(/2026-03-03/)
  })

  it('asks for a confirmation over the thresholds (the net quantity of a collection, the amount of a payment)', () => {
    const limits = { ...nairobi, large_quantity: '500.000', large_payment: '50000.00' }
    const weighing = { quantity: '520', tare_per_container: '1', containers: 10, deduction_percent: '0' }
    // 520 - 10 = 510 net: over 500
    expect(entryCheck('collection', weighing, limits, at).confirm).toMatch(/net quantity is over 500.000/)
    // 520 - 10 x 2 = 500 net: not over
    expect(entryCheck('collection', { ...weighing, tare_per_container: '2' }, limits, at).confirm).toBeUndefined()
    expect(entryCheck('payment', { amount: '50000.01' }, limits, at).confirm).toMatch(/amount is over 50000.00/)
    expect(entryCheck('payment', { amount: '50000.00' }, limits, at).confirm).toBeUndefined()
    // No threshold: nothing to confirm.
    expect(entryCheck('payment', { amount: '99999999.00' }, nairobi, at).confirm).toBeUndefined()
  })
})
