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
import { BatchSizer } from './batch-sizer'
import { type ApiClient, ApiError } from './http'
import { META } from './keys'
import type { LocalDb } from './local-db'
import { Outbox } from './outbox'
import { toWire } from './queue'
import { storeChanges } from './replica'
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
}

export interface EngineDeps {
  db: LocalDb
  api: ApiClient
  deviceId: () => string
  userId: () => string | undefined
  config: EngineConfig
  /** The queue's owner (default: one over `db`). */
  outbox?: Outbox
  onPhase?: (phase: { progress?: { current: number; total: number } }) => void
}

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
      await this.pushAll(summary, cb)
      summary.pulled = await this.pullAll()
      // The business's settings come with every sync, so its rules (dates, limits) hold offline too.
      const settings = await this.deps.api.settings().catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return undefined // a server from before settings
        throw err
      })
      await this.deps.db.write(async (tx) => {
        tx.put(META.lastSyncAt, new Date().toISOString())
        if (settings) tx.put(META.settings, settings as never)
      })
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      summary.error = err
    } finally {
      cb.onComplete?.(summary.successful, summary.failed, summary.conflicts)
    }
    return summary
  }

  private async pushAll(summary: SyncSummary, cb: SyncCallbacks): Promise<void> {
    const { db, api } = this.deps
    const userId = this.deps.userId()
    if (!userId) throw new ApiError(401, 'UNAUTHENTICATED', 'Sign in to sync')
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
          const answer = await api.push({ device_id: this.deps.deviceId(), operations: batch.map(toWire) })
          ms = Date.now() - started
          return answer
        }, this.deps.config)
      } catch (err) {
        if (err instanceof ApiError && err.status === 413 && sizer.tooLarge()) continue
        if (err instanceof ApiError && !err.offline && err.status !== 401) {
          await settleUnsent(db, this.outbox, batch, err)
          summary.failed += batch.length
        }
        throw err
      }
      const outcomes = await settleBatch(db, this.outbox, batch, response.results)
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
    let next = fetch(await db.read((tx) => tx.get<string>(META.cursor)))
    for (;;) {
      const page = await next
      // The next page is fetched while this one is stored: its cursor is known already, and
      // nothing is lost if we stop in between (the stored cursor still names this page's start).
      if (page.has_more) next = fetch(page.cursor)
      // One commit per page: the server rows, the views they change, the cursor.
      await db.write(async (tx) => {
        await storeChanges(tx, page.changes, userId)
        tx.put(META.cursor, page.cursor)
      })
      pulled += page.changes.length
      if (!page.has_more) return pulled
    }
  }
}
