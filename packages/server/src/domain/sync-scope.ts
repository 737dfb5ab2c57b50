/**
 * What a device holds: its sync scope (core's scope.ts). Visibility (visibility.ts) says what a
 * user may read; the scope narrows what the pull sends a device to the suppliers of the routes its
 * user serves today, and their deductions and settlement lines.
 *
 * - Each change-log entry of a route-scoped type records its route (`scope`, and `previous_scope`
 *   when it moved), resolved here when the write ends, so a pull filters in SQL. It is read under
 *   the change counter's lock (`appendChanges`), so it is the supplier's route at the entry's place
 *   in the log: on PostgreSQL a move committing while a deduction is written is either before the
 *   deduction's entry (and read) or after it.
 * - A device's cursor carries the stamp of the scope it holds: its routes and how often each
 *   route's membership changed (`route_members`, bumped here when a supplier moves). A pull whose
 *   stamp is not the user's current one is answered SCOPE_CHANGED, and the device pulls its new
 *   scope from the beginning (a snapshot), keeping its queue.
 */
import { createHash } from 'node:crypto'
import { hasRouteScope, todayIn, UNROUTED } from '@trackvault/core'
import { type ExpressionBuilder, type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import { runKeyed } from '../db/compiled-statements'
import type { Database } from '../db/schema'
import type { PendingChange } from './change-log'
import { loadSettings } from './settings'
import type { Actor } from './write-types'

/** The assignments of `userId` running on `today` (core's `assignmentCovers`, as SQL). */
function runningAssignments(db: Kysely<Database> | Transaction<Database>, userId: string, today: string) {
  return db
    .selectFrom('route_assignments')
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)]))
}

/**
 * A device's scope: the scope keys it holds (route ids and `*`), the suppliers its user added from
 * the directory (`pins`), and their stamp.
 */
export interface SyncScope {
  keys: string[]
  pins: string[]
  stamp: string
}

/** How many suppliers one user may add to its devices beyond its routes. */
export const MAX_PINS = 500

/**
 * The scope of `actor`'s devices today (in the business's time zone), or undefined for roles whose
 * devices hold everything they may read.
 */
export async function scopeOf(db: Kysely<Database>, actor: Actor, at = new Date()): Promise<SyncScope | undefined> {
  if (!hasRouteScope(actor.role)) return undefined
  const today = todayIn((await loadSettings(db)).time_zone, at)
  // Three reads that do not wait on each other: the routes, how often each one's members changed, the pins.
  const [assigned, members, pinned] = await Promise.all([
    runningAssignments(db, actor.id, today).select('route_id').execute(),
    db
      .selectFrom('route_members')
      .select(['route_id', 'version'])
      .where((eb) =>
        eb.or([
          eb('route_id', '=', UNROUTED),
          eb('route_id', 'in', runningAssignments(db, actor.id, today).select('route_id')),
        ]),
      )
      .execute(),
    db.selectFrom('scope_pins').select('supplier_id').where('user_id', '=', actor.id).orderBy('supplier_id').execute(),
  ])
  const keys = [...new Set([...assigned.map((a) => a.route_id), UNROUTED])].sort()
  const versions = new Map(members.map((m) => [m.route_id, Number(m.version)]))
  const pins = pinned.map((p) => p.supplier_id)
  const stamped = [keys.map((k) => [k, versions.get(k) ?? 0]), pins]
  return { keys, pins, stamp: createHash('sha256').update(JSON.stringify(stamped)).digest('hex').slice(0, 16) }
}

/**
 * The route a supplier a collector adds joins: of the collector's assignments running on `today`,
 * the one that started last (then the lowest route id); null when it serves none (unrouted).
 */
export async function routeOfCollector(
  db: Kysely<Database> | Transaction<Database>,
  userId: string,
  today: string,
): Promise<string | null> {
  const row = await runningAssignments(db, userId, today)
    .select('route_id')
    .orderBy('valid_from', 'desc')
    .orderBy('route_id')
    .executeTakeFirst()
  return row?.route_id ?? null
}

/**
 * Fills in the route of each pending change of a supplier's deduction or settlement line (from its
 * supplier, as this transaction sees it; run under the counter's lock, see above), and bumps `route_members` of both routes of every
 * supplier that moved: devices on either route pull their scope again.
 */
export async function resolveScopes(trx: Transaction<Database>, changes: PendingChange[]): Promise<void> {
  const wanted = new Set<string>()
  for (const c of changes) {
    if (c.scope_supplier) wanted.add(c.scope_supplier)
    if (c.previous_scope_supplier) wanted.add(c.previous_scope_supplier)
  }
  if (wanted.size > 0) {
    const routes = new Map<string, string>()
    const ids = [...wanted]
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500)
      const { rows } = await runKeyed(trx, `suppliers:routes:${part.length}`, part, () =>
        trx.selectFrom('suppliers').select(['id', 'route_id']).where('id', 'in', part),
      )
      for (const r of rows) routes.set(r.id, r.route_id ?? UNROUTED)
    }
    for (const c of changes) {
      if (c.scope_supplier) c.scope = routes.get(c.scope_supplier) ?? UNROUTED
      if (c.previous_scope_supplier) {
        const before = routes.get(c.previous_scope_supplier) ?? UNROUTED
        c.previous_scope = before !== c.scope ? before : null
      }
    }
  }
  const moved = new Set<string>()
  for (const c of changes) {
    if (c.entity_type === 'supplier' && c.previous_scope !== null && c.scope !== null) {
      moved.add(c.scope)
      moved.add(c.previous_scope)
    }
  }
  for (const route of [...moved].sort()) {
    await trx
      .insertInto('route_members')
      .values({ route_id: route, version: 1 })
      .onConflict((oc) => oc.column('route_id').doUpdateSet({ version: sql`route_members.version + 1` }))
      .execute()
  }
}

/**
 * The ids of the suppliers a device with `scope` holds, as SQL over a suppliers table aliased `alias`:
 * on its routes, unrouted, or pinned. The one home of that rule for the snapshot and the balances.
 */
export function suppliersInScope(scope: SyncScope, alias: string): RawBuilder<boolean> {
  const routes = scope.keys.filter((k) => k !== UNROUTED)
  const column = sql.ref(`${alias}.route_id`)
  const id = sql.ref(`${alias}.id`)
  const parts = [sql<boolean>`${column} is null`]
  if (routes.length > 0) parts.push(sql<boolean>`${column} in (${sql.join(routes)})`)
  if (scope.pins.length > 0) parts.push(sql<boolean>`${id} in (${sql.join(scope.pins)})`)
  return sql<boolean>`(${sql.join(parts, sql` or `)})`
}

/**
 * The change-log entries of a route-scoped type a device with `scope` holds: in its routes, about a
 * supplier it pinned, or leaving its routes.
 */
export function scopeFilter(eb: ExpressionBuilder<{ c: Database['change_log'] }, 'c'>, scope: SyncScope) {
  const held = [eb('c.scope', 'is', null), eb('c.scope', 'in', scope.keys), eb('c.previous_scope', 'in', scope.keys)]
  if (scope.pins.length > 0) held.push(eb('c.scope_subject', 'in', scope.pins))
  return eb.or(held)
}

/** True if a change-log entry's row is in `scope` at this version (entries before routes existed are). */
export function inScope(scope: SyncScope, entry: { scope: string | null; scope_subject: string | null }): boolean {
  return (
    entry.scope === null ||
    scope.keys.includes(entry.scope) ||
    (entry.scope_subject !== null && scope.pins.includes(entry.scope_subject))
  )
}
