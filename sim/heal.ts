/**
 * The end of a run: the network heals, whatever is in flight arrives, and
 * every device syncs until its queue is empty, its people settling what the
 * server parked (after a restore every journal re-sends first); then every
 * device pulls once more, so the checks compare settled replicas.
 */
import { ApiError, type SyncSummary } from '@trackvault/client'
import { errText, type SimContext } from './context'
import type { Device } from './device'
import { sessionRefused, signIn } from './events'
import type { Held } from './network'
import { handleFailed, resolveOne, settleStubborn } from './parked'
import type { SimUser } from './server'

export async function heal(sim: SimContext): Promise<void> {
  sim.network.gated = false
  for (const d of sim.devices) d.offlineUntil = -1
  // Whatever is still in the network arrives now (late copies too).
  while (sim.network.held.length > 0) {
    const h = sim.network.held.shift() as Held
    await sim.network.deliver(h, 'none')
  }
  await sim.quiesce()
  if (sim.server.restores > 0) await resendJournals(sim)
  // After a restore a change that waits for a row another journal must re-send is sent again by
  // up to 10 syncs (client recovery.ts HEAL_ATTEMPTS), and each later change of that row in turn:
  // more rounds may be needed. Rounds stop as soon as nothing is left, so this costs nothing otherwise.
  const rounds = sim.server.restores > 0 ? 160 : 40
  for (let round = 0; round < rounds; round++) {
    for (const d of sim.devices) {
      // A shared phone: whoever still has changes queued signs in to send them; every other round
      // even if the one signed in still has some (after a restore one person's change may wait
      // for a row only the other's journal can re-send).
      const waiting = d.storedOps().filter((op) => op.user_id !== d.user.id)
      if (d.signedOut || (waiting.length > 0 && (round % 2 === 1 || (await d.client.queue()).length === 0))) {
        const next = d.signedOut ? d.user : (d.users.find((u) => u.id === waiting[0].user_id) as SimUser)
        await signIn(sim, d, next)
      }
      // Only devices with something to send sync now; everyone pulls at the end.
      if (d.storedOps().length === 0) continue
      await healSync(sim, d).catch((err) => sim.note(`heal_sync_threw_${errText(err)}`))
    }
    await sim.quiesce()
    let work = 0
    for (const d of sim.devices) {
      for (const op of await d.client.conflicts.list()) {
        work += 1
        await resolveOne(sim, d, op, true).catch(async (err) => {
          // Refused (force on a deleted row, an overlapping rate...): the person takes the server's version.
          if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
            await settleStubborn(sim, d, op)
          } else throw err
        })
      }
      for (const op of await d.client.failed.list()) {
        work += 1
        await handleFailed(sim, d, op, true)
      }
    }
    await sim.quiesce()
    const queued = sim.devices.flatMap((d) => d.storedOps())
    if (work === 0 && queued.length === 0) break
    if (round === rounds - 1) {
      sim.anomaly('NOT_DRAINED', `${queued.length} operations still queued after ${rounds} rounds`)
    }
  }
  // Nobody writes any more: one more pull each brings every replica to the server's head.
  sim.finalPullsAt = Date.now()
  for (const d of sim.devices) {
    const s = await healSync(sim, d)
    if (s.error) sim.anomaly('FINAL_SYNC_FAILED', `device ${d.index}: ${s.error.code} ${s.error.message}`)
  }
}

/** A sync in the heal phase; a session the restore took away is signed in again first. */
export async function healSync(sim: SimContext, d: Device): Promise<SyncSummary> {
  if (d.signInDue) {
    d.signInDue = false
    sim.note('sign_in_again_after_restore')
    await signIn(sim, d, d.user)
  }
  const s = await d.client.sync()
  if (!(await sessionRefused(sim, d, s))) return s
  d.signInDue = false
  sim.note('sign_in_again_after_restore')
  await signIn(sim, d, d.user)
  return d.client.sync()
}

/**
 * After a restore every person syncs once (each user of a shared phone signs in for it), so every
 * journal re-sends what the restored server lacks before anyone decides on what it refused.
 */
export async function resendJournals(sim: SimContext): Promise<void> {
  for (const d of sim.devices) {
    for (const u of [d.user, ...d.users.filter((x) => x !== d.user)]) {
      if (u !== d.user || d.signedOut) await signIn(sim, d, u)
      await healSync(sim, d).catch((err) => sim.note(`heal_sync_threw_${errText(err)}`))
    }
  }
  await sim.quiesce()
}
