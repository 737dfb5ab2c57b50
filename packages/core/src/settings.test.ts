import { describe, expect, it } from 'vitest'
import { todayIn } from './settings'

describe('todayIn', () => {
  // One instant that is a different calendar day in each zone: a formatter kept under the wrong
  // zone (the cache keyed wrongly, or one formatter for all) would give the same date to all.
  const at = new Date('2026-03-01T22:30:00Z')

  it('gives the date of each zone, asked in turn and again', () => {
    for (let round = 0; round < 2; round++) {
      expect(todayIn('Africa/Nairobi', at)).toBe('2026-03-02')
      expect(todayIn('UTC', at)).toBe('2026-03-01')
      expect(todayIn('Pacific/Kiritimati', at)).toBe('2026-03-02')
      expect(todayIn('Pacific/Pago_Pago', at)).toBe('2026-03-01')
      expect(todayIn('Asia/Colombo', new Date('2026-03-01T18:29:00Z'))).toBe('2026-03-01')
      expect(todayIn('Asia/Colombo', new Date('2026-03-01T18:30:00Z'))).toBe('2026-03-02')
    }
  })

  it('refuses an unknown zone every time (a failed formatter is not kept)', () => {
    expect(() => todayIn('Mars/Olympus', at)).toThrow(RangeError)
    expect(() => todayIn('Mars/Olympus', at)).toThrow(RangeError)
  })

  it('makes one formatter per zone, not one per call (every local collection write asks)', () => {
    const Real = Intl.DateTimeFormat
    let made = 0
    Intl.DateTimeFormat = class extends Real {
      constructor(...args: ConstructorParameters<typeof Real>) {
        super(...args)
        made += 1
      }
    } as typeof Real
    try {
      const at = new Date('2026-07-01T12:00:00Z')
      for (let i = 0; i < 50; i++) {
        expect(todayIn('Asia/Colombo', at)).toBe('2026-07-01')
        expect(todayIn('Pacific/Kiritimati', at)).toBe('2026-07-02')
      }
    } finally {
      Intl.DateTimeFormat = Real
    }
    expect(made).toBeLessThanOrEqual(2)
  })
})
