/**
 * Group commit: the write transactions that arrive while others are being run or committed are
 * folded into one transaction, each in a savepoint of its own, and share one durable commit (one
 * fsync, one BEGIN and COMMIT, one take of the change counter and one change-log insert, instead of
 * one each per request).
 *
 * Each write still commits or fails as a unit: a write that throws is rolled back to its savepoint
 * and only its caller sees the error; the others go on. Nobody hears "done" before the shared
 * commit returns, and if that commit (or the group's change-log append) fails every write of the
 * group fails, so nothing acknowledged is lost. What a write sees is every write before it.
 *
 * SQLite has one writer: one group at a time, which gives up no concurrency. On PostgreSQL groups
 * run on all but two of the pool's connections at once (`groupsInFlight`), with the same locks as
 * before: the writes that arrived together form a group as soon as a connection is free; groups
 * overlap until the change counter, which each takes as its last statement (change-log.ts: seq
 * order is commit order). Measured on 2 cores: two groups at once took a 1,000-device reconnect
 * storm from 25 s to 52 s (round trips waited in line that ten connections had overlapped); all
 * but two of ten, 25 s.
 */
import type { Kysely, Transaction } from 'kysely'
import type { DbCapabilities, DbHandle } from '../db/database'
import { isLockConflict } from '../db/db-errors'
import type { Database } from '../db/schema'
import { withSavepoint } from '../db/sql-helpers'
import {
  type Actor,
  logWrites,
  runWrite,
  type WriteBody,
  type WriteOutcome,
  type WriteSetup,
  type WriteWork,
  writeBody,
} from './write-context'

interface Waiting {
  actor: Actor
  work: WriteWork<unknown>
  resolve: (outcome: WriteOutcome<unknown>) => void
  reject: (err: unknown) => void
}

/** The database error behind `err` (a push wraps a failed statement: sync/push.ts NeedsSavepoints). */
function lockError(err: unknown): unknown {
  return err instanceof Error && err.cause !== undefined ? err.cause : err
}

/** Most writes folded into one transaction (bounds a group's latency and its savepoint stack). */
const MAX_GROUP = 64

/** Groups running at once: SQLite has one writer; on PostgreSQL all but two of the pool's connections (left for reads). */
export function groupsInFlight(handle: Pick<DbHandle, 'caps' | 'poolStats'>): number {
  if (handle.caps.dialect !== 'postgres') return 1
  return Math.max(1, (handle.poolStats?.().max ?? 3) - 2)
}

export class GroupCommit {
  private readonly waiting: Waiting[] = []
  private running = 0
  private scheduled = false

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DbCapabilities,
    private readonly maxGroup = MAX_GROUP,
    /** Told the size of every group before it runs (the group-commit metric). */
    private readonly onGroup?: (size: number) => void,
    private readonly setup: WriteSetup = {},
    /** Groups at once (`groupsInFlight` of the handle). */
    private readonly maxRunning = 1,
  ) {}

  /** Runs `work` in the next group; resolves after the group's commit. */
  run<T>(actor: Actor, work: WriteWork<T>): Promise<WriteOutcome<T>> {
    return new Promise<WriteOutcome<T>>((resolve, reject) => {
      this.waiting.push({ actor, work, resolve, reject } as unknown as Waiting)
      if (!this.scheduled && this.running < this.maxRunning) {
        this.scheduled = true
        // Let the requests that are already readable reach this queue first.
        setImmediate(() => {
          this.scheduled = false
          this.start()
        })
      }
    })
  }

  private start(): void {
    while (this.waiting.length > 0 && this.running < this.maxRunning) {
      const group = this.waiting.splice(0, this.maxGroup)
      this.running += 1
      void this.runGroup(group).finally(() => {
        this.running -= 1
        this.start() // what arrived meanwhile forms the next group
      })
    }
  }

  private async runGroup(group: Waiting[]): Promise<void> {
    this.onGroup?.(group.length)
    if (group.length === 1) {
      const [only] = group
      await runWrite(this.db, this.caps, only.actor, only.work, this.setup).then(only.resolve, only.reject)
      return
    }
    const done: { entry: Waiting; body: WriteBody<unknown> }[] = []
    const failed: { entry: Waiting; error: unknown }[] = []
    let outcomes: WriteOutcome<unknown>[]
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        for (const entry of group) {
          const ran = await this.inSavepoint(trx, entry)
          if ('body' in ran) done.push({ entry, body: ran.body })
          else failed.push({ entry, error: ran.error })
        }
        return logWrites(
          trx,
          this.caps,
          done.map((d) => d.body),
        )
      })
    } catch (err) {
      for (const entry of group) entry.reject(err)
      return
    }
    for (const [i, d] of done.entries()) d.entry.resolve(outcomes[i])
    for (const f of failed) {
      // A group holds the locks of all its writes until it commits: a write that lost a deadlock
      // or serialization check against another transaction might not have alone, so it runs again
      // alone (its savepoint undid it), as it would have run without grouping.
      if (isLockConflict(lockError(f.error))) {
        await runWrite(this.db, this.caps, f.entry.actor, f.entry.work, this.setup).then(
          f.entry.resolve,
          f.entry.reject,
        )
      } else f.entry.reject(f.error)
    }
  }

  private async inSavepoint(
    trx: Transaction<Database>,
    entry: Waiting,
  ): Promise<{ body: WriteBody<unknown> } | { error: unknown }> {
    try {
      // Undo this write only; if even that fails the transaction is broken and the group fails.
      const body = await withSavepoint(trx, 'group_write', () =>
        writeBody(trx, this.caps, entry.actor, entry.work, this.setup),
      )
      return { body }
    } catch (error) {
      return { error }
    }
  }
}
