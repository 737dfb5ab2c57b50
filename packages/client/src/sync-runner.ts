/**
 * A sync as the app sees it: one tab at a time, the status before and
 * after (connection, last error, the online hint, the queue counts), and
 * the `onSync` listeners told once per finished sync. The engine does the
 * work; this keeps what screens read in step with it.
 */
import { ifLockFree } from './browser'
import type { ClientErrorCode } from './client-errors'
import { OP_PREFIX } from './keys'
import type { LocalDb } from './local-db'
import type { NetworkMonitor } from './network/network-monitor'
import type { Outbox } from './outbox'
import type { StatusStore } from './status'
import type { SyncCallbacks, SyncEngine, SyncSummary } from './sync-engine'

export interface SyncRunnerDeps {
  db: LocalDb
  engine: SyncEngine
  outbox: Outbox
  status: StatusStore
  network: NetworkMonitor
  userId: () => string | undefined
  /** The Web Lock only one tab's sync may hold. */
  lockName: string
}

const SKIPPED: SyncSummary = { successful: 0, failed: 0, conflicts: 0, pulled: 0, skipped: true }

export class SyncRunner {
  private readonly listeners = new Set<(summary: SyncSummary) => void>()
  private lastSummary: SyncSummary | undefined
  private countsTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly deps: SyncRunnerDeps) {
    // The counters follow every queue change, wherever it came from (a write, a sync, another tab).
    deps.db.subscribe((keys) => {
      if (keys.some((k) => k.startsWith(OP_PREFIX))) this.scheduleCounts()
    })
  }

  /** Runs (or joins) a sync and reflects it in the status; rejects only on a client-side failure. */
  async run(callbacks: SyncCallbacks): Promise<SyncSummary> {
    const { status, network, engine } = this.deps
    status.set({ syncing: true, connection: 'syncing' })
    let summary: SyncSummary
    try {
      // In a browser only one tab syncs at a time; the others see its work through the shared store.
      summary = (await ifLockFree(this.deps.lockName, () => engine.sync(callbacks))) ?? { ...SKIPPED }
    } catch (err) {
      // A bug or a storage failure, not a network answer: report it and leave a usable status.
      const message = err instanceof Error ? err.message : String(err)
      status.set({
        syncing: false,
        progress: null,
        connection: 'error',
        lastError: { code: 'CLIENT_ERROR' satisfies ClientErrorCode, message },
      })
      throw err
    }
    const err = summary.error
    const lastError = err ? { code: err.code, message: err.message } : null
    if (!err) {
      if (!summary.skipped) network.setOnline(true)
      const lastSyncAt = summary.skipped ? status.current.lastSyncAt : new Date().toISOString()
      status.set({ connection: 'idle', lastError, lastSyncAt })
    } else if (err.status === 401) {
      status.set({ connection: 'needs-auth', lastError })
    } else if (err.offline) {
      network.setOnline(false)
      status.set({ connection: 'offline', lastError })
    } else {
      status.set({ connection: 'error', lastError })
    }
    status.set({ syncing: false, progress: null, restore: null })
    await this.refreshCounts()
    if (summary !== this.lastSummary) {
      this.lastSummary = summary // callers that joined a running sync share its summary: tell listeners once
      for (const listener of this.listeners) {
        try {
          listener(summary)
        } catch {
          // a listener's bug must not fail the sync that already happened
        }
      }
    }
    return summary
  }

  /** Listens to every finished sync; returns the unsubscribe function. */
  onSync(listener: (summary: SyncSummary) => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Puts the signed-in user's queue counts into the status. */
  async refreshCounts(): Promise<void> {
    const counts = await this.deps.outbox.counts(this.deps.userId())
    this.deps.status.set({
      pending: counts.pending,
      conflicts: counts.conflict + counts.review_later,
      failed: counts.failed,
    })
  }

  /** Stops the pending counts refresh (the client is closing). */
  stop(): void {
    clearTimeout(this.countsTimer)
  }

  private scheduleCounts() {
    clearTimeout(this.countsTimer)
    this.countsTimer = setTimeout(() => void this.refreshCounts(), 0)
  }
}
