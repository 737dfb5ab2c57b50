/**
 * Transactions on top of a KVStore: one writer at a time, reads see the
 * transaction's own writes, and everything commits in one atomic batch.
 * After a commit, listeners hear which key prefixes changed (live queries).
 */
import type { Json, KVStore } from './storage/kv-store'
import { Subscribable } from './subscribable'

/** A read-write transaction. Values are plain JSON. */
export class LocalTx {
  private readonly writes = new Map<string, Json | undefined>()

  constructor(private readonly store: KVStore) {}

  async get<T = Json>(key: string): Promise<T | undefined> {
    if (this.writes.has(key)) return this.writes.get(key) as T | undefined
    return (await this.store.get(key)) as T | undefined
  }

  /** Entries under `prefix` in key order, with this transaction's writes applied. */
  async scan<T = Json>(prefix: string): Promise<Array<[string, T]>> {
    const merged = new Map<string, Json>(await this.store.scan(prefix))
    for (const [k, v] of this.writes) {
      if (!k.startsWith(prefix)) continue
      if (v === undefined) merged.delete(k)
      else merged.set(k, v)
    }
    return [...merged.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) as Array<[string, T]>
  }

  put(key: string, value: Json): void {
    this.writes.set(key, value)
  }

  del(key: string): void {
    this.writes.set(key, undefined)
  }

  /** Keys written so far. */
  changedKeys(): string[] {
    return [...this.writes.keys()]
  }

  async commit(): Promise<void> {
    if (this.writes.size === 0) return
    const put: Array<[string, Json]> = []
    const del: string[] = []
    for (const [k, v] of this.writes) {
      if (v === undefined) del.push(k)
      else put.push([k, v])
    }
    await this.store.commit({ put, del })
  }
}

type ChangeListener = (keys: string[]) => void

/** Runs `fn` while holding a lock shared by every tab of the app (Web Locks). */
export type CrossTabLock = <T>(fn: () => Promise<T>) => Promise<T>

export interface LocalDbOptions {
  /** Serialises writers across tabs sharing one store (browsers: Web Locks). */
  lock?: CrossTabLock
  /** Tells other tabs what changed, and hears what they changed (browsers: BroadcastChannel). */
  channel?: {
    postMessage(keys: string[]): void
    onmessage: ((event: { data: string[] }) => void) | null
    close(): void
  }
}

/** The device's database: serialised writers over one KVStore. */
export class LocalDb extends Subscribable<ChangeListener> {
  private tail: Promise<unknown> = Promise.resolve()

  constructor(
    readonly store: KVStore,
    private readonly opts: LocalDbOptions = {},
  ) {
    super()
    if (opts.channel) opts.channel.onmessage = (event) => this.emit(event.data)
  }

  /** Runs `fn` alone; its writes commit atomically when it returns, or not at all if it throws. */
  write<T>(fn: (tx: LocalTx) => Promise<T>): Promise<T> {
    const once = async () => {
      const tx = new LocalTx(this.store)
      const result = await fn(tx)
      await tx.commit()
      const keys = tx.changedKeys()
      if (keys.length > 0) {
        this.emit(keys)
        this.opts.channel?.postMessage(keys)
      }
      return result
    }
    const lock = this.opts.lock
    const run = this.tail.then(() => (lock ? lock(once) : once()))
    this.tail = run.catch(() => {})
    return run
  }

  /** Reads without taking the writer's turn (each adapter read sees committed data). */
  read<T>(fn: (tx: LocalTx) => Promise<T>): Promise<T> {
    return fn(new LocalTx(this.store))
  }

  close(): Promise<void> {
    this.opts.channel?.close()
    return this.tail.then(() => this.store.close())
  }
}
