/**
 * When a message that could not be sent is tried again: exponential backoff with jitter. The n-th
 * retry waits between half and all of `base x 2^(n-1)`, capped at `max` ("equal jitter": the wait
 * still grows with each try, but servers that failed together do not all come back at once). A
 * Retry-After from the provider is waited out when it is longer (up to the cap). Kept in the outbox
 * row (`next_attempt_at`), so retries survive a restart; p-retry and its kin retry in memory.
 */
export interface RetryPolicy {
  baseMs: number
  maxMs: number
  /** Tries (the first included) before a message is failed. */
  maxAttempts: number
}

/** The wait before the next try, after `attempts` tries failed (1 after the first). */
export function retryDelay(
  attempts: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30) // 2^30 x any base is over every cap
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent)
  const delay = Math.round(ceiling / 2 + random() * (ceiling / 2))
  return retryAfterMs === undefined ? delay : Math.max(delay, Math.min(retryAfterMs, policy.maxMs))
}
