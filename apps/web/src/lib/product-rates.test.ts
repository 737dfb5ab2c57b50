import { afterEach, describe, expect, test } from 'vitest'
import { i18next } from '../i18n'
import { currentRates, overlapMessage, periodText } from './product-rates'

describe('rates', () => {
  const rate = (id: string, unit: string, rate: string, from: string, to: string | null, is_active = true) => ({
    id,
    product_id: 'p1',
    unit,
    rate,
    effective_date: from,
    end_date: to,
    is_active,
    deleted_at: null,
  })
  const rates = [
    rate('r1', 'kg', '100.00', '2024-01-01', '2024-06-30'),
    rate('r2', 'kg', '120.00', '2024-07-01', null),
    rate('r3', 'l', '50.00', '2024-01-01', null),
    rate('r4', 'bag', '9.00', '2024-01-01', null, false),
  ]

  test('current rate per unit, default unit first, inactive ignored', () => {
    const got = currentRates({ id: 'p1', default_unit: 'l' }, rates, '2024-08-01')
    expect(got.map((x) => [x.unit, x.rate.rate])).toEqual([
      ['l', '50.00'],
      ['kg', '120.00'],
    ])
  })

  test('overlap message names the clashing period', () => {
    const candidate = { ...rate('', 'kg', '130.00', '2024-06-01', null) }
    expect(overlapMessage(candidate, rates)).toContain('overlaps the rate from 2024-01-01 to 2024-06-30')
    expect(overlapMessage(candidate, rates)).toContain('the rate from 2024-07-01 onwards')
    expect(overlapMessage(rate('', 'kg', '1.00', '2023-01-01', '2023-12-31'), rates)).toBeUndefined()
    expect(overlapMessage(rate('', 'kg', '1.00', '2024-02-01', null, false), rates)).toBeUndefined()
    expect(periodText(rates[1])).toBe('from 2024-07-01 onwards')
  })

  afterEach(() => i18next.changeLanguage('en'))

  test('the overlap message is in the language the person chose', async () => {
    await i18next.changeLanguage('sw')
    const candidate = { ...rate('', 'kg', '130.00', '2024-06-01', null) }
    expect(overlapMessage(candidate, rates)).toBe(
      'Bei hii inaingiliana na bei kuanzia 2024-01-01 hadi 2024-06-30 (100.00 kwa kg) na bei kuanzia 2024-07-01 na kuendelea (120.00 kwa kg). Kwanza maliza au zima bei hiyo, au badilisha tarehe.',
    )
  })
})
