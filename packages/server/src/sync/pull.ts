/**
 * GET /api/sync/changes: changed rows and tombstones after a cursor, in
 * commit order (see domain/change-log.ts for why seq order is commit order).
 * Rows the caller may not read are left out, but the cursor moves past them.
 */
import {
  AppError,
  type Change,
  type Cursor,
  type EntityType,
  encodeCursor,
  ownerOf,
  type PullResponse,
  parseCursor,
} from '@trackvault/core'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { headSeq } from '../domain/change-log'
import { currentEpoch } from '../domain/epoch'
import { inScope, type SyncScope, scopeOf } from '../domain/sync-scope'
import { canSee, canSeeOwned, changeLogFilter, readsOwnOnly, revokedTombstone } from '../domain/visibility'
import type { PageEntry, PullPage } from './pull-page'
import { snapshotPage } from './snapshot'

export type { PageEntry, PullPage } from './pull-page'

import type { Actor } from '../domain/write-context'

export const MAX_PULL_LIMIT = 5000

type Loose = Record<string, unknown>

/** Rows named per lookup of previous versions (3 bound parameters each). */
const LOOKUP_CHUNK = 300

/**
 * The versions before `rows` (keyed `type/id/version`), in one query per
 * chunk: a page holds up to thousands of changes the caller may not read,
 * and looking each one up alone made pull cost a query per foreign change.
 */
async function previousVersions(
  db: Kysely<Database>,
  rows: Array<{ entity_type: string; entity_id: string; version: number | string }>,
): Promise<Map<string, Loose>> {
  const found = new Map<string, Loose>()
  for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
    const part = rows.slice(i, i + LOOKUP_CHUNK)
    const hits = await db
      .selectFrom('entity_history')
      .select(['entity_type', 'entity_id', 'version', 'data'])
      .where((eb) =>
        eb.or(
          part.map((r) =>
            eb.and([
              eb('entity_type', '=', r.entity_type),
              eb('entity_id', '=', r.entity_id),
              eb('version', '=', Number(r.version) - 1),
            ]),
          ),
        ),
      )
      .execute()
    for (const h of hits) found.set(`${h.entity_type}/${h.entity_id}/${Number(h.version)}`, JSON.parse(h.data) as Loose)
  }
  return found
}

/**
 * One page of changes for `actor`. Rows are passed on as the JSON text history stored, not
 * parsed and serialised again: whether the caller may read a row is decided from the owner the
 * change log records (only entries logged before owners were tracked are parsed).
 */
export async function pullPage(
  db: Kysely<Database>,
  actor: Actor,
  since: string | undefined,
  limit: number,
): Promise<PullPage> {
  const at: Cursor | null | undefined = since === undefined ? undefined : parseCursor(since)
  if (at === null) {
    throw new AppError('VALIDATION_FAILED', 'since is not a cursor this server issued', {
      fields: { since: ['invalid cursor'] },
    })
  }
  // A cursor of another epoch names a database this one is not (it was restored from a backup):
  // nothing after it means anything here. The device re-sends its journal and pulls from the start.
  const epoch = await currentEpoch(db)
  if (at?.epoch && at.epoch !== epoch) {
    throw new AppError('EPOCH_CHANGED', undefined, { epoch, cursor_epoch: at.epoch })
  }
  const scope = await scopeOf(db, actor)
  checkScope(at, scope)
  // A scoped device's first pull reads its scope's rows as they stand, not all of history.
  if (scope && (!at || at.snapshot)) return snapshotPage(db, actor, scope, epoch, at, limit)
  const after = at?.seq ?? 0
  // The counter's committed value: every change up to it has committed (seq order is commit
  // order, see domain/change-log.ts), so a page that ends short of `limit` may move the cursor
  // to it past the entries the filter skipped, and never past one it has not seen.
  const head = await headSeq(db)
  const filter = changeLogFilter(actor, scope)
  let query = db
    .selectFrom('change_log as c')
    .select((eb) => [
      'c.seq',
      'c.entity_type',
      'c.entity_id',
      'c.version',
      'c.deleted',
      'c.owner_id',
      'c.previous_owner_id',
      'c.scope',
      'c.previous_scope',
      'c.scope_subject',
      // A lookup by primary key per entry: the plan cannot turn into a join over all of history
      // (PostgreSQL chose a hash join over the whole table when it had no statistics).
      eb
        .selectFrom('entity_history as h')
        .select('h.data')
        .whereRef('h.entity_type', '=', 'c.entity_type')
        .whereRef('h.entity_id', '=', 'c.entity_id')
        .whereRef('h.version', '=', 'c.version')
        .as('data'),
    ])
    .where('c.seq', '>', after)
    .where('c.seq', '<=', head)
  if (filter) query = query.where(filter)
  const rows = await query.orderBy('c.seq').limit(limit).execute()
  type Row = (typeof rows)[number]
  // Parsed only where the owner columns cannot decide: entries that predate them.
  const parsed = new Map<Row, Loose>()
  const parse = (row: Row) => {
    let data = parsed.get(row)
    if (!data) {
      data = JSON.parse(row.data as string) as Loose
      parsed.set(row, data)
    }
    return data
  }
  // The owner the log recorded decides; only entries that predate owner tracking are parsed.
  const canRead = (row: Row) => {
    const type = row.entity_type as EntityType
    if (scope && !inScope(scope, row)) return false
    if (!readsOwnOnly(actor, type)) return canSeeOwned(actor, type, undefined)
    return canSeeOwned(actor, type, row.owner_id ?? ownerOf(type, parse(row)))
  }
  const untracked = rows.filter((r) => !canRead(r) && r.owner_id === null && r.scope === null && Number(r.version) > 1)
  const previous = await previousVersions(db, untracked)
  const entries: PageEntry[] = []
  for (const row of rows) {
    const base = { entity_type: row.entity_type, entity_id: row.entity_id, version: Number(row.version) }
    if (canRead(row)) {
      entries.push({ ...base, deleted: Number(row.deleted) === 1, json: row.data as string })
      continue
    }
    // A row that was the caller's and now is someone else's (a collection reassigned by a
    // manager) leaves the caller's replica as a tombstone, without revealing its new content.
    const before = previous.get(`${row.entity_type}/${row.entity_id}/${Number(row.version) - 1}`)
    const type = row.entity_type as EntityType
    const leftScope =
      scope !== undefined &&
      row.previous_scope !== null &&
      inScope(scope, { scope: row.previous_scope, scope_subject: row.scope_subject })
    if (leftScope || row.previous_owner_id === actor.id || (before !== undefined && canSee(actor, type, before))) {
      const tombstone = revokedTombstone(row.entity_id, base.version, parse(row).updated_at as string)
      entries.push({ ...base, deleted: true, json: JSON.stringify(tombstone) })
    }
  }
  const full = rows.length === limit
  const last = full ? Number(rows[rows.length - 1].seq) : Math.max(after, head)
  return { entries, cursor: encodeCursor(last, epoch, scope?.stamp), has_more: full, epoch }
}

/**
 * A cursor made for another scope than the device's now (its routes changed, a supplier moved in
 * or out of one, or its user no longer has a scope) is SCOPE_CHANGED: the device pulls again from
 * the beginning, keeping its queue. A cursor from before scopes (no stamp) goes on as it is.
 */
function checkScope(at: Cursor | undefined, scope: SyncScope | undefined): void {
  if (!at) return
  const stale = scope ? at.scope !== null && at.scope !== scope.stamp : at.scope !== null
  if (stale) throw new AppError('SCOPE_CHANGED', undefined, { scope: scope?.stamp ?? null })
}

/** The pull answer's JSON text, with each row's stored JSON spliced in as is. */
export function serializePage(page: PullPage): string {
  const changes = page.entries.map(
    (e) =>
      `{"entity_type":${JSON.stringify(e.entity_type)},"entity_id":${JSON.stringify(e.entity_id)},"version":${e.version},"deleted":${e.deleted},"data":${e.json}}`,
  )
  return `{"changes":[${changes.join(',')}],"cursor":${JSON.stringify(page.cursor)},"has_more":${page.has_more},"epoch":${JSON.stringify(page.epoch)}}`
}

/** `pullPage` with each row parsed (for callers in this process). */
export async function pullChanges(
  db: Kysely<Database>,
  actor: Actor,
  since: string | undefined,
  limit: number,
): Promise<PullResponse> {
  const page = await pullPage(db, actor, since, limit)
  const changes: Change[] = page.entries.map((e) => ({
    entity_type: e.entity_type,
    entity_id: e.entity_id,
    version: e.version,
    deleted: e.deleted,
    data: JSON.parse(e.json) as Loose,
  }))
  return { changes, cursor: page.cursor, has_more: page.has_more, epoch: page.epoch }
}
