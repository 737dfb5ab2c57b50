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
 * SQLite has one writer: one group at a time, which gives up no concurrency. PostgreSQL runs two
 * groups at once, each on its own connection with the same locks as before: their writes overlap
 * until the change counter, which each group takes as its last statement (change-log.ts: seq order
 * is commit order), so a group's work never waits for the other's commit except on rows both touch.
 */
import type { Kysely, Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
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

/** Groups running at once: SQLite has one writer; PostgreSQL overlaps two (see the header). */
export const groupsInFlight = (caps: Pick<DbCapabilities, 'dialect'>) =>
  caps.dialect === 'postgres' ? Number(process.env.XG ?? 2) : 1

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
    private readonly maxRunning = groupsInFlight(caps),
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
