/**
 * Loading and storing synced rows by entity type. Kysely's types are keyed
 * by literal table names; these helpers take the table from the entity type,
 * so they work on a loosely typed handle in one place only. Their SQL is compiled once per
 * database, table and column list (db/compiled-statements.ts).
 */
import { type EntityRows, type EntityType, MAX_BATCH_OPERATIONS } from '@trackvault/core'
import type { Kysely, Transaction } from 'kysely'
import { insertRows, runKeyed } from '../db/compiled-statements'
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
  const table: string = TABLES[type]
  const forUpdate = Boolean(lock?.rowLocks)
  const { rows } = await runKeyed(db as Loose, `load:${table}:${forUpdate}`, [id], () => {
    const query = (db as Loose).selectFrom(table).selectAll().where('id', '=', id)
    return forUpdate ? query.forUpdate() : query
  })
  const row = rows[0]
  return row ? toWire(type, row as SyncedColumns & Record<string, unknown>) : undefined
}

/** Inserts `row`, written from `deviceId`. */
export async function insertRow<T extends EntityType>(
  trx: Transaction<Database>,
  type: T,
  row: EntityRows[T],
  deviceId: string | null,
): Promise<void> {
  const table: string = TABLES[type]
  const columns = toColumns(type, row, deviceId)
  await insertRows(trx as unknown as Loose, table, [columns])
}

/** Writes `row` (from `deviceId`) over the stored one if the stored version is still `expectedVersion`. */
export async function updateRow<T extends EntityType>(
  trx: Transaction<Database>,
  type: T,
  row: EntityRows[T],
  expectedVersion: number,
  deviceId: string | null,
): Promise<boolean> {
  const table: string = TABLES[type]
  const { id, ...columns } = toColumns(type, row, deviceId)
  const key = `update:${table}:${Object.keys(columns).join()}`
  const result = await runKeyed(trx as unknown as Loose, key, [...Object.values(columns), id, expectedVersion], () =>
    (trx as unknown as Loose)
      .updateTable(table)
      .set(columns)
      .where('id', '=', id)
      .where('version', '=', expectedVersion),
  )
  return Number(result.numAffectedRows ?? 0) === 1
}

/**
 * Loads the rows `ids` of `type` (deleted or not) in one statement; with `lock`, on PostgreSQL inside
 * a write, they are locked until commit (in the primary key's order). Not for rates, whose lock
 * order (after their product) `loadRow` keeps. Returns the rows found, by id.
 */
export async function loadRows<T extends Exclude<EntityType, 'product_rate'>>(
  db: Kysely<Database> | Transaction<Database>,
  type: T,
  ids: readonly string[],
  lock?: DbCapabilities,
): Promise<Map<string, EntityRows[T]>> {
  const found = new Map<string, EntityRows[T]>()
  const table: string = TABLES[type]
  const forUpdate = Boolean(lock?.rowLocks)
  // One text per list length, and lists of at most a batch's length: the texts are bounded.
  for (let at = 0; at < ids.length; at += MAX_BATCH_OPERATIONS) {
    const part = ids.slice(at, at + MAX_BATCH_OPERATIONS)
    const { rows } = await runKeyed(db as Loose, `loadMany:${table}:${forUpdate}:${part.length}`, part, () => {
      const query = (db as Loose).selectFrom(table).selectAll().where('id', 'in', part)
      return forUpdate ? query.forUpdate() : query
    })
    for (const row of rows) {
      const wire = toWire(type, row as SyncedColumns & Record<string, unknown>)
      found.set(wire.id as string, wire)
    }
  }
  return found
}
