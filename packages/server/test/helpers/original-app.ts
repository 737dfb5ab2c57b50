/**
 * The original TrackVault mobile app's requests, built as that app builds them (its
 * `utils/offlineStorage.ts`, `utils/syncManager.ts`, `api/*.ts` and `contexts/AuthContext.tsx`):
 * axios with a JSON body (and no Content-Type on a request without one), sign-in without a
 * device id, one queue per phone with `local_<ms>_<random>` local ids, the device id and local id
 * copied into `data` of creates and updates, `data.id` and `data.version` naming the row, batches
 * of 10, and its handling of each result: `success`/`duplicate`/`conflict`/`not_found` leave the
 * queue, `error` is retried up to three times and then dropped.
 */
import { randomBytes } from 'node:crypto'

export interface QueuedOperation {
  id: string
  local_id: string
  type: 'create' | 'update' | 'delete'
  entity: 'supplier' | 'product' | 'collection' | 'payment' | 'product_rate'
  data: Record<string, unknown>
  timestamp: string
  retryCount: number
}

export interface AppReply {
  status: number
  data: any
}

const MAX_RETRY_COUNT = 3
const BATCH_SIZE = 10

const random9 = () => randomBytes(8).toString('hex').slice(0, 9)

export class OriginalApp {
  token: string | undefined
  /** The phone's queue: one per phone, whoever is signed in. */
  queue: QueuedOperation[] = []

  constructor(
    readonly baseUrl: string,
    readonly deviceId = `device_${Date.now()}_${random9()}`,
  ) {}

  /** An axios-like request: a JSON body sets Content-Type; without a body there is none. */
  async request(method: string, path: string, data?: unknown): Promise<AppReply> {
    const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    if (data !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${this.baseUrl}/api${path}`, {
      method,
      headers,
      body: data === undefined ? undefined : JSON.stringify(data),
    })
    const text = await res.text()
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, data: body }
  }

  async login(email: string, password: string) {
    const res = await this.request('POST', '/auth/login', { email, password })
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.data)}`)
    this.token = res.data.token
    return res.data as { token: string; user: Record<string, unknown> }
  }

  /** AuthContext.checkAuth: the body of /auth/me is the user. */
  async getMe() {
    return this.request('GET', '/auth/me')
  }

  async logout() {
    await this.request('POST', '/auth/logout')
    this.token = undefined
  }

  /** offlineStorage.addToSyncQueue */
  enqueue(type: QueuedOperation['type'], entity: QueuedOperation['entity'], data: Record<string, unknown>) {
    const localId = `local_${Date.now()}_${random9()}`
    const op: QueuedOperation = {
      id: `${Date.now()}_${random9()}`,
      local_id: localId,
      type,
      entity,
      data: type === 'delete' ? data : { ...data, device_id: this.deviceId, local_id: localId },
      timestamp: new Date().toISOString(),
      retryCount: 0,
    }
    this.queue.push(op)
    return op
  }

  /** syncManager.syncOfflineOperations; returns each operation's last result by local_id. */
  async sync() {
    const seen = new Map<string, Record<string, any>>()
    let successful = 0
    let failed = 0
    let conflicts = 0
    const exceeded = this.queue.filter((op) => op.retryCount >= MAX_RETRY_COUNT)
    this.queue = this.queue.filter((op) => op.retryCount < MAX_RETRY_COUNT)
    failed += exceeded.length
    const valid = [...this.queue]
    for (let i = 0; i < valid.length; i += BATCH_SIZE) {
      const batch = valid.slice(i, i + BATCH_SIZE)
      const res = await this.request('POST', '/sync', {
        device_id: this.deviceId,
        operations: batch.map((op) => ({
          local_id: op.local_id || op.id,
          entity: op.entity,
          operation: op.type,
          data: op.data,
          timestamp: op.timestamp,
        })),
      })
      const results = new Map<string, Record<string, any>>()
      if (res.status === 200) for (const r of res.data.results ?? []) results.set(r.local_id, r)
      for (const op of batch) {
        const result = results.get(op.local_id)
        if (result) seen.set(op.local_id, result)
        switch (result?.status) {
          case 'success':
          case 'duplicate':
            this.remove(op)
            successful++
            break
          case 'conflict':
            this.remove(op)
            conflicts++
            break
          case 'not_found':
            this.remove(op)
            failed++
            break
          default:
            op.retryCount++
            failed++
        }
      }
    }
    return { successful, failed, conflicts, results: seen }
  }

  private remove(op: QueuedOperation) {
    this.queue = this.queue.filter((q) => q.id !== op.id)
  }
}
