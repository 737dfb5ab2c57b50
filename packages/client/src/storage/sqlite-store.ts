/**
 * KVStore on SQLite through better-sqlite3 12: the Node and desktop adapter.
 *
 * One table `kv(key TEXT PRIMARY KEY COLLATE BINARY, value TEXT NOT NULL)
 * WITHOUT ROWID`, values as JSON text (so every read parses a fresh copy).
 * WAL with synchronous=FULL: a commit that returned survives power loss, and
 * a commit is one SQLite transaction, so a crash leaves all of it or none.
 *
 * Checkpoints (copying the WAL back into the database file, which fsyncs
 * that file too) run when the device is idle, not on the write path: SQLite's
 * automatic checkpoint would run inside the commit that takes the WAL past
 * 1,000 pages, about one local write in a hundred. Here, `idleCheckpointMs`
 * after the last commit (a timer that does not keep the process alive), a
 * PASSIVE checkpoint runs once the WAL holds `idleCheckpointPages` pages not
 * yet checkpointed (SQLite's own threshold, counted without work by a NOOP
 * checkpoint); and on close, whatever the WAL holds. Not checkpointing after
 * every write matters: the first commit into a checkpointed WAL writes its
 * header again and fsyncs twice. SQLite's own checkpoint stays as the bound
 * (`walLimitPages`) for a device that never pauses, and the WAL file is kept
 * at most that size after a checkpoint (journal_size_limit). A checkpointed
 * WAL is written again from its start, so it stops growing.
 *
 * Ordering caveat: BINARY collation compares UTF-8 bytes, i.e. code points,
 * while the contract orders by UTF-16 code units. The two differ only when a
 * surrogate pair (U+10000 and up, e.g. emoji) meets a character in
 * U+E000..U+FFFF. The scan range is computed in code points so it is exact,
 * and `scan` re-sorts its result in JS in the rare case the orders differ.
 * Keys with unpaired surrogates cannot be stored as UTF-8 and are rejected.
 *
 * @example
 * import { createSqliteStore } from '@trackvault/client/sqlite'
 * const store = createSqliteStore('./trackvault.db')
 * const tuned = createSqliteStore('./trackvault.db', { idleCheckpointMs: 1000, walLimitPages: 8192 })
 */
import Database from 'better-sqlite3'
import { serialise } from './json-text'
import type { CommitBatch, Json, KVStore } from './kv-store'

const LONE_SURROGATE = /\p{Cs}/u

function checkKey(key: string): string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string, got ${typeof key}`)
  if (LONE_SURROGATE.test(key)) throw new TypeError(`key has an unpaired surrogate: ${JSON.stringify(key)}`)
  return key
}

/**
 * The smallest string greater than every string starting with `prefix`, in
 * code point (UTF-8 byte) order, or undefined when there is none.
 */
function codePointSuccessor(prefix: string): string | undefined {
  const cps = Array.from(prefix, (ch) => ch.codePointAt(0)!)
  while (cps.length > 0 && cps[cps.length - 1] === 0x10ffff) cps.pop()
  if (cps.length === 0) return undefined
  const next = cps.pop()! + 1
  return String.fromCodePoint(...cps, next === 0xd800 ? 0xe000 : next)
}

export interface SqliteStoreOptions {
  /** Checkpoint the WAL this long after the last commit (default 250 ms; 0: as soon as the event loop is free). */
  idleCheckpointMs?: number
  /** When idle, checkpoint only once the WAL holds this many pages not yet checkpointed (default 1000, SQLite's own). */
  idleCheckpointPages?: number
  /**
   * WAL pages (4 KiB each by default) at which a commit checkpoints even though
   * the device was never idle, and the WAL file's size kept after a checkpoint
   * (default 4096 pages, 16 MiB). A local write of a collection adds 5 to 10 pages.
   */
  walLimitPages?: number
}

const DEFAULT_IDLE_CHECKPOINT_MS = 250
const DEFAULT_IDLE_CHECKPOINT_PAGES = 1000
const DEFAULT_WAL_LIMIT_PAGES = 4096

const byCodeUnit = (a: [string, Json], b: [string, Json]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

class SqliteStore implements KVStore {
  private closed = false
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private readonly idleMs: number
  private readonly idlePages: number
  private readonly walStateStmt
  private readonly getStmt
  private readonly getManyStmt
  private readonly scanFromStmt
  private readonly scanRangeStmt
  private readonly putStmt
  private readonly delStmt
  private readonly apply

  constructor(
    private readonly db: Database.Database,
    private readonly owned: boolean,
    options: SqliteStoreOptions,
  ) {
    this.idleMs = options.idleCheckpointMs ?? DEFAULT_IDLE_CHECKPOINT_MS
    this.idlePages = options.idleCheckpointPages ?? DEFAULT_IDLE_CHECKPOINT_PAGES
    const walLimit = options.walLimitPages ?? DEFAULT_WAL_LIMIT_PAGES
    if (!Number.isInteger(walLimit) || walLimit < 1) throw new RangeError('walLimitPages must be a positive integer')
    if (!Number.isInteger(this.idlePages) || this.idlePages < 0)
      throw new RangeError('idleCheckpointPages must be an integer, 0 or more')
    if (!(this.idleMs >= 0)) throw new RangeError('idleCheckpointMs must be 0 or more')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma(`wal_autocheckpoint = ${walLimit}`)
    const pageSize = db.pragma('page_size', { simple: true }) as number
    db.pragma(`journal_size_limit = ${walLimit * pageSize}`)
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY COLLATE BINARY, value TEXT NOT NULL) WITHOUT ROWID')
    this.getStmt = db.prepare<[string], string>('SELECT value FROM kv WHERE key = ?').pluck()
    // Many keys in one statement: the keys go in as one JSON array.
    this.getManyStmt = db.prepare<[string], { key: string; value: string }>(
      'SELECT key, value FROM kv WHERE key IN (SELECT value FROM json_each(?))',
    )
    this.scanFromStmt = db.prepare<[string], { key: string; value: string }>(
      'SELECT key, value FROM kv WHERE key >= ? ORDER BY key',
    )
    this.scanRangeStmt = db.prepare<[string, string], { key: string; value: string }>(
      'SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key',
    )
    this.putStmt = db.prepare<[string, string]>('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)')
    this.delStmt = db.prepare<[string]>('DELETE FROM kv WHERE key = ?')
    // Frames in the WAL and how many of them are checkpointed, without checkpointing anything.
    this.walStateStmt = db.prepare<[], { busy: number; log: number; checkpointed: number }>(
      'PRAGMA wal_checkpoint(NOOP)',
    )
    this.apply = db.transaction((del: string[], put: Array<[string, string]>) => {
      for (const key of del) this.delStmt.run(key)
      for (const [key, value] of put) this.putStmt.run(key, value)
    })
  }

  async get(key: string): Promise<Json | undefined> {
    this.check()
    const text = this.getStmt.get(checkKey(key))
    return text === undefined ? undefined : JSON.parse(text)
  }

  async getMany(keys: string[]): Promise<Array<Json | undefined>> {
    this.check()
    for (const key of keys) checkKey(key)
    if (keys.length <= 4) {
      return keys.map((key) => {
        const text = this.getStmt.get(key)
        return text === undefined ? undefined : JSON.parse(text)
      })
    }
    const found = new Map<string, string>()
    for (const row of this.getManyStmt.all(JSON.stringify(keys))) found.set(row.key, row.value)
    return keys.map((key) => {
      const text = found.get(key)
      return text === undefined ? undefined : JSON.parse(text)
    })
  }

  async scan(prefix: string): Promise<Array<[string, Json]>> {
    this.check()
    const upper = codePointSuccessor(checkKey(prefix))
    const rows = upper === undefined ? this.scanFromStmt.all(prefix) : this.scanRangeStmt.all(prefix, upper)
    const out = rows.map((row): [string, Json] => [row.key, JSON.parse(row.value)])
    for (let i = 1; i < out.length; i++) if (out[i - 1][0] > out[i][0]) return out.sort(byCodeUnit)
    return out
  }

  async commit(batch: CommitBatch): Promise<void> {
    this.check()
    const del = (batch.del ?? []).map(checkKey)
    // Serialise before the transaction: a value JSON cannot hold fails the whole batch up front.
    const put = serialise(batch.put ?? []).map(([key, text]): [string, string] => [checkKey(key), text])
    if (del.length > 0 || put.length > 0) {
      this.apply(del, put)
      this.checkpointWhenIdle()
    }
  }

  /** (Re)starts the idle timer: the checkpoint runs once commits have stopped for `idleMs`. */
  private checkpointWhenIdle() {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined
      if (this.uncheckpointedPages() >= this.idlePages) this.checkpoint()
    }, this.idleMs)
    // A pending checkpoint must not keep a Node process alive (close checkpoints anyway).
    ;(this.idleTimer as { unref?: () => void }).unref?.()
  }

  /**
   * Copies the WAL into the database file without waiting for readers
   * (PASSIVE); the next commit then writes the WAL from its start. Every
   * commit is already durable in the WAL, so a checkpoint that cannot run
   * (the database closed under a borrowed store, another connection busy)
   * loses nothing and is left to the next one.
   */
  /** WAL pages not yet copied into the database file (0 when that cannot be told). */
  private uncheckpointedPages(): number {
    if (this.closed || !this.db.open) return 0
    try {
      const state = this.walStateStmt.get()
      return state && state.log > 0 ? state.log - Math.max(0, state.checkpointed) : 0
    } catch {
      return 0
    }
  }

  private checkpoint() {
    if (this.closed || !this.db.open) return
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)')
    } catch {
      // See above: nothing is lost; SQLite's own bound still applies.
    }
  }

  /** Checkpoints, then closes the database if this store opened it; a borrowed Database stays open. */
  async close(): Promise<void> {
    if (this.closed) return
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    this.checkpoint()
    this.closed = true
    if (this.owned) this.db.close()
  }

  private check() {
    if (this.closed) throw new Error('store is closed')
    if (!this.db.open) throw new Error('database is closed')
  }
}

/**
 * A KVStore in the SQLite file `fileOrDb` (created if missing), or in an
 * already open better-sqlite3 Database (its journal mode is set to WAL, and
 * its checkpoints are the store's from then on).
 */
export function createSqliteStore(fileOrDb: string | Database.Database, options: SqliteStoreOptions = {}): KVStore {
  if (typeof fileOrDb === 'string') return new SqliteStore(new Database(fileOrDb), true, options)
  return new SqliteStore(fileOrDb, false, options)
}
