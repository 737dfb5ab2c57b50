/**
 * The worker's side of the outbox (docs/collection-point.md, "SMS"), each step one short statement
 * of its own, never inside a sync write.
 *
 * - `claimDue` takes due rows with a lease, in one conditional UPDATE (of the ids a materialized
 *   CTE picked): a row is due when it is
 *   pending and its time has come, or sending and its lease has run out (the worker that claimed it
 *   died). The claim sets `status = sending`, the lease's end (also as `next_attempt_at`, so a
 *   lapsed lease makes the row due again) and counts the attempt. On PostgreSQL the candidates
 *   are read `FOR UPDATE SKIP LOCKED` and the UPDATE checks the row is still due, so two workers
 *   (two server processes) never claim one row; SQLite has one writer.
 * - `settle` records what the provider answered, only while the claim still holds (`attempts` as
 *   claimed: a worker whose lease lapsed and was claimed again records nothing).
 */
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database, NotificationsTable } from '../db/schema'
import type { NotificationStatus } from './outbox'

export type NotificationRow = Selectable<NotificationsTable>

/** Rows still to send: matches the partial index `notifications_due` (migration 017) word for word. */
const TO_SEND = sql<boolean>`status in ('pending', 'sending')`

export async function claimDue(
  db: Kysely<Database>,
  caps: DbCapabilities,
  opts: { now: Date; leaseMs: number; limit: number },
): Promise<NotificationRow[]> {
  const now = opts.now.toISOString()
  const leaseEnd = new Date(opts.now.getTime() + opts.leaseMs).toISOString()
  const due = db
    .selectFrom('notifications')
    .select('id')
    .where(TO_SEND)
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(opts.limit)
  // Materialized: read once. Inlined into the UPDATE, PostgreSQL may read a LIMIT ... SKIP LOCKED
  // subquery again for each row it scans and claim more rows than the limit.
  return (
    db
      .with(
        (cte) => cte('due').materialized(),
        () => (caps.rowLocks ? due.forUpdate().skipLocked() : due),
      )
      .updateTable('notifications')
      .set({ status: 'sending', attempts: sql`attempts + 1`, lease_until: leaseEnd, next_attempt_at: leaseEnd })
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      // Checked again on the row as it is when the update reaches it (another worker may have claimed it).
      .where(TO_SEND)
      .where('next_attempt_at', '<=', now)
      .returningAll()
      .execute()
  )
}

export type Settlement =
  | { status: 'sent'; provider: string; providerMessageId: string | null; at: Date }
  | { status: 'pending'; provider: string; error: string; nextAttemptAt: Date }
  | { status: 'failed'; provider: string; error: string }

/** Records the outcome of the claim `row` (as claimDue returned it); false if the claim was lost. */
export async function settle(db: Kysely<Database>, row: NotificationRow, outcome: Settlement): Promise<boolean> {
  const set: Updateable<NotificationsTable> & { status: NotificationStatus } = {
    status: outcome.status,
    provider: outcome.provider,
    lease_until: null,
  }
  if (outcome.status === 'sent') {
    set.provider_message_id = outcome.providerMessageId
    set.sent_at = outcome.at.toISOString()
    set.last_error = null
  } else {
    set.last_error = outcome.error
    if (outcome.status === 'pending') set.next_attempt_at = outcome.nextAttemptAt.toISOString()
  }
  const result = await db
    .updateTable('notifications')
    .set(set)
    .where('id', '=', row.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', row.attempts)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Rows by status, for the metrics (the status index answers it). */
export async function countByStatus(
  db: Kysely<Database>,
  statuses: readonly NotificationStatus[],
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('notifications')
    .select(['status', db.fn.countAll<number | string>().as('n')])
    .where('status', 'in', [...statuses])
    .groupBy('status')
    .execute()
  const counts: Record<string, number> = Object.fromEntries(statuses.map((s) => [s, 0]))
  for (const r of rows) counts[r.status] = Number(r.n)
  return counts
}
