/**
 * Workload 4, initial pull: R rows (collections, every fifth a payment, plus
 * the master data) are seeded straight into the server's database the way
 * the server stores them (lib/seed-rows.ts), owned by one user; a manager
 * (who may read them all) then signs in on a fresh device and we time its
 * first `client.sync()` (default settings: pull pages of 1,000) until it
 * returns, i.e. until the replica holds every row:
 *
 * - Node: a SyncClient on the SQLite adapter (a file in a temp folder);
 * - Chromium: a SyncClient on the IndexedDB (Dexie) adapter inside a page
 *   (bench/browser/), served by the same server (same origin).
 *
 * Baseline, same run, same client environment: the same pages fetched over
 * HTTP with the same page size and parsed, nothing stored (Node: `fetch` in
 * the bench process; Chromium: `fetch` in the page). So the ratio is what the
 * client adds on top of what the server and the wire already cost. Also
 * recorded (extra): the storage floor, i.e. those pages committed straight into
 * a fresh store of the same adapter (one key per row, its view, as the
 * replica stores a row with no local change; one commit per page; in
 * Chromium also through bare IndexedDB without Dexie), and the
 * seeding time (not measured). On PostgreSQL the seeded tables are ANALYZEd
 * (see below). The pull client and the baseline run one after the other.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSyncClient, type Json } from '@trackvault/client'
import { createSqliteStore } from '@trackvault/client/sqlite'
import Database from 'better-sqlite3'
import { sql } from 'kysely'
import { type Browser, chromium } from 'playwright-core'
import { CHROMIUM_PATH as CHROMIUM, CHROMIUM_ARGS } from '../../tests/web/chromium'
import { buildPullPage } from '../browser/build'
import type { BenchOptions } from '../lib/context'
import { BENCH_PASSWORD, type BenchDb, benchLink, mintSession, startServer } from '../lib/env'
import { type Figure, figure, type Rep } from '../lib/report'
import { seedRows } from '../lib/seed-rows'
import { fmt, median, now } from '../lib/stats'
import { prepare } from './push'

export interface InitialPullOptions {
  /** Rows seeded on the server (the target is for 100,000). */
  pullRows: number
  /** Which clients pull: node (SQLite adapter) and/or chromium (IndexedDB adapter). */
  pullClients: Array<'node' | 'chromium'>
}

const TARGET_ROWS = 100_000
const PAGE = 1000

interface Page {
  changes: Array<{ entity_type: string; entity_id: string; data: Record<string, unknown> }>
  cursor: string
  has_more: boolean
}

/** Baseline: every page over HTTP, parsed, nothing stored. Returns the time and (if asked) the pages. */
async function rawPull(
  url: string,
  token: string,
  keep: boolean,
): Promise<{ ms: number; rows: number; pages: Page[] }> {
  const pages: Page[] = []
  let cursor: string | undefined
  let rows = 0
  const t0 = now()
  for (;;) {
    const q = new URLSearchParams({ limit: String(PAGE) })
    if (cursor) q.set('since', cursor)
    const res = await fetch(`${url}/api/sync/changes?${q}`, { headers: { authorization: `Bearer ${token}` } })
    if (!res.ok) throw new Error(`pull answered ${res.status}`)
    const page = (await res.json()) as Page
    rows += page.changes.length
    if (keep) pages.push(page)
    cursor = page.cursor
    if (!page.has_more) break
  }
  return { ms: now() - t0, rows, pages }
}

/** The storage floor: the pages committed into a fresh SQLite store, one key (the view) per row, one commit per page. */
async function sqliteFloor(file: string, pages: Page[]): Promise<number> {
  const store = createSqliteStore(file)
  const t0 = now()
  for (const page of pages) {
    const put: Array<[string, Json]> = []
    for (const c of page.changes) put.push([`row/${c.entity_type}/${c.entity_id}`, c.data as Json])
    await store.commit({ put })
  }
  const ms = now() - t0
  await store.close()
  return ms
}

/** Rows in a client's SQLite file (their views, after the client closed it). */
export function sqliteReplicaRows(file: string): number {
  const db = new Database(file, { readonly: true })
  try {
    const row = db.prepare(`select count(*) as n from kv where key >= 'row/' and key < 'row0'`).get() as { n: number }
    return row.n
  } finally {
    db.close()
  }
}

/** Starts the server with `webRoot` as its static root (the env var is read when the process is spawned). */
async function startServerWithWebRoot(db: BenchDb, webRoot: string | undefined, profileDir: string | undefined) {
  const before = process.env.TRACKVAULT_WEB_ROOT
  if (webRoot) process.env.TRACKVAULT_WEB_ROOT = webRoot
  try {
    return await startServer(db, { profileDir })
  } finally {
    if (before === undefined) delete process.env.TRACKVAULT_WEB_ROOT
    else process.env.TRACKVAULT_WEB_ROOT = before
  }
}

export async function initialPullWorkload(opts: BenchOptions & InitialPullOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const n = opts.pullRows
  const withBrowser = opts.pullClients.includes('chromium')
  const webRoot = withBrowser ? await buildPullPage() : undefined
  let browser: Browser | undefined
  try {
    if (withBrowser) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    for (const dialect of opts.dbs) {
      // users[0] owns the rows, users[1] pulls them (a manager reads every row).
      const side = await prepare(dialect, 2)
      const s0 = now()
      const seeded = await seedRows(side.db, side.fx, side.users[0].id, n)
      if (dialect === 'postgres') {
        // This PostgreSQL runs with autovacuum off, so freshly seeded tables would have no statistics, and
        // the pull's join would be planned as a hash join over all of entity_history for every page (about
        // 20x slower at 100,000 rows). A production server's autovacuum analyzes them; so does this.
        await sql`analyze change_log, entity_history, collections, payments, suppliers`.execute(side.db.handle.db)
      }
      const seedMs = now() - s0
      const total = n + side.fx.supplierIds.length + 2 // + the product and its rate
      opts.log(
        `  initial-pull ${dialect}: seeded ${n} rows (${seeded.collections} collections, ${seeded.payments} payments) + ${total - n} master rows in ${fmt(seedMs / 1000)} s`,
      )
      const server = await startServerWithWebRoot(
        side.db,
        webRoot,
        opts.profileDir ? `${opts.profileDir}/initial-pull-${dialect}` : undefined,
      )
      const storeDir = mkdtempSync(join(tmpdir(), 'trackvault-bench-pull-'))
      const puller = side.users[1]
      const reps: Record<'node' | 'chromium', Rep[]> = { node: [], chromium: [] }
      const notes: Record<'node' | 'chromium', string[]> = { node: [], chromium: [] }
      const floors: Record<'node' | 'chromium', number[]> = { node: [], chromium: [] }
      const idbFloors: number[] = []
      try {
        const { token } = await mintSession(side.db.handle.db, puller, 'device_pull_raw')
        // Warm-up: the server's pull path once (JIT, page cache), not counted.
        await rawPull(server.url, token, false)
        for (let r = 0; r < opts.heavyRepeat; r++) {
          if (opts.pullClients.includes('node')) {
            const raw = await rawPull(server.url, token, true)
            const floorMs = await sqliteFloor(join(storeDir, `floor-${r}.db`), raw.pages)
            raw.pages.length = 0
            const file = join(storeDir, `pull-${r}.db`)
            const link = benchLink(side.db.handle.db, puller)
            const client = createSyncClient({
              baseUrl: server.url,
              storage: createSqliteStore(file),
              fetch: link.fetch,
              live: false,
            })
            await client.login(puller.email, BENCH_PASSWORD)
            const t0 = now()
            const summary = await client.sync()
            const ms = now() - t0
            await client.close()
            const held = sqliteReplicaRows(file)
            if (summary.error || held !== total || raw.rows !== total) {
              notes.node.push(
                `rep ${r + 1}: replica holds ${held}/${total} rows, pulled ${summary.pulled}, raw pull saw ${raw.rows}${summary.error ? `, error ${summary.error.code}` : ''}`,
              )
            }
            reps.node.push({ value: ms / 1000, baseline: raw.ms / 1000, ratio: ms / raw.ms })
            floors.node.push(floorMs / 1000)
            opts.log(
              `  initial-pull ${dialect} node sqlite, rep ${r + 1}: ${fmt(ms / 1000)} s for ${held} rows (${fmt((held / ms) * 1000)} rows/s); raw HTTP pages ${fmt(raw.ms / 1000)} s; storage floor ${fmt(floorMs / 1000)} s`,
            )
          }
          if (browser) {
            const context = await browser.newContext()
            try {
              await context.exposeFunction('benchMintSession', (deviceId: string) =>
                mintSession(side.db.handle.db, puller, deviceId),
              )
              const page = await context.newPage()
              page.setDefaultTimeout(600_000)
              await page.goto(`${server.url}/`)
              await page.waitForFunction(() => typeof window.benchPull === 'function')
              const raw = await page.evaluate(
                (a) => window.benchRawPull({ token: a.token, pullLimit: a.page, keep: true }),
                { token, page: PAGE },
              )
              const floor = await page.evaluate(
                (name) => window.benchStoreFloor({ dbName: name, raw: false }),
                `floor-${r}`,
              )
              await page.evaluate((name) => window.benchDropDb(name), `floor-${r}`)
              const idbFloor = await page.evaluate(
                (name) => window.benchStoreFloor({ dbName: name, raw: true }),
                `idb-floor-${r}`,
              )
              await page.evaluate((name) => window.benchDropDb(name), `idb-floor-${r}`)
              await page.evaluate(() => window.benchForget())
              const pulled = await page.evaluate(
                (a) => window.benchPull({ email: a.email, pullLimit: a.page, dbName: a.db }),
                { email: puller.email, page: PAGE, db: `pull-${r}` },
              )
              await page.evaluate((name) => window.benchDropDb(name), `pull-${r}`)
              if (pulled.error || pulled.rows !== total || raw.rows !== total) {
                notes.chromium.push(
                  `rep ${r + 1}: replica holds ${pulled.rows}/${total} rows, pulled ${pulled.pulled}, raw pull saw ${raw.rows}${pulled.error ? `, error ${pulled.error}` : ''}`,
                )
              }
              reps.chromium.push({ value: pulled.ms / 1000, baseline: raw.ms / 1000, ratio: pulled.ms / raw.ms })
              floors.chromium.push(floor.ms / 1000)
              idbFloors.push(idbFloor.ms / 1000)
              opts.log(
                `  initial-pull ${dialect} chromium indexeddb, rep ${r + 1}: ${fmt(pulled.ms / 1000)} s for ${pulled.rows} rows (${fmt((pulled.rows / pulled.ms) * 1000)} rows/s); raw HTTP pages in the page ${fmt(raw.ms / 1000)} s; storage floor ${fmt(floor.ms / 1000)} s (Dexie adapter), ${fmt(idbFloor.ms / 1000)} s (bare IndexedDB)`,
              )
            } finally {
              await context.close()
            }
          }
        }
      } finally {
        await server.stop()
        await side.db.drop()
        rmSync(storeDir, { recursive: true, force: true })
      }
      const targets: Record<'node' | 'chromium', number> = { node: 3, chromium: 15 }
      const labels: Record<'node' | 'chromium', string> = {
        node: 'Node, SQLite store',
        chromium: 'Chromium, IndexedDB',
      }
      for (const kind of opts.pullClients) {
        const f = figure(
          {
            workload: 4,
            name: 'initial pull',
            db: dialect,
            case: `${n} rows, ${labels[kind]}`,
            metric: 'time to first full replica',
            unit: 's',
            baselineWhat: `the same pages fetched and parsed, not stored (${kind === 'node' ? 'Node fetch' : 'fetch in the page'})`,
          },
          reps[kind],
          (value) => [
            n === TARGET_ROWS
              ? { text: `<= ${targets[kind]} s`, met: value <= targets[kind] && notes[kind].length === 0 }
              : { text: `<= ${targets[kind]} s for 100,000 rows (run --pull-rows 100000)`, met: null },
          ],
          notes[kind],
        )
        f.extra = {
          rows_in_replica: total,
          median_storage_floor_s: Math.round(median(floors[kind]) * 1000) / 1000,
          ...(kind === 'chromium'
            ? { median_bare_indexeddb_floor_s: Math.round(median(idbFloors) * 1000) / 1000 }
            : {}),
          seed_s: Math.round(seedMs / 100) / 10,
        }
        figures.push(f)
      }
    }
  } finally {
    await browser?.close()
    if (webRoot) rmSync(webRoot, { recursive: true, force: true })
  }
  return figures
}
