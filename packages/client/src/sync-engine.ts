/**
 * One sync at a time: push the signed-in user's queue in batches (seq
 * order, at most one operation per row per batch so each carries the
 * version the previous one produced; the size adapts, see batch-sizer.ts),
 * retry transient failures with backoff honouring Retry-After (retry.ts),
 * then pull to the newest cursor. Results settle the queue through the
 * outbox in one transaction per batch (settle.ts), and each pull page is
 * stored in one. The queue index picks each batch and counts the queue, so
 * a drain reads every operation about once instead of the whole queue per batch.
 */
import { canListPeople, hasRouteScope, type Role } from '@trackvault/core'
import { BatchSizer } from './batch-sizer'
import { type ApiClient, ApiError } from './http'
import { DEFAULT_JOURNAL_LIMITS, type JournalLimits, pruneJournal } from './journal'
import { META, serverKey } from './keys'
import type { LocalDb } from './local-db'
import { Outbox } from './outbox'
import { toWire } from './queue'
import {
  beginRecovery,
  EpochChanged,
  epochChangedBy,
  type ResendOutcome,
  type ResendProgress,
  rebuildDue,
  requeueHealing,
  resendJournal,
} from './recovery'
import { dropServerRows, heldNoServerRow, storeChanges } from './replica'
import { beginRescope, rescopeDue, ScopeChanged, scopeChangedBy } from './rescope'
import { retryTransient, sleep } from './retry'
import { settleBatch, settleUnsent } from './settle'

export interface SyncCallbacks {
  /** Operations processed so far, of the total queued when the sync began. */
  onProgress?: (current: number, total: number) => void
  /** Once per sync: operations applied, failed, and parked on a conflict. */
  onComplete?: (successful: number, failed: number, conflicts: number) => void
}

export interface SyncSummary {
  successful: number
  failed: number
  conflicts: number
  pulled: number
  /** Why the sync stopped early, if it did. */
  error?: ApiError
  /** Another tab of this app was syncing the shared store; this call did nothing. */
  skipped?: boolean
  /**
   * The server had been restored from a backup (a new epoch): what this sync re-sent from the
   * journal, and how many of those came back as conflicts or failures (now parked in the queue).
   */
  restored?: ResendOutcome
}

export interface EngineConfig {
  /**
   * Operations per push. A number fixes it (halved only when the server
   * answers 413); undefined lets it adapt (see `BatchSizer`).
   */
  batchSize?: number
  /** The most operations per push while the size adapts (default 200; the server takes at most 500). */
  maxBatchSize?: number
  maxRetries: number
  retryDelayMs: number
  pullLimit: number
  /** How long and how much of the settled operations the journal keeps (journal.ts). */
  journal?: JournalLimits
}

export interface EngineDeps {
  db: LocalDb
  api: ApiClient
  deviceId: () => string
  userId: () => string | undefined
  /** The signed-in user's role (which reference data to fetch). */
  role?: () => Role | undefined
  config: EngineConfig
  /** The queue's owner (default: one over `db`). */
  outbox?: Outbox
  onPhase?: (phase: {
    progress?: { current: number; total: number }
    /** Re-sending the journal to a server restored from a backup; null when done. */
    restore?: ResendProgress | null
  }) => void
}

/** How many times one sync starts over because the server turned out to be restored, or the scope changed. */
const MAX_RESTARTS = 3

export class SyncEngine {
  private running: Promise<SyncSummary> | undefined
  private readonly outbox: Outbox

  constructor(private readonly deps: EngineDeps) {
    this.outbox = deps.outbox ?? new Outbox(deps.db)
  }

  get isSyncing(): boolean {
    return this.running !== undefined
  }

  /** Runs a sync, or joins the one already running. */
  sync(callbacks: SyncCallbacks = {}): Promise<SyncSummary> {
    if (!this.running) {
      this.running = this.run(callbacks).finally(() => {
        this.running = undefined
      })
    }
    return this.running
  }

  private async run(cb: SyncCallbacks): Promise<SyncSummary> {
    const summary: SyncSummary = { successful: 0, failed: 0, conflicts: 0, pulled: 0 }
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          await this.resend(summary)
          await this.pushAll(summary, cb)
          summary.pulled = await this.pullAll()
          break
        } catch (err) {
          if (attempt >= MAX_RESTARTS) throw err
          // What this device holds changed (its routes): pull the new scope from the beginning.
          if (err instanceof ScopeChanged) {
            await beginRescope(this.deps.db)
            continue
          }
          // The server was restored from a backup: heal it from the journal first, then go on.
          if (!(err instanceof EpochChanged)) throw err
          await beginRecovery(this.deps.db, err.epoch)
        }
      }
      const { settings, people, balances } = await this.referenceData()
      const limits = this.deps.config.journal ?? DEFAULT_JOURNAL_LIMITS
      await this.deps.db.write(async (tx) => {
        tx.put(META.lastSyncAt, new Date().toISOString())
        if (settings) tx.put(META.settings, settings as never)
        if (people) tx.put(META.people, people as never)
        if (balances) tx.put(META.balances, balances as never)
        await pruneJournal(tx, limits)
      })
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      summary.error = err
    } finally {
      cb.onComplete?.(summary.successful, summary.failed, summary.conflicts)
    }
    return summary
  }

  /** After a restore: the signed-in user's journal entries of other epochs, before any of the queue. */
  private async resend(summary: SyncSummary): Promise<void> {
    const userId = this.deps.userId()
    if (!userId) return
    const onProgress = (restore: ResendProgress | null) => this.deps.onPhase?.({ restore })
    const outcome = await resendJournal({ ...this.deps, onProgress }, userId)
    await requeueHealing(this.deps.db, this.outbox, userId)
    if (outcome.resent + outcome.conflicts + outcome.failed === 0) return
    const total = summary.restored ?? { resent: 0, conflicts: 0, failed: 0 }
    summary.restored = {
      resent: total.resent + outcome.resent,
      conflicts: total.conflicts + outcome.conflicts,
      failed: total.failed + outcome.failed,
    }
    summary.conflicts += outcome.conflicts
    summary.failed += outcome.failed
  }

  /**
   * What comes with every sync besides the rows, so it holds offline too: the business's settings
   * (dates, limits) and, for the roles that see others' records, who the users are (lists name the
   * collector). A server from before either answers 404: skipped.
   */
  private async referenceData() {
    const older = (err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return undefined
      throw err
    }
    const role = this.deps.role?.()
    const [settings, people, balances] = await Promise.all([
      this.deps.api.settings().catch(older),
      role && canListPeople(role) ? this.deps.api.people().catch(older) : undefined,
      role && hasRouteScope(role) ? this.deps.api.scopeBalances().catch(older) : undefined,
    ])
    return { settings, people: people?.data, balances }
  }

  private async pushAll(summary: SyncSummary, cb: SyncCallbacks): Promise<void> {
    const { db, api } = this.deps
    const userId = this.deps.userId()
    if (!userId) throw new ApiError(401, 'UNAUTHENTICATED', 'Sign in to sync')
    const epoch = (await db.read((tx) => tx.get<string>(META.epoch))) ?? undefined
    await this.outbox.resendUnsent(userId)
    const total = (await this.outbox.counts(userId)).pending
    let done = 0
    const sizer = new BatchSizer(this.deps.config.batchSize, this.deps.config.maxBatchSize)
    const report = () => {
      cb.onProgress?.(Math.min(done, total), total)
      this.deps.onPhase?.({ progress: { current: Math.min(done, total), total } })
    }
    report()
    for (;;) {
      const batch = await this.outbox.nextBatch(userId, sizer.size)
      if (batch.length === 0) return
      let response: Awaited<ReturnType<ApiClient['push']>>
      let attempts = 0
      let ms = 0
      try {
        response = await retryTransient(async () => {
          attempts += 1
          const started = Date.now()
          const answer = await api.push({ device_id: this.deps.deviceId(), epoch, operations: batch.map(toWire) })
          ms = Date.now() - started
          return answer
        }, this.deps.config)
      } catch (err) {
        const restored = epochChangedBy(err)
        if (restored) throw new EpochChanged(restored)
        if (err instanceof ApiError && err.status === 413 && sizer.tooLarge()) continue
        if (err instanceof ApiError && !err.offline && err.status !== 401) {
          await settleUnsent(db, this.outbox, batch, err)
          summary.failed += batch.length
        }
        throw err
      }
      const outcomes = await settleBatch(db, this.outbox, batch, response)
      for (const o of outcomes) {
        if (o === 'success') summary.successful += 1
        else if (o === 'conflict') summary.conflicts += 1
        else if (o === 'failed') summary.failed += 1
      }
      done += outcomes.filter((o) => o !== 'requeued').length
      report()
      const whole = response.results.length >= batch.length
      sizer.answered(batch.length, ms, attempts, whole)
      if (!whole) {
        // The server stopped the batch on a transient error: back off, then send the rest in order.
        await sleep(this.deps.config.retryDelayMs)
      }
    }
  }

  private async pullAll(): Promise<number> {
    const { db, api } = this.deps
    const userId = this.deps.userId()
    let pulled = 0
    const fetch = (cursor: string | undefined) => {
      const answer = retryTransient(() => api.pull(cursor, this.deps.config.pullLimit), this.deps.config)
      answer.catch(() => {}) // awaited below; a page fetched ahead and then abandoned must not go unhandled
      return answer
    }
    // After a restore every row is pulled again, from the beginning even if a re-pull was cut short:
    // the restored server's rows replace what the device holds (its versions may be ones the
    // restored server never made), and the rows the server no longer has are dropped at the end.
    const rebuild = (await rebuildDue(db)) || (await rescopeDue(db))
    const seen = rebuild ? new Set<string>() : undefined
    const outdated = seen ? (key: string) => !seen.has(key) : undefined
    const known = await db.read((tx) => tx.get<string>(META.epoch))
    const cursor = rebuild ? undefined : await db.read((tx) => tx.get<string>(META.cursor))
    let next = fetch(cursor)
    // A first pull into a replica that holds no server row: the rows this pull stores are all there
    // is to compare versions with, so its pages are stored without reading the replica.
    const fresh =
      !rebuild && cursor === undefined && (await db.read(heldNoServerRow)) ? new Map<string, number>() : undefined
    for (;;) {
      let page: Awaited<ReturnType<ApiClient['pull']>>
      try {
        page = await next
      } catch (err) {
        const restored = epochChangedBy(err)
        if (restored) throw new EpochChanged(restored)
        if (scopeChangedBy(err)) throw new ScopeChanged()
        throw err
      }
      if (known && page.epoch && page.epoch !== known) throw new EpochChanged(page.epoch)
      // The next page is fetched while this one is stored: its cursor is known already, and
      // nothing is lost if we stop in between (the stored cursor still names this page's start).
      if (page.has_more) next = fetch(page.cursor)
      // One commit per page: the server rows, the views they change, the cursor.
      await db.write(async (tx) => {
        await storeChanges(tx, page.changes, userId, { outdated, fresh })
        tx.put(META.cursor, page.cursor)
        if (page.epoch && !known) tx.put(META.epoch, page.epoch)
      })
      for (const c of page.changes) seen?.add(serverKey(c.entity_type as never, c.entity_id))
      pulled += page.changes.length
      if (!page.has_more) break
    }
    if (seen) await this.dropUnseen(seen, userId)
    return pulled
  }

  /** The end of a full re-pull: rows the restored server does not have leave the replica (queued changes stay shown). */
  private async dropUnseen(seen: Set<string>, userId: string | undefined): Promise<void> {
    await this.deps.db.write(async (tx) => {
      await dropServerRows(tx, (key) => seen.has(key), userId)
      tx.del(META.recovery)
      tx.del(META.rescope)
    })
  }
}
