/**
 * Who this device is and who is signed in on it, both kept in storage so a
 * restart resumes offline. Signing in as another user on a shared phone
 * clears the previous user's replica (never anyone's queued work).
 */
import { AppError, newId, type User } from '@trackvault/core'
import type { Writer } from './entities'
import type { ApiClient, Session } from './http'
import { META, SERVER_PREFIX, VIEW_PREFIX } from './keys'
import type { LocalDb } from './local-db'
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
  ) {}

  /** Reads the device id (made on first start) and the session; returns when the last sync finished. */
  async load(): Promise<{ lastSyncAt: string | null }> {
    return this.db.write(async (tx) => {
      this.deviceId = (await tx.get<string>(META.deviceId)) ?? makeDeviceId()
      tx.put(META.deviceId, this.deviceId)
      this.session = await tx.get<Session>(META.session)
      this.api.token = this.session?.token
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

  /** Signs in on this device; another user's data on a shared phone is cleared (their queue is kept). */
  async login(email: string, password: string): Promise<User> {
    const session = await this.api.login(email, password, this.deviceId)
    this.session = session
    this.api.token = session.token
    await this.db.write(async (tx) => {
      tx.put(META.session, session as never)
      const owner = await tx.get<string>(META.replicaUser)
      if (owner !== session.user.id) {
        for (const [k] of [...(await tx.scan(SERVER_PREFIX)), ...(await tx.scan(VIEW_PREFIX))]) tx.del(k)
        tx.del(META.cursor)
        tx.put(META.replicaUser, session.user.id)
        // Their own unsynced changes are shown again at once (the server's rows come with the next pull).
        for (const op of await listOps(tx)) {
          if (op.user_id === session.user.id) await rebuildView(tx, op.entity_type, op.entity_id, op.user_id)
        }
      }
    })
    return session.user
  }

  /** Signs out here and on the server (if it answers); the queue stays for its user. */
  async logout(): Promise<void> {
    await this.api.logout().catch(() => {}) // offline or expired: signing out on the device must not need the server
    this.session = undefined
    this.api.token = undefined
    await this.db.write(async (tx) => tx.del(META.session))
  }
}
