/**
 * The oracle: what a request may change. A refused request changes no table;
 * an accepted one writes exactly what its route means (../fuzz.test.ts checks
 * both with snapshots of every table, ../helpers/db-snapshot.ts). And the
 * figures of a run, printed after it.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/schema'
import { changedTables, countDelta, ENTITY_TABLES, entityDelta, type Snapshot } from '../helpers/db-snapshot'
import { errorCodeOf } from '../helpers/error-contract'
import type { RawResponse } from '../helpers/raw-http'
import { ENTITY_PATHS, type Endpoint, key, TABLE_OF } from './endpoints'

/** What a route is meant to write, when it accepts a request. */
type Kind =
  | 'read'
  | 'entity-create'
  | 'entity-write'
  | 'login'
  | 'logout'
  | 'ticket'
  | 'user-create'
  | 'user-write'
  | 'push'
  | 'resolve'
  | 'other'

export function kindOf(e: Endpoint): Kind {
  if (e.method === 'GET' || e.method === 'HEAD') return 'read'
  if (ENTITY_PATHS[e.path] && e.method === 'POST') return 'entity-create'
  if (ENTITY_PATHS[e.path.replace('/{id}', '')] && e.path.endsWith('/{id}')) return 'entity-write'
  const k: Record<string, Kind> = {
    'POST /api/auth/login': 'login',
    'POST /api/auth/logout': 'logout',
    'POST /api/sync/events/ticket': 'ticket',
    'POST /api/users': 'user-create',
    'PATCH /api/users/{id}': 'user-write',
    'POST /api/users/{id}/password': 'user-write',
    'POST /api/sync': 'push',
    'POST /api/sync/resolve': 'resolve',
  }
  return k[key(e)] ?? 'other'
}

/** What an accepted request may have written; violations, or empty. */
export async function accounting(
  db: Kysely<Database>,
  e: Endpoint,
  res: RawResponse,
  before: Snapshot,
  after: Snapshot,
  token?: { device: string | null },
): Promise<string[]> {
  const changed = changedTables(before, after)
  const d = countDelta(before, after)
  const ent = entityDelta(before, after)
  const problems: string[] = []
  const only = (allowed: string[]) => {
    for (const t of changed) if (!allowed.includes(t)) problems.push(`${t} changed`)
  }
  const exact = (t: string, n: number) => {
    if (d[t] !== n) problems.push(`${t} rows ${d[t] >= 0 ? '+' : ''}${d[t]}, expected +${n}`)
  }
  // Every accepted entity change is one new version, one history row and one change-log entry.
  if (d.entity_history !== d.change_log || ent.versions !== d.entity_history) {
    problems.push(`history +${d.entity_history}, change log +${d.change_log}, entity versions +${ent.versions}`)
  }
  if (ent.rows > d.entity_history) problems.push(`entity rows +${ent.rows} without history`)
  const kind = kindOf(e)
  // A supplier moving between routes also counts the move (route_members, domain/sync-scope.ts).
  const writeTables = ['entity_history', 'change_log', 'counters', 'route_members']
  switch (kind) {
    case 'read':
      only([])
      break
    case 'entity-create':
    case 'entity-write': {
      const type = ENTITY_PATHS[kind === 'entity-create' ? e.path : e.path.replace('/{id}', '')]
      const table = TABLE_OF[type]
      // A rate also prices the collections that waited for it: new versions of those, no new rows.
      const priced = type === 'product_rate' ? ['collections'] : []
      only([table, ...priced, ...writeTables])
      exact(table, kind === 'entity-create' ? 1 : 0)
      if (priced.length > 0) exact('collections', 0)
      if (priced.length > 0 ? d.entity_history < 1 : d.entity_history !== 1) {
        problems.push(`history +${d.entity_history}, expected ${priced.length > 0 ? 'at least ' : ''}+1`)
      }
      break
    }
    case 'login':
      // A sign-in on a new device (or by a new user of it) also gets a receipt prefix.
      only(['auth_tokens', 'receipt_prefixes', 'counters'])
      exact('auth_tokens', 1)
      if (d.receipt_prefixes > 1) problems.push(`receipt_prefixes +${d.receipt_prefixes}`)
      break
    case 'ticket':
      only(['auth_tokens'])
      exact('auth_tokens', 1)
      break
    case 'logout': {
      only(['auth_tokens'])
      exact('auth_tokens', 0)
      const revoked = (x: Snapshot) => Number(x.auth_tokens.d.split(':')[0])
      if (revoked(after) - revoked(before) !== 1) problems.push(`${revoked(after) - revoked(before)} tokens revoked`)
      break
    }
    case 'user-create':
      only(['users'])
      exact('users', 1)
      break
    case 'user-write':
      only(['users', 'auth_tokens'])
      exact('users', 0)
      exact('auth_tokens', 0)
      break
    case 'push': {
      only(['sync_operations', 'sync_devices', 'auth_tokens', ...ENTITY_TABLES, ...writeTables])
      exact('auth_tokens', 0)
      if (changed.includes('auth_tokens') && token?.device !== null) problems.push('a bound token was rebound')
      const body = res.json as { results: Array<{ status: string }> }
      const fresh = body.results.filter((r) => r.status !== 'duplicate').length
      exact('sync_operations', fresh)
      if (d.sync_devices > 1) problems.push(`sync_devices +${d.sync_devices}`)
      // Every new history row belongs to a new, successful operation of this push.
      const lastOpBefore = before.sync_operations.d.split(':')[0]
      const owned = async (operation?: string) => {
        let q = db
          .selectFrom('entity_history as h')
          .innerJoin('sync_operations as o', 'o.id', 'h.sync_operation_id')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('o.id', '>', lastOpBefore)
          .where('o.status', '=', 'success')
        if (operation) q = q.where('h.operation', '=', operation)
        return Number((await q.executeTakeFirstOrThrow()).n)
      }
      const mine = await owned()
      if (mine !== d.entity_history) {
        problems.push(`history +${d.entity_history}, but ${mine} rows belong to this push's successful operations`)
      }
      const creates = await owned('create')
      if (creates !== ent.rows) problems.push(`entity rows +${ent.rows}, but ${creates} creates`)
      const successes = body.results.filter((r) => r.status === 'success').length
      if (d.entity_history > successes) problems.push(`history +${d.entity_history} for ${successes} successes`)
      break
    }
    case 'resolve':
      only(['sync_operations', ...ENTITY_TABLES, ...writeTables])
      exact('sync_operations', 0)
      if (d.entity_history > 1) problems.push(`history +${d.entity_history}`)
      break
    case 'other':
      break
  }
  return problems
}

/** What the fuzzer sent and what it got back, for the summary of a run. */
export class FuzzStats {
  requests = 0
  readonly byStatus = new Map<number, number>()
  readonly byEndpoint = new Map<string, { sent: number; ok: number; ms: number }>()
  readonly codes = new Set<string>()

  /** Counts one answer to `e`, which took `ms` from building the request to the answer. */
  record(e: Endpoint, res: RawResponse, ms: number) {
    this.requests++
    this.byStatus.set(res.status, (this.byStatus.get(res.status) ?? 0) + 1)
    const per = this.byEndpoint.get(key(e)) ?? { sent: 0, ok: 0, ms: 0 }
    per.ms += ms
    per.sent++
    if (res.status < 300) per.ok++
    this.byEndpoint.set(key(e), per)
    const code = res.status >= 400 ? errorCodeOf(res) : undefined
    if (code) this.codes.add(code)
  }

  /** The summary line (the same for the same seed, on either database) and the slowest endpoints. */
  summary(run: { dialect: string; seed: number; runs: number; documented: number }): string {
    const statuses = [...this.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`)
    const accepted = [...this.byEndpoint.values()].filter((v) => v.ok > 0).length
    const writes = [...this.byEndpoint.entries()]
      .filter(([k]) => !k.startsWith('GET '))
      .map(([k, v]) => `${k} ${v.ok}/${v.sent}`)
    const slowest = [...this.byEndpoint.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 6)
      .map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(1)}s`)
    return (
      `[fuzz ${run.dialect}] seed ${run.seed}, ${run.runs} runs/endpoint, ${this.byEndpoint.size} endpoints ` +
      `(${run.documented} in the OpenAPI document), ` +
      `${this.requests} requests (${accepted} endpoints with accepted requests); statuses ${statuses.join(' ')}; ` +
      `error codes ${[...this.codes].sort().join(',')}\n  accepted/sent of writes: ${writes.join(', ')}` +
      `\n  slowest: ${slowest.join(', ')}`
    )
  }
}
