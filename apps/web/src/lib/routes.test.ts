import { describe, expect, it } from 'vitest'
import { assignmentDatesProblem, assignmentState, endToday, routeCounts, routeOptions } from './routes'

const TODAY = '2026-03-02'
const a = (
  route_id: string,
  user_id: string,
  valid_from: string,
  valid_to: string | null = null,
  deleted_at = null,
) => ({
  route_id,
  user_id,
  valid_from,
  valid_to,
  deleted_at,
})

describe('routeCounts', () => {
  it("counts each route's live suppliers and the different collectors serving it today", () => {
    const suppliers = [
      { route_id: 'n' },
      { route_id: 'n' },
      { route_id: 'n', deleted_at: '2026-01-01T00:00:00Z' },
      { route_id: 's' },
      { route_id: null },
    ]
    const assignments = [
      a('n', 'ann', '2026-01-01'),
      a('n', 'ann', '2026-02-01', '2026-12-31'), // the same collector twice: one
      a('n', 'bob', '2026-01-01', '2026-03-01'), // ended yesterday
      a('s', 'bob', TODAY, TODAY),
      a('e', 'cat', '2026-04-01'), // not yet
    ]
    const counts = routeCounts(suppliers, assignments, TODAY)
    expect(counts.get('n')).toEqual({ suppliers: 2, collectors: 1 })
    expect(counts.get('s')).toEqual({ suppliers: 1, collectors: 1 })
    expect(counts.has('e')).toBe(false) // neither suppliers nor anyone serving it today
    expect(counts.has('*')).toBe(false)
  })
})

describe('assignments', () => {
  it('are current, upcoming or ended on a day (both ends inclusive)', () => {
    expect(assignmentState(a('n', 'u', TODAY, TODAY), TODAY)).toBe('current')
    expect(assignmentState(a('n', 'u', '2026-03-03'), TODAY)).toBe('upcoming')
    expect(assignmentState(a('n', 'u', '2026-01-01', '2026-03-01'), TODAY)).toBe('ended')
  })

  it('end today only while running and not already ending today', () => {
    expect(endToday(a('n', 'u', '2026-01-01'), TODAY)).toEqual({ valid_to: TODAY })
    expect(endToday(a('n', 'u', '2026-01-01', '2026-12-31'), TODAY)).toEqual({ valid_to: TODAY })
    expect(endToday(a('n', 'u', '2026-01-01', TODAY), TODAY)).toBeUndefined()
    expect(endToday(a('n', 'u', '2026-04-01'), TODAY)).toBeUndefined()
    expect(endToday(a('n', 'u', '2026-01-01', '2026-02-01'), TODAY)).toBeUndefined()
  })

  it("flag a 'to' before 'from' by core's rule, and nothing while a date is missing", () => {
    expect(assignmentDatesProblem('2026-03-02', '2026-03-01')).toBeTruthy()
    expect(assignmentDatesProblem('2026-03-02', '2026-03-02')).toBeUndefined()
    expect(assignmentDatesProblem('2026-03-02', '')).toBeUndefined()
    expect(assignmentDatesProblem('', '2026-03-01')).toBeUndefined()
  })
})

describe('routeOptions', () => {
  const routes = [
    { id: 's', code: 'R-S', name: 'South', is_active: true },
    { id: 'n', code: 'R-N', name: 'North', is_active: true },
    { id: 'old', code: 'R-O', name: 'Old', is_active: false },
    { id: 'gone', code: 'R-G', name: 'Gone', is_active: true, deleted_at: '2026-01-01T00:00:00Z' },
  ]
  it('offers live active routes by name, the current choice even if inactive, and every live one for a filter', () => {
    expect(routeOptions(routes).map((o) => o.label)).toEqual(['North (R-N)', 'South (R-S)'])
    expect(routeOptions(routes, 'old').map((o) => o.value)).toEqual(['n', 'old', 's'])
    expect(routeOptions(routes, null, true).map((o) => o.value)).toEqual(['n', 'old', 's'])
  })
})
