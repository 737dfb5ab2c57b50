/**
 * An in-memory index of the durable queue (`op/<seq>` keys): for every
 * queued operation its user, status, row and local_id; per user the counts
 * by status, the pending seqs in order and the parked ones; per row its
 * seqs. It is derived data, never stored: built with one scan of the queue,
 * then kept in step with every commit of its LocalDb (a commit's own writes
 * say what changed, so no read is needed), and with the keys other tabs
 * report. Thanks to it the status counters, the next batch and a row's
 * operations cost O(what they return), not a read of the whole queue.
 *
 * Whenever it cannot be sure (a failed commit, a reload that kept racing
 * commits), it says so (`ready()` resolves false) and callers fall back to
 * reading the queue from storage, which is always right.
 */
import { OP_PREFIX } from './keys'
import type { CommitObserver, LocalDb, Writes } from './local-db'
import type { OpStatus, QueuedOp } from './queue'
import type { Json } from './storage/kv-store'

export type QueueCounts = Record<OpStatus, number>

interface OpMeta {
  seq: number
  user: string
  status: OpStatus
  row: string
  localId: string
}

interface UserQueue {
  counts: QueueCounts
  pending: SeqSet
  /** Seqs of operations that are not pending (conflict, failed, review later). */
  parked: Set<number>
}

const rowKey = (type: string, id: string) => `${type}/${id}`
const seqOfKey = (key: string) => Number(key.slice(OP_PREFIX.length))
const tick = () => new Promise((r) => setTimeout(r, 0))

/**
 * A set of seqs iterated in ascending order. Seqs are handed out in
 * increasing order and settle mostly from the front, so adding is usually a
 * push and deleting marks the seq dead (skipped, compacted away later).
 */
export class SeqSet {
  private arr: number[] = []
  private head = 0
  private readonly live = new Set<number>()

  get size(): number {
    return this.live.size
  }

  has(seq: number): boolean {
    return this.live.has(seq)
  }

  add(seq: number): void {
    if (this.live.has(seq)) return
    this.live.add(seq)
    const arr = this.arr
    if (this.head === arr.length) {
      this.arr = [seq]
      this.head = 0
      return
    }
    if (seq > arr[arr.length - 1]) {
      arr.push(seq)
      return
    }
    let lo = this.head
    let hi = arr.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (arr[mid] < seq) lo = mid + 1
      else hi = mid
    }
    if (arr[lo] !== seq) arr.splice(lo, 0, seq) // else a dead copy, alive again
  }

  delete(seq: number): void {
    if (!this.live.delete(seq)) return
    const arr = this.arr
    while (this.head < arr.length && !this.live.has(arr[this.head])) this.head += 1
    const span = arr.length - this.head
    if (span > 64 && span > 4 * this.live.size) {
      this.arr = arr.slice(this.head).filter((s) => this.live.has(s))
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > arr.length) {
      this.arr = arr.slice(this.head)
      this.head = 0
    }
  }

  /** Calls `fn` with each seq, ascending, until it returns false. */
  until(fn: (seq: number) => boolean): void {
    const arr = this.arr
    for (let i = this.head; i < arr.length; i++) {
      const seq = arr[i]
      if (this.live.has(seq) && fn(seq) === false) return
    }
  }
}

const emptyCounts = (): QueueCounts => ({ pending: 0, conflict: 0, failed: 0, review_later: 0 })

const indexes = new WeakMap<LocalDb, QueueIndex>()

export class QueueIndex implements CommitObserver {
  /** The index of `db`'s queue (made and attached on first use; loaded by `ready()`). */
  static of(db: LocalDb): QueueIndex {
    let index = indexes.get(db)
    if (!index) {
      index = new QueueIndex(db)
      indexes.set(db, index)
      db.observe(index)
    }
    return index
  }

  private loaded = false
  /** Keys other tabs changed since they were last read. */
  private readonly stale = new Set<string>()
  private work: Promise<boolean> | undefined
  private readonly ops = new Map<number, OpMeta>()
  private readonly byLocalId = new Map<string, number>()
  /** Seqs of each row's operations (every user's), ascending. */
  private readonly rows = new Map<string, number[]>()
  private readonly users = new Map<string, UserQueue>()

  private constructor(private readonly db: LocalDb) {}

  /**
   * Loads the index, or catches up with other tabs' changes, if needed.
   * True when it can be used; false when it could not be made sure of (use storage).
   */
  ready(): Promise<boolean> {
    if (this.loaded && this.stale.size === 0 && !this.work) return Promise.resolve(true)
    this.work ??= this.catchUp().finally(() => {
      this.work = undefined
    })
    return this.work
  }

  private async catchUp(): Promise<boolean> {
    for (let attempt = 0; attempt < 8; attempt++) {
      if (this.db.committing) {
        await tick()
        continue
      }
      const mark = this.db.commitMark
      if (!this.loaded) {
        this.stale.clear() // what other tabs change from now on is read again afterwards
        let entries: Array<[string, Json]>
        try {
          entries = await this.db.store.scan(OP_PREFIX)
        } catch {
          return false
        }
        if (this.db.committing || this.db.commitMark !== mark) continue
        this.clear()
        for (const [key, value] of entries) this.add(seqOfKey(key), value as unknown as QueuedOp)
        this.loaded = true
      } else if (this.stale.size > 0) {
        const keys = [...this.stale]
        this.stale.clear()
        let values: Array<Json | undefined>
        try {
          values = await this.db.store.getMany(keys)
        } catch {
          this.invalidate()
          return false
        }
        if (this.db.committing || this.db.commitMark !== mark) {
          for (const k of keys) this.stale.add(k)
          continue
        }
        for (let i = 0; i < keys.length; i++) this.set(seqOfKey(keys[i]), values[i])
      }
      if (this.loaded && this.stale.size === 0) return true
    }
    return false
  }

  /** Forgets everything; the next `ready()` reloads from storage. */
  invalidate(): void {
    this.loaded = false
    this.clear()
  }

  // ------------------------------------------------------------ CommitObserver

  committed(writes: Writes): void {
    if (!this.loaded) return
    for (const [key, value] of writes) {
      if (key.startsWith(OP_PREFIX)) this.set(seqOfKey(key), value)
    }
  }

  failed(): void {
    this.invalidate()
  }

  foreign(keys: string[]): void {
    for (const key of keys) if (key.startsWith(OP_PREFIX)) this.stale.add(key)
  }

  // ------------------------------------------------------------------ queries

  /** Operations of `userId` by status. */
  counts(userId: string | undefined): QueueCounts {
    const u = userId === undefined ? undefined : this.users.get(userId)
    return u ? { ...u.counts } : emptyCounts()
  }

  /** Seqs of a row's queued operations (every user's), ascending. */
  rowSeqs(type: string, id: string): readonly number[] {
    return this.rows.get(rowKey(type, id)) ?? []
  }

  /** The seq of the operation with this local_id, if queued. */
  seqOf(localId: string): number | undefined {
    return this.byLocalId.get(localId)
  }

  /** Seqs of `userId`'s operations that are not pending, ascending. */
  parkedSeqs(userId: string | undefined): number[] {
    const u = userId === undefined ? undefined : this.users.get(userId)
    return u ? [...u.parked].sort((a, b) => a - b) : []
  }

  /**
   * The seqs of the next batch of `userId`: the same choice as `nextBatch`
   * in sync-engine.ts over the whole queue (pending operations in seq order,
   * skipping rows that wait behind a parked operation, stopping before a
   * second operation on one row), looking only at this user's pending ones.
   */
  nextBatch(userId: string, size: number): number[] {
    const u = this.users.get(userId)
    const out: number[] = []
    if (!u || size <= 0) return out
    const inBatch = new Set<string>()
    const mayWait = u.parked.size > 0
    u.pending.until((seq) => {
      const op = this.ops.get(seq) as OpMeta
      if (mayWait && this.waits(op)) return true
      if (inBatch.has(op.row) || out.length >= size) return false
      inBatch.add(op.row)
      out.push(seq)
      return true
    })
    return out
  }

  /** A pending operation waits while an earlier operation of its row by the same user is parked. */
  private waits(op: OpMeta): boolean {
    for (const seq of this.rows.get(op.row) ?? []) {
      if (seq >= op.seq) return false
      const earlier = this.ops.get(seq) as OpMeta
      if (earlier.user === op.user && earlier.status !== 'pending') return true
    }
    return false
  }

  // ------------------------------------------------------------------ upkeep

  private clear() {
    this.ops.clear()
    this.byLocalId.clear()
    this.rows.clear()
    this.users.clear()
  }

  private set(seq: number, value: Json | undefined) {
    this.remove(seq)
    if (value !== undefined && value !== null) this.add(seq, value as unknown as QueuedOp)
  }

  private user(userId: string): UserQueue {
    let u = this.users.get(userId)
    if (!u) {
      u = { counts: emptyCounts(), pending: new SeqSet(), parked: new Set() }
      this.users.set(userId, u)
    }
    return u
  }

  private add(seq: number, op: QueuedOp) {
    const meta: OpMeta = {
      seq,
      user: op.user_id,
      status: op.status,
      row: rowKey(op.entity_type, op.entity_id),
      localId: op.local_id,
    }
    this.ops.set(seq, meta)
    this.byLocalId.set(meta.localId, seq)
    const seqs = this.rows.get(meta.row)
    if (!seqs) this.rows.set(meta.row, [seq])
    else if (seq > seqs[seqs.length - 1]) seqs.push(seq)
    else {
      let i = seqs.length
      while (i > 0 && seqs[i - 1] > seq) i--
      seqs.splice(i, 0, seq)
    }
    const u = this.user(meta.user)
    u.counts[meta.status] = (u.counts[meta.status] ?? 0) + 1
    if (meta.status === 'pending') u.pending.add(seq)
    else u.parked.add(seq)
  }

  private remove(seq: number) {
    const meta = this.ops.get(seq)
    if (!meta) return
    this.ops.delete(seq)
    if (this.byLocalId.get(meta.localId) === seq) this.byLocalId.delete(meta.localId)
    const seqs = this.rows.get(meta.row)
    if (seqs) {
      const i = seqs.indexOf(seq)
      if (i >= 0) seqs.splice(i, 1)
      if (seqs.length === 0) this.rows.delete(meta.row)
    }
    const u = this.user(meta.user)
    u.counts[meta.status] -= 1
    u.pending.delete(seq)
    u.parked.delete(seq)
  }
}
