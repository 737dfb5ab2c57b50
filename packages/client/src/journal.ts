/**
 * The journal: every operation the server settled (applied or resolved) stays here, with the
 * result the server gave and the epoch it gave it in, for a window (default 30 days) and within a
 * bound of entries and bytes. If the server is restored from a backup (a new epoch), the device
 * re-sends the entries of another epoch, oldest first (recovery.ts): the restored ledger answers
 * `duplicate` for what the backup holds and applies the rest, exactly once.
 *
 * Keys: `jnl/<seq>` (the operation's own seq, never reused on a device), and `meta/journal` with
 * the count, bytes and oldest settlement, so pruning scans only when something is due.
 */
import type { EntityType, OperationType } from '@trackvault/core'
import { JOURNAL_PREFIX, journalKey, META } from './keys'
import type { LocalTx } from './local-db'
import type { QueuedOp } from './queue'
import type { Json } from './storage/kv-store'

export interface JournalEntry {
  local_id: string
  seq: number
  user_id: string
  entity_type: EntityType
  entity_id: string
  operation_type: OperationType
  /** The version the operation was sent on (null for a create, or a delete without one). */
  base_version: number | null
  payload: Record<string, Json>
  client_timestamp: string
  settled_at: string
  /** The server's epoch when it settled (null: a server from before epochs). */
  epoch: string | null
  /** The version the server's row had after it. */
  version: number | null
}

export interface JournalLimits {
  /** How long a settled operation is kept (default 30 days). */
  windowMs: number
  /** At most this many entries (default 20,000); the oldest go first. */
  maxEntries: number
  /** At most about this many bytes of entries (default 8 MiB); the oldest go first. */
  maxBytes: number
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = {
  windowMs: 30 * 24 * 3600 * 1000,
  maxEntries: 20_000,
  maxBytes: 8 * 1024 * 1024,
}

interface Stats {
  count: number
  bytes: number
  oldest: string | null
}

const sizeOf = (entry: JournalEntry) => JSON.stringify(entry).length

async function stats(tx: LocalTx): Promise<Stats> {
  return (await tx.get<Stats>(META.journal)) ?? { count: 0, bytes: 0, oldest: null }
}

/** Keeps `op`, which the server settled with `version`, in the epoch the device now knows. */
export async function journal(tx: LocalTx, op: QueuedOp, version: number | null | undefined): Promise<void> {
  const entry: JournalEntry = {
    local_id: op.local_id,
    seq: op.seq,
    user_id: op.user_id,
    entity_type: op.entity_type,
    entity_id: op.entity_id,
    operation_type: op.operation_type,
    base_version: op.base_version,
    payload: op.payload,
    client_timestamp: op.client_timestamp,
    settled_at: new Date().toISOString(),
    epoch: (await tx.get<string>(META.epoch)) ?? null,
    version: version ?? null,
  }
  const before = await tx.get<JournalEntry>(journalKey(op.seq))
  const s = await stats(tx)
  tx.put(journalKey(op.seq), entry as unknown as Json)
  tx.put(META.journal, {
    count: s.count + (before ? 0 : 1),
    bytes: s.bytes + sizeOf(entry) - (before ? sizeOf(before) : 0),
    oldest: s.oldest ?? entry.settled_at,
  })
}

/** Every entry, oldest (lowest seq) first. */
export async function journalEntries(tx: LocalTx): Promise<JournalEntry[]> {
  return (await tx.scan<JournalEntry>(JOURNAL_PREFIX)).map(([, e]) => e)
}

/** The entries of `userId` settled in another epoch than `epoch`: what a restored server may lack. */
export async function unconfirmed(tx: LocalTx, userId: string, epoch: string): Promise<JournalEntry[]> {
  return (await journalEntries(tx)).filter((e) => e.user_id === userId && e.epoch !== epoch)
}

/** Stores a changed entry (re-sent and confirmed in a new epoch, or rebased). */
export function putEntry(tx: LocalTx, entry: JournalEntry): void {
  tx.put(journalKey(entry.seq), entry as unknown as Json)
}

/** Takes an entry out of the journal (it went back to the queue, parked for a person). */
export async function removeEntry(tx: LocalTx, entry: JournalEntry): Promise<void> {
  const s = await stats(tx)
  tx.del(journalKey(entry.seq))
  tx.put(META.journal, { ...s, count: Math.max(0, s.count - 1), bytes: Math.max(0, s.bytes - sizeOf(entry)) })
}

/**
 * Drops the entries past the window, then the oldest ones while over the count or byte bound.
 * Reads the journal only when the stats say something is due. Returns how many were dropped.
 */
export async function pruneJournal(tx: LocalTx, limits: JournalLimits, now = Date.now()): Promise<number> {
  const s = await stats(tx)
  const cutoff = new Date(now - limits.windowMs).toISOString()
  const due = s.count > limits.maxEntries || s.bytes > limits.maxBytes || (s.oldest !== null && s.oldest < cutoff)
  if (!due) return 0
  const entries = await journalEntries(tx)
  let count = entries.length
  let bytes = entries.reduce((n, e) => n + sizeOf(e), 0)
  let dropped = 0
  let oldest: string | null = null
  for (const e of entries) {
    if (e.settled_at < cutoff || count > limits.maxEntries || bytes > limits.maxBytes) {
      tx.del(journalKey(e.seq))
      count -= 1
      bytes -= sizeOf(e)
      dropped += 1
    } else if (oldest === null || e.settled_at < oldest) {
      oldest = e.settled_at
    }
  }
  tx.put(META.journal, { count, bytes, oldest })
  return dropped
}
