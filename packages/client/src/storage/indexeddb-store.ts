/**
 * KVStore on IndexedDB through Dexie 4: the web adapter.
 *
 * One object store `kv` keyed by `key`; rows are `{ key, value }` and the
 * value is kept as a structured clone, so reads hand back fresh copies.
 * IndexedDB orders string keys by UTF-16 code unit, exactly the contract's
 * order, so `scan` is a single key-range read. A commit is one 'rw'
 * transaction (deletes, then puts): IndexedDB applies it whole or aborts it.
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
    await this.db.transaction('rw', this.db.kv, async () => {
      if (del.length > 0) await this.db.kv.bulkDelete(del)
      if (put.length > 0) await this.db.kv.bulkPut(put.map(([key, value]) => ({ key, value })))
    })
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
  const db = new Dexie(name, opts) as KvDb
  db.version(1).stores({ kv: 'key' })
  return new IndexedDbStore(db)
}
