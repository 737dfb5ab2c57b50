/**
 * Cheap fingerprints of every table, to prove that a refused request wrote
 * nothing and that an accepted one wrote exactly what it should. One query
 * per snapshot: a row count, the sum of `version` (entity tables: every
 * accepted write adds exactly one), and a digest of the columns a write
 * without new rows would change (revocations, device binding, statuses).
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../src/db/schema'

export const ENTITY_TABLES = [
  'suppliers',
  'products',
  'product_rates',
  'collections',
  'payments',
  'deductions',
  'settlement_runs',
  'settlement_lines',
  'routes',
  'route_assignments',
] as const

/** Digest expressions of the tables whose rows change in place. */
const DIGESTS: Record<string, string> = {
  users: `coalesce(sum(is_active), 0) || ':' || coalesce(max(updated_at), '')`,
  auth_tokens: `count(revoked_at) || ':' || count(device_id)`,
  sync_operations: `coalesce(max(id), '') || ':' || count(completed_at) || ':' || coalesce(sum(case when status = 'resolved' then 1 else 0 end), 0)`,
  sync_devices: `coalesce(max(last_seq), 0) || ':' || coalesce(max(last_seen_at), '')`,
  change_log: 'coalesce(max(seq), 0)',
  counters: 'coalesce(max(value), 0)',
  entity_history: `coalesce(max(created_at), '')`,
}
for (const t of ENTITY_TABLES) DIGESTS[t] = `count(deleted_at) || ':' || coalesce(max(updated_at), '')`

export interface TableState {
  /** Rows. */
  n: number
  /** Sum of `version` (entity tables), else 0. */
  v: number
  /** Digest of in-place changes. */
  d: string
}
export type Snapshot = Record<string, TableState>

const MIGRATION_TABLE = /^kysely_migration/

/** Every table of the schema the server uses (migration bookkeeping aside). */
export async function listTables(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
  const rows =
    dialect === 'postgres'
      ? await sql<{ name: string }>`
          select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`
          select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)
  return rows.rows
    .map((r) => r.name)
    .filter((n) => !MIGRATION_TABLE.test(n))
    .sort()
}

/** Builds a snapshot function over `tables` (every table of the schema, usually). */
export function snapshotter(db: Kysely<Database>, tables: string[]) {
  const entity = new Set<string>(ENTITY_TABLES)
  const parts = tables.map((t) => {
    const v = entity.has(t) ? 'coalesce(sum(version), 0)' : '0'
    const d = DIGESTS[t] ?? `''`
    return `select '${t}' as t, count(*) as n, ${v} as v, cast(${d} as text) as d from ${t}`
  })
  const query = sql.raw<{ t: string; n: number | string; v: number | string; d: string }>(parts.join(' union all '))
  return async (): Promise<Snapshot> => {
    const { rows } = await query.execute(db)
    const out: Snapshot = {}
    for (const r of rows) out[r.t] = { n: Number(r.n), v: Number(r.v), d: String(r.d) }
    return out
  }
}

/** Tables whose count, version sum or digest differ; empty when nothing was written. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  return Object.keys(after).filter(
    (t) => before[t]?.n !== after[t].n || before[t]?.v !== after[t].v || before[t]?.d !== after[t].d,
  )
}

/** `after - before` of row counts, per table. */
export function countDelta(before: Snapshot, after: Snapshot): Record<string, number> {
  const out: Record<string, number> = {}
  for (const t of Object.keys(after)) out[t] = after[t].n - (before[t]?.n ?? 0)
  return out
}

/** Sum over the entity tables of `after - before` of rows and of version sums. */
export function entityDelta(before: Snapshot, after: Snapshot): { rows: number; versions: number } {
  let rows = 0
  let versions = 0
  for (const t of ENTITY_TABLES) {
    rows += after[t].n - before[t].n
    versions += after[t].v - before[t].v
  }
  return { rows, versions }
}

/** Human-readable difference, for failure messages. */
export function describeChange(before: Snapshot, after: Snapshot): string {
  return changedTables(before, after)
    .map(
      (t) =>
        `${t}: n ${before[t]?.n}->${after[t].n}, v ${before[t]?.v}->${after[t].v}, d ${before[t]?.d}->${after[t].d}`,
    )
    .join('; ')
}
