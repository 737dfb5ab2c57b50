import { addDays, todayIn } from '@trackvault/core'
import { afterEach, describe, expect, it } from 'vitest'
import { daysAgo, setBusinessTimeZone, today } from './format'

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
