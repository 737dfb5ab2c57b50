/**
 * What a person does with an operation the server parked: a conflict is
 * settled (use the server's row, force, merge, or look again later), a failure
 * is sent again (maybe edited) or dropped. In the heal phase every one is
 * settled; a conflict nothing else settles falls back to the server's row.
 */
import { ApiError, type QueuedOp, type SyncClient } from '@trackvault/client'
import { errText, type SimContext } from './context'
import type { Device } from './device'
import { amount, quantity } from './inputs'

/** A person settles a parked conflict: use the server's row, force, merge, or look again later. */
export async function resolveOne(sim: SimContext, d: Device, op: QueuedOp, healing: boolean): Promise<boolean> {
  const r = d.rng
  const gone = !!op.conflict?.server?.deleted_at
  const weights: Record<string, number> = {
    use_server: 3,
    force: gone ? 0.5 : 3,
    merge: gone ? 0.5 : 3,
    review_later: !healing && op.status === 'conflict' ? 2 : 0,
  }
  const choice = r.weighted(weights)
  if (choice === 'review_later') {
    await d.client.conflicts.resolve(op.local_id, 'review_later')
    sim.note('resolution_review_later')
    return true
  }
  let arg: Parameters<SyncClient['conflicts']['resolve']>[1] = choice as 'use_server' | 'force'
  if (choice === 'merge') {
    const fields: Record<string, unknown> = { ...op.payload }
    for (const f of op.conflict?.fields ?? []) {
      if (f === 'deleted_at') continue
      if (r.chance(0.5) && op.conflict?.server && f in op.conflict.server) fields[f] = op.conflict.server[f]
    }
    arg = { merge: fields }
  }
  const task = d.client.conflicts.resolve(op.local_id, arg).then(
    () => recordResolution(sim, d, op, choice),
    (err) => {
      sim.note(`resolution_refused_${choice}_${errText(err)}`)
      const details = err instanceof ApiError ? (err.details as { status?: string; resolution?: string }) : undefined
      if (details?.status === 'resolved' && details.resolution === choice) {
        // The same decision again, after its answer was lost: it must be answered, not refused.
        sim.anomaly(
          'RESOLVE_RETRY_REFUSED',
          `device ${d.index}: ${choice} of ${op.local_id} refused as already resolved`,
        )
      }
      throw err
    },
  )
  if (healing) {
    await task
    return true
  }
  d.track(task)
  return true
}

/** A person looks at a failed operation: sends it again (maybe edited) or drops it. */
export async function handleFailed(sim: SimContext, d: Device, op: QueuedOp, healing: boolean): Promise<boolean> {
  const r = d.rng
  const code = op.error?.code ?? 'FAILED'
  if ((op.heal ?? 0) > 0) {
    // Refused after a restore because another device has yet to re-send a row it needs: the
    // next syncs send it again by themselves; the person leaves it.
    sim.note('left_waiting_for_resend')
    return false
  }
  if (op.error?.transient) {
    if (!healing && r.chance(0.2) && op.operation_type !== 'delete') {
      const edit = editPayload(d, op)
      if (edit) {
        await d.client.failed.retry(op.local_id, { payload: edit })
        sim.note('retry_edited_transient')
        return true
      }
    }
    if (healing || r.chance(0.85)) {
      await d.client.failed.retry(op.local_id)
      sim.note('retry_transient')
      return true
    }
  } else if (code === 'NO_RATE' && op.entity_type === 'collection' && 'unit' in op.payload && r.chance(0.7)) {
    const product = sim.products.find((p) => p.id === op.payload.product_id) ?? sim.products[0]
    await d.client.failed.retry(op.local_id, { payload: { ...op.payload, unit: product.unit } })
    sim.note('retry_edited_no_rate')
    return true
  } else if (!healing && r.chance(0.25)) {
    await d.client.failed.retry(op.local_id)
    sim.note(`retry_permanent_${code}`)
    return true
  }
  await d.client.failed.discard(op.local_id)
  sim.discarded.add(op.local_id)
  sim.note(`discard_${code}`)
  return true
}

/** What a resolution the device settled means for the checks. */
function recordResolution(sim: SimContext, d: Device, op: QueuedOp, choice: string, why = '') {
  // A conflict a restore took away from the server: the device carried the decision out itself
  // (parked-ops.ts): the server's version drops the change; force and merge send it again under a
  // new identity, which the observer follows like any re-send (checked as a synced change).
  if (sim.lostInRestore.get(`${d.client.device}|${op.local_id}`)?.startsWith('conflict/')) {
    if (choice === 'use_server') sim.discarded.add(op.local_id)
    sim.note(`resolution_${choice}_of_conflict_lost_in_restore`)
    return
  }
  sim.resolvedBy.set(op.local_id, choice)
  sim.note(`resolution_${choice}${why}`)
}

/** The "edit" action on a failed operation: one field changed. */
export function editPayload(d: Device, op: QueuedOp): Record<string, unknown> | undefined {
  const p = { ...op.payload } as Record<string, unknown>
  if (op.entity_type === 'collection' && 'quantity' in p) p.quantity = quantity(d)
  else if (op.entity_type === 'payment' && 'amount' in p) p.amount = amount(d)
  else if (op.entity_type === 'supplier' && 'name' in p) p.name = `Farm ${d.rng.int(1, 999)}`
  else return undefined
  return p
}

/** A conflict that force/merge cannot settle: use the server's row; if even that is refused, drop it. */
export async function settleStubborn(sim: SimContext, d: Device, op: QueuedOp): Promise<void> {
  try {
    await d.client.conflicts.resolve(op.local_id, 'use_server')
    recordResolution(sim, d, op, 'use_server', '_after_refusal')
  } catch (err) {
    sim.note(`resolution_impossible_${errText(err)}`)
    await d.client.failed.discard(op.local_id)
    sim.discarded.add(op.local_id)
    sim.note('discard_unresolvable_conflict')
  }
}
