/**
 * Routes in a run (docs/sync-protocol.md, Scopes): a few routes drawn at the
 * start, suppliers on them (some unrouted), collectors assigned for dated
 * periods (some ended, some yet to start); then the office moves suppliers
 * between routes (or off them), assigns and unassigns collectors (creates,
 * ends, deletes or moves an assignment) and opens new routes, on its devices
 * (queued and synced like any write) or now and then over REST, while the
 * collectors keep working. Each move into or out of a collector's routes, and
 * each change of its assignments, changes what its device must hold; the
 * checks (checks.ts) say it holds exactly that once it synced.
 */
import { addDays } from '@trackvault/core'
import type { SimContext } from './context'
import type { Device } from './device'
import { allCollectors, live, marker } from './inputs'
import type { Rng } from './prng'
import { type Api, codeOf, signedIn } from './rest'

type Local = <T>(sim: SimContext, d: Device, write: () => Promise<T>) => Promise<T | undefined>

/** The routes the admin draws before the season. */
const ROUTES = [
  { code: 'NORTH', name: 'North buying centre' },
  { code: 'SOUTH', name: 'South buying centre' },
  { code: 'HILLS', name: 'Hills collection route' },
]

/** An assignment's dates, relative to today (days): running, ended, or yet to start. */
function assignmentDates(r: Rng, today: string, kind: 'running' | 'ended' | 'future') {
  if (kind === 'running') {
    const from = addDays(today, -r.int(0, 60))
    return { valid_from: from, valid_to: r.chance(0.6) ? null : addDays(today, r.int(0, 30)) }
  }
  if (kind === 'ended') {
    const to = addDays(today, -r.int(1, 20))
    return { valid_from: addDays(to, -r.int(0, 60)), valid_to: to }
  }
  const from = addDays(today, r.int(1, 10))
  return { valid_from: from, valid_to: r.chance(0.5) ? null : addDays(from, r.int(0, 30)) }
}

/**
 * Before the season, on the admin's device (synced with the rest of the set-up): the routes, and
 * each collector's assignments: most run today on one route or two, some have one that ended or
 * one yet to start, a few serve no route today (only unrouted suppliers). The first suppliers'
 * routes are `baseRoute`'s.
 */
export async function setupRoutes(sim: SimContext, admin: Device, r: Rng, local: Local): Promise<void> {
  for (const spec of ROUTES) {
    const route = await local(sim, admin, () => admin.client.routes.create(spec))
    sim.routes.push(route!.id)
  }
  for (const user of allCollectors(sim)) {
    const routes = [...sim.routes]
    const take = () => routes.splice(r.int(0, routes.length - 1), 1)[0]
    const plan: Array<'running' | 'ended' | 'future'> = []
    if (r.chance(0.8)) plan.push('running')
    if (r.chance(0.25)) plan.push('running')
    if (r.chance(0.35)) plan.push('ended')
    if (r.chance(0.25)) plan.push('future')
    for (const kind of plan) {
      const fields = { route_id: take(), user_id: user.id, ...assignmentDates(r, sim.today, kind) }
      await local(sim, admin, () => admin.client.routeAssignments.create(fields))
    }
  }
}

/** The route of the set-up's i-th supplier (1-based): the first two on routes, the third unrouted, the rest drawn. */
export function baseRoute(sim: SimContext, r: Rng, i: number): string | null {
  if (i === 1) return sim.routes[0]
  if (i === 2) return sim.routes[1]
  if (i === 3) return null
  return r.chance(0.3) ? null : r.pick(sim.routes)
}

/** Some route changes are made in the office's web app (REST) rather than on a device. */
async function overRest(sim: SimContext, d: Device): Promise<Api | undefined> {
  if (!d.rng.chance(0.25)) return undefined
  return signedIn(sim, d.user, 'routes')
}

/** Notes how a REST route change ended (a refusal is the office's problem, not an anomaly). */
function noteRest(sim: SimContext, what: string, answer: { status: number; body: Record<string, unknown> }) {
  sim.note(answer.status < 300 ? `routes_rest_${what}` : `routes_rest_${what}_${codeOf(answer) ?? answer.status}`)
  if (answer.status >= 500) sim.anomaly('ROUTES_REST', `${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`)
}

/** An office user moves a supplier to another route, or off routes. */
export async function supplierRoute(sim: SimContext, d: Device, local: Local): Promise<boolean> {
  const r = d.rng
  const suppliers = live(await d.client.suppliers.list({ sort_by: 'code' }))
  const hot = suppliers.filter((s) => sim.hot.includes(s.id))
  const s = hot.length > 0 && r.chance(0.3) ? r.pick(hot) : suppliers.length > 0 ? r.pick(suppliers) : undefined
  if (!s) return false
  const api = await overRest(sim, d)
  if (api) {
    // The web app reads the supplier as the server has it, then saves the new route.
    const current = await api('GET', `/api/suppliers/${s.id}`)
    if (current.status !== 200) {
      noteRest(sim, 'supplier_read', current)
      return true
    }
    const to = r.pick([...sim.routes, null].filter((x) => x !== current.body.route_id))
    noteRest(
      sim,
      'supplier_route',
      await api('PATCH', `/api/suppliers/${s.id}`, { version: current.body.version, route_id: to }),
    )
    return true
  }
  const routes = live(await d.client.routes.list({ sort_by: 'code' })).map((x) => x.id)
  const to = r.pick([...routes, null].filter((x) => x !== s.route_id))
  return !!(await local(sim, d, () => d.client.suppliers.update(s.id, { route_id: to })))
}

/** An office user assigns a collector to a route, ends or deletes an assignment, or moves one to another route. */
export async function assignmentChange(sim: SimContext, d: Device, local: Local): Promise<boolean> {
  const r = d.rng
  const collectors = allCollectors(sim)
  const all = live(await d.client.routeAssignments.list({ sort_by: 'valid_from' }))
  const kind = r.weighted({
    create: 4,
    end: all.length > 0 ? 3 : 0,
    remove: all.length > 0 ? 2 : 0,
    move: all.length > 0 ? 1 : 0,
  })
  const api = await overRest(sim, d)
  if (kind === 'create') {
    const routes = api ? sim.routes : live(await d.client.routes.list({ sort_by: 'code' })).map((x) => x.id)
    const fields = {
      route_id: r.pick(routes),
      user_id: r.pick(collectors).id,
      ...assignmentDates(r, sim.today, r.weighted({ running: 6, ended: 1, future: 2 })),
    }
    if (api) {
      noteRest(sim, 'assignment_create', await api('POST', '/api/route-assignments', fields))
      return true
    }
    return !!(await local(sim, d, () => d.client.routeAssignments.create(fields)))
  }
  const a = r.pick(all)
  // Ended yesterday (it no longer runs today); one that starts today or later is deleted instead.
  const yesterday = addDays(sim.today, -1)
  const remove = kind === 'remove' || (kind === 'end' && (a.valid_from as string) > yesterday)
  const patch =
    kind === 'move' ? { route_id: r.pick(sim.routes.filter((x) => x !== a.route_id)) } : { valid_to: yesterday }
  if (api) {
    const current = await api('GET', `/api/route-assignments/${a.id}`)
    if (current.status !== 200) {
      noteRest(sim, 'assignment_read', current)
      return true
    }
    const version = current.body.version as number
    const answer = remove
      ? await api('DELETE', `/api/route-assignments/${a.id}?version=${version}`)
      : await api('PATCH', `/api/route-assignments/${a.id}`, { version, ...patch })
    noteRest(sim, remove ? 'assignment_delete' : `assignment_${kind}`, answer)
    return true
  }
  if (remove) return (await local(sim, d, () => d.client.routeAssignments.remove(a.id).then(() => true))) === true
  return !!(await local(sim, d, () => d.client.routeAssignments.update(a.id, patch)))
}

/** An office user opens a new route (suppliers and collectors join it later). */
export async function routeCreate(sim: SimContext, d: Device, local: Local): Promise<boolean> {
  const code = `R-${marker(sim, d).slice(4)}`
  return !!(await local(sim, d, () => d.client.routes.create({ code, name: `Route ${d.rng.int(1, 99)}` })))
}
