/**
 * One seeded run: many devices, each running the real client engine
 * (SyncClient over a crash-surviving store), against the real server, through
 * the faulty network. A scheduler draws every step from the seed: which
 * device acts and what it does (writes allowed to its role, conflict
 * resolutions, retries and discards), which request the network delivers
 * next and how it fails, who goes offline for how long, who crashes, when
 * the server restarts, when the database is backed up and when it is restored
 * from its latest backup. Then the network heals, every queue drains, and the
 * invariants are checked (checks.ts).
 */
import { type ApiError, type QueuedOp, SyncClient } from '@trackvault/client'
import { todayIn } from '@trackvault/core'
import { local, userAction } from './actions'
import { type Anomaly, checkInvariants, type Intent } from './checks'
import { errText, type SimContext, type SimOptions } from './context'
import { Device, roster } from './device'
import { event, sessionRefused } from './events'
import { heal } from './heal'
import { DEFAULT_DELIVERY_WEIGHTS, type DeliveryFault, SimNetwork } from './network'
import { Rng } from './prng'
import { baseRoute, setupRoutes } from './routes'
import { type Dialect, httpCall, PASSWORD, SimServer as Server, type SimServer } from './server'

export type { SimOptions } from './context'

export interface SimResult {
  seed: number
  dialect: Dialect
  devices: number
  actions: number
  operations: number
  steps: number
  requests: number
  faults: Record<string, number>
  outcomes: Record<string, number>
  anomalies: Anomaly[]
  /** Digest of the scheduler's decisions (two replays of a seed with the same trace took the same path). */
  trace: string
  ms: number
}

export class Simulation implements SimContext {
  readonly rng: Rng
  server!: SimServer
  network!: SimNetwork
  devices: Device[] = []
  readonly intents: Intent[] = []
  readonly byLocalId = new Map<string, Intent>()
  /** local_id -> the resolution the user chose, once the device settled it. */
  readonly resolvedBy = new Map<string, string>()
  readonly discarded = new Set<string>()
  /** `device_id|local_id` -> `status/resolution` of ledger rows a restore took away (checks.ts). */
  readonly lostInRestore = new Map<string, string>()
  readonly anomalies: Anomaly[] = []
  readonly outcomes: Record<string, number> = {}
  /** A digest of every scheduling decision: two runs of a seed that print the same trace took the same path. */
  private trace = 0x811c9dc5
  step = 0
  actions = 0
  /** Until this step every delivered request gets a 5xx (the server is struggling). */
  outageUntil = -1
  adminToken = ''
  hot: string[] = []
  products: Array<{ id: string; unit: string }> = []
  routes: string[] = []
  today = ''
  markers = 0
  settledMonths = 0
  finalPullsAt: number | undefined
  private readonly started = performance.now()

  constructor(readonly opts: SimOptions) {
    this.rng = new Rng(opts.seed).fork('scheduler')
  }

  note(kind: string, n = 1) {
    this.outcomes[kind] = (this.outcomes[kind] ?? 0) + n
  }

  traced(event: string) {
    let h = this.trace
    for (let i = 0; i < event.length; i++) h = Math.imul(h ^ event.charCodeAt(i), 0x01000193)
    this.trace = h >>> 0
  }

  anomaly(kind: string, detail: string) {
    this.anomalies.push({ kind, detail })
  }

  private log(msg: string) {
    if (this.opts.verbose) process.stderr.write(`[seed ${this.opts.seed} ${this.opts.dialect}] ${msg}\n`)
  }

  // ---------------------------------------------------------------- set-up

  async run(): Promise<SimResult> {
    this.server = await Server.start(this.opts.dialect)
    this.network = new SimNetwork(this.server)
    try {
      await this.setup()
      await this.simulate()
      await heal(this)
      this.note('pull_scope_changed', this.network.scopeChanged)
      await this.checks()
    } catch (err) {
      this.anomaly('SIM_ERROR', err instanceof Error ? (err.stack ?? err.message) : String(err))
    } finally {
      for (const d of this.devices) {
        this.network.crashDevice(d.index, d.netRng)
        await d.client?.close().catch(() => {})
      }
      await this.server.stop().catch(() => {})
    }
    return {
      seed: this.opts.seed,
      dialect: this.opts.dialect,
      devices: this.devices.length,
      actions: this.actions,
      operations: this.intents.length,
      steps: this.step,
      requests: this.network.requests,
      faults: {
        ...this.network.faults,
        server_restart: this.server.restarts,
        backup: this.server.backups,
        restore_from_backup: this.server.restores,
      },
      outcomes: this.outcomes,
      anomalies: this.anomalies,
      trace: this.trace.toString(16).padStart(8, '0'),
      ms: Math.round(performance.now() - this.started),
    }
  }

  async openClient(d: Device): Promise<void> {
    d.client = new SyncClient({
      // One origin per device: devices share this process, not a browser profile.
      baseUrl: `http://device-${d.index}.sim.invalid`,
      storage: d.disk.open(),
      fetch: this.network.fetchFor(d.index, () => this.step < d.offlineUntil),
      retryDelayMs: 1,
      maxRetries: 3,
      live: false,
      syncIntervalMs: 0,
      // Sign-ins stay cheap here (the server's hashes too, server.ts); no device signs in offline.
      offlineUnlock: false,
      batchSize: d.batchSize,
      pullLimit: d.pullLimit,
    })
    await d.client.ready
    // After a crash the store says who is signed in (a shared phone may have changed hands).
    const session = d.client.user
    if (session) d.user = d.users.find((u) => u.id === session.id) ?? d.user
    d.signedOut = d.disk.data.size > 0 && !session
  }

  private async setup(): Promise<void> {
    const base = new Rng(this.opts.seed)
    const people = roster(this.opts.devices)
    const users = await this.server.createUsers(people)
    const firstCollector = people.findIndex((p) => p.role === 'collector')
    for (let i = 0; i < people.length; i++) {
      const cfg = base.fork(`cfg-${i}`)
      // Small batches and pull pages on some devices: more requests, more places for a fault to land.
      const d = new Device(
        i,
        people[i].shared ? [users[firstCollector], users[i]] : [users[i]],
        base.fork(`user-${i}`),
        base.fork(`net-${i}`),
        cfg.int(2, 10),
        cfg.pick([100, 1000, 1000]),
      )
      d.disk.observer = (batch, before) => this.observe(d, batch, before)
      this.devices.push(d)
      await this.openClient(d)
      await d.client.login(d.user.email, PASSWORD)
    }
    const login = await httpCall(this.server.port, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: users[0].email, password: PASSWORD }),
    })
    this.adminToken = JSON.parse(login.body).token
    // Master data, entered by the admin before the season starts.
    const admin = this.devices[0]
    const tea = await local(this, admin, () =>
      admin.client.products.create({ code: 'TEA', name: 'Tea leaf', default_unit: 'kg' }),
    )
    const milk = await local(this, admin, () =>
      admin.client.products.create({ code: 'MILK', name: 'Milk', default_unit: 'l' }),
    )
    this.products = [
      { id: tea!.id, unit: 'kg' },
      { id: milk!.id, unit: 'l' },
    ]
    await local(this, admin, () =>
      admin.client.productRates.create({
        product_id: tea!.id,
        unit: 'kg',
        rate: '120.00',
        effective_date: '2020-01-01',
      }),
    )
    await local(this, admin, () =>
      admin.client.productRates.create({
        product_id: milk!.id,
        unit: 'l',
        rate: '45.50',
        effective_date: '2020-01-01',
      }),
    )
    // Routes, the first suppliers' routes and the collectors' dated assignments (routes.ts).
    this.today = todayIn((await admin.client.settings()).time_zone)
    const routing = base.fork('routes')
    await setupRoutes(this, admin, routing, local)
    for (let i = 1; i <= 6; i++) {
      const route_id = baseRoute(this, routing, i)
      const s = await local(this, admin, () =>
        admin.client.suppliers.create({
          code: `BASE-${i}`,
          name: `Supplier ${i}`,
          phone: `+25470000000${i}`,
          route_id,
        }),
      )
      if (i <= 3) this.hot.push(s!.id)
    }
    await this.expectClean(admin.client.sync(), 'setup sync')
    for (const d of this.devices) await this.expectClean(d.client.sync(), 'first sync')
    this.network.gated = true
  }

  private async expectClean(p: Promise<{ error?: ApiError }>, what: string) {
    const s = await p
    if (s.error) throw new Error(`${what} failed: ${s.error.code} ${s.error.message}`)
  }

  // --------------------------------------------------- following the queue

  /** Follows queued operations through every commit of a device's store. */
  private observe(
    d: Device,
    batch: { put?: Array<[string, unknown]>; del?: string[] },
    before: (k: string) => unknown,
  ): void {
    const removed: QueuedOp[] = []
    for (const k of batch.del ?? []) {
      if (!k.startsWith('op/')) continue
      const old = before(k) as QueuedOp | undefined
      if (old) removed.push(old)
    }
    for (const [k, v] of batch.put ?? []) {
      if (!k.startsWith('op/')) continue
      const op = v as QueuedOp
      let intent = this.byLocalId.get(op.local_id)
      if (!intent) {
        const i = removed.findIndex(
          (r) =>
            r.entity_type === op.entity_type &&
            r.entity_id === op.entity_id &&
            r.operation_type === op.operation_type &&
            r.client_timestamp === op.client_timestamp &&
            r.user_id === op.user_id,
        )
        if (i >= 0) {
          // Re-sent under a new identity (requeue of an operation the server recorded).
          intent = this.byLocalId.get(removed[i].local_id)
          removed.splice(i, 1)
          this.note('reissued_under_new_local_id')
        } else if (d.expect) {
          intent = {
            id: this.intents.length + 1,
            device: d.index,
            userId: op.user_id,
            type: op.entity_type,
            entityId: op.entity_id,
            op: op.operation_type,
            localIds: [],
            payload: op.payload,
            inQueue: true,
            status: op.status,
            step: this.step,
          }
          d.expect = undefined
          this.intents.push(intent)
        }
        if (!intent) {
          this.anomaly('UNEXPECTED_OP', `device ${d.index} queued ${op.operation_type} ${op.entity_type} by itself`)
          continue
        }
        intent.localIds.push(op.local_id)
        this.byLocalId.set(op.local_id, intent)
      }
      intent.payload = op.payload
      intent.status = op.status
      intent.inQueue = true
    }
    const kept = new Set(
      (batch.put ?? []).filter(([k]) => k.startsWith('op/')).map(([, v]) => (v as QueuedOp).local_id),
    )
    for (const r of removed) {
      if (kept.has(r.local_id)) continue // moved to a new place in the queue, same operation
      const intent = this.byLocalId.get(r.local_id)
      if (intent && intent.localIds[intent.localIds.length - 1] === r.local_id) intent.inQueue = false
    }
  }

  /** Waits until every device is idle or waiting for the network (which only the scheduler moves). */
  async quiesce(): Promise<void> {
    const start = Date.now()
    let stable = 0
    for (;;) {
      await new Promise((r) => setImmediate(r))
      const settled = this.devices.every((d) => !d.busy() || this.network.heldBy(d.index) > 0)
      stable = settled ? stable + 1 : 0
      if (stable >= 2) return
      if (Date.now() - start > 30_000) {
        const busy = this.devices.filter((d) => d.busy() && this.network.heldBy(d.index) === 0).map((d) => d.index)
        throw new Error(`devices ${busy.join(', ')} never settled (a hang in the client engine?)`)
      }
    }
  }

  // -------------------------------------------------------------- schedule

  private async simulate(): Promise<void> {
    const maxSteps = this.opts.ops * 25
    const f = this.opts.faultRate ?? 1
    while (this.actions < this.opts.ops && this.step < maxSteps) {
      this.step += 1
      const kind = this.rng.weighted({ user: 44, sync: 16, deliver: 32, event: 8 * f })
      this.traced(`${this.step} ${kind} ${this.network.held.length}`)
      if (kind === 'user') await userAction(this)
      else if (kind === 'sync') this.startSync(this.rng.pick(this.devices), false)
      else if (kind === 'deliver') await this.deliverOne()
      else await event(this)
      await this.quiesce()
    }
    this.log(`${this.actions} actions in ${this.step} steps, ${this.network.held.length} requests still in flight`)
  }

  startSync(d: Device, evenOffline: boolean) {
    if (d.busy()) return
    if (this.step < d.offlineUntil && !evenOffline) return
    d.track(
      d.client
        .sync()
        .then((s) => sessionRefused(this, d, s))
        .catch((err) => this.note(`sync_threw_${errText(err)}`)),
    )
  }

  private async deliverOne(): Promise<void> {
    const held = this.network.held
    if (held.length === 0) {
      this.startSync(this.rng.pick(this.devices), false)
      return
    }
    const h = this.rng.pick(held)
    if (h !== held[0]) this.network.count('reordered')
    this.network.take(h)
    if (h.orphan) {
      this.network.count('late_delivery')
      await this.network.deliver(h, 'none')
      return
    }
    const d = this.devices[h.device]
    if (this.step < this.outageUntil) {
      // A proxy in front of a struggling server: every request fails, some after the server did the work.
      await this.network.deliver(h, d.netRng.chance(0.5) ? 'error_5xx' : 'error_5xx_after_commit', d.netRng)
      return
    }
    const f = this.opts.faultRate ?? 1
    const weights: Partial<Record<DeliveryFault, number>> = {}
    for (const [k, w] of Object.entries(DEFAULT_DELIVERY_WEIGHTS) as Array<[DeliveryFault, number]>) {
      weights[k] = k === 'none' ? w : w * f
    }
    if (h.kind !== 'push' || h.ops === 0) {
      weights.db_transient = 0
      weights.crash_in_batch = 0
    }
    const fault = d.netRng.weighted(weights)
    this.traced(`deliver ${h.device} ${h.kind} ${h.ops} ${fault}`)
    await this.network.deliver(h, fault, d.netRng)
  }

  // ---------------------------------------------------------------- checks

  private async checks(): Promise<void> {
    const found = await checkInvariants(this)
    this.anomalies.push(...found)
  }
}

/** Runs one seed. */
export function runSeed(opts: SimOptions): Promise<SimResult> {
  return new Simulation(opts).run()
}

export function replayCommand(r: { seed: number; dialect: Dialect; devices: number }, ops: number, faultRate = 1) {
  const extra = faultRate !== 1 ? ` --fault-rate ${faultRate}` : ''
  return `npm run sim -- --seeds 1 --seed ${r.seed} --db ${r.dialect} --devices ${r.devices} --ops ${ops}${extra}`
}
