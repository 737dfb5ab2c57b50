/**
 * The client's one backoff: every wait-and-try-again goes through p-retry
 * with exponential delays (TanStack Query's min(1000 * 2^n, 30 s) shape), so
 * the request retries of a sync and the live stream's reconnection follow
 * the same rule instead of a hand-written loop each.
 */
import pRetry from 'p-retry'
import { ApiError } from './http'

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The longest a Retry-After header makes a retry wait. */
const MAX_RETRY_AFTER_MS = 60_000

export interface RetryConfig {
  /** Retries after the first attempt. */
  maxRetries: number
  /** First delay; doubles each time, with jitter, up to 30 s. */
  retryDelayMs: number
}

/**
 * Runs `fn`, retrying only transient ApiErrors (no answer, 408, 429, 5xx):
 * anything else is an answer that will not change. A Retry-After from the
 * server adds its wait (capped at a minute) before the next attempt.
 *
 *   const page = await retryTransient(() => api.pull(cursor, 1000), { maxRetries: 3, retryDelayMs: 1000 })
 */
export function retryTransient<T>(fn: () => Promise<T>, config: RetryConfig): Promise<T> {
  return pRetry(fn, {
    retries: config.maxRetries,
    factor: 2,
    minTimeout: config.retryDelayMs,
    maxTimeout: 30_000,
    randomize: true,
    shouldRetry: (err) => err instanceof ApiError && err.transient,
    onFailedAttempt: async (err) => {
      const retryAfter = (err as unknown as ApiError).retryAfterMs
      if (retryAfter && err.retriesLeft > 0) await sleep(Math.min(retryAfter, MAX_RETRY_AFTER_MS))
    },
  })
}

/**
 * Runs `fn` until it succeeds or `signal` aborts, waiting `minDelayMs`, then
 * twice as long each time, up to `maxDelayMs` (no jitter: one stream per
 * device). Rejects when aborted, and on a bug (p-retry never retries a
 * TypeError other than a network failure).
 *
 *   const res = await retryUntilAborted(() => api.openEvents(signal), { minDelayMs: 500, maxDelayMs: 30_000, signal })
 */
export function retryUntilAborted<T>(
  fn: () => Promise<T>,
  opts: { minDelayMs: number; maxDelayMs: number; signal: AbortSignal },
): Promise<T> {
  return pRetry(fn, {
    forever: true,
    factor: 2,
    minTimeout: opts.minDelayMs,
    maxTimeout: opts.maxDelayMs,
    randomize: false,
    signal: opts.signal,
  })
}
