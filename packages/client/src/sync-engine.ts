/**
 * One sync at a time: push the signed-in user's queue in batches (seq
 * order, at most one operation per row per batch so each carries the
 * version the previous one produced; the size adapts, see `BatchSizer`),
 * retry transient failures with exponential backoff and jitter honouring
 * Retry-After, then pull to the newest cursor. Results settle the queue in
 * one transaction per batch, and each pull page is stored in one. The queue
 * index (queue-index.ts) picks each batch and counts the queue, so a drain
 * reads every operation about once instead of the whole queue per batch.
 */
import { MAX_BATCH_OPERATIONS, type OperationResult } from '@trackvault/core'
import pRetry from 'p-retry'
import { type ApiClient, ApiError } from './http'
import { META, serverKey } from './keys'
import type { LocalDb, LocalTx } from './local-db'
import { deleteOp, listOps, opsAt, putOp, type QueuedOp, queueIndex, rebaseSuccessor, requeue } from './queue'
import { QueueIndex } from './queue-index'
import { rebuildView, rebuildViews, storeServerRow, storeServerRows } from './replica'
import type { Json } from './storage/kv-store'

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
  onPhase?: (phase: { progress?: { current: number; total: number } }) => void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Where an adaptive batch size starts (the old fixed default). */
export const START_BATCH_SIZE = 10
/** The default ceiling of an adaptive batch size. */
export const DEFAULT_MAX_BATCH_SIZE = 200
/** A whole batch answered faster than this lets the next one be twice as large. */
export const FAST_ANSWER_MS = 1000
/** An answer slower than this halves the next batch. */
export const SLOW_ANSWER_MS = 4000

/**
 * How many operations go in the next push. Fixed when the user set
 * `batchSize` (halved only on 413, as the server refuses bodies over 4 MiB).
 * Otherwise it adapts, like TCP's slow start: it starts at 10 and doubles,
 * up to `maxBatchSize` (200 by default, never above the server's 500),
 * while full batches are answered whole within a second; it halves (not
 * below 10) when an answer is slow, needed retries, or came back partial
 * (the server stopped on a transient error), and on 413 halves down to 1
 * and stays at most there for the rest of the sync.
 */
export class BatchSizer {
  private current: number
  private ceiling: number
  private readonly floor: number

  constructor(
    private readonly fixed: number | undefined,
    max: number = DEFAULT_MAX_BATCH_SIZE,
  ) {
    const cap = Math.max(1, Math.min(Math.floor(max), MAX_BATCH_OPERATIONS))
    this.ceiling = fixed === undefined ? cap : Math.max(1, Math.min(Math.floor(fixed), MAX_BATCH_OPERATIONS))
    this.floor = Math.min(START_BATCH_SIZE, this.ceiling)
    this.current = fixed === undefined ? this.floor : this.ceiling
  }

  get size(): number {
    return this.current
  }

  /** The server refused the batch as too large (413). False if it cannot get smaller. */
  tooLarge(): boolean {
    if (this.current <= 1) return false
    this.current = Math.max(1, Math.floor(this.current / 2))
    this.ceiling = this.current
    return true
  }

  /**
   * A batch of `sent` operations was answered (HTTP 200) in `ms` (the last
   * attempt), after `attempts` tries; `whole` is false if results are missing.
   */
  answered(sent: number, ms: number, attempts: number, whole: boolean): void {
    if (this.fixed !== undefined) return
    if (attempts > 1 || !whole || ms > SLOW_ANSWER_MS) {
      this.current = Math.max(this.floor, Math.floor(this.current / 2))
    } else if (ms < FAST_ANSWER_MS && sent >= this.current) {
      this.current = Math.min(this.ceiling, this.current * 2)
    }
  }
}

/**
 * The next batch: pending operations in seq order, stopping before a second
 * operation on the same row. The rule over the whole queue; the engine asks
 * `QueueIndex.nextBatch`, which makes the same choice (tested against this).
 */
export function nextBatch(ops: QueuedOp[], userId: string, size: number): QueuedOp[] {
  const waiting = new Set<string>()
  const inBatch = new Set<string>()
  const batch: QueuedOp[] = []
  for (const op of ops) {
    if (op.user_id !== userId) continue
    const row = `${op.entity_type}/${op.entity_id}`
    if (op.status !== 'pending') {
      waiting.add(row) // later changes of this row wait until a person settles this one
      continue
    }
    if (waiting.has(row)) continue
    if (inBatch.has(row) || batch.length >= size) break
    inBatch.add(row)
    batch.push(op)
  }
  return batch
}

export type Settlement = 'success' | 'conflict' | 'failed' | 'requeued'

/** Applies one server result to the queue and replica. */
export async function settle(tx: LocalTx, op: QueuedOp, result: OperationResult): Promise<Settlement> {
  const status = result.status === 'duplicate' ? (result.original_status ?? 'success') : result.status
  let outcome: Settlement
  if (status === 'success' || status === 'resolved') {
    deleteOp(tx, op)
    if (result.data) await storeServerRow(tx, op.entity_type, result.data)
    await rebaseSuccessor(tx, op, result.version)
    outcome = 'success'
  } else if (status === 'conflict') {
    putOp(tx, { ...op, status: 'conflict', recorded: true, attempts: op.attempts + 1, conflict: result.conflict })
    if (result.conflict?.server) await storeServerRow(tx, op.entity_type, result.conflict.server)
    outcome = 'conflict'
  } else if (result.error?.code === 'OUT_OF_ORDER' && !op.recorded) {
    // Provably not applied (the ledger had no such local_id): send it again under a new identity.
    await requeue(tx, { ...op, recorded: true })
    outcome = 'requeued'
  } else {
    const error = result.error
      ? { code: result.error.code, message: result.error.message }
      : { code: 'FAILED', message: 'failed' }
    putOp(tx, { ...op, status: 'failed', recorded: true, attempts: op.attempts + 1, error })
    outcome = 'failed'
  }
  await rebuildView(tx, op.entity_type, op.entity_id, op.user_id)
  return outcome
}

export class SyncEngine {
  private running: Promise<SyncSummary> | undefined

  constructor(private readonly deps: EngineDeps) {}

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

  private retry<T>(fn: () => Promise<T>): Promise<T> {
    const { maxRetries, retryDelayMs } = this.deps.config
    return pRetry(fn, {
      retries: maxRetries,
      factor: 2,
      minTimeout: retryDelayMs,
      maxTimeout: 30_000,
      randomize: true,
      shouldRetry: (err) => err instanceof ApiError && err.transient,
      onFailedAttempt: async (err) => {
        const retryAfter = (err as unknown as ApiError).retryAfterMs
        if (retryAfter && err.retriesLeft > 0) await sleep(Math.min(retryAfter, 60_000))
      },
    })
  }

  private async run(cb: SyncCallbacks): Promise<SyncSummary> {
    const summary: SyncSummary = { successful: 0, failed: 0, conflicts: 0, pulled: 0 }
    try {
      await this.pushAll(summary, cb)
      summary.pulled = await this.pullAll()
      await this.deps.db.write(async (tx) => tx.put(META.lastSyncAt, new Date().toISOString()))
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
    await this.requeueTransientFailures(userId)
    const total = await this.pendingCount(userId)
    let done = 0
    const sizer = new BatchSizer(this.deps.config.batchSize, this.deps.config.maxBatchSize)
    const report = () => {
      cb.onProgress?.(Math.min(done, total), total)
      this.deps.onPhase?.({ progress: { current: Math.min(done, total), total } })
    }
    report()
    for (;;) {
      const batch = await this.nextOps(userId, sizer.size)
      if (batch.length === 0) return
      let response: Awaited<ReturnType<ApiClient['push']>>
      let attempts = 0
      let ms = 0
      try {
        response = await this.retry(async () => {
          attempts += 1
          const started = Date.now()
          const answer = await api.push({
            device_id: this.deps.deviceId(),
            operations: batch.map((op) => ({
              local_id: op.local_id,
              seq: op.seq,
              entity_type: op.entity_type,
              entity_id: op.entity_id,
              operation_type: op.operation_type,
              ...(op.base_version === null ? {} : { base_version: op.base_version }),
              payload: op.payload,
              client_timestamp: op.client_timestamp,
            })),
          })
          ms = Date.now() - started
          return answer
        })
      } catch (err) {
        if (err instanceof ApiError && err.status === 413 && sizer.tooLarge()) continue
        if (err instanceof ApiError && !err.offline && err.status !== 401) {
          await this.markUnsent(batch, err)
          summary.failed += batch.length
        }
        throw err
      }
      const byLocalId = new Map(batch.map((op) => [op.local_id, op]))
      const outcomes = await db.write(async (tx) => {
        // One read for the server rows the results replace (each settle reads its own).
        await tx.prefetch(batch.map((op) => serverKey(op.entity_type, op.entity_id)))
        const out: Settlement[] = []
        for (const result of response.results) {
          const op = byLocalId.get(result.local_id)
          if (op) out.push(await settle(tx, op, result))
        }
        return out
      })
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

  /** Pending operations of `userId` (from the queue index; the queue itself if the index is unsure). */
  private async pendingCount(userId: string): Promise<number> {
    const index = QueueIndex.of(this.deps.db)
    if (await index.ready()) return index.counts(userId).pending
    return (await this.deps.db.read(listOps)).filter((op) => op.user_id === userId && op.status === 'pending').length
  }

  /**
   * The next batch (see `nextBatch`). The queue index names its operations,
   * so only they are read; if storage disagrees with the index (another tab
   * changed the queue a moment ago), the index is dropped and the whole
   * queue is read this once.
   */
  private async nextOps(userId: string, size: number): Promise<QueuedOp[]> {
    const { db } = this.deps
    const index = QueueIndex.of(db)
    if (await index.ready()) {
      const seqs = index.nextBatch(userId, size)
      const ops = await db.read((tx) => opsAt(tx, seqs))
      const agrees =
        ops.length === seqs.length &&
        ops.every((op, i) => op.seq === seqs[i] && op.user_id === userId && op.status === 'pending')
      if (agrees) return ops
      index.invalidate()
    }
    return nextBatch(await db.read(listOps), userId, size)
  }

  /**
   * Operations that failed only because the server was unreachable or busy
   * (never recorded there) go out again on the next sync, under the same
   * identity; between syncs they stay visible as failed.
   */
  private async requeueTransientFailures(userId: string): Promise<void> {
    await this.deps.db.write(async (tx) => {
      const index = await queueIndex(tx)
      const candidates = index ? await opsAt(tx, index.parkedSeqs(userId)) : await listOps(tx)
      for (const op of candidates) {
        if (op.user_id === userId && op.status === 'failed' && op.error?.transient && !op.recorded) {
          await requeue(tx, op)
          await rebuildView(tx, op.entity_type, op.entity_id, op.user_id)
        }
      }
    })
  }

  /** After retries ran out, the batch shows as failed (transient): retry keeps its identity. */
  private async markUnsent(batch: QueuedOp[], err: ApiError): Promise<void> {
    await this.deps.db.write(async (tx) => {
      for (const op of batch) {
        putOp(tx, {
          ...op,
          status: 'failed',
          attempts: op.attempts + 1,
          error: {
            code: err.code,
            message: err.message,
            transient: err.transient,
            details: (err.details ?? null) as Json,
          },
        })
        await rebuildView(tx, op.entity_type, op.entity_id, op.user_id)
      }
    })
  }

  private async pullAll(): Promise<number> {
    const { db, api } = this.deps
    const userId = this.deps.userId()
    let pulled = 0
    const fetch = (cursor: string | undefined) => {
      const answer = this.retry(() => api.pull(cursor, this.deps.config.pullLimit))
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
        const stored = await storeServerRows(
          tx,
          page.changes.map((change) => ({
            type: change.entity_type as QueuedOp['entity_type'],
            id: change.entity_id,
            row: change.data,
          })),
        )
        await rebuildViews(tx, stored, userId)
        tx.put(META.cursor, page.cursor)
      })
      pulled += page.changes.length
      if (!page.has_more) return pulled
    }
  }
}
