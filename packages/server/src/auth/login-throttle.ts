/**
 * Slows down password guessing without locking the real owner out.
 *
 * Failures are counted under two keys, as django-axes (username + address)
 * and OWASP's guidance do:
 * - (account, address): `freeAttempts` failures, then every further attempt
 *   from that address on that account must wait twice as long as the last
 *   (`baseDelayMs` doubling, up to `maxDelayMs`). The owner signing in from
 *   another address is not affected: nobody can lock an account (an admin's
 *   included) by guessing its password from elsewhere.
 * - address: `addressFreeAttempts` failures on any accounts (made-up emails
 *   included), then the same doubling wait. It stops one address spraying
 *   many accounts; it is higher than the per-account allowance so that users
 *   who share an address (an office, a NAT) are not slowed by a few typos.
 *
 * An attempt reserves its failure BEFORE the password hash runs (`attempt`
 * is synchronous, so concurrent guesses are each counted: of 40 guesses sent
 * at once, `freeAttempts` are evaluated, the rest wait). A success refunds
 * the reservation and clears only the (account, address) key: a guesser's
 * own good sign-in does not reset the address count. Records are forgotten
 * `forgetAfterMs` after their last failure.
 *
 * In memory, per server process: a restart forgives (acceptable for a slow
 * down, which is not a lockout), and N processes behind a load balancer
 * allow N times the attempts. The address is `request.ip`, which is the
 * client's only behind a proxy the server is configured to trust
 * (TRACKVAULT_TRUST_PROXY); otherwise X-Forwarded-For is ignored.
 */
export interface ThrottleOptions {
  freeAttempts?: number
  addressFreeAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  forgetAfterMs?: number
  /** Most records kept; the oldest are dropped beyond it (memory bound under a flood). */
  maxEntries?: number
}

interface Entry {
  failures: number
  blockedUntil: number
  lastAt: number
}

/** A reserved attempt: tell the throttle how it ended. A failure needs no call (it was counted up front). */
export interface Attempt {
  /** The password was right and the account active: clears (account, address), refunds the address. */
  succeeded(): void
  /** The attempt could not be evaluated (the database failed): refunds both reservations. */
  cancelled(): void
}

export type AttemptResult = ({ ok: true } & Attempt) | { ok: false; waitMs: number }

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>()
  private readonly free: number
  private readonly addressFree: number
  private readonly base: number
  private readonly max: number
  private readonly forget: number
  private readonly maxEntries: number

  constructor(opts: ThrottleOptions = {}) {
    this.free = opts.freeAttempts ?? 5
    this.addressFree = opts.addressFreeAttempts ?? 30
    this.base = opts.baseDelayMs ?? 1000
    this.max = opts.maxDelayMs ?? 15 * 60 * 1000
    this.forget = Math.max(opts.forgetAfterMs ?? 60 * 60 * 1000, this.max)
    this.maxEntries = opts.maxEntries ?? 100_000
  }

  /**
   * Reserves one attempt of `account` from `address`, or says how long to
   * wait. Synchronous on purpose: the check and the count are one step.
   */
  attempt(account: string, address: string, now = Date.now()): AttemptResult {
    const keys: Array<[string, number]> = [
      [`acct:${address}\n${account}`, this.free],
      [`addr:${address}`, this.addressFree],
    ]
    let wait = 0
    for (const [key] of keys) wait = Math.max(wait, (this.live(key, now)?.blockedUntil ?? 0) - now)
    if (wait > 0) return { ok: false, waitMs: wait }
    for (const [key, free] of keys) {
      const e = this.live(key, now) ?? { failures: 0, blockedUntil: 0, lastAt: now }
      e.failures += 1
      e.lastAt = now
      if (e.failures >= free) e.blockedUntil = now + Math.min(this.max, this.base * 2 ** (e.failures - free))
      this.entries.delete(key) // re-inserted last: the map stays in order of last failure
      this.entries.set(key, e)
    }
    if (this.entries.size > this.maxEntries) this.prune(now)
    const [[accountKey], [addressKey, addressFree]] = keys
    const refund = (key: string, free: number) => {
      const e = this.entries.get(key)
      if (!e) return
      e.failures = Math.max(0, e.failures - 1)
      if (e.failures < free) e.blockedUntil = 0
    }
    return {
      ok: true,
      succeeded: () => {
        this.entries.delete(accountKey)
        refund(addressKey, addressFree)
      },
      cancelled: () => {
        refund(accountKey, this.free)
        refund(addressKey, addressFree)
      },
    }
  }

  /** The record under `key`, unless it is old enough to be forgotten. */
  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key)
    if (e && now - e.lastAt > this.forget) {
      this.entries.delete(key)
      return undefined
    }
    return e
  }

  private prune(now: number) {
    for (const [k, e] of this.entries) if (now - e.lastAt > this.forget) this.entries.delete(k)
    // Still too many (a flood from many addresses): drop the records whose last failure is oldest.
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break
      this.entries.delete(k)
    }
  }
}
