/**
 * What an app can set when it creates a client, with the defaults in one
 * place: storage, server, network detection, push and pull sizes, retries,
 * and the automatic triggers (triggers.ts).
 */
import type { FetchLike } from './http'
import { DEFAULT_JOURNAL_LIMITS } from './journal'
import type { NetworkMonitor } from './network/network-monitor'
import type { KVStore } from './storage/kv-store'
import type { EngineConfig } from './sync-engine'
import type { TriggerOptions } from './triggers'

export interface SyncClientOptions extends TriggerOptions {
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
  fetch?: FetchLike
  /**
   * Keep a password verifier at each online sign-in so the user can sign in again here without
   * signal (`unlockOffline`; default true). It costs a slow hash per sign-in: simulations and
   * benchmarks with many sign-ins may turn it off.
   */
  offlineUnlock?: boolean
  /**
   * The journal of settled operations, re-sent if the server is restored from a backup
   * (docs/sync-protocol.md, Epochs): kept `windowDays` (default 30), at most `maxEntries`
   * (default 20,000) and about `maxBytes` (default 8 MiB), the oldest dropped first.
   */
  journal?: { windowDays?: number; maxEntries?: number; maxBytes?: number }
}

/** The engine's settings from the options, defaults filled in. */
export function engineConfig(opts: SyncClientOptions): EngineConfig {
  return {
    batchSize: opts.batchSize,
    maxBatchSize: opts.maxBatchSize,
    maxRetries: opts.maxRetries ?? 3,
    retryDelayMs: opts.retryDelayMs ?? 1000,
    pullLimit: opts.pullLimit ?? 1000,
    journal: {
      windowMs: (opts.journal?.windowDays ?? 30) * 24 * 3600 * 1000,
      maxEntries: opts.journal?.maxEntries ?? DEFAULT_JOURNAL_LIMITS.maxEntries,
      maxBytes: opts.journal?.maxBytes ?? DEFAULT_JOURNAL_LIMITS.maxBytes,
    },
  }
}
