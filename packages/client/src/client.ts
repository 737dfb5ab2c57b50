/**
 * createSyncClient: the facade an app holds. It owns the device identity,
 * the session, the local database, the sync engine and its triggers (app
 * start, reconnection, server poke, timer, manual), and exposes the entity
 * APIs, status, conflicts and failed operations.
 */
import { AppError, type Resolution, type Role, type User } from '@trackvault/core'
import { ifLockFree, tabChannel, webLock } from './browser'
import { hasDefaultClient, setDefaultClient } from './compat'
import { EntityApi, type Writer } from './entities'
import { ApiClient, ApiError, type FetchLike, type Session } from './http'
import { META, SERVER_PREFIX, VIEW_PREFIX } from './keys'
import { listenForPokes } from './live'
import { LocalDb } from './local-db'
import { type NetworkMonitor, OnlineManager } from './network/network-monitor'
import { Outbox } from './outbox'
import { listOps, type QueuedOp } from './queue'
import { rebuildView } from './replica'
import { StatusStore } from './status'
import type { KVStore } from './storage/kv-store'
import { type SyncCallbacks, SyncEngine, type SyncSummary } from './sync-engine'

export interface SyncClientOptions {
  baseUrl: string
  storage: KVStore
  /** Online detection; default: always online until a request fails. */
  network?: NetworkMonitor
  /**
   * Operations per push, fixed. Leave it out (recommended) and the size
   * adapts: it starts at 10 and doubles up to `maxBatchSize` while the
   * server answers whole batches quickly, and halves on slow answers,
   * retries, partial answers and 413 (see `BatchSizer`). Either way a batch
   * holds at most one operation per row, in seq order.
   */
  batchSize?: number
  /** The largest adaptive batch (default 200; the server accepts at most 500). Ignored with `batchSize`. */
  maxBatchSize?: number
  /** Retries of a transient failure before operations show as failed (default 3). */
  maxRetries?: number
  /** First retry delay; doubles each time, with jitter (default 1000 ms). */
  retryDelayMs?: number
  /** Rows per pull page (default 1000; the server allows up to 5000). Each page is stored in one commit. */
  pullLimit?: number
  /** Timer trigger (default 60 s; 0 turns it off). */
  syncIntervalMs?: number
  /** Listen to the server's live pokes (default true). */
  live?: boolean
  /** After a local write (once started), sync this much later; bursts coalesce (default 500 ms). */
  writeSyncDelayMs?: number
  fetch?: FetchLike
}

/** A device id: `device_{timestamp}_{random}`. */
export function makeDeviceId(): string {
  return `device_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`
}

export type ResolveChoice = Resolution | 'review_later' | { merge: Record<string, unknown> }

export class SyncClient {
  readonly status = new StatusStore()
  readonly suppliers: EntityApi
  readonly products: EntityApi
  readonly productRates: EntityApi
  readonly collections: EntityApi
  readonly payments: EntityApi
  readonly network: NetworkMonitor
  /** Resolves once the device id and session are loaded from storage. */
  readonly ready: Promise<void>

  private readonly db: LocalDb
  private readonly api: ApiClient
  private readonly engine: SyncEngine
  private readonly outbox: Outbox
  private deviceId = ''
  private session: Session | undefined
  private stops: Array<() => void> = []
  private countsTimer: ReturnType<typeof setTimeout> | undefined
  private started = false
  private readonly lockName: string
  private readonly syncListeners = new Set<(summary: SyncSummary) => void>()
  private lastSummary: SyncSummary | undefined

  constructor(private readonly opts: SyncClientOptions) {
    const scope = `trackvault:${opts.baseUrl}`
    this.lockName = `${scope}:sync`
    this.db = new LocalDb(opts.storage, { lock: webLock(`${scope}:write`), channel: tabChannel(scope) })
    this.api = new ApiClient(opts.baseUrl.replace(/\/$/, ''), opts.fetch)
    this.network = opts.network ?? new OnlineManager(true)
    const writer = () => this.writer()
    const onWrite = () => this.scheduleSyncAfterWrite()
    this.suppliers = new EntityApi('supplier', this.db, writer, onWrite)
    this.products = new EntityApi('product', this.db, writer, onWrite)
    this.productRates = new EntityApi('product_rate', this.db, writer, onWrite)
    this.collections = new EntityApi('collection', this.db, writer, onWrite)
    this.payments = new EntityApi('payment', this.db, writer, onWrite)
    this.outbox = new Outbox(this.db)
    this.engine = new SyncEngine({
      db: this.db,
      outbox: this.outbox,
      api: this.api,
      deviceId: () => this.deviceId,
      userId: () => this.session?.user.id,
      config: {
        batchSize: opts.batchSize,
        maxBatchSize: opts.maxBatchSize,
        maxRetries: opts.maxRetries ?? 3,
        retryDelayMs: opts.retryDelayMs ?? 1000,
        pullLimit: opts.pullLimit ?? 1000,
      },
      onPhase: ({ progress }) => this.status.set({ progress: progress ?? null }),
    })
    this.db.subscribe((keys) => {
      if (keys.some((k) => k.startsWith('op/'))) this.scheduleCounts()
    })
    this.ready = this.load()
  }

  private async load(): Promise<void> {
    await this.db.write(async (tx) => {
      this.deviceId = (await tx.get<string>(META.deviceId)) ?? makeDeviceId()
      tx.put(META.deviceId, this.deviceId)
      this.session = await tx.get<Session>(META.session)
      this.api.token = this.session?.token
      const lastSyncAt = (await tx.get<string>(META.lastSyncAt)) ?? null
      this.status.set({ lastSyncAt, online: this.network.isOnline() })
    })
    await this.refreshCounts()
  }

  /** This device's id, made once and kept in storage. */
  get device(): string {
    return this.deviceId
  }

  /** The signed-in user, if any. */
  get user(): User | undefined {
    return this.session?.user
  }

  private writer(): Writer {
    if (!this.session) throw new AppError('UNAUTHENTICATED', 'Sign in first')
    return { id: this.session.user.id, role: this.session.user.role as Role }
  }

  /** Signs in on this device; another user's data on a shared phone is cleared (their queue is kept). */
  async login(email: string, password: string): Promise<User> {
    await this.ready
    const session = await this.api.login(email, password, this.deviceId)
    this.session = session
    this.api.token = session.token
    await this.db.write(async (tx) => {
      tx.put(META.session, session as never)
      const owner = await tx.get<string>(META.replicaUser)
      if (owner !== session.user.id) {
        for (const [k] of [...(await tx.scan(SERVER_PREFIX)), ...(await tx.scan(VIEW_PREFIX))]) tx.del(k)
        tx.del(META.cursor)
        tx.put(META.replicaUser, session.user.id)
        // Their own unsynced changes are shown again at once (the server's rows come with the next pull).
        for (const op of await listOps(tx)) {
          if (op.user_id === session.user.id) await rebuildView(tx, op.entity_type, op.entity_id, op.user_id)
        }
      }
    })
    this.status.set({ connection: 'idle', lastError: null })
    await this.refreshCounts()
    if (this.started) {
      this.startLive()
      void this.syncSafely()
    }
    return session.user
  }

  /** Operations of the signed-in user not yet accepted by the server (tell the user before signing out). */
  async unsyncedCount(): Promise<number> {
    const c = await this.outbox.counts(this.session?.user.id)
    return c.pending + c.conflict + c.failed + c.review_later
  }

  /**
   * Signs out. Unsynced changes are never dropped: they stay queued for
   * their user and sync when that user signs in again. Returns how many.
   */
  async logout(): Promise<{ unsynced: number }> {
    const unsynced = await this.unsyncedCount()
    await this.api.logout().catch(() => {})
    this.session = undefined
    this.api.token = undefined
    this.stopLive()
    await this.db.write(async (tx) => tx.del(META.session))
    await this.refreshCounts()
    return { unsynced }
  }

  /** Pushes the queue, then pulls. One sync at a time; a second call joins the first. */
  async sync(callbacks: SyncCallbacks = {}): Promise<SyncSummary> {
    await this.ready
    this.status.set({ syncing: true, connection: 'syncing' })
    let summary: SyncSummary
    try {
      // In a browser only one tab syncs at a time; the others see its work through the shared store.
      summary = (await ifLockFree(this.lockName, () => this.engine.sync(callbacks))) ?? {
        successful: 0,
        failed: 0,
        conflicts: 0,
        pulled: 0,
        skipped: true,
      }
    } catch (err) {
      // A bug or a storage failure, not a network answer: report it and leave a usable status.
      this.status.set({
        syncing: false,
        progress: null,
        connection: 'error',
        lastError: { code: 'CLIENT_ERROR', message: err instanceof Error ? err.message : String(err) },
      })
      throw err
    }
    const err = summary.error
    if (!err) {
      if (!summary.skipped) this.network.setOnline(true)
      this.status.set({
        connection: 'idle',
        lastError: null,
        lastSyncAt: summary.skipped ? this.status.current.lastSyncAt : new Date().toISOString(),
      })
    } else if (err.status === 401) {
      this.status.set({ connection: 'needs-auth', lastError: { code: err.code, message: err.message } })
    } else if (err.offline) {
      this.network.setOnline(false)
      this.status.set({ connection: 'offline', lastError: { code: err.code, message: err.message } })
    } else {
      this.status.set({ connection: 'error', lastError: { code: err.code, message: err.message } })
    }
    this.status.set({ syncing: false, progress: null })
    await this.refreshCounts()
    if (summary !== this.lastSummary) {
      this.lastSummary = summary // callers that joined a running sync share its summary: tell listeners once
      for (const listener of this.syncListeners) {
        try {
          listener(summary)
        } catch {
          // a listener's bug must not fail the sync that already happened
        }
      }
    }
    return summary
  }

  /**
   * Listens to every finished sync, manual or automatic (after status and
   * counts are updated). Returns the unsubscribe function.
   *
   *   const stop = client.onSync(({ successful, failed, conflicts }) => toast(`${successful} synced`))
   */
  onSync(listener: (summary: SyncSummary) => void): () => void {
    this.syncListeners.add(listener)
    return () => {
      this.syncListeners.delete(listener)
    }
  }

  private async syncSafely(): Promise<void> {
    if (!this.session || !this.network.isOnline() || this.status.current.connection === 'needs-auth') return
    await this.sync().catch(() => {})
  }

  /**
   * Starts the automatic triggers: now (app start), on reconnection, on a
   * server poke, and on a timer.
   */
  start(): this {
    if (this.started) return this
    this.started = true
    this.stops.push(
      this.network.subscribe((online) => {
        this.status.set({ online })
        if (online) void this.syncSafely()
      }),
    )
    const interval = this.opts.syncIntervalMs ?? 60_000
    if (interval > 0) {
      const timer = setInterval(() => void this.syncSafely(), interval)
      this.stops.push(() => clearInterval(timer))
    }
    void this.ready.then(() => {
      this.startLive()
      return this.syncSafely()
    })
    return this
  }

  private stopLiveFn: (() => void) | undefined
  private startLive() {
    if (this.opts.live === false || !this.session || this.stopLiveFn) return
    let lastCursor: string | undefined
    this.stopLiveFn = listenForPokes(this.api, (cursor) => {
      this.network.setOnline(true)
      if (cursor !== lastCursor) {
        lastCursor = cursor
        void this.syncSafely()
      }
    })
  }

  private stopLive() {
    this.stopLiveFn?.()
    this.stopLiveFn = undefined
  }

  /** Stops the triggers and closes storage. */
  async close(): Promise<void> {
    for (const stop of this.stops) stop()
    this.stops = []
    this.stopLive()
    clearTimeout(this.countsTimer)
    clearTimeout(this.writeTimer)
    await this.db.close()
  }

  /**
   * An online-only request with this session's token, for what does not sync
   * (user administration, server-side reports). Throws ApiError offline.
   */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.api.request<T>(method, path, body)
  }

  /** Listens to local data changes (writes, pulls, settlements): the entity types touched. */
  onChange(listener: (types: string[]) => void): () => void {
    return this.db.subscribe((keys) => {
      const types = new Set<string>()
      for (const k of keys) if (k.startsWith(VIEW_PREFIX)) types.add(k.split('/')[1])
      if (types.size > 0) listener([...types])
    })
  }

  private writeTimer: ReturnType<typeof setTimeout> | undefined
  /** A local write is a trigger too (once started): sync shortly after, coalescing bursts of writes. */
  private scheduleSyncAfterWrite() {
    if (!this.started) return
    clearTimeout(this.writeTimer)
    this.writeTimer = setTimeout(() => void this.syncSafely(), this.opts.writeSyncDelayMs ?? 500)
  }

  private scheduleCounts() {
    clearTimeout(this.countsTimer)
    this.countsTimer = setTimeout(() => void this.refreshCounts(), 0)
  }

  private async refreshCounts(): Promise<void> {
    const counts = await this.outbox.counts(this.session?.user.id)
    this.status.set({
      pending: counts.pending,
      conflicts: counts.conflict + counts.review_later,
      failed: counts.failed,
    })
  }

  /** The signed-in user's queued operations, oldest first (the sync center's queue). */
  async queue(): Promise<QueuedOp[]> {
    return this.outbox.list(this.session?.user.id)
  }

  /** The signed-in user's operations that are not pending (conflicts, failures), oldest first. */
  private parked(): Promise<QueuedOp[]> {
    return this.outbox.parked(this.session?.user.id)
  }

  private async ownOp(localId: string, statuses: QueuedOp['status'][]): Promise<QueuedOp> {
    const userId = this.session?.user.id
    const op = await this.outbox.find(localId)
    if (!op || op.user_id !== userId || !statuses.includes(op.status)) {
      throw new AppError('NOT_FOUND', `No such operation ${localId}`)
    }
    return op
  }

  /** Operations parked on a conflict (with base, server and client versions). */
  readonly conflicts = {
    list: async () => (await this.parked()).filter((op) => op.status === 'conflict' || op.status === 'review_later'),
    /**
     * `review_later` keeps the change parked (durable, visible); the others
     * are settled on the server and need the network.
     */
    resolve: async (localId: string, choice: ResolveChoice): Promise<void> => {
      const op = await this.ownOp(localId, ['conflict', 'review_later'])
      if (choice === 'review_later') {
        await this.db.write((tx) => this.outbox.reviewLater(tx, op))
        return
      }
      const body =
        typeof choice === 'object'
          ? { device_id: this.deviceId, local_id: op.local_id, resolution: 'merge' as const, fields: choice.merge }
          : { device_id: this.deviceId, local_id: op.local_id, resolution: choice }
      const { result } = await this.api.resolve(body)
      await this.db.write((tx) => this.outbox.settleSuccess(tx, op, result))
      void this.syncSafely()
    },
  }

  /** Operations the server refused or that could not be sent. */
  readonly failed = {
    list: async () => (await this.parked()).filter((op) => op.status === 'failed'),
    /** Sends it again; `payload` replaces what is sent (the "edit" action). */
    retry: async (localId: string, edit?: { payload?: Record<string, unknown> }): Promise<void> => {
      const op = await this.ownOp(localId, ['failed'])
      const payload = edit?.payload as QueuedOp['payload'] | undefined
      // An edited change goes out as a new operation: the first may have reached the server (a transient
      // failure cannot tell), and a replay of its local_id would answer with that outcome, dropping the edit.
      const edited = payload !== undefined && JSON.stringify(payload) !== JSON.stringify(op.payload)
      await this.db.write((tx) => this.outbox.requeue(tx, op, payload ? { payload } : {}, { newIdentity: edited }))
      void this.syncSafely()
    },
    /** Drops the change; the row shows the server's version again. */
    discard: async (localId: string): Promise<void> => {
      const op = await this.ownOp(localId, ['failed', 'conflict', 'review_later'])
      await this.db.write((tx) => this.outbox.discard(tx, op))
    },
  }
}

/** Creates a client (the default one for syncOfflineOperations, if none is set); call `start()` for automatic sync. */
export function createSyncClient(opts: SyncClientOptions): SyncClient {
  const client = new SyncClient(opts)
  if (!hasDefaultClient()) setDefaultClient(client)
  return client
}

export { ApiError }
