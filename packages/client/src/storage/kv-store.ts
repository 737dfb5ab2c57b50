/**
 * The one storage interface every adapter implements (memory, IndexedDB,
 * SQLite, AsyncStorage), and the shared test suite checks.
 *
 * Contract:
 * - Keys are strings; values are JSON-serialisable. A value read back is an
 *   independent copy (mutating it never changes the store).
 * - `scan(prefix)` returns entries whose key starts with `prefix`, in
 *   ascending key order (UTF-16 code unit order, as `<` on strings).
 * - `commit(batch)` applies every put and delete of the batch atomically:
 *   after a crash either all of it is there or none. Within a batch, deletes
 *   apply before puts.
 * - Reads after a resolved `commit` see it. There is no multi-statement
 *   transaction here: the engine serialises its writers and builds
 *   read-your-writes on top (see tx.ts), so every adapter stays small.
 *
 * @example
 * await store.commit({ put: [['meta/cursor', 'c2s']] })
 * await store.get('meta/cursor') // 'c2s'
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export interface CommitBatch {
  put?: Array<[string, Json]>
  del?: string[]
}

export interface KVStore {
  /** The value at `key`, or undefined. */
  get(key: string): Promise<Json | undefined>
  /** Values at `keys`, in the same order (undefined where absent). */
  getMany(keys: string[]): Promise<Array<Json | undefined>>
  /** Entries under `prefix`, ascending by key. */
  scan(prefix: string): Promise<Array<[string, Json]>>
  /** Applies puts and deletes atomically. */
  commit(batch: CommitBatch): Promise<void>
  /** Releases resources; the store is unusable afterwards. */
  close(): Promise<void>
}
