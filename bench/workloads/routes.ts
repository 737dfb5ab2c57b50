/**
 * Workload 8, routes and partial sync (issue 18): a cooperative of 600,000
 * suppliers on 5,000 routes and 10 million collections by 5,000 collectors
 * (`--route-suppliers`, `--route-collections`; generated in SQL, see
 * lib/route-data.ts), served by a real server process. One collector,
 * assigned to a route of exactly 300 suppliers, on a fresh device:
 *
 * - initial pull: every page (1,000 rows) from no cursor until `has_more` is
 *   false, i.e. the snapshot of its scope (its route's suppliers, its own
 *   collections, every route, product and rate, its assignment) and the log
 *   page after it; wall clock over raw HTTP, and the server's own time per
 *   page from its log (`responseTime` of the request's id). Baseline, same
 *   run: a manager (no scope) reading the same number of rows from the log
 *   over the same HTTP path and page size. Also a Node `SyncClient` (SQLite
 *   store) doing the same first sync (baseline: the raw pages of that rep),
 *   and the SQL floor (extra): the same rows' history JSON read straight from
 *   the database by primary key and joined into one text.
 * - incremental pull: the cooperative then writes through the server 10,000
 *   collections (50 other collectors, each on its own route, 4 pushing at a
 *   time) and a manager updates 500 suppliers on other routes and 50 on the
 *   collector's route (`--route-changes` sets the collections); the
 *   collector's next pull from its cursor must bring exactly those 50.
 *   Baseline: the manager reading the same number of rows from the log.
 * - the naive alternative: the same collector pulling the whole log from
 *   cursor zero (`since=c0` with its scope stamp), pages until the end or
 *   `--route-naive-seconds`; the figure is the time to the end, projected
 *   from the share of the log covered when cut (noted as such).
 *
 * Repetitions: `--repeat` initial and incremental pulls after one warm-up
 * pull; the generated database is built once per database and dropped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSyncClient } from '@trackvault/client'
import { createSqliteStore } from '@trackvault/client/sqlite'
import { encodeCursor, newId, parseCursor } from '@trackvault/core'
import type { PushOperation, UsersTable } from '@trackvault/server/testing'
import Sqlite from 'better-sqlite3'
import pg from 'pg'
import type { BenchOptions } from '../lib/context'
import { BENCH_PASSWORD, type BenchServer, benchLink, mintSession, startServer } from '../lib/env'
import { type Figure, figure, type Rep } from '../lib/report'
import { buildRouteWorld, type RouteScale, type RouteWorld } from '../lib/route-data'
import { fmt, median, now, sleep } from '../lib/stats'
import { sqliteReplicaRows } from './initial-pull'

export interface RoutesOptions {
  routeSuppliers: number
  routeCollections: number
  /** Routes (and collectors, one per route); default suppliers / 120. */
  routeRoutes?: number
  /** Collections the cooperative writes before each incremental pull. */
  routeChanges: number
  /** How long the naive pull from cursor zero may run. */
  routeNaiveSeconds: number
}

const FULL = { suppliers: 600_000, collections: 10_000_000 }
const ROUTE_SIZE = 300
const PAGE = 1000
const TARGET_S = 2
/** Of the cooperative's changes before each incremental pull: suppliers updated elsewhere, and on the collector's route. */
const OTHER_SUPPLIER_UPDATES = 500
const OWN_SUPPLIER_UPDATES = 50
const WRITERS = 50
const WRITERS_AT_ONCE = 4
const PUSH_BATCH = 100

interface Entry {
  entity_type: string
  entity_id: string
  version: number
}

interface Pulled {
  ms: number
  rows: number
  pages: number
  cursor: string
  epoch: string
  /** The request id of each page (the server logs its time under it). */
  requestIds: string[]
  byType: Record<string, number>
  entries: Entry[]
  /** The pull stopped at the time limit before the end. */
  cut: boolean
}

/** Pages from `since` (none: the first pull) until `has_more` is false, or `limitMs` has passed. */
async function pullAll(
  url: string,
  token: string,
  since?: string,
  limitMs = Number.POSITIVE_INFINITY,
): Promise<Pulled> {
  let cursor = since
  const out: Pulled = {
    ms: 0,
    rows: 0,
    pages: 0,
    cursor: '',
    epoch: '',
    requestIds: [],
    byType: {},
    entries: [],
    cut: false,
  }
  const t0 = now()
  for (;;) {
    const q = new URLSearchParams({ limit: String(PAGE) })
    if (cursor) q.set('since', cursor)
    const res = await fetch(`${url}/api/sync/changes?${q}`, { headers: { authorization: `Bearer ${token}` } })
    if (!res.ok) throw new Error(`pull answered ${res.status}: ${await res.text()}`)
    const page = (await res.json()) as {
      changes: Array<{ entity_type: string; entity_id: string; version: number }>
      cursor: string
      has_more: boolean
      epoch: string
    }
    out.requestIds.push(res.headers.get('x-request-id') ?? '')
    out.pages += 1
    out.rows += page.changes.length
    for (const c of page.changes) {
      out.byType[c.entity_type] = (out.byType[c.entity_type] ?? 0) + 1
      out.entries.push({ entity_type: c.entity_type, entity_id: c.entity_id, version: c.version })
    }
    cursor = page.cursor
    out.epoch = page.epoch
    if (!page.has_more) break
    if (now() - t0 > limitMs) {
      out.cut = true
      break
    }
  }
  out.ms = now() - t0
  out.cursor = cursor ?? ''
  return out
}

/**
 * The server's own time (ms, Fastify's `responseTime`) of each request id, read from its log (the
 * logger writes asynchronously: read again for up to 3 s until every id is there).
 */
async function serverTimes(logFile: string, ids: string[]): Promise<number[]> {
  const wanted = new Set(ids)
  const found = new Map<string, number>()
  for (let tries = 0; tries < 30 && found.size < wanted.size; tries++) {
    if (tries > 0) await sleep(100)
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      if (!line.includes('request completed')) continue
      const entry = JSON.parse(line) as { reqId?: string; responseTime?: number }
      if (entry.reqId && wanted.has(entry.reqId) && entry.responseTime !== undefined) {
        found.set(entry.reqId, entry.responseTime)
      }
    }
  }
  return ids.map((id) => found.get(id) ?? Number.NaN)
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const r3 = (x: number) => Math.round(x * 1000) / 1000

async function headOf(world: RouteWorld): Promise<number> {
  const row = await world.db.handle.db
    .selectFrom('counters')
    .select('value')
    .where('name', '=', 'change_seq')
    .executeTakeFirstOrThrow()
  return Number(row.value)
}

/**
 * The SQL floor: the history JSON of exactly `entries`, read straight from the database by primary
 * key (SQLite: one prepared statement per row, better-sqlite3; PostgreSQL: `= any($1)` per type and
 * 1,000 ids, pg) and joined into one answer text. Opening the connection is not timed.
 */
async function sqlFloor(world: RouteWorld, entries: Entry[]): Promise<{ ms: number; bytes: number }> {
  const parts: string[] = []
  const push = (e: Entry, data: string) =>
    parts.push(
      `{"entity_type":${JSON.stringify(e.entity_type)},"entity_id":${JSON.stringify(e.entity_id)},"version":${e.version},"deleted":false,"data":${data}}`,
    )
  if (world.db.dialect === 'sqlite') {
    const db = new Sqlite(world.db.location, { readonly: true })
    try {
      const row = db.prepare('select data from entity_history where entity_type = ? and entity_id = ? and version = ?')
      const t0 = now()
      for (const e of entries) {
        const found = row.get(e.entity_type, e.entity_id, e.version) as { data: string } | undefined
        if (found) push(e, found.data)
      }
      const text = `{"changes":[${parts.join(',')}]}`
      return { ms: now() - t0, bytes: text.length }
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: world.db.env.DATABASE_URL })
  await client.connect()
  try {
    const t0 = now()
    const byType = new Map<string, Entry[]>()
    for (const e of entries) {
      const list = byType.get(e.entity_type) ?? []
      list.push(e)
      byType.set(e.entity_type, list)
    }
    for (const [type, list] of byType) {
      for (let i = 0; i < list.length; i += 1000) {
        const part = list.slice(i, i + 1000)
        const { rows } = await client.query<{ entity_id: string; version: number; data: string }>(
          'select entity_id, version, data from entity_history where entity_type = $1 and entity_id = any($2)',
          [type, part.map((e) => e.entity_id)],
        )
        const data = new Map(rows.map((r) => [`${r.entity_id}/${r.version}`, r.data]))
        for (const e of part) {
          const found = data.get(`${e.entity_id}/${e.version}`)
          if (found) push(e, found)
        }
      }
    }
    const text = `{"changes":[${parts.join(',')}]}`
    return { ms: now() - t0, bytes: text.length }
  } finally {
    await client.end()
  }
}

/** A device's push over HTTP: how many operations were applied, and the error codes of the others. */
async function push(
  url: string,
  token: string,
  deviceId: string,
  ops: PushOperation[],
  errors: Set<string>,
): Promise<number> {
  const res = await fetch(`${url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ device_id: deviceId, operations: ops }),
  })
  const body = (await res.json()) as {
    results?: Array<{ status: string; error?: { code: string; message?: string } }>
    error?: { code: string }
  }
  if (!res.ok || !body.results) throw new Error(`push answered ${res.status} ${body.error?.code ?? ''}`)
  for (const r of body.results)
    if (r.status !== 'success') errors.add(`${r.status} ${r.error?.code ?? ''} ${r.error?.message ?? ''}`)
  return body.results.filter((r) => r.status === 'success').length
}

interface Writer {
  user: UsersTable
  token: string
  deviceId: string
  suppliers: string[]
  seq: number
}

/** Collectors 1..WRITERS with sessions and some suppliers of their own routes. */
async function prepareWriters(world: RouteWorld): Promise<Writer[]> {
  const db = world.db.handle.db
  const names = Array.from({ length: Math.min(WRITERS, world.scale.routes - 1) }, (_, i) => `Collector ${i + 1}`)
  const users = await db.selectFrom('users').selectAll().where('name', 'in', names).execute()
  const writers: Writer[] = []
  for (const user of users) {
    const a = await db
      .selectFrom('route_assignments')
      .select('route_id')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow()
    const suppliers = await db
      .selectFrom('suppliers')
      .select('id')
      .where('route_id', '=', a.route_id)
      .limit(20)
      .execute()
    const deviceId = `route-bench-writer-${writers.length}`
    const { token } = await mintSession(db, user, deviceId)
    writers.push({ user, token, deviceId, suppliers: suppliers.map((s) => s.id), seq: 0 })
  }
  return writers
}

/**
 * The cooperative's changes between two pulls, through the server: `collections` collections by the
 * writers (each on its own route), and the manager's updates of suppliers elsewhere and on route 0.
 */
async function writeChanges(
  world: RouteWorld,
  server: BenchServer,
  writers: Writer[],
  manager: { token: string; deviceId: string; seq: number },
  collections: number,
  rep: number,
): Promise<{ ms: number; applied: number; errors: string[] }> {
  const db = world.db.handle.db
  const errors = new Set<string>()
  const elsewhere = await db
    .selectFrom('suppliers')
    .select(['id', 'version'])
    .where('route_id', '!=', world.route0)
    .orderBy('id')
    .limit(OTHER_SUPPLIER_UPDATES)
    .execute()
  const own = await db
    .selectFrom('suppliers')
    .select(['id', 'version'])
    .where('route_id', '=', world.route0)
    .orderBy('id')
    .limit(OWN_SUPPLIER_UPDATES)
    .execute()
  // The collector's route's 50 spread among the others.
  const updates: Array<{ id: string; version: number | string }> = []
  const every = Math.max(1, Math.floor(elsewhere.length / Math.max(1, own.length)))
  for (let i = 0; i < elsewhere.length; i++) {
    if (i % every === 0 && own.length > 0) updates.push(own.shift() as { id: string; version: number })
    updates.push(elsewhere[i])
  }
  updates.push(...own)
  const day = new Date(Date.now() - 24 * 3600 * 1000).toISOString().slice(0, 10)
  const at = new Date().toISOString()
  // A device's batches go one after another (its seq must grow); WRITERS_AT_ONCE devices at a time.
  const chains: Array<Array<() => Promise<number>>> = []
  const perWriter = Math.ceil(collections / writers.length)
  let left = collections
  for (const w of writers) {
    const chain: Array<() => Promise<number>> = []
    let mine = Math.min(perWriter, left)
    left -= mine
    while (mine > 0) {
      const n = Math.min(PUSH_BATCH, mine)
      mine -= n
      const ops: PushOperation[] = Array.from({ length: n }, (_, i) => {
        w.seq += 1
        return {
          local_id: `w-${rep}-${w.seq}`,
          seq: w.seq,
          entity_type: 'collection',
          entity_id: newId(),
          operation_type: 'create',
          payload: {
            supplier_id: w.suppliers[(w.seq + i) % w.suppliers.length],
            product_id: world.productId,
            collection_date: day,
            quantity: `${10 + (w.seq % 40)}.500`,
            unit: 'kg',
          },
          client_timestamp: at,
        }
      })
      chain.push(() => push(server.url, w.token, w.deviceId, ops, errors))
    }
    chains.push(chain)
  }
  // The manager's device pushes its updates meanwhile, one batch after another.
  const managerChain: Array<() => Promise<number>> = []
  for (let i = 0; i < updates.length; i += PUSH_BATCH) {
    const ops: PushOperation[] = updates.slice(i, i + PUSH_BATCH).map((s, k) => {
      manager.seq += 1
      return {
        local_id: `m-${manager.seq}`,
        seq: manager.seq,
        entity_type: 'supplier',
        entity_id: s.id,
        operation_type: 'update',
        base_version: Number(s.version),
        payload: { phone: `+2547${String(rep).padStart(2, '0')}${String(i + k).padStart(6, '0')}` },
        client_timestamp: at,
      }
    })
    managerChain.push(() => push(server.url, manager.token, manager.deviceId, ops, errors))
  }
  let applied = 0
  const run = async (chain: Array<() => Promise<number>>) => {
    for (const job of chain) {
      const n = await job()
      applied += n
    }
  }
  let next = 0
  const t0 = now()
  await Promise.all([
    run(managerChain),
    ...Array.from({ length: WRITERS_AT_ONCE }, async () => {
      while (next < chains.length) await run(chains[next++])
    }),
  ])
  return { ms: now() - t0, applied, errors: [...errors].slice(0, 3) }
}

export async function routesWorkload(opts: BenchOptions & RoutesOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const scale: RouteScale = {
    suppliers: opts.routeSuppliers,
    collections: opts.routeCollections,
    routes: opts.routeRoutes ?? Math.max(2, Math.round(opts.routeSuppliers / 120)),
    routeSize: ROUTE_SIZE,
  }
  const full = scale.suppliers >= FULL.suppliers && scale.collections >= FULL.collections
  const sizeText = `${scale.suppliers.toLocaleString('en-US')} suppliers, ${scale.routes.toLocaleString('en-US')} routes, ${scale.collections.toLocaleString('en-US')} collections`
  const target = (value: number): { text: string; met: boolean | null } =>
    full
      ? { text: `<= ${TARGET_S} s`, met: value <= TARGET_S }
      : {
          text: `<= ${TARGET_S} s at 600,000 suppliers / 10M collections (run --route-suppliers 600000 --route-collections 10000000)`,
          met: null,
        }
  for (const dialect of opts.dbs) {
    opts.log(`  routes ${dialect}: generating ${sizeText}`)
    const world = await buildRouteWorld(dialect, scale, opts.log)
    opts.log(
      `  routes ${dialect}: generated in ${world.seconds.generate} s (${Object.entries(world.seconds)
        .map(([k, v]) => `${k} ${v} s`)
        .join(
          ', ',
        )}); ${world.sizeMb.toLocaleString('en-US')} MB; ${world.checked} rows checked against their history${world.mismatches.length ? `; MISMATCHES: ${world.mismatches.join(' | ')}` : ''}`,
    )
    const logDir = mkdtempSync(join(tmpdir(), 'trackvault-bench-routes-log-'))
    const logFile = join(logDir, 'server.log')
    const storeDir = mkdtempSync(join(tmpdir(), 'trackvault-bench-routes-client-'))
    let server: BenchServer | undefined
    const notes: Record<string, string[]> = { initial: [...world.mismatches], client: [], incremental: [], naive: [] }
    try {
      server = await startServer(world.db, {
        logFile,
        profileDir: opts.profileDir ? `${opts.profileDir}/routes-${dialect}` : undefined,
      })
      const db = world.db.handle.db
      const { token } = await mintSession(db, world.collector, 'route-bench-collector')
      const managerSession = await mintSession(db, world.manager, 'route-bench-manager')
      const manager = { token: managerSession.token, deviceId: 'route-bench-manager', seq: 0 }

      // Warm-up, not counted (recorded as an extra): the server's snapshot path once (JIT, page cache).
      const warm = await pullAll(server.url, token)
      opts.log(
        `  routes ${dialect}: warm-up pull ${fmt(warm.ms / 1000)} s, ${warm.rows} rows in ${warm.pages} pages (${Object.entries(
          warm.byType,
        )
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')})`,
      )
      const initialReps: Rep[] = []
      const clientReps: Rep[] = []
      const pageServer: number[] = []
      const pullServer: number[] = []
      const baseServer: number[] = []
      let last = warm
      for (let r = 0; r < opts.repeat; r++) {
        const pulled = await pullAll(server.url, token)
        const head = await headOf(world)
        const base = await pullAll(server.url, managerSession.token, encodeCursor(head - pulled.rows, pulled.epoch))
        const times = await serverTimes(logFile, pulled.requestIds)
        const baseTimes = await serverTimes(logFile, base.requestIds)
        pageServer.push(...times)
        pullServer.push(sum(times))
        baseServer.push(sum(baseTimes))
        if (base.rows !== pulled.rows)
          notes.initial.push(`rep ${r + 1}: baseline read ${base.rows} rows, not ${pulled.rows}`)
        if (pulled.rows !== warm.rows) notes.initial.push(`rep ${r + 1}: ${pulled.rows} rows, warm-up had ${warm.rows}`)
        initialReps.push({ value: pulled.ms / 1000, baseline: base.ms / 1000, ratio: pulled.ms / base.ms })
        opts.log(
          `  routes ${dialect} initial pull, rep ${r + 1}: ${fmt(pulled.ms / 1000)} s for ${pulled.rows} rows in ${pulled.pages} pages (server ${fmt(sum(times))} ms: ${times.map((t) => fmt(t)).join(', ')}); manager reading ${base.rows} log rows ${fmt(base.ms / 1000)} s (server ${fmt(sum(baseTimes))} ms)`,
        )
        // The same first sync by a device: SyncClient on the SQLite store.
        const file = join(storeDir, `pull-${dialect}-${r}.db`)
        const link = benchLink(db, world.collector)
        const client = createSyncClient({
          baseUrl: server.url,
          storage: createSqliteStore(file),
          fetch: link.fetch,
          live: false,
        })
        await client.login(world.collector.email, BENCH_PASSWORD)
        const t0 = now()
        const summary = await client.sync()
        const ms = now() - t0
        await client.close()
        const held = sqliteReplicaRows(file)
        if (summary.error || held !== pulled.rows)
          notes.client.push(
            `rep ${r + 1}: replica holds ${held}/${pulled.rows} rows${summary.error ? `, error ${summary.error.code}` : ''}`,
          )
        clientReps.push({ value: ms / 1000, baseline: pulled.ms / 1000, ratio: ms / pulled.ms })
        opts.log(
          `  routes ${dialect} initial sync, Node client (SQLite store), rep ${r + 1}: ${fmt(ms / 1000)} s, ${held} rows held`,
        )
        last = pulled
      }
      const floor = await sqlFloor(world, last.entries)
      opts.log(
        `  routes ${dialect}: SQL floor (history JSON of the same ${last.rows} rows by primary key, joined): ${fmt(floor.ms)} ms, ${fmt(floor.bytes / 2 ** 20)} MB`,
      )
      const initial = figure(
        {
          workload: 8,
          name: 'routes',
          db: dialect,
          case: `collector's first pull (${last.rows} rows: route of ${ROUTE_SIZE}), HTTP pages`,
          metric: 'wall clock, all pages',
          unit: 's',
          baselineWhat: 'a manager (no scope) reading as many rows of the log, same HTTP path and page size',
        },
        initialReps,
        (value) => [target(value)],
        notes.initial,
      )
      initial.extra = {
        scale: sizeText,
        rows: last.rows,
        rows_by_type: Object.entries(last.byType)
          .map(([k, v]) => `${k} ${v}`)
          .join(' / '),
        pages: last.pages,
        server_ms_per_pull_median: r3(median(pullServer)),
        server_ms_per_page_median: r3(median(pageServer)),
        server_ms_per_page_max: r3(Math.max(...pageServer)),
        baseline_server_ms_per_pull_median: r3(median(baseServer)),
        sql_floor_ms: r3(floor.ms),
        first_pull_after_generation_s: r3(warm.ms / 1000),
        generate_s: world.seconds.generate,
        generate_steps_s: Object.entries(world.seconds)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        database_mb: world.sizeMb,
        rows_checked: world.checked,
      }
      figures.push(initial)
      figures.push(
        figure(
          {
            workload: 8,
            name: 'routes',
            db: dialect,
            case: `collector's first sync, Node client (SQLite store)`,
            metric: 'time to a full replica',
            unit: 's',
            baselineWhat: 'the same pages over raw HTTP, not stored (same rep)',
          },
          clientReps,
          (value) => [target(value)],
          notes.client,
        ),
      )

      // Incremental pulls after the cooperative's changes.
      const writers = await prepareWriters(world)
      const incReps: Rep[] = []
      const incServer: number[] = []
      const writeMs: number[] = []
      let cursor = last.cursor
      for (let r = 0; r < opts.repeat; r++) {
        const written = await writeChanges(world, server, writers, manager, opts.routeChanges, r)
        writeMs.push(written.ms)
        const expected = opts.routeChanges + OTHER_SUPPLIER_UPDATES + OWN_SUPPLIER_UPDATES
        if (written.applied !== expected)
          notes.incremental.push(
            `rep ${r + 1}: ${written.applied}/${expected} changes applied (${written.errors.join('; ')})`,
          )
        const inc = await pullAll(server.url, token, cursor)
        cursor = inc.cursor
        const head = await headOf(world)
        const base = await pullAll(server.url, managerSession.token, encodeCursor(head - inc.rows, inc.epoch))
        const times = await serverTimes(logFile, inc.requestIds)
        incServer.push(sum(times))
        if (inc.rows !== OWN_SUPPLIER_UPDATES || inc.byType.supplier !== OWN_SUPPLIER_UPDATES)
          notes.incremental.push(
            `rep ${r + 1}: pulled ${inc.rows} rows (${JSON.stringify(inc.byType)}), expected ${OWN_SUPPLIER_UPDATES} suppliers`,
          )
        incReps.push({ value: inc.ms, baseline: base.ms, ratio: inc.ms / base.ms })
        opts.log(
          `  routes ${dialect} incremental, rep ${r + 1}: ${written.applied} changes written in ${fmt(written.ms / 1000)} s; pull ${fmt(inc.ms)} ms for ${inc.rows} rows in ${inc.pages} page(s) (server ${fmt(sum(times))} ms); manager reading ${base.rows} rows ${fmt(base.ms)} ms`,
        )
      }
      const incFigure = figure(
        {
          workload: 8,
          name: 'routes',
          db: dialect,
          case: `next pull after ${opts.routeChanges + OTHER_SUPPLIER_UPDATES + OWN_SUPPLIER_UPDATES} changes (${OWN_SUPPLIER_UPDATES} in its route)`,
          metric: 'wall clock, all pages',
          unit: 'ms',
          baselineWhat: 'a manager (no scope) reading as many rows of the log',
        },
        incReps,
        () => [],
        notes.incremental,
      )
      incFigure.extra = {
        server_ms_median: r3(median(incServer)),
        changes_written_s_median: r3(median(writeMs) / 1000),
      }
      figures.push(incFigure)

      // The naive alternative: the whole log from cursor zero, bounded.
      const stamp = parseCursor(cursor)?.scope ?? undefined
      const head = await headOf(world)
      const naive = await pullAll(server.url, token, encodeCursor(0, last.epoch, stamp), opts.routeNaiveSeconds * 1000)
      const reached = parseCursor(naive.cursor)?.seq ?? 0
      const naiveTimes = await serverTimes(logFile, naive.requestIds)
      const projected = naive.cut && reached > 0 ? (naive.ms * head) / reached : naive.ms
      if (naive.cut)
        notes.naive.push(
          `cut at ${opts.routeNaiveSeconds} s: ${naive.pages} pages, ${naive.rows} rows, ${fmt((reached / head) * 100)}% of the log; the figure is projected linearly to its end`,
        )
      opts.log(
        `  routes ${dialect} naive pull from seq 0: ${fmt(naive.ms / 1000)} s, ${naive.rows} rows in ${naive.pages} pages, reached seq ${reached} of ${head}${naive.cut ? ` (cut; projected ${fmt(projected / 1000)} s)` : ''}; server per page ${naiveTimes.map((t) => fmt(t)).join(', ')} ms`,
      )
      const naiveFigure = figure(
        {
          workload: 8,
          name: 'routes',
          db: dialect,
          case: `the same collector pulling the whole log from seq 0 (no snapshot)`,
          metric: naive.cut ? 'projected wall clock' : 'wall clock',
          unit: 's',
          baselineWhat: "the snapshot pull (this run's median)",
        },
        [{ value: projected / 1000, baseline: initial.value, ratio: projected / 1000 / initial.value }],
        () => [],
        notes.naive,
      )
      naiveFigure.extra = {
        measured_s: r3(naive.ms / 1000),
        pages: naive.pages,
        rows: naive.rows,
        log_share_covered: r3(reached / head),
        server_ms_per_page_max: r3(Math.max(...naiveTimes)),
      }
      figures.push(naiveFigure)
    } finally {
      await server?.stop()
      await world.db.drop()
      rmSync(logDir, { recursive: true, force: true })
      rmSync(storeDir, { recursive: true, force: true })
    }
  }
  return figures
}
