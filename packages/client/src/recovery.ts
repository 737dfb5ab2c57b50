/**
 * Healing a server restored from a backup. Its database has a new epoch (docs/sync-protocol.md,
 * Epochs): what this device confirmed may be gone from it, and its pull cursor means nothing there.
 * So the device
 *
 * 1. keeps its queue, drops its cursor and notes that a full re-pull is due (`begin`);
 * 2. re-sends the journal entries of the signed-in user settled in another epoch, oldest first
 *    (their original seq and local_id), before anything of its queue (`resend`): the restored ledger
 *    answers `duplicate` for what the backup holds and applies the rest exactly once. An entry the
 *    server now answers with another version rebases this device's later changes of the row; one
 *    it answers with a conflict or a failure goes back to the queue, parked for a person, so nothing
 *    silently overwrites or disappears;
 * 3. pulls everything from the beginning and drops the server rows the restored server no longer
 *    has (sync-engine.ts `pullAll`), so its view equals the server's again.
 *
 * Another user of a shared phone re-sends their own entries when they next sync.
 */
import type { EntityType, OperationResult, PushRequest } from '@trackvault/core'
import { type ApiClient, ApiError } from './http'
import { type JournalEntry, putEntry, removeEntry, unconfirmed } from './journal'
import { META } from './keys'
import type { LocalDb, LocalTx } from './local-db'
import type { Outbox } from './outbox'
import { listOps, putOp, type QueuedOp } from './queue'
import { opsOf, parkedOps } from './queue-reader'
import { rebuildView, storeServerRow } from './replica'
import { type RetryConfig, retryTransient, sleep } from './retry'

/** Entries per re-sent batch (at most one per row, so each carries the version the last produced). */
const RESEND_BATCH = 100

/**
 * Codes of a re-sent change that waits for another device (the row it names, or the row it
 * references, is not back on the restored server yet), and how many later syncs send it again.
 */
const WAITS_FOR_OTHERS = new Set(['NOT_FOUND', 'REFERENCE_NOT_FOUND'])
export const HEAL_ATTEMPTS = 10

/** `meta/recovered/<user>`: the epoch whose journal re-send this user finished. */
const recoveredKey = (userId: string) => `meta/recovered/${userId}`

export interface RecoveryState {
  /** The epoch the device moved to. */
  epoch: string
  /** The full re-pull is still to do. */
  rebuild: boolean
}

export interface ResendProgress {
  total: number
  sent: number
}

export interface ResendOutcome {
  resent: number
  conflicts: number
  failed: number
}

export interface RecoveryDeps {
  db: LocalDb
  api: ApiClient
  deviceId: () => string
  config: RetryConfig
  onProgress?: (progress: ResendProgress | null) => void
}

/** The server was restored (another epoch than ours): one of ours, thrown to start the sync again. */
export class EpochChanged extends Error {
  constructor(readonly epoch: string) {
    super(`the server's epoch is now ${epoch}`)
  }
}

/** The new epoch if `err` says the server's database is another one now, else undefined. */
export function epochChangedBy(err: unknown): string | undefined {
  if (!(err instanceof ApiError) || err.code !== 'EPOCH_CHANGED') return undefined
  const epoch = (err.details as { epoch?: unknown } | undefined)?.epoch
  return typeof epoch === 'string' ? epoch : undefined
}

/** The device moves to `epoch`: queue kept, cursor dropped, a full re-pull due. */
export function beginRecovery(db: LocalDb, epoch: string): Promise<void> {
  return db.write(async (tx) => {
    tx.put(META.epoch, epoch)
    tx.del(META.cursor)
    tx.put(META.recovery, { epoch, rebuild: true } satisfies RecoveryState as never)
  })
}

/** Whether a full re-pull is due (a recovery began and its pull has not finished). */
export async function rebuildDue(db: LocalDb): Promise<boolean> {
  return (await db.read((tx) => tx.get<RecoveryState>(META.recovery)))?.rebuild === true
}

/** The entry as the push request carries it: its original identity and seq. */
function toWire(entry: JournalEntry): PushRequest['operations'][number] {
  return {
    local_id: entry.local_id,
    seq: entry.seq,
    entity_type: entry.entity_type,
    entity_id: entry.entity_id,
    operation_type: entry.operation_type,
    ...(entry.base_version === null ? {} : { base_version: entry.base_version }),
    payload: entry.payload,
    client_timestamp: entry.client_timestamp,
  }
}

/** Entries from the front, at most one per row. */
function nextBatch(entries: JournalEntry[]): JournalEntry[] {
  const rows = new Set<string>()
  const out: JournalEntry[] = []
  for (const e of entries) {
    const row = `${e.entity_type}/${e.entity_id}`
    if (rows.has(row) || out.length >= RESEND_BATCH) break
    rows.add(row)
    out.push(e)
  }
  return out
}

/**
 * The row's version `from` is `to` on the restored server: this user's later changes of the row
 * that were based on it (journal entries still to re-send, and queued operations) are based on `to`.
 */
async function rebase(
  tx: LocalTx,
  later: JournalEntry[],
  entry: JournalEntry,
  from: number,
  to: number,
): Promise<void> {
  const same = (e: { entity_type: EntityType; entity_id: string; user_id: string }) =>
    e.entity_type === entry.entity_type && e.entity_id === entry.entity_id && e.user_id === entry.user_id
  for (const e of later) {
    if (same(e) && e.base_version === from) {
      e.base_version = to
      putEntry(tx, e)
    }
  }
  for (const op of await opsOf(tx, entry.entity_type, entry.entity_id)) {
    if (same(op) && op.base_version === from) putOp(tx, { ...op, base_version: to })
  }
}

/** An entry the restored server refused goes back to the queue, parked where the person sees it. */
async function park(tx: LocalTx, entry: JournalEntry, result: OperationResult, status: string): Promise<void> {
  await removeEntry(tx, entry)
  const op: QueuedOp = {
    local_id: entry.local_id,
    seq: entry.seq,
    user_id: entry.user_id,
    entity_type: entry.entity_type,
    entity_id: entry.entity_id,
    operation_type: entry.operation_type,
    base_version: entry.base_version,
    payload: entry.payload,
    client_timestamp: entry.client_timestamp,
    status: status === 'conflict' ? 'conflict' : 'failed',
    attempts: 1,
    recorded: true,
  }
  if (status === 'conflict') {
    op.conflict = result.conflict
    if (result.conflict?.server) await storeServerRow(tx, entry.entity_type, result.conflict.server)
  } else {
    op.error = result.error
      ? { code: result.error.code, message: result.error.message }
      : { code: 'FAILED', message: 'The restored server refused this change' }
    if (WAITS_FOR_OTHERS.has(op.error.code)) op.heal = HEAL_ATTEMPTS
  }
  putOp(tx, op)
  await rebuildView(tx, entry.entity_type, entry.entity_id, entry.user_id)
}

/**
 * Changes refused after a restore because a row they need was not back yet go out again (a new
 * identity, at the end of the queue): another device may have re-sent it since. Each such change
 * is sent again by at most `HEAL_ATTEMPTS` syncs, then it stays parked for the person.
 */
export async function requeueHealing(db: LocalDb, outbox: Outbox, userId: string): Promise<void> {
  const healable = (o: QueuedOp) => o.user_id === userId && o.status === 'failed' && (o.heal ?? 0) > 0
  // Mostly there are none: asked of the queue index first, without reading the queue.
  if (!(await db.read((tx) => parkedOps(tx, userId))).some(healable)) return
  await db.write(async (tx) => {
    // One at a time, read again from storage after each (the queue index shows only what is committed):
    // a requeue moves the row's later changes, parked ones too.
    const done = new Set<string>()
    for (;;) {
      const op = (await listOps(tx)).find((o) => healable(o) && !done.has(o.local_id))
      if (!op) return
      done.add(op.local_id)
      await outbox.requeue(tx, op, { heal: (op.heal ?? 1) - 1 }, { newIdentity: true })
    }
  })
}

/**
 * Re-sends the journal entries of `userId` from other epochs than the device's, oldest first,
 * once per user and epoch. Throws `EpochChanged` if the server was restored again meanwhile.
 */
export async function resendJournal(deps: RecoveryDeps, userId: string): Promise<ResendOutcome> {
  const { db, api } = deps
  const outcome: ResendOutcome = { resent: 0, conflicts: 0, failed: 0 }
  const epoch = await db.read((tx) => tx.get<string>(META.epoch))
  if (!epoch) return outcome
  if ((await db.read((tx) => tx.get<string>(recoveredKey(userId)))) === epoch) return outcome
  let entries = await db.read((tx) => unconfirmed(tx, userId, epoch))
  const total = entries.length
  let sent = 0
  try {
    while (entries.length > 0) {
      deps.onProgress?.({ total, sent })
      const batch = nextBatch(entries)
      let response: Awaited<ReturnType<ApiClient['push']>>
      try {
        response = await retryTransient(
          () => api.push({ device_id: deps.deviceId(), epoch, operations: batch.map(toWire) }),
          deps.config,
        )
      } catch (err) {
        const next = epochChangedBy(err)
        if (next) throw new EpochChanged(next)
        throw err
      }
      const byLocalId = new Map(batch.map((e) => [e.local_id, e]))
      const answered = new Set<string>()
      await db.write(async (tx) => {
        for (const result of response.results) {
          const entry = byLocalId.get(result.local_id)
          if (!entry) continue
          answered.add(entry.local_id)
          const status = result.status === 'duplicate' ? (result.original_status ?? 'success') : result.status
          if (status === 'success' || status === 'resolved') {
            const later = entries.filter((e) => !byLocalId.has(e.local_id))
            if (entry.version !== null && result.version !== null && result.version !== entry.version) {
              await rebase(tx, later, entry, entry.version, result.version)
            }
            putEntry(tx, { ...entry, epoch, version: result.version ?? entry.version })
            outcome.resent += 1
          } else {
            await park(tx, entry, result, status)
            if (status === 'conflict') outcome.conflicts += 1
            else outcome.failed += 1
          }
        }
      })
      entries = entries.filter((e) => !answered.has(e.local_id))
      sent += answered.size
      if (answered.size < batch.length) await sleep(deps.config.retryDelayMs) // stopped on a transient error
    }
    await db.write(async (tx) => tx.put(recoveredKey(userId), epoch))
  } finally {
    deps.onProgress?.(null)
  }
  return outcome
}
