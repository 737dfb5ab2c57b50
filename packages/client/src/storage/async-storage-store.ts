/**
 * KVStore on React Native AsyncStorage (v3 API): the mobile adapter.
 *
 * AsyncStorage has single-key writes and no transactions, so a commit goes
 * through a write-ahead journal:
 *   1. `setItem(journal, whole batch)`; 2. `removeMany(deletes)`,
 *   `setMany(puts)`; 3. `removeItem(journal)`.
 * On open (the first operation, or the next one after a failed commit) a
 * journal that is still there is replayed, then removed.
 *
 * Why that is all-or-nothing after a crash:
 * - Crash before step 1 is durable: no data key was touched, and a single
 *   `setItem` is atomic, so there is no journal (or the old state): none.
 * - Crash during or after step 2: the journal holds the whole batch as final
 *   values ("these keys absent, these keys = these strings"). Replaying it is
 *   idempotent, so whatever part of step 2 already landed, replay ends in the
 *   full batch: all.
 * - Only one journal can exist and it is always the newest batch: commits are
 *   serialised, a commit starts only after the previous one removed its
 *   journal, and recovery runs before any other operation.
 * This relies on AsyncStorage doing what its native stores (SQLite/Room) do:
 * one `setItem` is atomic, and a write that resolved is durable before the
 * next one starts. A batch is one journal entry, so very large batches make a
 * large entry (mind Android's per-entry cursor limit, ~2 MB).
 *
 * Every operation runs in one queue, so readers in this process never see a
 * half-applied batch. Keys live as `${namespace}:d:${key}`, the journal at
 * `${namespace}:journal`; a sorted in-memory index of this namespace's keys
 * (from `getAllKeys` on open) serves `scan`. One store per namespace at a time.
 *
 * @example
 * import AsyncStorage from '@react-native-async-storage/async-storage'
 * import { createAsyncStorageStore } from '@trackvault/client/async-storage'
 * const store = createAsyncStorageStore(AsyncStorage)
 */
import { serialise } from './json-text'
import type { CommitBatch, Json, KVStore } from './kv-store'
import { lowerBound } from './sorted-keys'

/** The part of @react-native-async-storage/async-storage v3 this adapter uses. */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null>
  setItem(key: string, value: string): Promise<void>
  removeItem(key: string): Promise<void>
  getMany(keys: string[]): Promise<Record<string, string | null>>
  setMany(entries: Record<string, string>): Promise<void>
  removeMany(keys: string[]): Promise<void>
  getAllKeys(): Promise<string[]>
}

interface Journal {
  v: 1
  del: string[]
  put: Array<[string, string]>
}

class AsyncStorageStore implements KVStore {
  private readonly dataPrefix: string
  private readonly journalKey: string
  /** Sorted (code unit order) keys of this namespace; null until opened. */
  private index: string[] | null = null
  private tail: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor(
    private readonly storage: AsyncStorageLike,
    namespace: string,
  ) {
    this.dataPrefix = `${namespace}:d:`
    this.journalKey = `${namespace}:journal`
  }

  get(key: string): Promise<Json | undefined> {
    return this.run(async () => parse(await this.storage.getItem(this.dataPrefix + key)))
  }

  getMany(keys: string[]): Promise<Array<Json | undefined>> {
    return this.run(async () => {
      if (keys.length === 0) return []
      const found = await this.storage.getMany(keys.map((k) => this.dataPrefix + k))
      return keys.map((k) => parse(found[this.dataPrefix + k]))
    })
  }

  scan(prefix: string): Promise<Array<[string, Json]>> {
    return this.run(async (index) => {
      const keys: string[] = []
      for (let i = lowerBound(index, prefix); i < index.length && index[i].startsWith(prefix); i++) keys.push(index[i])
      if (keys.length === 0) return []
      const found = await this.storage.getMany(keys.map((k) => this.dataPrefix + k))
      const out: Array<[string, Json]> = []
      for (const k of keys) {
        const value = parse(found[this.dataPrefix + k])
        if (value !== undefined) out.push([k, value])
      }
      return out
    })
  }

  commit(batch: CommitBatch): Promise<void> {
    return this.run(async () => {
      const del = batch.del ?? []
      // Serialise first: a value JSON cannot hold fails the batch before anything is written.
      const put = serialise(batch.put ?? [])
      if (del.length === 0 && put.length === 0) return
      const journal: Journal = { v: 1, del, put }
      try {
        await this.storage.setItem(this.journalKey, JSON.stringify(journal))
        await this.apply(journal)
        await this.storage.removeItem(this.journalKey)
      } catch (err) {
        // State on disk is unknown: reopen (replaying the journal) before the next operation.
        this.index = null
        throw err
      }
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.tail
  }

  /** Queues `op` behind every earlier operation, opening the store first if needed. */
  private run<T>(op: (index: string[]) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    const result = this.tail.then(async () => op(this.index ?? (await this.open())))
    this.tail = result.catch(() => {})
    return result
  }

  private async open(): Promise<string[]> {
    const pending = await this.storage.getItem(this.journalKey)
    if (pending !== null) {
      let journal: Journal | undefined
      try {
        journal = JSON.parse(pending) as Journal
      } catch {
        // A torn journal write means step 1 never completed, so nothing was applied.
      }
      if (journal) await this.applyToStorage(journal)
      await this.storage.removeItem(this.journalKey)
    }
    const keys = (await this.storage.getAllKeys())
      .filter((k) => k.startsWith(this.dataPrefix))
      .map((k) => k.slice(this.dataPrefix.length))
    this.index = keys.sort()
    return this.index
  }

  private async apply(journal: Journal) {
    await this.applyToStorage(journal)
    const index = this.index!
    for (const key of journal.del) {
      const i = lowerBound(index, key)
      if (index[i] === key) index.splice(i, 1)
    }
    for (const [key] of journal.put) {
      const i = lowerBound(index, key)
      if (index[i] !== key) index.splice(i, 0, key)
    }
  }

  private async applyToStorage(journal: Journal) {
    if (journal.del.length > 0) await this.storage.removeMany(journal.del.map((k) => this.dataPrefix + k))
    if (journal.put.length > 0) {
      const entries: Record<string, string> = {}
      for (const [key, text] of journal.put) entries[this.dataPrefix + key] = text
      await this.storage.setMany(entries)
    }
  }
}

function parse(text: string | null | undefined): Json | undefined {
  return text === null || text === undefined ? undefined : (JSON.parse(text) as Json)
}

/**
 * A KVStore over an AsyncStorage instance, under `namespace` (letters, digits,
 * `_`, `.`, `-`; no `:` so one namespace's keys never fall under another's).
 */
export function createAsyncStorageStore(storage: AsyncStorageLike, namespace = 'trackvault'): KVStore {
  if (!/^[\w.-]+$/.test(namespace)) throw new TypeError(`invalid namespace: ${JSON.stringify(namespace)}`)
  return new AsyncStorageStore(storage, namespace)
}
