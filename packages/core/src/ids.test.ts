import { describe, expect, it } from 'vitest'
import { newId } from './ids'

describe('newId', () => {
  it('makes UUIDv7 strings', () => {
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('ids are unique and sort in creation order', () => {
    const ids = Array.from({ length: 2000 }, () => newId())
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
  })

  it('embeds the creation time in milliseconds', () => {
    const before = Date.now()
    const id = newId()
    const after = Date.now()
    const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(after)
  })
})
