/**
 * GET /api/sync/changes: changed rows and tombstones after a cursor, in
 * commit order (see domain/change-log.ts for why seq order is commit order).
 * Rows the caller may not read are left out, but the cursor moves past them.
 */
import {
  AppError,
  type Change,
  decodeCursor,
  ENTITY_TYPES,
  type EntityType,
  encodeCursor,
  grantFor,
  type PullResponse,
} from '@trackvault/core'
import type { ExpressionBuilder, Kysely } from 'kysely'
import type { ChangeLogTable, Database } from '../db/schema'
import type { Actor } from '../domain/write-context'

export const MAX_PULL_LIMIT = 5000

function visible(actor: Actor, type: EntityType, data: Record<string, unknown>): boolean {
  const grant = grantFor(actor.role, type, 'read')
  return grant === 'all' || (grant === 'own' && data.user_id === actor.id)
}

/** A row as `actor` may see it: the row itself, or, if it is not theirs to read (any more), a revoked tombstone. */
export function asSeenBy(actor: Actor, type: EntityType, data: Record<string, unknown>): Record<string, unknown> {
  if (visible(actor, type, data)) return data
  return { id: data.id, version: data.version, deleted_at: data.updated_at, revoked: true }
}

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
 * Which log entries can matter to `actor`, as a filter on change_log's own columns (so other
 * collectors' changes are skipped by the database, not parsed here): every entry of a type the
 * role reads in full; of a type it reads only its own of, the entries it owns, owned before this
 * change (a revocation), or that predate owner tracking. Undefined means no filter is needed;
 * `visible` below stays the authority either way.
 */
function relevant(actor: Actor) {
  const grants = ENTITY_TYPES.map((type) => ({ type, grant: grantFor(actor.role, type, 'read') }))
  if (grants.every((g) => g.grant === 'all')) return undefined
  return (eb: ExpressionBuilder<{ c: ChangeLogTable }, 'c'>) =>
    eb.or(
      grants
        .filter((g) => g.grant !== 'none')
        .map(({ type, grant }) =>
          grant === 'all'
            ? eb('c.entity_type', '=', type)
            : eb.and([
                eb('c.entity_type', '=', type),
                eb.or([
                  eb('c.owner_id', 'is', null),
                  eb('c.owner_id', '=', actor.id),
                  eb('c.previous_owner_id', '=', actor.id),
                ]),
              ]),
        ),
    )
}

export async function pullChanges(
  db: Kysely<Database>,
  actor: Actor,
  since: string | undefined,
  limit: number,
): Promise<PullResponse> {
  const after = since === undefined ? 0 : decodeCursor(since)
  if (after === null) {
    throw new AppError('VALIDATION_FAILED', 'since is not a cursor this server issued', {
      fields: { since: ['invalid cursor'] },
    })
  }
  // The counter's committed value: every change up to it has committed (seq order is commit
  // order, see domain/change-log.ts), so a page that ends short of `limit` may move the cursor
  // to it past the entries the filter skipped, and never past one it has not seen.
  const head = Number(
    (await db.selectFrom('counters').select('value').where('name', '=', 'change_seq').executeTakeFirstOrThrow()).value,
  )
  const filter = relevant(actor)
  let query = db
    .selectFrom('change_log as c')
    .innerJoin('entity_history as h', (join) =>
      join
        .onRef('h.entity_type', '=', 'c.entity_type')
        .onRef('h.entity_id', '=', 'c.entity_id')
        .onRef('h.version', '=', 'c.version'),
    )
    .select([
      'c.seq',
      'c.entity_type',
      'c.entity_id',
      'c.version',
      'c.deleted',
      'c.owner_id',
      'c.previous_owner_id',
      'h.data',
    ])
    .where('c.seq', '>', after)
    .where('c.seq', '<=', head)
  if (filter) query = query.where(filter)
  const rows = await query.orderBy('c.seq').limit(limit).execute()
  const parsed = rows.map((row) => ({ row, type: row.entity_type as EntityType, data: JSON.parse(row.data) as Loose }))
  const untracked = parsed.filter(
    (p) => !visible(actor, p.type, p.data) && p.row.owner_id === null && Number(p.row.version) > 1,
  )
  const previous = await previousVersions(
    db,
    untracked.map((p) => p.row),
  )
  const changes: Change[] = []
  for (const { row, type, data } of parsed) {
    if (!visible(actor, type, data)) {
      // A row that was the caller's and now is someone else's (a collection reassigned by a
      // manager) leaves the caller's replica as a tombstone, without revealing its new content.
      const before = previous.get(`${row.entity_type}/${row.entity_id}/${Number(row.version) - 1}`)
      const wasTheirs = row.previous_owner_id === actor.id || (before !== undefined && visible(actor, type, before))
      if (wasTheirs) {
        changes.push({
          entity_type: row.entity_type,
          entity_id: row.entity_id,
          version: Number(row.version),
          deleted: true,
          data: { id: row.entity_id, version: Number(row.version), deleted_at: data.updated_at, revoked: true },
        })
      }
      continue
    }
    changes.push({
      entity_type: row.entity_type,
      entity_id: row.entity_id,
      version: Number(row.version),
      deleted: Number(row.deleted) === 1,
      data,
    })
  }
  const full = rows.length === limit
  const last = full ? Number(rows[rows.length - 1].seq) : Math.max(after, head)
  return { changes, cursor: encodeCursor(last), has_more: full }
}
