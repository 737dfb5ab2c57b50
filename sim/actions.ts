/**
 * What people do on their devices: a write their role allows (suppliers,
 * rates, collections, payments, deductions, routes: routes.ts), settling a parked conflict or failure, or
 * signing in again when a restore took their session away. Each is a user
 * action the checks follow through the queue (Simulation.observe).
 */
import type { QueuedOp } from '@trackvault/client'
import { AppError } from '@trackvault/core'
import type { SimContext } from './context'
import { ACTIONS, type Action, type Device } from './device'
import { signIn } from './events'
import { allCollectors, amount, DAY0, DAYS, date, day, live, marker, pickSupplier, quantity } from './inputs'
import { handleFailed, resolveOne } from './parked'
import { assignmentChange, routeCreate, supplierRoute } from './routes'
import { deductionCreate, deductionUpdate } from './settlement'

/** Runs a local write as a user action; a refusal by the client (validation, role) is counted, not queued. */
export async function local<T>(sim: SimContext, d: Device, write: () => Promise<T>): Promise<T | undefined> {
  d.expect = {}
  try {
    return await write()
  } catch (err) {
    if (err instanceof AppError) {
      sim.note(`refused_locally_${err.code}`)
      return undefined
    }
    throw err
  } finally {
    d.expect = undefined
  }
}

export async function userAction(sim: SimContext): Promise<void> {
  const d = sim.rng.pick(sim.devices)
  if (d.signInDue && !d.busy()) {
    // The app asks its user to sign in again (the restore took the session away).
    d.signInDue = false
    sim.traced(`step ${sim.step} device ${d.index} sign_in_again`)
    sim.note('sign_in_again_after_restore')
    d.track(signIn(sim, d, d.user))
    return
  }
  const weights = { ...ACTIONS[d.role] }
  const [conflicts, failed] = await Promise.all([d.client.conflicts.list(), d.client.failed.list()])
  if (conflicts.length === 0) delete weights.resolve
  if (failed.length === 0) delete weights.failed
  const action = d.rng.weighted(weights)
  sim.traced(`step ${sim.step} device ${d.index} ${action} ${sim.network.held.length}`)
  const did = await perform(sim, d, action, conflicts, failed)
  if (did) {
    sim.actions += 1
    sim.note(`action_${action}`)
  }
}

export async function perform(
  sim: SimContext,
  d: Device,
  action: Action,
  conflicts: QueuedOp[],
  failed: QueuedOp[],
): Promise<boolean> {
  const c = d.client
  const r = d.rng
  const collectors = allCollectors(sim)
  switch (action) {
    case 'supplier_create': {
      const code = r.chance(0.06) ? `SHARED-${r.int(1, 2)}` : `S-${d.index}-${marker(sim, d)}`
      return !!(await local(sim, d, () => c.suppliers.create({ code, name: `Farm ${r.int(1, 999)}` })))
    }
    case 'supplier_update': {
      const s = await pickSupplier(sim, d)
      if (!s) return false
      const patch: Record<string, unknown> = {}
      const fields = r.chance(0.3) ? 2 : 1
      for (let i = 0; i < fields; i++) {
        const f = r.pick(['name', 'phone', 'address', 'is_active'])
        if (f === 'name') patch.name = `Farm ${r.int(1, 999)}`
        if (f === 'phone') patch.phone = `+2547${r.int(10_000_000, 99_999_999)}`
        if (f === 'address') patch.address = `Plot ${r.int(1, 400)}, Kericho`
        if (f === 'is_active') patch.is_active = r.chance(0.8)
      }
      return !!(await local(sim, d, () => c.suppliers.update(s.id, patch)))
    }
    case 'supplier_delete': {
      const all = live(await c.suppliers.list({ sort_by: 'code' }))
      const candidates = r.chance(0.8) ? all.filter((s) => !sim.hot.includes(s.id)) : all
      if (candidates.length === 0) return false
      const s = r.pick(candidates)
      return (await local(sim, d, () => c.suppliers.remove(s.id).then(() => true))) === true
    }
    case 'rate_change':
      return rateChange(sim, d)
    case 'collection_create': {
      const s = await pickSupplier(sim, d)
      if (!s) return false
      const p = r.pick(sim.products)
      const fields: Record<string, unknown> = {
        supplier_id: s.id,
        product_id: p.id,
        collection_date: date(sim),
        quantity: quantity(d),
        unit: r.chance(0.04) ? 'crate' : p.unit, // no rate for crates: NO_RATE on the server
        notes: marker(sim, d),
      }
      if (d.role !== 'collector' && collectors.length > 0 && r.chance(0.7)) fields.user_id = r.pick(collectors).id
      return !!(await local(sim, d, () => c.collections.create(fields)))
    }
    case 'collection_update': {
      const mine = live(await c.collections.list({ sort_by: 'notes' })).filter(
        (x) => d.role !== 'collector' || x.user_id === d.user.id,
      )
      if (mine.length === 0) return false
      const row = r.pick(mine)
      const patch: Record<string, unknown> = {}
      if (r.chance(0.65)) patch.quantity = quantity(d)
      if (r.chance(0.35)) patch.collection_date = date(sim)
      if (d.role !== 'collector' && collectors.length > 0 && r.chance(0.15)) patch.user_id = r.pick(collectors).id
      if (Object.keys(patch).length === 0) patch.quantity = quantity(d)
      return !!(await local(sim, d, () => c.collections.update(row.id, patch)))
    }
    case 'collection_delete': {
      const all = live(await c.collections.list({ sort_by: 'notes' }))
      if (all.length === 0) return false
      const row = r.pick(all)
      return (await local(sim, d, () => c.collections.remove(row.id).then(() => true))) === true
    }
    case 'payment_create': {
      const s = await pickSupplier(sim, d)
      if (!s) return false
      return !!(await local(sim, d, () =>
        c.payments.create({
          supplier_id: s.id,
          payment_date: date(sim),
          amount: amount(d),
          payment_type: r.pick(['advance', 'partial', 'full']),
          payment_method: r.pick(['cash', 'bank_transfer', 'cheque', 'mobile_payment']),
          reference_number: marker(sim, d),
        }),
      ))
    }
    case 'payment_update': {
      const all = live(await c.payments.list({ sort_by: 'reference_number' }))
      if (all.length === 0) return false
      const row = r.pick(all)
      const patch = r.chance(0.5) ? { amount: amount(d) } : { notes: `note ${r.int(1, 999)}` }
      return !!(await local(sim, d, () => c.payments.update(row.id, patch)))
    }
    case 'payment_delete': {
      const all = live(await c.payments.list({ sort_by: 'reference_number' }))
      if (all.length === 0) return false
      const row = r.pick(all)
      return (await local(sim, d, () => c.payments.remove(row.id).then(() => true))) === true
    }
    case 'deduction_create':
      return deductionCreate(sim, d, local)
    case 'deduction_update':
      return deductionUpdate(sim, d, local)
    case 'supplier_route':
      return supplierRoute(sim, d, local)
    case 'assignment_change':
      return assignmentChange(sim, d, local)
    case 'route_create':
      return routeCreate(sim, d, local)
    case 'resolve':
      return resolveOne(sim, d, r.pick(conflicts), false)
    case 'failed':
      return handleFailed(sim, d, r.pick(failed), false)
  }
}

/** A manager changes a rate, or closes the open rate and starts a new one from a date. */
export async function rateChange(sim: SimContext, d: Device): Promise<boolean> {
  const r = d.rng
  const rates = live(await d.client.productRates.list({ sort_by: 'effective_date', sort_order: 'asc' }))
  if (rates.length === 0) return false
  if (r.chance(0.1)) {
    // A rate entered by mistake is deleted (its dates may then have no rate: NO_RATE until fixed).
    const rate = r.pick(rates)
    const done = await local(sim, d, () => d.client.productRates.remove(rate.id).then(() => true))
    if (done) sim.note('rate_delete')
    return done === true
  }
  if (r.chance(0.5)) {
    const rate = r.pick(rates)
    const value = `${r.int(20, 200)}.${String(r.int(0, 99)).padStart(2, '0')}`
    return !!(await local(sim, d, () => d.client.productRates.update(rate.id, { rate: value })))
  }
  const open = rates.filter((x) => x.end_date === null && x.is_active)
  if (open.length === 0) return false
  const rate = r.pick(open)
  const from = Math.max(
    1,
    Math.round((Date.parse(`${rate.effective_date as string}T00:00:00Z`) - DAY0) / 86_400_000) + 1,
  )
  if (from >= DAYS) return false
  const start = r.int(from, DAYS - 1)
  const ended = await local(sim, d, () => d.client.productRates.update(rate.id, { end_date: day(start - 1) }))
  if (!ended) return false
  await local(sim, d, () =>
    d.client.productRates.create({
      product_id: rate.product_id,
      unit: rate.unit,
      rate: `${r.int(20, 200)}.00`,
      effective_date: day(start),
    }),
  )
  sim.note('rate_split')
  return true
}
