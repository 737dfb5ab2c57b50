/**
 * Puts the database on the app (`app.db`, `app.caps`) and the write helper
 * `app.write(actor, work)`, which runs `work` in one transaction through
 * the domain service and, after commit, tells the change feed. The writes
 * that arrive together share one commit (domain/group-commit.ts).
 */
import { EventEmitter } from 'node:events'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import type { DbCapabilities, DbHandle } from '../db/database'
import type { Database } from '../db/schema'
import { GroupCommit, groupsInFlight } from '../domain/group-commit'
import { type Actor, runWrite, type WriteContext, type WriteOutcome, type WriteSetup } from '../domain/write-context'

/**
 * Emits 'change' with the newest committed seq after every write that logged changes, and the
 * users whose rows it changed (null: it may concern anyone; see WriteOutcome.audience).
 */
export class ChangeFeed extends EventEmitter {
  notify(seq: number, audience: string[] | null = null) {
    this.emit('change', seq, audience)
  }
  /** A write committed text messages to send (sms/worker.ts listens). */
  messagesQueued(count: number) {
    this.emit('messages', count)
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
    caps: DbCapabilities
    changeFeed: ChangeFeed
    /** Runs `work` in one write transaction; returns its result and the last change seq it logged. */
    transact<T>(actor: Actor, work: (ctx: WriteContext) => Promise<T>): Promise<WriteOutcome<T>>
    /** `transact`, returning only the result. */
    write<T>(actor: Actor, work: (ctx: WriteContext) => Promise<T>): Promise<T>
  }
}

export interface DatabasePluginOptions {
  handle: DbHandle
  /** How writes run (domain/write-types.ts): whether they queue text messages. */
  setup?: WriteSetup
}

export const databasePlugin = fp(async (app: FastifyInstance, opts: DatabasePluginOptions) => {
  const feed = new ChangeFeed()
  feed.setMaxListeners(0)
  app.decorate('db', opts.handle.db)
  app.decorate('caps', opts.handle.caps)
  app.decorate('changeFeed', feed)
  const { db, caps } = opts.handle
  const group = caps.groupCommit
    ? new GroupCommit(
        db,
        caps,
        undefined,
        (size) => app.metrics?.groupCommitSize.observe(size),
        opts.setup,
        groupsInFlight(opts.handle),
      )
    : undefined
  const transact = async <T>(actor: Actor, work: (ctx: WriteContext) => Promise<T>) => {
    const outcome = await (group ? group.run(actor, work) : runWrite(db, caps, actor, work, opts.setup))
    if (outcome.lastSeq !== null) feed.notify(outcome.lastSeq, outcome.audience)
    if (outcome.queuedMessages > 0) feed.messagesQueued(outcome.queuedMessages)
    return outcome
  }
  app.decorate('transact', transact)
  app.decorate('write', async <T>(actor: Actor, work: (ctx: WriteContext) => Promise<T>) => {
    return (await transact(actor, work)).result
  })
})
