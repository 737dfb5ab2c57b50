import { afterEach, describe, expect, test, vi } from 'vitest'
import { makeDeviceId } from './session'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('makeDeviceId', () => {
  test('keeps the device_{timestamp}_{random} shape, the random part from core newId (crypto), not Math.random', () => {
    const random = vi.spyOn(Math, 'random')
    const before = Date.now()
    const id = makeDeviceId()
    const [, stamp, tail] = /^device_(\d+)_([0-9a-f]{10})$/.exec(id) ?? []
    expect(Number(stamp)).toBeGreaterThanOrEqual(before)
    expect(Number(stamp)).toBeLessThanOrEqual(Date.now())
    expect(tail).toBeDefined()
    expect(random).not.toHaveBeenCalled()
  })

  test('ids made in the same millisecond differ', () => {
    vi.spyOn(Date, 'now').mockReturnValue(1732451234567)
    const ids = new Set(Array.from({ length: 1000 }, makeDeviceId))
    expect(ids.size).toBe(1000)
  })
})
