/**
 * Slows down password guessing: after `freeAttempts` failures for one email
 * (or one address), each further attempt must wait twice as long as the
 * last, up to `maxDelayMs`. A success clears the record. In memory: a
 * restart forgives, which is acceptable for a throttle (not a lockout).
 */
export interface ThrottleOptions {
  freeAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
}

interface Entry {
  failures: number
  blockedUntil: number
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>()
  private readonly free: number
  private readonly base: number
  private readonly max: number

  constructor(opts: ThrottleOptions = {}) {
    this.free = opts.freeAttempts ?? 5
    this.base = opts.baseDelayMs ?? 1000
    this.max = opts.maxDelayMs ?? 15 * 60 * 1000
  }

  /** Milliseconds the caller must still wait for any of `keys`; 0 if it may try now. */
  waitMs(keys: string[], now = Date.now()): number {
    let wait = 0
    for (const k of keys) wait = Math.max(wait, (this.entries.get(k)?.blockedUntil ?? 0) - now)
    return Math.max(0, wait)
  }

  failure(keys: string[], now = Date.now()): void {
    for (const k of keys) {
      const e = this.entries.get(k) ?? { failures: 0, blockedUntil: 0 }
      e.failures += 1
      if (e.failures >= this.free) {
        e.blockedUntil = now + Math.min(this.max, this.base * 2 ** (e.failures - this.free))
      }
      this.entries.set(k, e)
    }
    if (this.entries.size > 100_000) this.prune(now)
  }

  success(keys: string[]): void {
    for (const k of keys) this.entries.delete(k)
  }

  private prune(now: number) {
    for (const [k, e] of this.entries) if (e.blockedUntil < now - this.max) this.entries.delete(k)
  }
}
