/**
 * Who this device is and who is signed in on it, both kept in storage so a
 * restart resumes offline. Signing in as another user on a shared phone
 * clears the previous user's replica (never anyone's queued work). A user
 * who signed in online here once can sign in again without signal
 * (offline-unlock.ts: a password verifier per user, wrong guesses throttled).
 */
import { AppError, newId, type User } from '@trackvault/core'
import type { Writer } from './entities'
import { type ApiClient, ApiError, type Session } from './http'
import { META, SERVER_PREFIX, UNLOCK_PREFIX, unlockKey, VIEW_PREFIX } from './keys'
import type { LocalDb, LocalTx } from './local-db'
import { checkVerifier, lockoutMs, makeVerifier, normaliseEmail, type UnlockRecord } from './offline-unlock'
import { listOps } from './queue'
import { rebuildView } from './replica'

/**
 * A device id: `device_{timestamp}_{random}` (the shape the original app
 * and DESIGN use). The random part is the last 10 hex digits of core's
 * `newId()`, which come from the platform's crypto random source, so two
 * devices made in the same millisecond still differ.
 */
export function makeDeviceId(): string {
  return `device_${Date.now()}_${newId().slice(-10)}`
}

export class DeviceSession {
  private deviceId = ''
  private session: Session | undefined

  constructor(
    private readonly db: LocalDb,
    private readonly api: ApiClient,
    private readonly opts: { offlineUnlock: boolean } = { offlineUnlock: true },
  ) {}

  /** Reads the device id (made on first start) and the session; returns when the last sync finished. */
  async load(): Promise<{ lastSyncAt: string | null }> {
    return this.db.write(async (tx) => {
      this.deviceId = (await tx.get<string>(META.deviceId)) ?? makeDeviceId()
      tx.put(META.deviceId, this.deviceId)
      this.session = await tx.get<Session>(META.session)
      this.api.token = this.session?.token || undefined // an offline sign-in may have none
      return { lastSyncAt: (await tx.get<string>(META.lastSyncAt)) ?? null }
    })
  }

  /** This device's id, made once and kept in storage. */
  get device(): string {
    return this.deviceId
  }

  /** The signed-in user, if any. */
  get user(): User | undefined {
    return this.session?.user
  }

  /** Who writes now; local writes need a signed-in user. */
  writer(): Writer {
    if (!this.session) throw new AppError('UNAUTHENTICATED', 'Sign in first')
    return {
      id: this.session.user.id,
      role: this.session.user.role,
      receiptPrefix: this.session.receipt_prefix ?? null,
    }
  }

  /**
   * Signs in on this device (online); another user's data on a shared phone is cleared (their queue
   * is kept). The password is also turned into this user's offline verifier (offline-unlock.ts).
   */
  async login(email: string, password: string): Promise<User> {
    const session = await this.api.login(email, password, this.deviceId)
    // No WebCrypto (or turned off): no offline sign-in.
    const verifier = this.opts.offlineUnlock ? await makeVerifier(password).catch(() => undefined) : undefined
    const leftBehind = await this.db.write(async (tx) => {
      const previous = await tx.get<UnlockRecord>(unlockKey(session.user.id))
      if (verifier) {
        const { token: _token, expires_at: _expires, ...kept } = session
        const record: UnlockRecord = {
          email: normaliseEmail(session.user.email),
          session: kept,
          verifier,
          failures: 0,
          lockedUntil: 0,
        }
        tx.put(unlockKey(session.user.id), record as never)
      } else if (previous) {
        tx.del(unlockKey(session.user.id)) // an old verifier would outlive a changed password
      }
      await this.switchTo(tx, session)
      return previous?.parked?.token
    })
    // A session that signing out offline left valid and that no offline sign-in resumed: revoke it (best effort).
    if (leftBehind && leftBehind !== session.token) void this.api.logout(leftBehind).catch(() => {})
    return session.user
  }

  /**
   * Signs in without the server, with the password of this user's last
   * online sign-in on this device (checked against the stored verifier,
   * wrong guesses throttled). Resumes the session signing out could not
   * revoke, if any; else the session has no token and the first sync asks
   * for the password again (401). Refusals: `OFFLINE_UNLOCK_UNAVAILABLE`,
   * `INVALID_CREDENTIALS` (401), `RATE_LIMITED` (429, `retryAfterMs`).
   */
  async unlockOffline(email: string, password: string, now = Date.now()): Promise<User> {
    const wanted = normaliseEmail(email)
    // Counted before the hash runs: guesses made at once (two tabs) are each counted.
    const attempt = await this.db.write(async (tx) => {
      const found = (await tx.scan<UnlockRecord>(UNLOCK_PREFIX)).find(([, r]) => r.email === wanted)
      if (!found) return undefined
      const [key, record] = found
      // Capped by the throttle's own wait: a clock set back cannot lock the user out for longer.
      const waitMs = Math.min(record.lockedUntil - now, lockoutMs(record.failures))
      if (waitMs > 0) return { key, record, waitMs }
      const failures = record.failures + 1
      const counted: UnlockRecord = { ...record, failures, lockedUntil: now + lockoutMs(failures) }
      tx.put(key, counted as never)
      return { key, record: counted, waitMs: 0 }
    })
    if (!attempt) {
      throw new ApiError(
        0,
        'OFFLINE_UNLOCK_UNAVAILABLE',
        'Signing in without signal needs one online sign-in with this account on this device first.',
      )
    }
    if (attempt.waitMs > 0) throw throttled(attempt.waitMs, 'Too many wrong passwords.')
    if (!(await checkVerifier(attempt.record.verifier, password))) {
      const waitMs = lockoutMs(attempt.record.failures)
      if (waitMs > 0) throw throttled(waitMs, 'Wrong password.')
      throw new ApiError(401, 'INVALID_CREDENTIALS', 'Wrong email or password')
    }
    const { parked } = attempt.record
    const session: Session = {
      ...attempt.record.session,
      token: parked?.token ?? '',
      expires_at: parked?.expires_at ?? '',
    }
    await this.db.write(async (tx) => {
      const current = await tx.get<UnlockRecord>(attempt.key)
      if (current) tx.put(attempt.key, { ...current, parked: undefined, failures: 0, lockedUntil: 0 } as never)
      await this.switchTo(tx, session)
    })
    return session.user
  }

  /** Whether the signed-in user (or `userId`) can sign in again on this device without signal. */
  async canUnlockOffline(userId = this.session?.user.id): Promise<boolean> {
    if (!userId) return false
    return (await this.db.read((tx) => tx.get(unlockKey(userId)))) !== undefined
  }

  /**
   * Signs out here and on the server (if it answers); the queue stays for
   * its user. A token the server could not revoke (no signal) is kept with
   * the user's offline verifier, for an offline sign-in to resume.
   */
  async logout(): Promise<void> {
    const session = this.session
    // Offline or expired: signing out on the device must not need the server.
    const revoked = await this.api.logout().then(
      () => true,
      (err) => err instanceof ApiError && err.status === 401,
    )
    this.session = undefined
    this.api.token = undefined
    await this.db.write(async (tx) => {
      tx.del(META.session)
      if (!session) return
      const record = await tx.get<UnlockRecord>(unlockKey(session.user.id))
      if (!record) return
      const parked = !revoked && session.token ? { token: session.token, expires_at: session.expires_at } : undefined
      tx.put(unlockKey(session.user.id), { ...record, parked } as never)
    })
  }

  /** Makes `session` the signed-in one; a replica of another user is cleared, and the new user's own queued changes shown again. */
  private async switchTo(tx: LocalTx, session: Session): Promise<void> {
    this.session = session
    this.api.token = session.token || undefined
    tx.put(META.session, session as never)
    const owner = await tx.get<string>(META.replicaUser)
    if (owner === session.user.id) return
    for (const [k] of [...(await tx.scan(SERVER_PREFIX)), ...(await tx.scan(VIEW_PREFIX))]) tx.del(k)
    tx.del(META.cursor)
    tx.put(META.replicaUser, session.user.id)
    // Their own unsynced changes are shown again at once (the server's rows come with the next pull).
    for (const op of await listOps(tx)) {
      if (op.user_id === session.user.id) await rebuildView(tx, op.entity_type, op.entity_id, op.user_id)
    }
  }
}

function throttled(waitMs: number, why: string): ApiError {
  const seconds = Math.ceil(waitMs / 1000)
  return new ApiError(429, 'RATE_LIMITED', `${why} Wait ${seconds} s before trying again.`, waitMs, {
    retry_after_seconds: seconds,
  })
}
