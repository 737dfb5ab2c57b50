/**
 * The context every write runs in: one database transaction, the acting
 * user and device, and the change-log entries collected so far. The entries
 * are written last (see change-log.ts) so that the change sequence follows
 * commit order.
 */
import type { Role } from '@trackvault/core'
import type { Kysely, Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { appendChanges, type PendingChange } from './change-log'

/** The signed-in user a request or sync operation acts as. */
export interface Actor {
  id: string
  role: Role
  name: string
  deviceId: string | null
}

export interface WriteContext {
  trx: Transaction<Database>
  caps: DbCapabilities
  actor: Actor
  /** Change-log entries to append at commit; savepoint rollbacks truncate it. */
  changes: PendingChange[]
  /** Set when the write comes from a sync operation. */
  syncOperationId?: string
  /** One timestamp per transaction keeps a batch's rows consistent. */
  now: string
}

/**
 * Runs `work` in a transaction and appends its change-log entries just
 * before commit. Returns what `work` returned, plus the new change cursor.
 */
export async function runWrite<T>(
  db: Kysely<Database>,
  caps: DbCapabilities,
  actor: Actor,
  work: (ctx: WriteContext) => Promise<T>,
): Promise<{ result: T; lastSeq: number | null }> {
  return db.transaction().execute(async (trx) => {
    const ctx: WriteContext = { trx, caps, actor, changes: [], now: new Date().toISOString() }
    const result = await work(ctx)
    const lastSeq = await appendChanges(trx, ctx.changes, ctx.now, caps.notifyChannel)
    return { result, lastSeq }
  })
}
