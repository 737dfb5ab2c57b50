/**
 * Who may see which row: the one home of read visibility on the server, built
 * on core's permission matrix (`grantFor`) and entity spec (`ownerOf`). Lists,
 * single reads, history, pull, replayed results and live pokes all ask here,
 * as a predicate on a row or as SQL.
 *
 * A role reads every row of a type (`all`), only the rows it owns (`own`: a
 * collector's collections), or none. A row the caller may not read (any more)
 * is shown as a revoked tombstone where a device holds it.
 */
import { AppError, ENTITY_SPECS, ENTITY_TYPES, type EntityType, grantFor, ownerOf, routeScoped } from '@trackvault/core'
import type { ExpressionBuilder } from 'kysely'
import type { ChangeLogTable } from '../db/schema'
import { type SyncScope, scopeFilter } from './sync-scope'
import type { Actor } from './write-context'

type Loose = Record<string, unknown>

/** Throws FORBIDDEN unless the actor may read some rows of this type. */
export function assertCanRead(actor: Actor, type: EntityType): void {
  if (grantFor(actor.role, type, 'read') === 'none') {
    throw new AppError('FORBIDDEN', `A ${actor.role} may not read ${type.replace('_', ' ')}s`)
  }
}

/** True if the actor reads only its own rows of this type (a list is filtered by owner). */
export function readsOwnOnly(actor: Actor, type: EntityType): boolean {
  return grantFor(actor.role, type, 'read') === 'own'
}

/** True if the actor may read a row of `type` owned by `owner` (undefined: a type without owners). */
export function canSeeOwned(actor: Actor, type: EntityType, owner: string | null | undefined): boolean {
  const grant = grantFor(actor.role, type, 'read')
  return grant === 'all' || (grant === 'own' && owner === actor.id)
}

/** True if the actor may read `row` (of `type`). */
export function canSee(actor: Actor, type: EntityType, row: Loose): boolean {
  return canSeeOwned(actor, type, ownerOf(type, row))
}

/** A row as `actor` may see it: the row itself, or, if it is not theirs to read (any more), a revoked tombstone. */
export function asSeenBy(actor: Actor, type: EntityType, row: Loose): Loose {
  if (canSee(actor, type, row)) return row
  return revokedTombstone(row.id as string, row.version as number, row.updated_at as string)
}

/** What a device is sent for a row that left its reach: deleted, without revealing its new content. */
export function revokedTombstone(id: string, version: number, at: string): Loose {
  return { id, version, deleted_at: at, revoked: true }
}

/** True if the actor reads every row of every type (no owner filter anywhere). */
function readsAll(actor: Actor): boolean {
  return ENTITY_TYPES.every((type) => grantFor(actor.role, type, 'read') === 'all')
}

/**
 * Which change-log entries can matter to `actor`, as a filter on change_log's own columns (so other
 * collectors' changes are skipped by the database): every entry of a type the role reads in full; of
 * a type it reads only its own of, the entries it owns, owned before the change (a revocation), or
 * that predate owner tracking. Undefined means no filter is needed. `canSee` stays the authority.
 * With a device's `scope` (sync-scope.ts), route-scoped types are narrowed to its routes.
 */
export function changeLogFilter(actor: Actor, scope?: SyncScope) {
  if (readsAll(actor) && !scope) return undefined
  const grants = ENTITY_TYPES.map((type) => ({ type, grant: grantFor(actor.role, type, 'read') }))
  return (eb: ExpressionBuilder<{ c: ChangeLogTable }, 'c'>) =>
    eb.or(
      grants
        .filter((g) => g.grant !== 'none')
        .map(({ type, grant }) =>
          grant === 'all'
            ? scope && routeScoped(actor.role, type)
              ? eb.and([eb('c.entity_type', '=', type), scopeFilter(eb, scope)])
              : eb('c.entity_type', '=', type)
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

/**
 * Whether a committed change concerns `actor`'s live stream: `audience` is the owners a write
 * touched (null: rows everyone reads). A collector is not poked for other collectors' rows.
 */
export function streamWants(actor: Pick<Actor, 'id' | 'role'>, audience: string[] | null): boolean {
  if (!audience) return true
  const ownOnly = ENTITY_TYPES.some((type) => ENTITY_SPECS[type].owner && grantFor(actor.role, type, 'read') === 'own')
  return !ownOnly || audience.includes(actor.id)
}
