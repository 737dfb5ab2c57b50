/**
 * What a person types or picks in a run: dates in the season, quantities,
 * amounts, unique notes and references, a supplier (often a busy one), a
 * collector to record for. Drawn from the device's stream (dates from the
 * scheduler's).
 */
import type { ViewRow } from '@trackvault/client'
import type { SimContext } from './context'
import type { Device } from './device'
import type { SimUser } from './server'

export const DAY0 = Date.UTC(2026, 0, 1)
export const day = (n: number) => new Date(DAY0 + n * 86_400_000).toISOString().slice(0, 10)
export const DAYS = 181 // 2026-01-01 .. 2026-06-30

/** A unique note or reference, so a row can be told apart from its copies. */
export function marker(sim: SimContext, d: Device): string {
  sim.markers += 1
  return `sim-${sim.opts.seed}-${d.index}-${sim.markers}`
}

export function date(sim: SimContext): string {
  return day(sim.rng.int(0, DAYS - 1))
}

export function live<T extends ViewRow>(rows: T[]): T[] {
  return rows.filter((r) => !r.deleted_at)
}

export async function pickSupplier(sim: SimContext, d: Device): Promise<ViewRow | undefined> {
  const all = live(await d.client.suppliers.list({ sort_by: 'code' }))
  const hot = all.filter((s) => sim.hot.includes(s.id))
  if (hot.length > 0 && d.rng.chance(0.55)) return d.rng.pick(hot)
  return all.length > 0 ? d.rng.pick(all) : undefined
}

export function quantity(d: Device): string {
  return `${d.rng.int(1, 250)}.${String(d.rng.int(0, 999)).padStart(3, '0')}`
}

export function amount(d: Device): string {
  return `${d.rng.int(1, 5000)}.${String(d.rng.int(0, 99)).padStart(2, '0')}`
}

export function allCollectors(sim: SimContext): SimUser[] {
  const seen = new Map<string, SimUser>()
  for (const d of sim.devices) for (const u of d.users) if (u.role === 'collector') seen.set(u.id, u)
  return [...seen.values()]
}
