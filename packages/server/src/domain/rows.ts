/**
 * Loading and storing synced rows by entity type. Kysely's types are keyed
 * by literal table names; these helpers take the table from the entity type,
 * so they work on a loosely typed handle in one place only.
 */
import type { EntityRows, EntityType } from '@trackvault/core'
import type { Kysely, Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database, SyncedColumns } from '../db/schema'
import { TABLES, toColumns, toWire } from './mappers'
import { loadRateForWrite } from './pricing'

// biome-ignore lint/suspicious/noExplicitAny: table chosen at run time from TABLES
type Loose = Kysely<any>

/**
 * Loads one row (deleted or not); with `lock`, on PostgreSQL inside a write, it is locked until commit,
 * a rate after its product and after the product `patch` moves it to (pricing.ts: the lock order).
 */
export async function loadRow<T extends EntityType>(
  db: Kysely<Database> | Transaction<Database>,
  type: T,
  id: string,
  lock?: DbCapabilities,
  patch?: Record<string, unknown>,
): Promise<EntityRows[T] | undefined> {
  if (lock?.rowLocks && type === 'product_rate') {
    return (await loadRateForWrite(db as Transaction<Database>, id, lock, patch?.product_id)) as EntityRows[T]
  }
  let query = (db as Loose)
    .selectFrom(TABLES[type] as string)
    .selectAll()
    .where('id', '=', id)
  if (lock?.rowLocks) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return row ? toWire(type, row as SyncedColumns & Record<string, unknown>) : undefined
}

/** Inserts `row`, written from `deviceId`. */
export async function insertRow<T extends EntityType>(
  trx: Transaction<Database>,
  type: T,
  row: EntityRows[T],
  deviceId: string | null,
): Promise<void> {
  await (trx as unknown as Loose)
    .insertInto(TABLES[type] as string)
    .values(toColumns(type, row, deviceId))
    .execute()
}

/** Writes `row` (from `deviceId`) over the stored one if the stored version is still `expectedVersion`. */
export async function updateRow<T extends EntityType>(
  trx: Transaction<Database>,
  type: T,
  row: EntityRows[T],
  expectedVersion: number,
  deviceId: string | null,
): Promise<boolean> {
  const { id, ...columns } = toColumns(type, row, deviceId)
  const result = await (trx as unknown as Loose)
    .updateTable(TABLES[type] as string)
    .set(columns)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
