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
import { createHash } from 'node:crypto'
import { ApiError, type QueuedOp, SyncClient, type SyncSummary, type ViewRow } from '@trackvault/client'
import { AppError, type Role } from '@trackvault/core'
import { type Anomaly, checkInvariants, type Intent } from './checks'
import { SimDisk } from './disk'
import { DEFAULT_DELIVERY_WEIGHTS, type DeliveryFault, type Held, SimNetwork } from './network'
import { Rng } from './prng'
import { type Dialect, httpCall, PASSWORD, SimServer as Server, type SimServer, type SimUser } from './server'

export interface SimOptions {
  seed: number
  dialect: Dialect
  devices: number
  /** User actions per run (writes, resolutions, retries, discards), across all devices. */
  ops: number
  /** Multiplies every fault probability (1 = default). */
  faultRate?: number
  /** Progress lines on stderr. */
  verbose?: boolean
}

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

const DAY0 = Date.UTC(2026, 0, 1)
const day = (n: number) => new Date(DAY0 + n * 86_400_000).toISOString().slice(0, 10)
const DAYS = 181 // 2026-01-01 .. 2026-06-30

export class Device {
  readonly disk = new SimDisk()
  client!: SyncClient
  offlineUntil = -1
  readonly tasks = new Set<Promise<unknown>>()
  /** Set just before a local write: the next new queued operation is this user action. */
  expect: { marker?: string } | undefined
  /** The signed-in user (a shared phone changes hands). */
  user: SimUser
  /** Between a sign-out and the next successful sign-in. */
  signedOut = false
  /** The server refused the session (issued after the backup a restore put back): the person signs in again. */
  signInDue = false

  constructor(
    readonly index: number,
    /** Who uses this device: one person, or several on a shared phone. */
    readonly users: SimUser[],
    readonly rng: Rng,
    readonly netRng: Rng,
    readonly batchSize: number,
    readonly pullLimit: number,
  ) {
    this.user = users[0]
  }

  /** The bearer token of the session on this device's store, if any. */
  sessionToken(): string | undefined {
    return (this.disk.data.get('meta/session') as { token?: string } | undefined)?.token
  }

  /** Queued operations on this device's store, of every user. */
  storedOps(): QueuedOp[] {
    const ops: QueuedOp[] = []
    for (const [k, v] of this.disk.data) if (k.startsWith('op/')) ops.push(v as unknown as QueuedOp)
    return ops
  }

  get role(): Role {
    return this.user.role
  }

  busy(): boolean {
    return this.tasks.size > 0 || this.client.status.current.syncing
  }
}

type Action =
  | 'supplier_create'
  | 'supplier_update'
  | 'supplier_delete'
  | 'rate_change'
  | 'collection_create'
  | 'collection_update'
  | 'collection_delete'
  | 'payment_create'
  | 'payment_update'
  | 'payment_delete'
  | 'resolve'
  | 'failed'

const ACTIONS: Record<Role, Partial<Record<Action, number>>> = {
  admin: {
    supplier_create: 3,
    supplier_update: 12,
    supplier_delete: 1,
    rate_change: 3,
    collection_create: 4,
    collection_update: 5,
    collection_delete: 2,
    payment_create: 3,
    payment_update: 4,
    payment_delete: 1,
    resolve: 8,
    failed: 6,
  },
  manager: {
    supplier_create: 3,
    supplier_update: 14,
    supplier_delete: 1.5,
    rate_change: 4,
    collection_create: 4,
    collection_update: 6,
    collection_delete: 2,
    payment_create: 3,
    payment_update: 5,
    payment_delete: 1,
    resolve: 8,
    failed: 6,
  },
  finance: { payment_create: 10, payment_update: 9, payment_delete: 2, resolve: 8, failed: 6 },
  collector: { supplier_create: 2, collection_create: 16, collection_update: 7, resolve: 8, failed: 6 },
}

/**
 * Roles of the devices: an admin, managers, finance, collectors. With six or more devices the last one
 * is a shared phone: the first collector's second device, also used by a collector without a phone.
 */
function roster(n: number): Array<{ role: Role; name: string; shared?: boolean }> {
  const out: Array<{ role: Role; name: string; shared?: boolean }> = [{ role: 'admin', name: 'Ada Admin' }]
  const managers = Math.max(1, Math.round(n * 0.2))
  const finance = n >= 4 ? Math.max(1, Math.round(n * 0.1)) : 0
  for (let i = 0; i < managers && out.length < n; i++) out.push({ role: 'manager', name: `Manager ${i + 1}` })
  for (let i = 0; i < finance && out.length < n; i++) out.push({ role: 'finance', name: `Finance ${i + 1}` })
  const firstCollector = out.length
  while (out.length < n) {
    if (n >= 6 && out.length === n - 1) out.push({ role: 'collector', name: 'Collector without a phone', shared: true })
    else out.push({ role: 'collector', name: `Collector ${out.length - firstCollector + 1}` })
  }
  return out
}

const errText = (err: unknown) =>
  err instanceof ApiError || err instanceof AppError ? err.code : err instanceof Error ? err.message : String(err)

export class Simulation {
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
  private markers = 0
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
      await this.heal()
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

  private async openClient(d: Device): Promise<void> {
    d.client = new SyncClient({
      // One origin per device: devices share this process, not a browser profile.
      baseUrl: `http://device-${d.index}.sim.invalid`,
      storage: d.disk.open(),
      fetch: this.network.fetchFor(d.index, () => this.step < d.offlineUntil),
      retryDelayMs: 1,
      maxRetries: 3,
      live: false,
      syncIntervalMs: 0,
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
    const tea = await this.local(admin, () =>
      admin.client.products.create({ code: 'TEA', name: 'Tea leaf', default_unit: 'kg' }),
    )
    const milk = await this.local(admin, () =>
      admin.client.products.create({ code: 'MILK', name: 'Milk', default_unit: 'l' }),
    )
    this.products = [
      { id: tea!.id, unit: 'kg' },
      { id: milk!.id, unit: 'l' },
    ]
    await this.local(admin, () =>
      admin.client.productRates.create({
        product_id: tea!.id,
        unit: 'kg',
        rate: '120.00',
        effective_date: '2020-01-01',
      }),
    )
    await this.local(admin, () =>
      admin.client.productRates.create({
        product_id: milk!.id,
        unit: 'l',
        rate: '45.50',
        effective_date: '2020-01-01',
      }),
    )
    for (let i = 1; i <= 6; i++) {
      const s = await this.local(admin, () =>
        admin.client.suppliers.create({ code: `BASE-${i}`, name: `Supplier ${i}`, phone: `+25470000000${i}` }),
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

  /** Runs a local write as a user action; a refusal by the client (validation, role) is counted, not queued. */
  private async local<T>(d: Device, write: () => Promise<T>): Promise<T | undefined> {
    d.expect = {}
    try {
      return await write()
    } catch (err) {
      if (err instanceof AppError) {
        this.note(`refused_locally_${err.code}`)
        return undefined
      }
      throw err
    } finally {
      d.expect = undefined
    }
  }

  private track(d: Device, p: Promise<unknown>) {
    const t = p.catch(() => {})
    d.tasks.add(t)
    void t.finally(() => d.tasks.delete(t))
  }

  /** Waits until every device is idle or waiting for the network (which only the scheduler moves). */
  private async quiesce(): Promise<void> {
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
      if (kind === 'user') await this.userAction()
      else if (kind === 'sync') this.startSync(this.rng.pick(this.devices), false)
      else if (kind === 'deliver') await this.deliverOne()
      else await this.event()
      await this.quiesce()
    }
    this.log(`${this.actions} actions in ${this.step} steps, ${this.network.held.length} requests still in flight`)
  }

  private startSync(d: Device, evenOffline: boolean) {
    if (d.busy()) return
    if (this.step < d.offlineUntil && !evenOffline) return
    this.track(
      d,
      d.client
        .sync()
        .then((s) => this.sessionRefused(d, s))
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

  private async event(): Promise<void> {
    const offline = this.devices.filter((d) => this.step < d.offlineUntil)
    const kind = this.rng.weighted({
      offline: offline.length < this.devices.length / 2 ? 30 : 0,
      back_online: offline.length > 0 ? 8 : 0,
      crash: 14,
      restart: 2,
      outage: this.step >= this.outageUntil ? 5 : 0,
      backup: 3,
      restore: this.server.backups > 0 ? 3 : 0,
      burst: this.network.held.filter((h) => !h.orphan).length >= 2 ? 18 : 0,
      offline_sync: offline.length > 0 ? 5 : 0,
      switch_user: this.devices.some((d) => d.users.length > 1 && !d.busy()) ? 4 : 0,
    })
    this.traced(`event ${kind}`)
    switch (kind) {
      case 'offline': {
        const d = this.rng.pick(this.devices.filter((x) => this.step >= x.offlineUntil))
        // "Days" without signal: the device keeps working for many scheduler steps.
        d.offlineUntil = this.step + this.rng.int(10, 250)
        this.network.count('offline_period')
        return
      }
      case 'back_online': {
        const d = this.rng.pick(offline)
        d.offlineUntil = this.step
        this.startSync(d, false)
        return
      }
      case 'switch_user': {
        const d = this.rng.pick(this.devices.filter((x) => x.users.length > 1 && !x.busy()))
        const next = d.signedOut ? this.rng.pick(d.users) : (d.users.find((u) => u !== d.user) as SimUser)
        this.network.count('user_switch')
        this.track(d, this.signIn(d, next))
        return
      }
      case 'offline_sync':
        this.startSync(this.rng.pick(offline), true)
        this.network.count('sync_while_offline')
        return
      case 'crash':
        await this.crash(this.rng.pick(this.devices))
        return
      case 'restart':
        await this.server.restart()
        return
      case 'backup':
        await this.server.backup()
        return
      case 'restore':
        await this.restoreFromBackup()
        return
      case 'outage':
        this.outageUntil = this.step + this.rng.int(5, 60)
        this.network.count('server_outage')
        return
      case 'burst': {
        const picked: Held[] = []
        for (const h of this.network.held) {
          if (!h.orphan && !picked.some((p) => p.device === h.device) && picked.length < 3) picked.push(h)
        }
        for (const h of picked) this.network.take(h)
        this.network.count('burst')
        await Promise.all(picked.map((h) => this.network.deliver(h, 'none')))
        return
      }
    }
  }

  /**
   * Another person takes the shared phone: the current user signs out (their queue stays), the next
   * signs in. What the next user sees must be the server's rows with their own queued changes on top.
   */
  private async signIn(d: Device, next: SimUser): Promise<void> {
    if (!d.signedOut) {
      await d.client.logout()
      d.signedOut = true
    }
    try {
      await d.client.login(next.email, PASSWORD)
    } catch (err) {
      this.note(`sign_in_failed_${errText(err)}`)
      return
    }
    d.user = next
    d.signedOut = false
    const views = new Set<string>()
    for (const api of [d.client.suppliers, d.client.collections, d.client.payments, d.client.productRates]) {
      for (const r of await api.list({ include_deleted: true })) views.add(`${api.type}/${r.id}`)
    }
    for (const op of await d.client.queue()) {
      if (op.operation_type === 'create' && !views.has(`${op.entity_type}/${op.entity_id}`)) {
        this.anomaly(
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
  private async restoreFromBackup(): Promise<void> {
    const ledger = async () => {
      const rows = await this.server.handle.db
        .selectFrom('sync_operations')
        .select(['device_id', 'local_id', 'status', 'resolution'])
        .execute()
      return new Map(rows.map((r) => [`${r.device_id}|${r.local_id}`, `${r.status}/${r.resolution ?? ''}`]))
    }
    const before = await ledger()
    await this.server.restore()
    const after = await ledger()
    let lost = 0
    for (const [k, v] of before) {
      if (after.get(k) === v) continue
      lost += 1
      if (!this.lostInRestore.has(k)) this.lostInRestore.set(k, v)
    }
    this.note('restore_ledger_rows_lost', lost)
  }

  /**
   * A sync refused for the session: the restore took the session away (it was issued after the
   * backup), so the person signs in again. Any other refusal of a session is an anomaly.
   */
  private async sessionRefused(d: Device, s: SyncSummary): Promise<boolean> {
    if (s.error?.status !== 401 || d.signedOut) return false
    const token = d.sessionToken()
    const known = token
      ? await this.server.handle.db
          .selectFrom('auth_tokens')
          .select('token_hash')
          .where('token_hash', '=', createHash('sha256').update(token).digest('hex'))
          .executeTakeFirst()
      : undefined
    if (known || this.server.restores === 0) {
      this.anomaly('SESSION_REFUSED', `device ${d.index}: ${s.error.code} with a session the server still has`)
      return false
    }
    d.signInDue = true
    return true
  }

  /** The app dies: in-memory state is lost, the store survives and is opened again by a new client. */
  private async crash(d: Device): Promise<void> {
    this.network.count('client_crash')
    const old = d.client
    d.disk.crash()
    this.network.crashDevice(d.index, d.netRng)
    d.tasks.clear()
    await old.close().catch(() => {})
    await this.openClient(d)
  }

  // ---------------------------------------------------------- user actions

  private marker(d: Device): string {
    this.markers += 1
    return `sim-${this.opts.seed}-${d.index}-${this.markers}`
  }

  private date(): string {
    return day(this.rng.int(0, DAYS - 1))
  }

  private live<T extends ViewRow>(rows: T[]): T[] {
    return rows.filter((r) => !r.deleted_at)
  }

  private async pickSupplier(d: Device): Promise<ViewRow | undefined> {
    const all = this.live(await d.client.suppliers.list({ sort_by: 'code' }))
    const hot = all.filter((s) => this.hot.includes(s.id))
    if (hot.length > 0 && d.rng.chance(0.55)) return d.rng.pick(hot)
    return all.length > 0 ? d.rng.pick(all) : undefined
  }

  private quantity(d: Device): string {
    return `${d.rng.int(1, 250)}.${String(d.rng.int(0, 999)).padStart(3, '0')}`
  }

  private amount(d: Device): string {
    return `${d.rng.int(1, 5000)}.${String(d.rng.int(0, 99)).padStart(2, '0')}`
  }

  private collectors(): SimUser[] {
    const seen = new Map<string, SimUser>()
    for (const d of this.devices) for (const u of d.users) if (u.role === 'collector') seen.set(u.id, u)
    return [...seen.values()]
  }

  private async userAction(): Promise<void> {
    const d = this.rng.pick(this.devices)
    if (d.signInDue && !d.busy()) {
      // The app asks its user to sign in again (the restore took the session away).
      d.signInDue = false
      this.traced(`step ${this.step} device ${d.index} sign_in_again`)
      this.note('sign_in_again_after_restore')
      this.track(d, this.signIn(d, d.user))
      return
    }
    const weights = { ...ACTIONS[d.role] }
    const [conflicts, failed] = await Promise.all([d.client.conflicts.list(), d.client.failed.list()])
    if (conflicts.length === 0) delete weights.resolve
    if (failed.length === 0) delete weights.failed
    const action = d.rng.weighted(weights)
    this.traced(`step ${this.step} device ${d.index} ${action} ${this.network.held.length}`)
    const did = await this.perform(d, action, conflicts, failed)
    if (did) {
      this.actions += 1
      this.note(`action_${action}`)
    }
  }

  private async perform(d: Device, action: Action, conflicts: QueuedOp[], failed: QueuedOp[]): Promise<boolean> {
    const c = d.client
    const r = d.rng
    const collectors = this.collectors()
    switch (action) {
      case 'supplier_create': {
        const code = r.chance(0.06) ? `SHARED-${r.int(1, 2)}` : `S-${d.index}-${this.marker(d)}`
        return !!(await this.local(d, () => c.suppliers.create({ code, name: `Farm ${r.int(1, 999)}` })))
      }
      case 'supplier_update': {
        const s = await this.pickSupplier(d)
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
        return !!(await this.local(d, () => c.suppliers.update(s.id, patch)))
      }
      case 'supplier_delete': {
        const all = this.live(await c.suppliers.list({ sort_by: 'code' }))
        const candidates = r.chance(0.8) ? all.filter((s) => !this.hot.includes(s.id)) : all
        if (candidates.length === 0) return false
        const s = r.pick(candidates)
        return (await this.local(d, () => c.suppliers.remove(s.id).then(() => true))) === true
      }
      case 'rate_change':
        return this.rateChange(d)
      case 'collection_create': {
        const s = await this.pickSupplier(d)
        if (!s) return false
        const p = r.pick(this.products)
        const fields: Record<string, unknown> = {
          supplier_id: s.id,
          product_id: p.id,
          collection_date: this.date(),
          quantity: this.quantity(d),
          unit: r.chance(0.04) ? 'crate' : p.unit, // no rate for crates: NO_RATE on the server
          notes: this.marker(d),
        }
        if (d.role !== 'collector' && collectors.length > 0 && r.chance(0.7)) fields.user_id = r.pick(collectors).id
        return !!(await this.local(d, () => c.collections.create(fields)))
      }
      case 'collection_update': {
        const mine = this.live(await c.collections.list({ sort_by: 'notes' })).filter(
          (x) => d.role !== 'collector' || x.user_id === d.user.id,
        )
        if (mine.length === 0) return false
        const row = r.pick(mine)
        const patch: Record<string, unknown> = {}
        if (r.chance(0.65)) patch.quantity = this.quantity(d)
        if (r.chance(0.35)) patch.collection_date = this.date()
        if (d.role !== 'collector' && collectors.length > 0 && r.chance(0.15)) patch.user_id = r.pick(collectors).id
        if (Object.keys(patch).length === 0) patch.quantity = this.quantity(d)
        return !!(await this.local(d, () => c.collections.update(row.id, patch)))
      }
      case 'collection_delete': {
        const all = this.live(await c.collections.list({ sort_by: 'notes' }))
        if (all.length === 0) return false
        const row = r.pick(all)
        return (await this.local(d, () => c.collections.remove(row.id).then(() => true))) === true
      }
      case 'payment_create': {
        const s = await this.pickSupplier(d)
        if (!s) return false
        return !!(await this.local(d, () =>
          c.payments.create({
            supplier_id: s.id,
            payment_date: this.date(),
            amount: this.amount(d),
            payment_type: r.pick(['advance', 'partial', 'full']),
            payment_method: r.pick(['cash', 'bank_transfer', 'cheque', 'mobile_payment']),
            reference_number: this.marker(d),
          }),
        ))
      }
      case 'payment_update': {
        const all = this.live(await c.payments.list({ sort_by: 'reference_number' }))
        if (all.length === 0) return false
        const row = r.pick(all)
        const patch = r.chance(0.5) ? { amount: this.amount(d) } : { notes: `note ${r.int(1, 999)}` }
        return !!(await this.local(d, () => c.payments.update(row.id, patch)))
      }
      case 'payment_delete': {
        const all = this.live(await c.payments.list({ sort_by: 'reference_number' }))
        if (all.length === 0) return false
        const row = r.pick(all)
        return (await this.local(d, () => c.payments.remove(row.id).then(() => true))) === true
      }
      case 'resolve':
        return this.resolveOne(d, r.pick(conflicts), false)
      case 'failed':
        return this.handleFailed(d, r.pick(failed), false)
    }
  }

  /** A manager changes a rate, or closes the open rate and starts a new one from a date. */
  private async rateChange(d: Device): Promise<boolean> {
    const r = d.rng
    const rates = this.live(await d.client.productRates.list({ sort_by: 'effective_date', sort_order: 'asc' }))
    if (rates.length === 0) return false
    if (r.chance(0.1)) {
      // A rate entered by mistake is deleted (its dates may then have no rate: NO_RATE until fixed).
      const rate = r.pick(rates)
      const done = await this.local(d, () => d.client.productRates.remove(rate.id).then(() => true))
      if (done) this.note('rate_delete')
      return done === true
    }
    if (r.chance(0.5)) {
      const rate = r.pick(rates)
      const value = `${r.int(20, 200)}.${String(r.int(0, 99)).padStart(2, '0')}`
      return !!(await this.local(d, () => d.client.productRates.update(rate.id, { rate: value })))
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
    const ended = await this.local(d, () => d.client.productRates.update(rate.id, { end_date: day(start - 1) }))
    if (!ended) return false
    await this.local(d, () =>
      d.client.productRates.create({
        product_id: rate.product_id,
        unit: rate.unit,
        rate: `${r.int(20, 200)}.00`,
        effective_date: day(start),
      }),
    )
    this.note('rate_split')
    return true
  }

  /** A person settles a parked conflict: use the server's row, force, merge, or look again later. */
  private async resolveOne(d: Device, op: QueuedOp, healing: boolean): Promise<boolean> {
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
      this.note('resolution_review_later')
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
      () => {
        this.resolvedBy.set(op.local_id, choice)
        this.note(`resolution_${choice}`)
      },
      (err) => {
        this.note(`resolution_refused_${choice}_${errText(err)}`)
        const details = err instanceof ApiError ? (err.details as { status?: string; resolution?: string }) : undefined
        if (details?.status === 'resolved' && details.resolution === choice) {
          // The same decision again, after its answer was lost: it must be answered, not refused.
          this.anomaly(
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
    this.track(d, task)
    return true
  }

  /** A person looks at a failed operation: sends it again (maybe edited) or drops it. */
  private async handleFailed(d: Device, op: QueuedOp, healing: boolean): Promise<boolean> {
    const r = d.rng
    const code = op.error?.code ?? 'FAILED'
    if ((op.heal ?? 0) > 0) {
      // Refused after a restore because another device has yet to re-send a row it needs: the
      // next syncs send it again by themselves; the person leaves it.
      this.note('left_waiting_for_resend')
      return false
    }
    if (op.error?.transient) {
      if (!healing && r.chance(0.2) && op.operation_type !== 'delete') {
        const edit = this.editPayload(d, op)
        if (edit) {
          await d.client.failed.retry(op.local_id, { payload: edit })
          this.note('retry_edited_transient')
          return true
        }
      }
      if (healing || r.chance(0.85)) {
        await d.client.failed.retry(op.local_id)
        this.note('retry_transient')
        return true
      }
    } else if (code === 'NO_RATE' && op.entity_type === 'collection' && 'unit' in op.payload && r.chance(0.7)) {
      const product = this.products.find((p) => p.id === op.payload.product_id) ?? this.products[0]
      await d.client.failed.retry(op.local_id, { payload: { ...op.payload, unit: product.unit } })
      this.note('retry_edited_no_rate')
      return true
    } else if (!healing && r.chance(0.25)) {
      await d.client.failed.retry(op.local_id)
      this.note(`retry_permanent_${code}`)
      return true
    }
    await d.client.failed.discard(op.local_id)
    this.discarded.add(op.local_id)
    this.note(`discard_${code}`)
    return true
  }

  /** The "edit" action on a failed operation: one field changed. */
  private editPayload(d: Device, op: QueuedOp): Record<string, unknown> | undefined {
    const p = { ...op.payload } as Record<string, unknown>
    if (op.entity_type === 'collection' && 'quantity' in p) p.quantity = this.quantity(d)
    else if (op.entity_type === 'payment' && 'amount' in p) p.amount = this.amount(d)
    else if (op.entity_type === 'supplier' && 'name' in p) p.name = `Farm ${d.rng.int(1, 999)}`
    else return undefined
    return p
  }

  // ------------------------------------------------------------------ heal

  private async heal(): Promise<void> {
    this.network.gated = false
    for (const d of this.devices) d.offlineUntil = -1
    // Whatever is still in the network arrives now (late copies too).
    while (this.network.held.length > 0) {
      const h = this.network.held.shift() as Held
      await this.network.deliver(h, 'none')
    }
    await this.quiesce()
    if (this.server.restores > 0) await this.resendJournals()
    for (let round = 0; round < 40; round++) {
      for (const d of this.devices) {
        // A shared phone: whoever still has changes queued signs in to send them.
        const waiting = d.storedOps().filter((op) => op.user_id !== d.user.id)
        if (d.signedOut || (waiting.length > 0 && (await d.client.queue()).length === 0)) {
          const next = d.signedOut ? d.user : (d.users.find((u) => u.id === waiting[0].user_id) as SimUser)
          await this.signIn(d, next)
        }
        // Only devices with something to send sync now; everyone pulls at the end.
        if (d.storedOps().length === 0) continue
        await this.healSync(d).catch((err) => this.note(`heal_sync_threw_${errText(err)}`))
      }
      await this.quiesce()
      let work = 0
      for (const d of this.devices) {
        for (const op of await d.client.conflicts.list()) {
          work += 1
          await this.resolveOne(d, op, true).catch(async (err) => {
            // Refused (force on a deleted row, an overlapping rate...): the person takes the server's version.
            if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
              await this.settleStubborn(d, op)
            } else throw err
          })
        }
        for (const op of await d.client.failed.list()) {
          work += 1
          await this.handleFailed(d, op, true)
        }
      }
      await this.quiesce()
      const queued = this.devices.flatMap((d) => d.storedOps())
      if (work === 0 && queued.length === 0) break
      if (round === 39) this.anomaly('NOT_DRAINED', `${queued.length} operations still queued after 40 rounds`)
    }
    // Nobody writes any more: one more pull each brings every replica to the server's head.
    for (const d of this.devices) {
      const s = await this.healSync(d)
      if (s.error) this.anomaly('FINAL_SYNC_FAILED', `device ${d.index}: ${s.error.code} ${s.error.message}`)
    }
  }

  /** A sync in the heal phase; a session the restore took away is signed in again first. */
  private async healSync(d: Device): Promise<SyncSummary> {
    if (d.signInDue) {
      d.signInDue = false
      this.note('sign_in_again_after_restore')
      await this.signIn(d, d.user)
    }
    const s = await d.client.sync()
    if (!(await this.sessionRefused(d, s))) return s
    d.signInDue = false
    this.note('sign_in_again_after_restore')
    await this.signIn(d, d.user)
    return d.client.sync()
  }

  /**
   * After a restore every person syncs once (each user of a shared phone signs in for it), so every
   * journal re-sends what the restored server lacks before anyone decides on what it refused.
   */
  private async resendJournals(): Promise<void> {
    for (const d of this.devices) {
      for (const u of [d.user, ...d.users.filter((x) => x !== d.user)]) {
        if (u !== d.user || d.signedOut) await this.signIn(d, u)
        await this.healSync(d).catch((err) => this.note(`heal_sync_threw_${errText(err)}`))
      }
    }
    await this.quiesce()
  }

  /** A conflict that force/merge cannot settle: use the server's row; if even that is refused, drop it. */
  private async settleStubborn(d: Device, op: QueuedOp): Promise<void> {
    try {
      await d.client.conflicts.resolve(op.local_id, 'use_server')
      this.resolvedBy.set(op.local_id, 'use_server')
      this.note('resolution_use_server_after_refusal')
    } catch (err) {
      this.note(`resolution_impossible_${errText(err)}`)
      await d.client.failed.discard(op.local_id)
      this.discarded.add(op.local_id)
      // A conflict parked before a restore that the restored server does not know answers 404, and a
      // parked conflict cannot be sent again (docs/sync-protocol.md): discarding is all that is left.
      const unknown = err instanceof ApiError && err.status === 404 && this.server.restores > 0
      this.note(unknown ? 'discard_conflict_unknown_to_restored_server' : 'discard_unresolvable_conflict')
    }
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
