/**
 * A scoped device's first pull (sync-scope.ts): the rows of its scope as they stand, read from the
 * entity tables with indexes rather than from all of history. Type by type in ENTITY_TYPES order,
 * rows in id order, each as the JSON text history stored for its version. The snapshot is taken at
 * the head seq of its first page; when it ends, the cursor goes on from that seq, so a row changed
 * meanwhile comes again (newer) and nothing committed after the snapshot began is missed.
 *
 * What it holds: its routes' suppliers (and unrouted ones) and their deductions and settlement
 * lines; its own collections (of the last `sync_window_days` days, a business setting) and its own other rows; every
 * row of the other types it may read. Deleted rows are left out (the device has none to delete).
 */
import {
  type Cursor,
  ENTITY_TYPES,
  type EntityType,
  encodeCursor,
  encodeSnapshotCursor,
  grantFor,
  routeScoped,
  todayIn,
  windowStart,
} from '@trackvault/core'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/schema'
import { headSeq } from '../domain/change-log'
import { TABLES } from '../domain/mappers'
import { loadSettings } from '../domain/settings'
import { type SyncScope, suppliersInScope } from '../domain/sync-scope'
import type { Actor } from '../domain/write-types'
import type { PageEntry, PullPage } from './pull-page'

/** One page of the snapshot of `scope` for `actor`, from `at` (a snapshot cursor) or the start. */
export async function snapshotPage(
  db: Kysely<Database>,
  actor: Actor,
  scope: SyncScope,
  epoch: string,
  at: Cursor | undefined,
  limit: number,
): Promise<PullPage> {
  const seq = at ? at.seq : await headSeq(db)
  const settings = await loadSettings(db)
  const since = windowStart(todayIn(settings.time_zone), settings.sync_window_days)
  let type = at?.snapshot?.type ?? 0
  let after = at?.snapshot?.after ?? ''
  const entries: PageEntry[] = []
  while (type < ENTITY_TYPES.length && entries.length < limit) {
    const entityType = ENTITY_TYPES[type]
    const want = limit - entries.length
    const rows =
      grantFor(actor.role, entityType, 'read') === 'none'
        ? []
        : await rowsOf(db, actor, scope, entityType, after, want, since)
    for (const r of rows) {
      entries.push({
        entity_type: entityType,
        entity_id: r.id,
        version: Number(r.version),
        deleted: false,
        json: r.data,
      })
    }
    if (rows.length < want) {
      type += 1
      after = ''
    } else {
      after = rows[rows.length - 1].id
    }
  }
  const cursor =
    type < ENTITY_TYPES.length
      ? encodeSnapshotCursor(seq, epoch, scope.stamp, type, after)
      : encodeCursor(seq, epoch, scope.stamp)
  // Done or not, there is more: at least the changes since the snapshot began.
  return { entries, cursor, has_more: true, epoch }
}

async function rowsOf(
  db: Kysely<Database>,
  actor: Actor,
  scope: SyncScope,
  type: EntityType,
  after: string,
  limit: number,
  since: string | null,
): Promise<Array<{ id: string; version: number; data: string }>> {
  const table = TABLES[type]
  const conditions = [sql<boolean>`r.deleted_at is null`, sql<boolean>`r.id > ${after}`]
  if (grantFor(actor.role, type, 'read') === 'own') conditions.push(sql<boolean>`r.user_id = ${actor.id}`)
  if (type === 'collection' && since) conditions.push(sql<boolean>`r.collection_date >= ${since}`)
  if (routeScoped(actor.role, type)) {
    conditions.push(
      type === 'supplier'
        ? suppliersInScope(scope, 'r')
        : sql<boolean>`r.supplier_id in (select s.id from suppliers s where ${suppliersInScope(scope, 's')})`,
    )
  }
  const { rows } = await sql<{ id: string; version: number; data: string }>`
    select r.id, r.version,
      (select h.data from entity_history h
        where h.entity_type = ${type} and h.entity_id = r.id and h.version = r.version) as data
    from ${sql.table(table)} r
    where ${sql.join(conditions, sql` and `)}
    order by r.id
    limit ${limit}`.execute(db)
  return rows
}
