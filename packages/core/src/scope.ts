/**
 * What a device holds (its sync scope), as opposed to what its user may read
 * (permissions.ts). A collector may look up any supplier online, but its
 * device holds only the suppliers of the routes it serves today, and the
 * deductions and settlement lines of those suppliers; everything else syncs
 * as before. An unrouted supplier (`route_id` null) is on every collector's
 * device, so a business without routes works as it did.
 *
 * @example
 *   routeScoped('collector', 'supplier') // true
 *   scopeKey(null)                       // '*'
 */
import type { EntityType, Role } from './entities'

/** The types a collector's device holds only for its routes' suppliers. */
export const ROUTE_SCOPED_TYPES = ['supplier', 'deduction', 'settlement_line'] as const satisfies readonly EntityType[]

/** The scope key of unrouted suppliers: on every collector's device. */
export const UNROUTED = '*'

/** True if `role`'s devices hold rows of `type` only for the routes they serve. */
export function routeScoped(role: Role, type: EntityType): boolean {
  return role === 'collector' && (ROUTE_SCOPED_TYPES as readonly string[]).includes(type)
}

/** True if any type is route-scoped for `role` (its devices have a scope). */
export function hasRouteScope(role: Role): boolean {
  return role === 'collector'
}

/** The scope key of a supplier on route `routeId` (null: unrouted). */
export function scopeKey(routeId: string | null | undefined): string {
  return routeId ?? UNROUTED
}

/** True if an assignment runs on `date` (YYYY-MM-DD): from `valid_from` to `valid_to`, both inclusive. */
export function assignmentCovers(
  a: { valid_from: string; valid_to: string | null; deleted_at?: string | null },
  date: string,
): boolean {
  return !a.deleted_at && a.valid_from <= date && (a.valid_to === null || date <= a.valid_to)
}

/** The first date (YYYY-MM-DD) of a window of `days` days ending `today`, or null for no window. */
export function windowStart(today: string, days: number | null): string | null {
  if (days === null) return null
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - days)
  return d.toISOString().slice(0, 10)
}

/** A supplier's balance as the server computes it (GET /api/suppliers/:id/balance); decimal strings. */
export interface SupplierBalance {
  supplier_id: string
  total_collections: string
  total_payments: string
  total_deductions: string
  balance: string
  unpriced_collections: number
}

/**
 * The balances of the suppliers a collector's devices hold (GET /api/sync/balances), cached on the
 * device with each sync: its replica holds neither the payments nor others' collections, so it
 * cannot compute them, and a supplier at the gate asks "how much am I owed?" without signal too.
 */
export interface ScopeBalances {
  /** When the server computed them. */
  as_of: string
  data: SupplierBalance[]
}
