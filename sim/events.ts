/**
 * What happens to a run besides people's actions: a device goes offline for
 * "days" or comes back, an app crashes, the server restarts, struggles (an
 * outage), is backed up or restored from its latest backup, requests arrive
 * in a burst, a shared phone changes hands, the office settles a month. Also what a restore does to
 * sessions: a refused session is signed in again, or is an anomaly.
 */
import { createHash } from 'node:crypto'
import type { SyncSummary } from '@trackvault/client'
import { ENTITY_TYPES } from '@trackvault/core'
import { errText, type SimContext } from './context'
import type { Device } from './device'
import type { Held } from './network'
import { PASSWORD, type SimUser } from './server'
import { settlementEvent } from './settlement'

/** One event, drawn by the scheduler (what can happen depends on the state of the run). */
export async function event(sim: SimContext): Promise<void> {
  const offline = sim.devices.filter((d) => sim.step < d.offlineUntil)
  const kind = sim.rng.weighted({
    offline: offline.length < sim.devices.length / 2 ? 30 : 0,
    back_online: offline.length > 0 ? 8 : 0,
    crash: 14,
    restart: 2,
    outage: sim.step >= sim.outageUntil ? 5 : 0,
    backup: 3,
    restore: sim.server.backups > 0 ? 3 : 0,
    burst: sim.network.held.filter((h) => !h.orphan).length >= 2 ? 18 : 0,
    offline_sync: offline.length > 0 ? 5 : 0,
    switch_user: sim.devices.some((d) => d.users.length > 1 && !d.busy()) ? 4 : 0,
    settle: sim.settledMonths < 6 ? 3 : 0,
  })
  sim.traced(`event ${kind}`)
  switch (kind) {
    case 'offline': {
      const d = sim.rng.pick(sim.devices.filter((x) => sim.step >= x.offlineUntil))
      // "Days" without signal: the device keeps working for many scheduler steps.
      d.offlineUntil = sim.step + sim.rng.int(10, 250)
      sim.network.count('offline_period')
      return
    }
    case 'back_online': {
      const d = sim.rng.pick(offline)
      d.offlineUntil = sim.step
      sim.startSync(d, false)
      return
    }
    case 'switch_user': {
      const d = sim.rng.pick(sim.devices.filter((x) => x.users.length > 1 && !x.busy()))
      const next = d.signedOut ? sim.rng.pick(d.users) : (d.users.find((u) => u !== d.user) as SimUser)
      sim.network.count('user_switch')
      d.track(signIn(sim, d, next))
      return
    }
    case 'offline_sync':
      sim.startSync(sim.rng.pick(offline), true)
      sim.network.count('sync_while_offline')
      return
    case 'crash':
      await crash(sim, sim.rng.pick(sim.devices))
      return
    case 'restart':
      await sim.server.restart()
      return
    case 'backup':
      await sim.server.backup()
      return
    case 'restore':
      await restoreFromBackup(sim)
      return
    case 'settle':
      await settlementEvent(sim)
      return
    case 'outage':
      sim.outageUntil = sim.step + sim.rng.int(5, 60)
      sim.network.count('server_outage')
      return
    case 'burst': {
      const picked: Held[] = []
      for (const h of sim.network.held) {
        if (!h.orphan && !picked.some((p) => p.device === h.device) && picked.length < 3) picked.push(h)
      }
      for (const h of picked) sim.network.take(h)
      sim.network.count('burst')
      await Promise.all(picked.map((h) => sim.network.deliver(h, 'none')))
      return
    }
  }
}

/**
 * Another person takes the shared phone: the current user signs out (their queue stays), the next
 * signs in. What the next user sees must be the server's rows with their own queued changes on top.
 */
export async function signIn(sim: SimContext, d: Device, next: SimUser): Promise<void> {
  if (!d.signedOut) {
    await d.client.logout()
    d.signedOut = true
  }
  try {
    await d.client.login(next.email, PASSWORD)
  } catch (err) {
    sim.note(`sign_in_failed_${errText(err)}`)
    return
  }
  d.user = next
  d.signedOut = false
  const views = new Set<string>()
  for (const type of ENTITY_TYPES) {
    for (const r of await d.client.entity(type).list({ include_deleted: true })) views.add(`${type}/${r.id}`)
  }
  for (const op of await d.client.queue()) {
    if (op.operation_type === 'create' && !views.has(`${op.entity_type}/${op.entity_id}`)) {
      sim.anomaly(
        'VIEW_MISSING_QUEUED',
        `device ${d.index}: after ${next.name} signed in, their queued ${op.entity_type} ${op.entity_id.slice(-8)} is not shown`,
      )
    }
  }
}

/**
 * The operator restores the latest backup (server stopped, copy put back, new epoch, started
 * again). What the ledger loses is remembered, so the checks know which confirmations the
 * devices' journals had to bring back.
 */
export async function restoreFromBackup(sim: SimContext): Promise<void> {
  const ledger = async () => {
    const rows = await sim.server.handle.db
      .selectFrom('sync_operations')
      .select(['device_id', 'local_id', 'status', 'resolution'])
      .execute()
    return new Map(rows.map((r) => [`${r.device_id}|${r.local_id}`, `${r.status}/${r.resolution ?? ''}`]))
  }
  const before = await ledger()
  await sim.server.restore()
  const after = await ledger()
  let lost = 0
  for (const [k, v] of before) {
    if (after.get(k) === v) continue
    lost += 1
    sim.lostInRestore.set(k, v) // the latest restore's loss is the one that counts
  }
  sim.note('restore_ledger_rows_lost', lost)
}

/**
 * A sync refused for the session: the restore took the session away (it was issued after the
 * backup), so the person signs in again. Any other refusal of a session is an anomaly.
 */
export async function sessionRefused(sim: SimContext, d: Device, s: SyncSummary): Promise<boolean> {
  if (s.error?.status !== 401 || d.signedOut) return false
  const token = d.sessionToken()
  const known = token
    ? await sim.server.handle.db
        .selectFrom('auth_tokens')
        .select('token_hash')
        .where('token_hash', '=', createHash('sha256').update(token).digest('hex'))
        .executeTakeFirst()
    : undefined
  if (known || sim.server.restores === 0) {
    sim.anomaly('SESSION_REFUSED', `device ${d.index}: ${s.error.code} with a session the server still has`)
    return false
  }
  d.signInDue = true
  return true
}

/** The app dies: in-memory state is lost, the store survives and is opened again by a new client. */
export async function crash(sim: SimContext, d: Device): Promise<void> {
  sim.network.count('client_crash')
  const old = d.client
  d.disk.crash()
  sim.network.crashDevice(d.index, d.netRng)
  d.tasks.clear()
  await old.close().catch(() => {})
  await sim.openClient(d)
}
