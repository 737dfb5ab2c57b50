/**
 * The routes workload's cooperative (issue 18), generated in SQL inside the
 * database: R routes, one collector assigned to each, N suppliers on the
 * routes (route 0 has exactly `routeSize` of them, spread over the whole
 * supplier table; the others share the rest round-robin), and C collections
 * dated over the last 180 days, collector `j % R` on a supplier of its own
 * route. Every row has its entity_history row (the row's JSON exactly as the
 * server stores it: the key order and the constant fields come from rows
 * written by the domain service into a throwaway database, so a new field
 * fails the check below instead of going missing) and its change_log entry
 * (a supplier's `scope` is its route, a collection's and an assignment's
 * `owner_id` their user), in seq order = creation order; ids are UUIDv7
 * whose time is the row's `created_at`.
 *
 * SQLite: recursive-CTE `insert ... select`, journal off and synchronous off
 * while loading (then WAL, as the server opens it). PostgreSQL: a database of
 * its own, `generate_series`, foreign-key triggers off and synchronous_commit
 * off for the loading session, then `VACUUM ANALYZE` (autovacuum is off on
 * this machine; a production server's would have run). Secondary indexes of
 * the two big tables are dropped before loading and built again after, from
 * their own definitions. Nothing is skipped: a sample of every generated type
 * is read back through the server's mapper and compared with its history row.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { type EntityType, newId, ownerOf } from '@trackvault/core'
import {
  type Actor,
  createEntity,
  type DbHandle,
  migrateToLatest,
  openDatabase,
  runWrite,
  type SyncedColumns,
  toWire,
  type UsersTable,
} from '@trackvault/server/testing'
import Sqlite from 'better-sqlite3'
import { sql } from 'kysely'
import pg from 'pg'
import { type BenchDb, type Dialect, insertUsers, PG_URL, pgAdmin, seedFixtures } from './env'

export interface RouteScale {
  suppliers: number
  collections: number
  /** Routes, and collectors (one per route). */
  routes: number
  /** Suppliers on route 0, the measured collector's. */
  routeSize: number
}

export interface RouteWorld {
  scale: RouteScale
  db: BenchDb
  admin: UsersTable
  manager: UsersTable
  /** Collector 0, assigned to route 0. */
  collector: UsersTable
  route0: string
  productId: string
  rateId: string
  /** The change_log head after generation. */
  head: number
  /** Seconds per generation step, and in all. */
  seconds: Record<string, number>
  /** Sizes of the big tables on disk (MB), where the database tells. */
  sizeMb: number
  /** Rows compared with their history row, and the mismatches found (empty when all agree). */
  checked: number
  mismatches: string[]
}

type Loose = Record<string, unknown>

/** The SQL that differs between the two databases. */
interface Dia {
  /** Hex of a non-negative integer, zero-padded to `w` digits. */
  hex(e: string, w: number): string
  /** Decimal of a non-negative integer, zero-padded to `w` digits. */
  pad(e: string, w: number): string
  /** ISO 8601 UTC with milliseconds of epoch milliseconds. */
  iso(ms: string): string
  /** YYYY-MM-DD (UTC) of epoch milliseconds. */
  day(ms: string): string
  /** An integer as text, for concatenation. */
  t(e: string): string
  /** A FROM item with one column `j` running lo..hi (inclusive). */
  series(lo: number, hi: number): string
}

const SQLITE: Dia = {
  hex: (e, w) => `printf('%0${w}x', ${e})`,
  pad: (e, w) => `printf('%0${w}d', ${e})`,
  iso: (ms) =>
    `(strftime('%Y-%m-%dT%H:%M:%S', (${ms}) / 1000, 'unixepoch') || '.' || printf('%03d', (${ms}) % 1000) || 'Z')`,
  day: (ms) => `strftime('%Y-%m-%d', (${ms}) / 1000, 'unixepoch')`,
  t: (e) => `(${e})`,
  series: (lo, hi) =>
    `(with recursive s(j) as (select ${lo} union all select j + 1 from s where j < ${hi}) select j from s) as g`,
}

const POSTGRES: Dia = {
  hex: (e, w) => `lpad(to_hex(${e}), ${w}, '0')`,
  pad: (e, w) => `lpad((${e})::text, ${w}, '0')`,
  iso: (ms) =>
    `(to_char(to_timestamp((${ms}) / 1000) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' || lpad(((${ms}) % 1000)::text, 3, '0') || 'Z')`,
  day: (ms) => `to_char(to_timestamp((${ms}) / 1000) at time zone 'UTC', 'YYYY-MM-DD')`,
  t: (e) => `(${e})::text`,
  series: (lo, hi) => `generate_series(${lo}::bigint, ${hi}::bigint) as g(j)`,
}

/** An SQL string literal. */
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`

/** Kinds in the ids (the third group), so ids of different tables never collide. */
const KIND = { user: '001', route: '002', assignment: '003', supplier: '004', collection: '005' } as const

const DAY = 24 * 3600 * 1000
/** Collections are dated over this many days before now. */
const SPAN_DAYS = 180

/** Times (epoch ms) of the generated rows: users, routes, assignments, suppliers, then collections. */
function timeline(scale: RouteScale, nowMs: number) {
  const t0 = nowMs - (SPAN_DAYS + 3) * DAY
  const users = t0
  const routes = users + scale.routes + 1000
  const assignments = routes + scale.routes + 1000
  const suppliers = assignments + scale.routes + 1000
  const collections = t0 + 2 * DAY
  if (suppliers + scale.suppliers >= collections) throw new Error('too many suppliers for the timeline')
  return { users, routes, assignments, suppliers, collections, span: SPAN_DAYS * DAY }
}

/**
 * The SQL expressions of the generated world. `j` is the series column; every id is a function of
 * its row's number, so a collection names its supplier and user without a join.
 */
function expressions(d: Dia, scale: RouteScale, times: ReturnType<typeof timeline>) {
  const { suppliers: N, collections: C, routes: R, routeSize: S } = scale
  const step = Math.floor(N / S)
  // Suppliers not on route 0, and how many each other route has at least.
  const perRoute = Math.floor((N - S) / (R - 1))
  const uid = (kind: string, n: string, ms: string) =>
    `(${d.hex(`(${ms}) / 65536`, 8)} || '-' || ${d.hex(`(${ms}) % 65536`, 4)} || '-7${kind}-8000-' || ${d.hex(n, 12)})`
  const userId = (c: string) => uid(KIND.user, c, `${times.users} + ${c}`)
  const routeId = (r: string) => uid(KIND.route, r, `${times.routes} + ${r}`)
  const supplierId = (k: string) => uid(KIND.supplier, k, `${times.suppliers} + ${k}`)
  // Route 0 holds suppliers 0, step, 2 step, ... (S of them); the others are ranked in order and
  // dealt round-robin to routes 1..R-1.
  const supplierRoute = (k: string) =>
    `(case when (${k}) % ${step} = 0 and (${k}) < ${S * step} then 0 else 1 + (case when (${k}) < ${S * step} then (${k}) - (${k}) / ${step} - 1 else (${k}) - ${S} end) % ${R - 1} end)`
  const supplierOfRank = (rank: string) =>
    `(case when (${rank}) < ${S * (step - 1)} then (${rank}) + (${rank}) / ${step - 1} + 1 else (${rank}) + ${S} end)`
  // Collection j: collector c = j % R on its own route, its n-th visit (n = j / R).
  const collectionSupplier = (c: string, n: string) =>
    `(case when (${c}) = 0 then ((${n}) % ${S}) * ${step} else ${supplierOfRank(`(${c}) - 1 + ((${n}) % ${perRoute}) * ${R - 1}`)} end)`
  const collectionMs = (j: string) => `(${times.collections} + (${j}) * ${times.span} / ${C})`
  return { uid, userId, routeId, supplierId, supplierRoute, collectionSupplier, collectionMs, step, perRoute }
}

/** A JSON text as SQL: the template's keys in its order, `vary` giving SQL (JSON text) for some. */
function jsonOf(template: Loose, vary: Record<string, string>): string {
  for (const k of Object.keys(vary)) if (!(k in template)) throw new Error(`the server's row has no field ${k}`)
  const parts: string[] = []
  let text = '{'
  Object.keys(template).forEach((k, i) => {
    text += `${i ? ',' : ''}${JSON.stringify(k)}:`
    if (k in vary) {
      parts.push(lit(text), `(${vary[k]})`)
      text = ''
    } else text += JSON.stringify(template[k])
  })
  parts.push(lit(`${text}}`))
  return parts.filter((p) => p !== "''").join(' || ')
}

/** One row of each generated type, written by the domain service into a throwaway database. */
async function templates(): Promise<Record<'route' | 'route_assignment' | 'supplier' | 'collection', Loose>> {
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-template-'))
  const handle = openDatabase({ sqliteFile: join(dir, 't.db') })
  try {
    await migrateToLatest(handle.db)
    const fx = await seedFixtures(handle, 0)
    const [collector] = await insertUsers(handle.db, 1, 'collector', 'template')
    const actor: Actor = { id: fx.admin.id, role: 'admin', name: fx.admin.name, deviceId: 'bench-seed' }
    const ids = { route: newId(), route_assignment: newId(), supplier: newId(), collection: newId() }
    await runWrite(handle.db, handle.caps, actor, async (ctx) => {
      await createEntity(ctx, 'route', { code: 'R-T', name: 'Route T' }, ids.route)
      await createEntity(
        ctx,
        'route_assignment',
        { route_id: ids.route, user_id: collector.id, valid_from: '2020-01-01' },
        ids.route_assignment,
      )
      await createEntity(ctx, 'supplier', { code: 'S-T', name: 'Supplier T', route_id: ids.route }, ids.supplier)
      await createEntity(
        ctx,
        'collection',
        {
          supplier_id: ids.supplier,
          product_id: fx.productId,
          user_id: collector.id,
          collection_date: '2026-01-02',
          quantity: '12.500',
          unit: 'kg',
          receipt_number: 'T-1',
        },
        ids.collection,
      )
    })
    const out: Record<string, Loose> = {}
    for (const [type, id] of Object.entries(ids)) {
      const h = await handle.db
        .selectFrom('entity_history')
        .select('data')
        .where('entity_type', '=', type)
        .where('entity_id', '=', id)
        .executeTakeFirstOrThrow()
      out[type] = JSON.parse(h.data) as Loose
    }
    return out as Record<'route' | 'route_assignment' | 'supplier' | 'collection', Loose>
  } finally {
    await handle.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The temporary table a chunk's computed values go into, so each is computed once. */
const CHUNK = 'bench_chunk'

/**
 * How one table is loaded, chunk by chunk: `select` computes the values of rows j = lo..hi
 * (inclusive) into the chunk table, then `inserts` write the rows, their history and their
 * change-log entries from it.
 */
interface Loader {
  name: string
  count: number
  select(lo: number, hi: number): string
  inserts: string[]
}

function loaders(
  d: Dia,
  scale: RouteScale,
  nowMs: number,
  fixed: { admin: string; productId: string; rateId: string; passwordHash: string; seq0: number },
  tpl: Awaited<ReturnType<typeof templates>>,
): Loader[] {
  const times = timeline(scale, nowMs)
  const x = expressions(d, scale, times)
  const { routes: R, suppliers: N, collections: C } = scale
  const js = (e: string) => `'"' || ${e} || '"'`
  // A non-negative integer in minor units as a decimal with `digits` places.
  const dec = (e: string, digits: number) =>
    `${d.t(`(${e}) / ${10 ** digits}`)} || '.' || ${d.pad(`(${e}) % ${10 ** digits}`, digits)}`
  const admin = lit(fixed.admin)
  const seqRoutes = fixed.seq0
  const seqAssignments = seqRoutes + R
  const seqSuppliers = seqAssignments + R
  const seqCollections = seqSuppliers + N
  // One history row and one change-log entry per generated row, from the same select.
  const history = (type: string, json: string, user: string, device: string) =>
    `insert into entity_history (entity_type, entity_id, version, operation, data, user_id, device_id, sync_operation_id, created_at)
     select ${lit(type)}, id, 1, 'create', ${json}, ${user}, ${device}, null, ts from ${CHUNK}`
  const log = (type: string, seq: string, owner: string, scope: string) =>
    `insert into change_log (seq, entity_type, entity_id, version, deleted, created_at, owner_id, previous_owner_id, scope, previous_scope)
     select ${seq}, ${lit(type)}, id, 1, 0, ts, ${owner}, null, ${scope}, null from ${CHUNK}`

  const users: Loader = {
    name: 'users',
    count: R,
    select: (lo, hi) =>
      `select j, ${x.userId('j')} as id, ${d.iso(`${times.users} + j`)} as ts from ${d.series(lo, hi)}`,
    inserts: [
      `insert into users (id, name, email, password_hash, role, is_active, created_at, updated_at)
       select id, 'Collector ' || ${d.t('j')}, 'collector-' || ${d.t('j')} || '@bench.local', ${lit(fixed.passwordHash)},
         'collector', 1, ts, ts from ${CHUNK}`,
    ],
  }

  const routeSelect = (lo: number, hi: number) =>
    `select j, ${x.routeId('j')} as id, ${d.iso(`${times.routes} + j`)} as ts from ${d.series(lo, hi)}`
  const routes: Loader = {
    name: 'routes',
    count: R,
    select: routeSelect,
    inserts: [
      `insert into routes (id, version, created_at, updated_at, deleted_at, created_by, updated_by, device_id, sync_metadata, code, name, description, is_active)
       select id, 1, ts, ts, null, ${admin}, ${admin}, 'bench-seed', null, 'R-' || ${d.t('j')}, 'Route ' || ${d.t('j')}, null, 1 from ${CHUNK}`,
      history(
        'route',
        jsonOf(tpl.route, {
          id: js('id'),
          code: js(`'R-' || ${d.t('j')}`),
          name: js(`'Route ' || ${d.t('j')}`),
          created_at: js('ts'),
          updated_at: js('ts'),
          created_by: js(admin),
          updated_by: js(admin),
        }),
        admin,
        "'bench-seed'",
      ),
      log('route', `${seqRoutes + 1} + j`, 'null', 'null'),
    ],
  }

  const assignmentSelect = (lo: number, hi: number) =>
    `select j, ${x.uid(KIND.assignment, 'j', `${times.assignments} + j`)} as id, ${x.routeId('j')} as route_id, ${x.userId('j')} as user_id,
       ${d.iso(`${times.assignments} + j`)} as ts from ${d.series(lo, hi)}`
  const assignments: Loader = {
    name: 'route_assignments',
    count: R,
    select: assignmentSelect,
    inserts: [
      `insert into route_assignments (id, version, created_at, updated_at, deleted_at, created_by, updated_by, device_id, sync_metadata, route_id, user_id, valid_from, valid_to)
       select id, 1, ts, ts, null, ${admin}, ${admin}, 'bench-seed', null, route_id, user_id, '2020-01-01', null from ${CHUNK}`,
      history(
        'route_assignment',
        jsonOf(tpl.route_assignment, {
          id: js('id'),
          route_id: js('route_id'),
          user_id: js('user_id'),
          valid_from: js("'2020-01-01'"),
          created_at: js('ts'),
          updated_at: js('ts'),
          created_by: js(admin),
          updated_by: js(admin),
        }),
        admin,
        "'bench-seed'",
      ),
      log('route_assignment', `${seqAssignments + 1} + j`, 'user_id', 'null'),
    ],
  }

  const supplierSelect = (lo: number, hi: number) =>
    `select j, ${x.supplierId('j')} as id, ${x.routeId(x.supplierRoute('j'))} as route_id,
       ${d.iso(`${times.suppliers} + j`)} as ts from ${d.series(lo, hi)}`
  const suppliers: Loader = {
    name: 'suppliers',
    count: N,
    select: supplierSelect,
    inserts: [
      `insert into suppliers (id, version, created_at, updated_at, deleted_at, created_by, updated_by, device_id, sync_metadata, code, name, is_active, payout_method, route_id)
       select id, 1, ts, ts, null, ${admin}, ${admin}, 'bench-seed', null, 'S-' || ${d.t('j')}, 'Supplier ' || ${d.t('j')}, 1, 'cash', route_id from ${CHUNK}`,
      history(
        'supplier',
        jsonOf(tpl.supplier, {
          id: js('id'),
          code: js(`'S-' || ${d.t('j')}`),
          name: js(`'Supplier ' || ${d.t('j')}`),
          route_id: js('route_id'),
          created_at: js('ts'),
          updated_at: js('ts'),
          created_by: js(admin),
          updated_by: js(admin),
        }),
        admin,
        "'bench-seed'",
      ),
      log('supplier', `${seqSuppliers + 1} + j`, 'null', 'route_id'),
    ],
  }

  // Quantities 5.0 to 44.9 kg; at 120.00 the total is quantity_milli * 12 minor units, exactly.
  const quantity = '(5000 + ((j * 7919) % 400) * 100)'
  const collectionSelect = (lo: number, hi: number) =>
    `select j, ${x.uid(KIND.collection, 'j', x.collectionMs('j'))} as id, ${x.supplierId(x.collectionSupplier(`j % ${R}`, `j / ${R}`))} as supplier_id,
       ${x.userId(`j % ${R}`)} as user_id, ${d.day(x.collectionMs('j'))} as day, ${quantity} as q,
       'bench-dev-' || ${d.t(`j % ${R}`)} as device, ${d.iso(x.collectionMs('j'))} as ts from ${d.series(lo, hi)}`
  const collections: Loader = {
    name: 'collections',
    count: C,
    select: collectionSelect,
    inserts: [
      `insert into collections (id, version, created_at, updated_at, deleted_at, created_by, updated_by, device_id, sync_metadata,
         supplier_id, product_id, user_id, collection_date, quantity_milli, unit, notes, product_rate_id, rate_minor, total_minor,
         tare_milli, containers, deduction_hundredths, net_milli, grade, fat_hundredths, snf_hundredths, receipt_number, confirmed_large)
       select id, 1, ts, ts, null, user_id, user_id, device, null,
         supplier_id, ${lit(fixed.productId)}, user_id, day, q, 'kg', null, ${lit(fixed.rateId)}, 12000, q * 12,
         0, 0, 0, q, null, null, null, 'B-' || ${d.t('j')}, 0 from ${CHUNK}`,
      history(
        'collection',
        jsonOf(tpl.collection, {
          id: js('id'),
          supplier_id: js('supplier_id'),
          product_id: js(lit(fixed.productId)),
          user_id: js('user_id'),
          collection_date: js('day'),
          quantity: js(dec('q', 3)),
          receipt_number: js(`'B-' || ${d.t('j')}`),
          created_at: js('ts'),
          updated_at: js('ts'),
          created_by: js('user_id'),
          updated_by: js('user_id'),
          net_quantity: js(dec('q', 3)),
          product_rate_id: js(lit(fixed.rateId)),
          rate_applied: js("'120.00'"),
          total_amount: js(dec('q * 12', 2)),
        }),
        'user_id',
        'device',
      ),
      log('collection', `${seqCollections + 1} + j`, 'user_id', 'null'),
    ],
  }
  return [users, routes, assignments, suppliers, collections]
}

/** Runs SQL on the database being loaded. */
interface Loading {
  run(statement: string): Promise<void>
  all<T>(statement: string): Promise<T[]>
  close(): Promise<void>
}

function sqliteLoading(file: string): Loading {
  const db = new Sqlite(file)
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -1000000')
  db.pragma('temp_store = MEMORY')
  return {
    run: async (s) => {
      db.exec(s)
    },
    all: async <T>(s: string) => db.prepare(s).all() as T[],
    close: async () => {
      db.pragma('journal_mode = WAL')
      db.close()
    },
  }
}

async function postgresLoading(url: string): Promise<Loading> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  // Foreign-key triggers off for this session (the rows are consistent by construction and checked
  // below), no wait for the WAL flush at each commit, memory for the index builds.
  await client.query(`set session_replication_role = replica`)
  await client.query(`set synchronous_commit = off`)
  await client.query(`set maintenance_work_mem = '1GB'`)
  return {
    run: async (s) => {
      await client.query(s)
    },
    all: async <T>(s: string) => (await client.query(s)).rows as T[],
    close: () => client.end(),
  }
}

/** The secondary indexes of `tables` (not those backing a primary key or constraint), as their definitions. */
async function secondaryIndexes(dialect: Dialect, l: Loading, tables: string[]) {
  const list = tables.map(lit).join(', ')
  if (dialect === 'sqlite') {
    return l.all<{ name: string; def: string }>(
      `select name, sql as def from sqlite_master where type = 'index' and sql is not null and tbl_name in (${list})`,
    )
  }
  return l.all<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes where schemaname = current_schema() and tablename in (${list})
       and indexname not in (select conname from pg_constraint)`,
  )
}

const round1 = (ms: number) => Math.round(ms / 100) / 10

/**
 * A fresh database holding the cooperative of `scale`. `log` hears progress. PostgreSQL: a database
 * of its own (`bench_routes_...`), dropped by `drop()`.
 */
export async function buildRouteWorld(
  dialect: Dialect,
  scale: RouteScale,
  log: (line: string) => void,
): Promise<RouteWorld> {
  if (
    scale.routes < 2 ||
    scale.suppliers < scale.routeSize * 2 ||
    scale.suppliers - scale.routeSize < scale.routes - 1
  ) {
    throw new Error(
      `routes: ${scale.suppliers} suppliers cannot fill ${scale.routes} routes and one of ${scale.routeSize}`,
    )
  }
  const seconds: Record<string, number> = {}
  let dir: string | undefined
  let file = ''
  let pgName = ''
  let pgUrl = ''
  let handle: DbHandle
  if (dialect === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-routes-'))
    file = join(dir, 'routes.db')
    handle = openDatabase({ sqliteFile: file })
  } else {
    pgName = `bench_routes_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    await pgAdmin(`create database ${pgName}`)
    const u = new URL(PG_URL)
    u.pathname = `/${pgName}`
    pgUrl = u.toString()
    handle = openDatabase({ databaseUrl: pgUrl })
  }
  const dropAll = async () => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    if (pgName) await pgAdmin(`drop database if exists ${pgName} with (force)`)
  }
  try {
    await migrateToLatest(handle.db)
    const fx = await seedFixtures(handle, 0)
    const [manager] = await insertUsers(handle.db, 1, 'manager', 'manager')
    const tpl = await templates()
    const head = await handle.db
      .selectFrom('counters')
      .select('value')
      .where('name', '=', 'change_seq')
      .executeTakeFirstOrThrow()
    const seq0 = Number(head.value)
    await handle.close()

    const all = loaders(
      dialect === 'sqlite' ? SQLITE : POSTGRES,
      scale,
      Date.now(),
      {
        admin: fx.admin.id,
        productId: fx.productId,
        rateId: fx.rateId,
        passwordHash: fx.admin.password_hash,
        seq0,
      },
      tpl,
    )
    const l = dialect === 'sqlite' ? sqliteLoading(file) : await postgresLoading(pgUrl)
    const g0 = performance.now()
    try {
      const big = ['collections', 'suppliers']
      const indexes = await secondaryIndexes(dialect, l, big)
      let t = performance.now()
      for (const ix of indexes) await l.run(`drop index ${ix.name}`)
      const chunk = 500_000
      for (const loader of all) {
        t = performance.now()
        for (let lo = 0; lo < loader.count; lo += chunk) {
          const hi = Math.min(loader.count, lo + chunk) - 1
          if (dialect === 'sqlite') await l.run('begin')
          await l.run(`create temp table ${CHUNK} as ${loader.select(lo, hi)}`)
          for (const s of loader.inserts) await l.run(s)
          await l.run(`drop table ${CHUNK}`)
          if (dialect === 'sqlite') await l.run('commit')
          if (loader.count > chunk) {
            const done = hi + 1
            const rate = Math.round(done / ((performance.now() - t) / 1000))
            log(
              `    ${loader.name}: ${done.toLocaleString('en-US')} / ${loader.count.toLocaleString('en-US')} (${rate.toLocaleString('en-US')} rows/s)`,
            )
          }
        }
        seconds[loader.name] = round1(performance.now() - t)
      }
      const total = all.reduce((n, x) => n + (x.name === 'users' ? 0 : x.count), 0)
      await l.run(`update counters set value = ${seq0 + total} where name = 'change_seq'`)
      t = performance.now()
      for (const ix of indexes) await l.run(ix.def)
      seconds.indexes = round1(performance.now() - t)
      if (dialect === 'postgres') {
        t = performance.now()
        await l.run(
          'vacuum (analyze) routes, route_assignments, suppliers, collections, entity_history, change_log, users',
        )
        seconds.vacuum_analyze = round1(performance.now() - t)
      }
    } finally {
      await l.close()
    }
    seconds.generate = round1(performance.now() - g0)

    handle = dialect === 'sqlite' ? openDatabase({ sqliteFile: file }) : openDatabase({ databaseUrl: pgUrl })
    const collector = await handle.db
      .selectFrom('users')
      .selectAll()
      .where('name', '=', 'Collector 0')
      .executeTakeFirstOrThrow()
    const assignment = await handle.db
      .selectFrom('route_assignments')
      .select('route_id')
      .where('user_id', '=', collector.id)
      .executeTakeFirstOrThrow()
    const t = performance.now()
    const check = await checkSample(handle, collector.id, assignment.route_id, scale)
    seconds.check = round1(performance.now() - t)
    const finalHandle = handle
    const db: BenchDb = {
      dialect,
      handle: finalHandle,
      env: dialect === 'sqlite' ? { TRACKVAULT_DB: file } : { DATABASE_URL: pgUrl },
      location: dialect === 'sqlite' ? file : pgName,
      drop: async () => {
        await finalHandle.close()
        await dropAll()
      },
    }
    return {
      scale,
      db,
      admin: fx.admin,
      manager,
      collector,
      route0: assignment.route_id,
      productId: fx.productId,
      rateId: fx.rateId,
      head: Number(
        (
          await finalHandle.db
            .selectFrom('counters')
            .select('value')
            .where('name', '=', 'change_seq')
            .executeTakeFirstOrThrow()
        ).value,
      ),
      seconds,
      sizeMb: await sizeMb(finalHandle, dialect, file),
      ...check,
    }
  } catch (err) {
    await handle.close().catch(() => {})
    await dropAll()
    throw err
  }
}

async function sizeMb(handle: DbHandle, dialect: Dialect, file: string): Promise<number> {
  if (dialect === 'postgres') {
    const { rows } = await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(handle.db)
    return Math.round(Number(rows[0].n) / 2 ** 20)
  }
  const { statSync } = await import('node:fs')
  return Math.round(statSync(file).size / 2 ** 20)
}

const TABLE_OF = {
  route: 'routes',
  route_assignment: 'route_assignments',
  supplier: 'suppliers',
  collection: 'collections',
} as const

/**
 * Reads a sample back: the measured collector's collections, suppliers and assignment, three other
 * collectors' collections, some routes and suppliers; each row through the server's mapper must
 * equal its history row, and its change-log entry must name its owner and route. Also counts.
 */
async function checkSample(handle: DbHandle, collectorId: string, route0: string, scale: RouteScale) {
  const db = handle.db
  const mismatches: string[] = []
  let checked = 0
  const compare = async (type: keyof typeof TABLE_OF, rows: Array<SyncedColumns & Loose>) => {
    if (rows.length === 0) return
    const ids = rows.map((r) => r.id)
    const hist = new Map<string, string>()
    const logs = new Map<string, Loose>()
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500)
      for (const h of await db
        .selectFrom('entity_history')
        .select(['entity_id', 'data'])
        .where('entity_type', '=', type)
        .where('entity_id', 'in', part)
        .execute())
        hist.set(h.entity_id, h.data)
      for (const c of await db
        .selectFrom('change_log')
        .selectAll()
        .where('entity_type', '=', type)
        .where('entity_id', 'in', part)
        .execute())
        logs.set(c.entity_id, c as unknown as Loose)
    }
    for (const row of rows) {
      checked += 1
      const wire = toWire(type as EntityType, row) as unknown as Loose
      const stored = hist.get(row.id)
      if (!stored || !isDeepStrictEqual(JSON.parse(stored), JSON.parse(JSON.stringify(wire)))) {
        if (mismatches.length < 5)
          mismatches.push(`${type} ${row.id}: history ${stored} != row ${JSON.stringify(wire)}`)
        continue
      }
      const entry = logs.get(row.id)
      const owner = ownerOf(type as EntityType, row)
      const scope = type === 'supplier' ? (row as Loose).route_id : null
      if (!entry || entry.owner_id !== (owner ?? null) || entry.scope !== (scope ?? null)) {
        if (mismatches.length < 5) mismatches.push(`${type} ${row.id}: change_log ${JSON.stringify(entry)}`)
      }
    }
  }
  const other = await db
    .selectFrom('users')
    .select('id')
    .where('name', 'in', ['Collector 1', `Collector ${Math.floor(scale.routes / 2)}`, `Collector ${scale.routes - 1}`])
    .execute()
  await compare(
    'collection',
    await db.selectFrom('collections').selectAll().where('user_id', '=', collectorId).execute(),
  )
  for (const o of other)
    await compare('collection', await db.selectFrom('collections').selectAll().where('user_id', '=', o.id).execute())
  const ownSuppliers = await db.selectFrom('suppliers').selectAll().where('route_id', '=', route0).execute()
  if (ownSuppliers.length !== scale.routeSize)
    mismatches.push(`route 0 has ${ownSuppliers.length} suppliers, not ${scale.routeSize}`)
  await compare('supplier', ownSuppliers)
  await compare('supplier', await db.selectFrom('suppliers').selectAll().orderBy('id', 'desc').limit(200).execute())
  await compare('route', await db.selectFrom('routes').selectAll().orderBy('id').limit(200).execute())
  await compare(
    'route_assignment',
    await db.selectFrom('route_assignments').selectAll().orderBy('id', 'desc').limit(200).execute(),
  )
  const count = async (table: 'collections' | 'suppliers' | 'routes' | 'change_log' | 'entity_history') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  const expected = {
    collections: scale.collections,
    suppliers: scale.suppliers,
    routes: scale.routes,
    // + the product and its rate
    change_log: scale.collections + scale.suppliers + 2 * scale.routes + 2,
    entity_history: scale.collections + scale.suppliers + 2 * scale.routes + 2,
  }
  for (const [table, n] of Object.entries(expected)) {
    const got = await count(table as keyof typeof expected)
    if (got !== n) mismatches.push(`${table}: ${got} rows, expected ${n}`)
  }
  return { checked, mismatches }
}
