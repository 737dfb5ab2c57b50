/**
 * Group commit for a database with one writer (SQLite): the write
 * transactions that arrive while one is being prepared or committed run
 * together in one transaction, each in a savepoint of its own, and share one
 * durable commit (one fsync instead of one per request).
 *
 * Each write still commits or fails as a unit: a write that throws is rolled
 * back to its savepoint and only its caller sees the error; the others go on.
 * Nobody hears "done" before the shared commit returns, and if that commit
 * fails every write of the group fails, so nothing acknowledged is lost.
 * Writers were serialised on the one connection anyway, so no concurrency is
 * given up; what a write sees is every write before it, as before.
 */
import type { Kysely, Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { withSavepoint } from '../db/sql-helpers'
import { type Actor, runWrite, type WriteOutcome, type WriteSetup, type WriteWork, writeIn } from './write-context'

interface Waiting {
  actor: Actor
  work: WriteWork<unknown>
  resolve: (outcome: WriteOutcome<unknown>) => void
  reject: (err: unknown) => void
}

type Settled = { entry: Waiting; outcome: WriteOutcome<unknown> } | { entry: Waiting; error: unknown }

/** Most writes folded into one transaction (bounds a group's latency and its savepoint stack). */
const MAX_GROUP = 64

export class GroupCommit {
  private readonly waiting: Waiting[] = []
  private draining = false

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DbCapabilities,
    private readonly maxGroup = MAX_GROUP,
    /** Told the size of every group before it runs (the group-commit metric). */
    private readonly onGroup?: (size: number) => void,
    private readonly setup: WriteSetup = {},
  ) {}

  /** Runs `work` in the next group; resolves after the group's commit. */
  run<T>(actor: Actor, work: WriteWork<T>): Promise<WriteOutcome<T>> {
    return new Promise<WriteOutcome<T>>((resolve, reject) => {
      this.waiting.push({ actor, work, resolve, reject } as unknown as Waiting)
      if (!this.draining) {
        this.draining = true
        // Let the requests that are already readable reach this queue first.
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.runGroup(this.waiting.splice(0, this.maxGroup))
    } finally {
      this.draining = false
    }
  }

  private async runGroup(group: Waiting[]): Promise<void> {
    this.onGroup?.(group.length)
    if (group.length === 1) {
      const [only] = group
      await runWrite(this.db, this.caps, only.actor, only.work, this.setup).then(only.resolve, only.reject)
      return
    }
    const settled: Settled[] = []
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const entry of group) settled.push(await this.inSavepoint(trx, entry))
      })
    } catch (err) {
      for (const entry of group) entry.reject(err)
      return
    }
    for (const s of settled) {
      if ('outcome' in s) s.entry.resolve(s.outcome)
      else s.entry.reject(s.error)
    }
  }

  private async inSavepoint(trx: Transaction<Database>, entry: Waiting): Promise<Settled> {
    try {
      // Undo this write only; if even that fails the transaction is broken and the group fails.
      const outcome = await withSavepoint(trx, 'group_write', () =>
        writeIn(trx, this.caps, entry.actor, entry.work, this.setup),
      )
      return { entry, outcome }
    } catch (error) {
      return { entry, error }
    }
  }
}
