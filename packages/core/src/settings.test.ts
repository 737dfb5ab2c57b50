import { describe, expect, test } from 'vitest'
import { todayIn } from './settings'

describe('todayIn', () => {
  test("is the business's date in its zone", () => {
    const at = new Date('2026-03-01T22:30:00Z')
    expect(todayIn('Africa/Nairobi', at)).toBe('2026-03-02')
    expect(todayIn('UTC', at)).toBe('2026-03-01')
    expect(todayIn('America/Los_Angeles', at)).toBe('2026-03-01')
    expect(() => todayIn('Not/AZone', at)).toThrow(RangeError)
  })

  test('makes one formatter per zone, not one per call (every local collection write asks)', () => {
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
