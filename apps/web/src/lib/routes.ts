/**
 * The routes screens' arithmetic, from the rows on this device: how many
 * suppliers each route has and how many collectors serve it today, where an
 * assignment stands, whether it can be ended today, and the routes a select
 * offers. Dated rules are core's (`assignmentCovers`, the assignment's
 * `check`); pure, so it is tested without a browser.
 *
 *   routeCounts(suppliers, assignments, '2026-03-02').get(routeId) // { suppliers: 12, collectors: 1 }
 *   assignmentState({ valid_from: '2026-04-01', valid_to: null }, '2026-03-02') // 'upcoming'
 */
import { assignmentCovers, crossFieldErrors } from '@trackvault/core'
import type { Option } from './lookup'

interface RouteRow {
  id: string
  code: string
  name: string
  is_active: boolean
  deleted_at?: string | null
}

interface AssignmentRow {
  route_id: string
  user_id: string
  valid_from: string
  valid_to: string | null
  deleted_at?: string | null
}

export interface RouteCount {
  /** Suppliers on the route (deleted ones left out). */
  suppliers: number
  /** Different collectors whose assignment runs today. */
  collectors: number
}

/** Per route id: its suppliers and the collectors serving it today. A route with neither is absent. */
export function routeCounts(
  suppliers: ReadonlyArray<{ route_id?: string | null; deleted_at?: string | null }>,
  assignments: readonly AssignmentRow[],
  today: string,
): Map<string, RouteCount> {
  const counts = new Map<string, { suppliers: number; collectors: Set<string> }>()
  const of = (routeId: string) => {
    const c = counts.get(routeId) ?? { suppliers: 0, collectors: new Set<string>() }
    counts.set(routeId, c)
    return c
  }
  for (const s of suppliers) if (s.route_id && !s.deleted_at) of(s.route_id).suppliers++
  for (const a of assignments) if (assignmentCovers(a, today)) of(a.route_id).collectors.add(a.user_id)
  return new Map([...counts].map(([id, c]) => [id, { suppliers: c.suppliers, collectors: c.collectors.size }]))
}

export type AssignmentState = 'current' | 'upcoming' | 'ended'

/** Where an assignment stands on `today`: running, not started yet, or over. */
export function assignmentState(a: Omit<AssignmentRow, 'route_id' | 'user_id'>, today: string): AssignmentState {
  if (assignmentCovers(a, today)) return 'current'
  return a.valid_from > today ? 'upcoming' : 'ended'
}

/** The change that ends a running assignment today (its last day), or undefined if it is not running or ends today already. */
export function endToday(
  a: Omit<AssignmentRow, 'route_id' | 'user_id'>,
  today: string,
): { valid_to: string } | undefined {
  return assignmentCovers(a, today) && a.valid_to !== today ? { valid_to: today } : undefined
}

/** Core's rule on an assignment's dates: the problem with "to" (before "from"), if both are given and it has one. */
export function assignmentDatesProblem(validFrom: string, validTo: string): string | undefined {
  if (!validFrom || !validTo) return undefined
  return crossFieldErrors('route_assignment', { valid_from: validFrom, valid_to: validTo })?.valid_to?.join('; ')
}

/** "North collection centre (R-N)". */
export const routeLabel = (r: Pick<RouteRow, 'code' | 'name'>) => `${r.name} (${r.code})`

/**
 * Options of a route select: live, active routes by name, plus `keep` (the current choice) even if
 * inactive; `inactiveToo` (a list's filter) offers the inactive ones as well.
 */
export function routeOptions(routes: readonly RouteRow[], keep?: string | null, inactiveToo = false): Option[] {
  return routes
    .filter((r) => !r.deleted_at && (inactiveToo || r.is_active || r.id === keep))
    .sort((a, b) => a.name.localeCompare(b.name) || a.code.localeCompare(b.code))
    .map((r) => ({ value: r.id, label: routeLabel(r) }))
}
