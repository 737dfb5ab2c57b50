import { describe, expect, it } from 'vitest'
import { assignmentCovers, routeScoped, scopeKey, UNROUTED } from './scope'
import { decodeCursor, encodeCursor, encodeSnapshotCursor, parseCursor } from './sync-protocol'

describe('sync scope', () => {
  it('narrows only a collector, and only suppliers and what hangs on a supplier', () => {
    expect(routeScoped('collector', 'supplier')).toBe(true)
    expect(routeScoped('collector', 'settlement_line')).toBe(true)
    expect(routeScoped('collector', 'product')).toBe(false)
    expect(routeScoped('collector', 'collection')).toBe(false)
    expect(routeScoped('manager', 'supplier')).toBe(false)
    expect(scopeKey(null)).toBe(UNROUTED)
    expect(scopeKey('r1')).toBe('r1')
  })

  it('an assignment runs from its first day to its last, both included', () => {
    const a = { valid_from: '2026-03-01', valid_to: '2026-03-31' }
    expect(assignmentCovers(a, '2026-02-28')).toBe(false)
    expect(assignmentCovers(a, '2026-03-01')).toBe(true)
    expect(assignmentCovers(a, '2026-03-31')).toBe(true)
    expect(assignmentCovers(a, '2026-04-01')).toBe(false)
    expect(assignmentCovers({ valid_from: '2026-03-01', valid_to: null }, '2099-01-01')).toBe(true)
    expect(assignmentCovers({ ...a, deleted_at: '2026-03-02T00:00:00Z' }, '2026-03-15')).toBe(false)
  })
})

describe('cursors', () => {
  const epoch = 'abcdef0123'
  const stamp = '0123456789abcdef'

  it('round-trip seq, epoch and scope stamp', () => {
    expect(parseCursor(encodeCursor(1234, epoch, stamp))).toEqual({ seq: 1234, epoch, scope: stamp, snapshot: null })
    expect(parseCursor(encodeCursor(7))).toEqual({ seq: 7, epoch: null, scope: null, snapshot: null })
    expect(decodeCursor(encodeCursor(99, epoch))).toBe(99)
  })

  it('carry a snapshot place, which needs an epoch and a scope', () => {
    const id = '0190f0e2-7b3c-7def-8abc-0123456789ab'
    expect(parseCursor(encodeSnapshotCursor(50, epoch, stamp, 4, id))).toEqual({
      seq: 50,
      epoch,
      scope: stamp,
      snapshot: { type: 4, after: id },
    })
    expect(parseCursor(encodeSnapshotCursor(50, epoch, stamp, 0, ''))?.snapshot).toEqual({ type: 0, after: '' })
    expect(parseCursor(`s1a.${epoch}:0:`)).toBeNull() // no scope
    expect(parseCursor(`c1a.${epoch}~${stamp}:0:`)).toBeNull() // a place on an incremental cursor
    expect(parseCursor('c1a~XYZ')).toBeNull()
    expect(parseCursor('nonsense')).toBeNull()
  })
})
