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
 * commits), it says so (`ready()` resolves false); queue-reader.ts then
 * answers from storage, which is always right. `nextBatch` here is the one
 * batch rule: the reader asks an index built from the stored queue
 * (`fromOps`) when the live one is unsure.
 */
import { OP_PREFIX } from './keys'
import type { CommitObserver, LocalDb, Writes } from './local-db'
import type { OpStatus, QueuedOp } from './queue'
import { SeqSet } from './seq-set'
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

  /** An index of `ops` alone (the stored queue read once), following no database. */
  static fromOps(ops: readonly QueuedOp[]): QueueIndex {
    const index = new QueueIndex(undefined)
    for (const op of ops) index.add(op.seq, op)
    index.loaded = true
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

  private constructor(private readonly db: LocalDb | undefined) {}

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
    const db = this.db
    if (!db) return this.loaded // a snapshot (`fromOps`) has nothing to catch up with
    for (let attempt = 0; attempt < 8; attempt++) {
      if (db.committing) {
        await tick()
        continue
      }
      const mark = db.commitMark
      if (!this.loaded) {
        this.stale.clear() // what other tabs change from now on is read again afterwards
        let entries: Array<[string, Json]>
        try {
          entries = await db.store.scan(OP_PREFIX)
        } catch {
          return false
        }
        if (db.committing || db.commitMark !== mark) continue
        this.clear()
        for (const [key, value] of entries) this.add(seqOfKey(key), value as unknown as QueuedOp)
        this.loaded = true
      } else if (this.stale.size > 0) {
        const keys = [...this.stale]
        this.stale.clear()
        let values: Array<Json | undefined>
        try {
          values = await db.store.getMany(keys)
        } catch {
          this.invalidate()
          return false
        }
        if (db.committing || db.commitMark !== mark) {
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
   * The batch rule: the seqs of the next batch of `userId`, pending
   * operations in seq order, skipping rows that wait behind a parked
   * operation of theirs, stopping before a second operation on one row (it
   * needs the version the first produces) or at `size`. Looks only at this
   * user's pending ones; queue-index.test.ts checks it against the same rule
   * written over the whole queue.
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
