/**
 * createSyncClient: the facade an app holds (TanStack Query's QueryClient
 * role). It wires the parts and delegates: the device and its session
 * (session.ts), the entity APIs (entities.ts), a sync and its status
 * (sync-runner.ts over sync-engine.ts), when syncs run by themselves
 * (triggers.ts), and the parked operations a person decides on (parked-ops.ts).
 */
import {
  type BusinessSettings,
  DEFAULT_SETTINGS,
  type EntityType,
  type Person,
  type ScopeBalances,
  type User,
} from '@trackvault/core'
import { tabChannel, webLock } from './browser'
import { engineConfig, type SyncClientOptions } from './client-options'
import { type Directory, directory } from './directory'
import { type EntityApi, type EntityApis, entityApis } from './entities'
import { ApiClient } from './http'
import { META, VIEW_PREFIX } from './keys'
import { LocalDb } from './local-db'
import { type NetworkMonitor, OnlineManager } from './network/network-monitor'
import { Outbox } from './outbox'
import { type ConflictActions, type FailedActions, parkedOps } from './parked-ops'
import type { QueuedOp } from './queue'
import { DeviceSession } from './session'
import { StatusStore } from './status'
import { type EngineDeps, type SyncCallbacks, SyncEngine, type SyncSummary } from './sync-engine'
import { SyncRunner } from './sync-runner'
import { Triggers } from './triggers'

export class SyncClient {
  readonly status = new StatusStore()
  readonly network: NetworkMonitor
  readonly suppliers: EntityApi<'supplier'>
  readonly products: EntityApi<'product'>
  readonly productRates: EntityApi<'product_rate'>
  readonly collections: EntityApi<'collection'>
  readonly payments: EntityApi<'payment'>
  readonly deductions: EntityApi<'deduction'>
  /** Read only: the server writes runs and lines (a create or update is refused FORBIDDEN on the device). */
  readonly settlementRuns: EntityApi<'settlement_run'>
  readonly settlementLines: EntityApi<'settlement_line'>
  readonly routes: EntityApi<'route'>
  readonly routeAssignments: EntityApi<'route_assignment'>
  /** Suppliers of other routes, looked up on the server and added to this device (online). */
  readonly directory: Directory
  /** Operations parked on a conflict: list, resolve, discard. */
  readonly conflicts: ConflictActions
  /** Operations the server refused or that could not be sent: list, retry, discard. */
  readonly failed: FailedActions
  /** Resolves once the device id and session are loaded from storage. */
  readonly ready: Promise<void>

  private readonly db: LocalDb
  private readonly api: ApiClient
  private readonly apis: EntityApis
  private readonly outbox: Outbox
  private readonly session: DeviceSession
  private readonly runner: SyncRunner
  private readonly triggers: Triggers

  constructor(opts: SyncClientOptions) {
    const scope = `trackvault:${opts.baseUrl}`
    const db = new LocalDb(opts.storage, { lock: webLock(`${scope}:write`), channel: tabChannel(scope) })
    const api = new ApiClient(opts.baseUrl.replace(/\/$/, ''), opts.fetch)
    const session = new DeviceSession(db, api, { offlineUnlock: opts.offlineUnlock ?? true })
    const outbox = new Outbox(db)
    const network = opts.network ?? new OnlineManager(true)
    const { status } = this
    const userId = () => session.user?.id
    const deviceId = () => session.device
    const onPhase: EngineDeps['onPhase'] = (phase) => {
      if ('restore' in phase) status.set({ restore: phase.restore ?? null })
      if ('progress' in phase) status.set({ progress: phase.progress ?? null })
    }
    const role = () => session.user?.role
    const engine = new SyncEngine({ db, api, outbox, deviceId, userId, role, config: engineConfig(opts), onPhase })
    const runner = new SyncRunner({ db, engine, outbox, status, network, userId, lockName: `${scope}:sync` })
    this.db = db
    this.api = api
    this.session = session
    this.outbox = outbox
    this.network = network
    this.runner = runner
    this.ready = this.load()
    const sync = () => this.sync()
    const triggers = new Triggers({ api, network, status, ready: this.ready, signedIn: () => !!userId(), sync }, opts)
    const apis = entityApis(
      db,
      () => session.writer(),
      () => triggers.afterWrite(),
    )
    const parked = parkedOps({ db, api, outbox, deviceId, userId, nudge: () => void triggers.nudge() })
    this.triggers = triggers
    this.apis = apis
    this.suppliers = apis.supplier
    this.products = apis.product
    this.productRates = apis.product_rate
    this.collections = apis.collection
    this.payments = apis.payment
    this.deductions = apis.deduction
    this.settlementRuns = apis.settlement_run
    this.settlementLines = apis.settlement_line
    this.routes = apis.route
    this.routeAssignments = apis.route_assignment
    this.directory = directory(db, api, () => this.sync())
    this.conflicts = parked.conflicts
    this.failed = parked.failed
  }

  private async load(): Promise<void> {
    const { lastSyncAt } = await this.session.load()
    this.status.set({ lastSyncAt, online: this.network.isOnline() })
    await this.runner.refreshCounts()
  }

  /** This device's id, made once and kept in storage. */
  get device(): string {
    return this.session.device
  }

  /** The signed-in user, if any. */
  get user(): User | undefined {
    return this.session.user
  }

  /** The API of one entity type, for code that holds the type as a value: `client.entity(op.entity_type).get(id)`. */
  entity<K extends EntityType>(type: K): EntityApi<K> {
    return this.apis[type] as EntityApi<K>
  }

  /** Signs in on this device; another user's data on a shared phone is cleared (their queue is kept). */
  async login(email: string, password: string): Promise<User> {
    await this.ready
    const user = await this.session.login(email, password)
    this.status.set({ connection: 'idle', lastError: null })
    await this.runner.refreshCounts()
    this.triggers.signedIn()
    return user
  }

  /**
   * Signs in without signal, after one online sign-in of this user on this
   * device: the password is checked against the device's verifier (never
   * sent anywhere), wrong guesses are throttled (5 wrong: wait 30 s,
   * doubling; kept in storage). The queue keeps working; sync waits for
   * signal, then refreshes the server session, or, if it expired or was
   * revoked, `status.connection` becomes `'needs-auth'` (sign in again with
   * `login`, the queue is kept). Same shared-phone rule as `login`.
   */
  async unlockOffline(email: string, password: string): Promise<User> {
    await this.ready
    const user = await this.session.unlockOffline(email, password)
    this.status.set({ connection: 'idle', lastError: null })
    await this.runner.refreshCounts()
    this.triggers.signedIn()
    return user
  }

  /** Whether the signed-in user could sign in again here without signal (tell them before signing out). */
  canUnlockOffline(): Promise<boolean> {
    return this.session.canUnlockOffline()
  }

  /**
   * Signs out. Unsynced changes are never dropped: they stay queued for
   * their user and sync when that user signs in again. Returns how many.
   */
  async logout(): Promise<{ unsynced: number }> {
    const unsynced = await this.unsyncedCount()
    await this.session.logout()
    this.triggers.signedOut()
    await this.runner.refreshCounts()
    return { unsynced }
  }

  /** Operations of the signed-in user not yet accepted by the server (tell the user before signing out). */
  async unsyncedCount(): Promise<number> {
    const c = await this.outbox.counts(this.session.user?.id)
    return c.pending + c.conflict + c.failed + c.review_later
  }

  /** The business's settings as the last sync brought them (the defaults before the first). */
  async settings(): Promise<BusinessSettings> {
    const stored = await this.db.read((tx) => tx.get<BusinessSettings>(META.settings))
    return { ...DEFAULT_SETTINGS, ...stored }
  }

  /** The users' names as the last sync brought them; empty for roles that see only their own records. */
  async people(): Promise<Person[]> {
    return (await this.db.read((tx) => tx.get<Person[]>(META.people))) ?? []
  }

  /**
   * A collector's suppliers' balances as the last sync brought them (undefined before one, and for
   * roles that compute balances from what their device holds). Newer records made on this device
   * since `as_of` are not in them.
   */
  async cachedBalances(): Promise<ScopeBalances | undefined> {
    return (await this.db.read((tx) => tx.get<ScopeBalances>(META.balances))) ?? undefined
  }

  /** The signed-in user's queued operations, oldest first (the sync center's queue). */
  queue(): Promise<QueuedOp[]> {
    return this.outbox.list(this.session.user?.id)
  }

  /** Pushes the queue, then pulls. One sync at a time; a second call joins the first. */
  async sync(callbacks: SyncCallbacks = {}): Promise<SyncSummary> {
    await this.ready
    return this.runner.run(callbacks)
  }

  /**
   * Listens to every finished sync, manual or automatic (after status and
   * counts are updated). Returns the unsubscribe function.
   *
   *   const stop = client.onSync(({ successful, failed, conflicts }) => toast(`${successful} synced`))
   */
  onSync(listener: (summary: SyncSummary) => void): () => void {
    return this.runner.onSync(listener)
  }

  /** Starts the automatic triggers: now (app start), on reconnection, on a server poke, and on a timer. */
  start(): this {
    this.triggers.start()
    return this
  }

  /** Stops the triggers and closes storage. */
  async close(): Promise<void> {
    this.triggers.stop()
    this.runner.stop()
    await this.ready.catch(() => {}) // a client closed at once lets its start-up reads finish first
    await this.db.close()
  }

  /**
   * An online-only request with this session's token, for what does not sync
   * (user administration, server-side reports). Throws ApiError offline.
   */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.api.request<T>(method, path, body)
  }

  /**
   * An online-only file download with this session's token (a payout or statement CSV): the bytes
   * and the server's file name. Throws ApiError offline or on an error answer.
   */
  download(path: string): Promise<{ blob: Blob; filename: string | null; headers: Headers }> {
    return this.api.download(path)
  }

  /**
   * An online-only upload of a file's text with this session's token (a payout results CSV):
   * the server's JSON answer. Throws ApiError offline or on an error answer.
   */
  upload<T>(path: string, text: string, contentType = 'text/csv'): Promise<T> {
    return this.api.upload<T>(path, text, contentType)
  }

  /** Listens to local data changes (writes, pulls, settlements): the entity types touched. */
  onChange(listener: (types: string[]) => void): () => void {
    return this.db.subscribe((keys) => {
      const types = new Set<string>()
      for (const k of keys) if (k.startsWith(VIEW_PREFIX)) types.add(k.split('/')[1])
      if (types.size > 0) listener([...types])
    })
  }
}

/** Creates a client; call `start()` for automatic sync, and `setDefaultClient(client)` for the seed-style functions. */
export function createSyncClient(opts: SyncClientOptions): SyncClient {
  return new SyncClient(opts)
}
