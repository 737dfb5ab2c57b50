/**
 * KVStore on IndexedDB through Dexie 4: the web adapter.
 *
 * One object store `kv` keyed by `key`; rows are `{ key, value }` and the
 * value is kept as a structured clone, so reads hand back fresh copies.
 * IndexedDB orders string keys by UTF-16 code unit, exactly the contract's
 * order, so `scan` is a single key-range read.
 *
 * Dexie opens the database and serves the reads. A commit is one plain
 * IndexedDB readwrite transaction on the connection Dexie opened (deletes,
 * then puts), resolved on `complete` and rejected on `abort`: IndexedDB
 * applies it whole or not at all. Dexie's transaction layer (zones, change
 * tracking for its liveQuery, which nothing here uses) cost about 1 ms a
 * commit in Chromium (issue 21, BENCHMARKS.md). Dexie's query cache (only
 * consulted inside its liveQuery) is turned off too (`cache: 'disabled'`):
 * commits no longer pass through Dexie to invalidate it, so no read may come
 * from it; reads go to IndexedDB, which sees every completed commit.
 *
 * @example
 * import { createIndexedDbStore } from '@trackvault/client/indexeddb'
 * const store = createIndexedDbStore('trackvault')
 * // In Node tests: createIndexedDbStore('t', { indexedDB, IDBKeyRange }) from 'fake-indexeddb'
 */
import Dexie, { type DexieOptions, type EntityTable } from 'dexie'
import type { CommitBatch, Json, KVStore } from './kv-store'

interface Row {
  key: string
  value: Json
}

type KvDb = Dexie & { kv: EntityTable<Row, 'key'> }

/** Where to find IndexedDB; defaults to the global one (browsers). */
export type IndexedDbStoreOptions = Pick<DexieOptions, 'indexedDB' | 'IDBKeyRange'>

/**
 * The smallest string greater than every string starting with `prefix`, in
 * code unit order, or undefined when there is none (prefix '' or all U+FFFF).
 * Exact, unlike `prefix + '\uffff'`, which misses keys such as `${prefix}\uffff`.
 */
function codeUnitSuccessor(prefix: string): string | undefined {
  let end = prefix.length
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xffff) end--
  if (end === 0) return undefined
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1)
}

class IndexedDbStore implements KVStore {
  private closed = false
  private opening: Promise<void> | undefined

  constructor(private readonly db: KvDb) {}

  async get(key: string): Promise<Json | undefined> {
    this.check()
    return (await this.db.kv.get(key))?.value
  }

  async getMany(keys: string[]): Promise<Array<Json | undefined>> {
    this.check()
    const rows = await this.db.kv.bulkGet(keys)
    return rows.map((row) => row?.value)
  }

  async scan(prefix: string): Promise<Array<[string, Json]>> {
    this.check()
    const upper = codeUnitSuccessor(prefix)
    const index = this.db.kv.where('key')
    const range = upper === undefined ? index.aboveOrEqual(prefix) : index.between(prefix, upper, true, false)
    const rows = await range.toArray()
    return rows.map((row) => [row.key, row.value])
  }

  async commit(batch: CommitBatch): Promise<void> {
    this.check()
    const del = batch.del ?? []
    const put = batch.put ?? []
    if (del.length === 0 && put.length === 0) return
    if (this.opening || !this.db.isOpen()) await this.open()
    const idb = this.db.backendDB()
    await new Promise<void>((resolve, reject) => {
      const tx = idb.transaction('kv', 'readwrite')
      tx.oncomplete = () => resolve()
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB commit aborted'))
      const kv = tx.objectStore('kv')
      try {
        for (const key of del) kv.delete(key)
        for (const [key, value] of put) kv.put({ key, value })
      } catch (err) {
        // A request that throws (a value that cannot be cloned, an aborted transaction) is not
        // queued: reject with its error and abort whatever the batch queued before it.
        reject(err)
        try {
          tx.abort()
        } catch {
          // Already finished (aborted); nothing of the batch was written.
        }
      }
    })
  }

  /**
   * Opens (or, after Dexie closed it on a version change, reopens) the database. Every commit
   * arriving meanwhile awaits the same promise, so their transactions start in call order;
   * the first to resume clears it, while the others are already queued behind it.
   */
  private async open(): Promise<void> {
    this.opening ??= Promise.resolve(this.db.open()).then(() => undefined)
    const opening = this.opening
    try {
      await opening
    } finally {
      if (this.opening === opening) this.opening = undefined
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.db.close()
  }

  private check() {
    if (this.closed) throw new Error('store is closed')
  }
}

/**
 * A KVStore in the IndexedDB database `name` (created on first use).
 * Pass `indexedDB` and `IDBKeyRange` to run outside a browser (fake-indexeddb).
 */
export function createIndexedDbStore(name = 'trackvault', opts: IndexedDbStoreOptions = {}): KVStore {
  const db = new Dexie(name, { ...opts, cache: 'disabled' }) as KvDb
  db.version(1).stores({ kv: 'key' })
  return new IndexedDbStore(db)
}
