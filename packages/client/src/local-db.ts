/**
 * Transactions on top of a KVStore: one writer at a time, reads see the
 * transaction's own writes, and everything commits in one atomic batch.
 * After a commit, listeners hear which key prefixes changed (live queries),
 * and commit observers get the written values (derived in-memory indexes,
 * such as the queue index, keep in step through them).
 */
import type { Json, KVStore } from './storage/kv-store'
import { SortedKeys } from './storage/sorted-keys'
import { Subscribable } from './subscribable'

/** The keys a transaction wrote, with their new values (undefined: deleted). */
export type Writes = ReadonlyMap<string, Json | undefined>

/** Hears what a LocalDb commits. Must not throw and must not write. */
export interface CommitObserver {
  /** A commit of this LocalDb was applied (called before its change listeners run). */
  committed(writes: Writes): void
  /** A commit failed: what the store holds now is not known for sure. */
  failed(): void
  /** Another tab changed these keys in the shared store. */
  foreign(keys: string[]): void
}

/** The first path segment of a key (`'row/'` for `'row/supplier/1'`), or undefined if it has no `/`. */
function segmentOf(key: string): string | undefined {
  const i = key.indexOf('/')
  return i < 0 ? undefined : key.slice(0, i + 1)
}

/** A read-write transaction. Values are plain JSON. */
export class LocalTx {
  private readonly writes = new Map<string, Json | undefined>()
  /** Values read ahead by `prefetch`, each handed out by one `get`. */
  private readonly prefetched = new Map<string, Json | undefined>()
  /** First path segments written (a quick "no write under this prefix"). */
  private readonly segments = new Set<string>()
  /** The written keys in order, made at the first scan that needs them, then kept up to date. */
  private sorted: SortedKeys | undefined

  constructor(
    private readonly store: KVStore,
    /** The database this transaction belongs to (its derived indexes describe committed data). */
    readonly db?: LocalDb,
  ) {}

  async get<T = Json>(key: string): Promise<T | undefined> {
    if (this.writes.has(key)) return this.writes.get(key) as T | undefined
    if (this.prefetched.has(key)) {
      const value = this.prefetched.get(key)
      this.prefetched.delete(key) // handed out once: a second read gets its own copy, as from the store
      return value as T | undefined
    }
    return (await this.store.get(key)) as T | undefined
  }

  /**
   * Reads `keys` in one store call so that the `get`s that follow (one each)
   * need none: for loops in a write transaction that would otherwise read
   * one key per step (nothing else commits while the writer holds its turn).
   */
  async prefetch(keys: string[]): Promise<void> {
    const missing = [...new Set(keys.filter((k) => !this.writes.has(k) && !this.prefetched.has(k)))]
    if (missing.length === 0) return
    const values = await this.store.getMany(missing)
    for (let i = 0; i < missing.length; i++) this.prefetched.set(missing[i], values[i])
  }

  /** Values at `keys`, in order, with this transaction's writes applied: one store read for the rest. */
  async getMany<T = Json>(keys: string[]): Promise<Array<T | undefined>> {
    const missing = keys.filter((k) => !this.writes.has(k))
    const found = new Map<string, Json | undefined>()
    if (missing.length > 0) {
      const values = await this.store.getMany(missing)
      for (let i = 0; i < missing.length; i++) found.set(missing[i], values[i])
    }
    return keys.map((k) => (this.writes.has(k) ? this.writes.get(k) : found.get(k)) as T | undefined)
  }

  /** Entries under `prefix` in key order, with this transaction's writes applied. */
  async scan<T = Json>(prefix: string): Promise<Array<[string, T]>> {
    const stored = await this.store.scan(prefix)
    const own = this.writesUnder(prefix)
    if (own.length === 0) return stored as Array<[string, T]>
    const out: Array<[string, Json]> = []
    let i = 0
    for (const [key, value] of own) {
      while (i < stored.length && stored[i][0] < key) out.push(stored[i++])
      if (i < stored.length && stored[i][0] === key) i++
      if (value !== undefined) out.push([key, value])
    }
    while (i < stored.length) out.push(stored[i++])
    return out as Array<[string, T]>
  }

  /** This transaction's writes under `prefix`, in key order (undefined: deleted). */
  writesUnder(prefix: string): Array<[string, Json | undefined]> {
    if (!this.mayHaveWritesUnder(prefix)) return []
    this.sorted ??= new SortedKeys(this.writes.keys())
    return this.sorted.withPrefix(prefix).map((k): [string, Json | undefined] => [k, this.writes.get(k)])
  }

  /** True if this transaction wrote (or deleted) a key under `prefix`. */
  hasWritesUnder(prefix: string): boolean {
    if (!this.mayHaveWritesUnder(prefix)) return false
    this.sorted ??= new SortedKeys(this.writes.keys())
    return this.sorted.hasPrefix(prefix)
  }

  private mayHaveWritesUnder(prefix: string): boolean {
    if (this.writes.size === 0) return false
    const segment = segmentOf(prefix)
    return segment === undefined || this.segments.has(segment)
  }

  put(key: string, value: Json): void {
    this.record(key)
    this.writes.set(key, value)
  }

  del(key: string): void {
    this.record(key)
    this.writes.set(key, undefined)
  }

  private record(key: string) {
    if (this.writes.has(key)) return
    this.segments.add(segmentOf(key) ?? key)
    this.sorted?.add(key)
  }

  /** Keys written so far. */
  changedKeys(): string[] {
    return [...this.writes.keys()]
  }

  /** What this transaction wrote so far. */
  get written(): Writes {
    return this.writes
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
  private readonly observers = new Set<CommitObserver>()
  private commitsStarted = 0
  private commitsEnded = 0

  constructor(
    readonly store: KVStore,
    private readonly opts: LocalDbOptions = {},
  ) {
    super()
    if (opts.channel) {
      opts.channel.onmessage = (event) => {
        for (const o of this.observers) o.foreign(event.data)
        this.emit(event.data)
      }
    }
  }

  /**
   * Changes whenever a commit of this LocalDb starts or ends. A reader that
   * saw the same mark before and after reading the store, with no commit
   * under way (`committing`), read what the observers have seen so far.
   */
  get commitMark(): number {
    return this.commitsStarted + this.commitsEnded
  }

  /** True while a commit of this LocalDb is under way. */
  get committing(): boolean {
    return this.commitsStarted !== this.commitsEnded
  }

  /** Registers a commit observer; returns the function that removes it. */
  observe(observer: CommitObserver): () => void {
    this.observers.add(observer)
    return () => {
      this.observers.delete(observer)
    }
  }

  /** Runs `fn` alone; its writes commit atomically when it returns, or not at all if it throws. */
  write<T>(fn: (tx: LocalTx) => Promise<T>): Promise<T> {
    const once = async () => {
      const tx = new LocalTx(this.store, this)
      const result = await fn(tx)
      const writes = tx.written
      if (writes.size > 0) {
        this.commitsStarted += 1
        try {
          await tx.commit()
        } catch (err) {
          this.commitsEnded += 1
          for (const o of this.observers) o.failed()
          throw err
        }
        this.commitsEnded += 1
        for (const o of this.observers) o.committed(writes)
      }
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
    return fn(new LocalTx(this.store, this))
  }

  close(): Promise<void> {
    this.opts.channel?.close()
    return this.tail.then(() => this.store.close())
  }
}
