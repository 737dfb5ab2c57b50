/**
 * A partial index of the ledger's operations that wait for their user
 * (conflict, failed): /metrics counts them at every scrape, and the ledger
 * keeps every operation ever pushed, so the count must not scan it. Both
 * databases use a partial index when the query repeats its condition
 * (sync/operation-log.ts `countWaitingOperations`).
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('sync_operations_waiting')
    .on('sync_operations')
    .column('status')
    .where(sql<boolean>`status in ('conflict', 'failed')`)
    .execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sync_operations_waiting').execute()
}
