import { addDays, todayIn } from '@trackvault/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  dateOnly,
  daysAgo,
  displayLocale,
  money,
  moneyIn,
  monthShort,
  setBusinessTimeZone,
  setDisplayLocale,
  today,
} from './format'

describe("every screen's today is the business's", () => {
  afterEach(() => setBusinessTimeZone('UTC'))

  it('follows the time zone the settings give, not the machine or UTC', () => {
    // UTC+14 and UTC-11 are 25 hours apart: their dates always differ.
    setBusinessTimeZone('Pacific/Kiritimati')
    const east = today()
    expect(east).toBe(todayIn('Pacific/Kiritimati'))
    expect(daysAgo(6)).toBe(addDays(east, -6))
    setBusinessTimeZone('Pacific/Pago_Pago')
    expect(today()).toBe(todayIn('Pacific/Pago_Pago'))
    expect(today()).not.toBe(east)
  })
})

describe('numbers, money and dates in the display locale', () => {
  afterEach(() => setDisplayLocale({ language: 'en', businessLocale: 'en' }))

  it('takes the chosen language in the business country', () => {
    expect(displayLocale('sw', 'en-KE')).toBe('sw-KE')
    expect(displayLocale('ta', 'si-LK')).toBe('ta-LK')
    expect(displayLocale('sw', 'en')).toBe('sw')
  })

  it('groups English as before, digits exact past what a float holds', () => {
    expect(money('6060.00')).toBe('6,060.00')
    expect(money('-1234567.5')).toBe('-1,234,567.5')
    expect(money('12345678901234567.89')).toBe('12,345,678,901,234,567.89')
    expect(money('0.10')).toBe('0.10')
    expect(money(null)).toBe('—')
    expect(moneyIn('6060.00', 'KES')).toBe('KES 6,060.00')
  })

  it('writes numbers as the locale does', () => {
    setDisplayLocale({ language: 'ta', businessLocale: 'ta-IN' })
    expect(money('12345678.90')).toBe('1,23,45,678.90') // lakh and crore grouping
    setDisplayLocale({ language: 'sw', businessLocale: 'en-KE' })
    expect(moneyIn('1500.00', 'KES')).toMatch(/^(KES|Ksh) 1,500\.00$/)
    expect(dateOnly('2026-12-06')).toMatch(/Des/) // Desemba
    expect(monthShort('2026-12')).toBe('Des 26') // the reports chart's month labels
    setDisplayLocale({ language: 'en', businessLocale: 'en' })
    expect(monthShort('2026-12')).toBe('Dec 26')
    expect(monthShort('not a month')).toBe('not a month')
  })
})
