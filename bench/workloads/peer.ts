/**
 * Workload 2, against a peer: PouchDB Server (pouchdb-server 4, the
 * CouchDB-protocol server on npm, as its own process on loopback, with its
 * durable LevelDB storage in a temp folder) and TrackVault receive the same
 * number of records from the same number of devices, in the same run.
 *
 * Records: each of D devices writes K operations of the push mix offline
 * (of every 20: 8 collection creates, 4 payment creates, 5 collection
 * updates, 3 payment updates, updates on the device's own earlier rows), then
 * all devices replicate at once. Figure: records/s = D x K / time until
 * every device's records are on the server.
 *
 * - PouchDB: each device is a PouchDB (memory adapter) holding the records
 *   as documents (an update is a new revision of the document), replicating
 *   one-shot with `db.replicate.to(server)` (PouchDB's default batch_size of
 *   100 unless --peer-batch). Time until every replication resolved.
 * - TrackVault (the figure): each device is a real SyncClient (memory store)
 *   with the records queued through its entity API, then `client.sync()` with
 *   its default settings (its own batch sizing, as PouchDB keeps its own):
 *   time until every queue is empty. This is the
 *   comparable side: a client library shipping its local writes with its own
 *   protocol to its server, as PouchDB's replicator does. Its sync also pulls
 *   once its queue is empty (PouchDB's replicate.to only pushes); those pulls
 *   run while other devices still push, and that is counted.
 * - TrackVault raw HTTP (a second figure, same baseline): the same number of
 *   operations from D raw-HTTP devices at batch 10 (workload 1's devices),
 *   i.e. the server without the client library.
 *
 * Durability differs and favours PouchDB: PouchDB Server's LevelDB writes are
 * not fsynced (LevelDB's default, which the adapter keeps); TrackVault commits
 * every batch with synchronous=FULL (SQLite) or fsync (PostgreSQL).
 *
 * PouchDB is not a root dependency (it would slow every `npm ci`): it lives in
 * bench/peer (own package.json and lockfile) and is installed on first use.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSyncClient, type SyncClient } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import { newId, priceString } from '@trackvault/core'
import { freePort, type UsersTable } from '@trackvault/server/testing'
import { ClientMix, type Kind, PATTERN } from '../lib/client-mix'
import type { BenchOptions } from '../lib/context'
import { BENCH_PASSWORD, type BenchLink, type BenchServer, benchLink, mintSession, startServer } from '../lib/env'
import { COLLECTION_DATE, RawDevice } from '../lib/ops'
import { cpuMsOf, MB, rssOf } from '../lib/proc'
import { type Figure, figure, type Rep } from '../lib/report'
import { fmt, median, now, sleep } from '../lib/stats'
import { prepare, type Side } from './push'

export interface PeerOptions {
  /** Devices replicating at once. */
  peerDevices: number
  /** Records (operations of the mix) per device. */
  peerRecords: number
  /** PouchDB replication batch_size (undefined: PouchDB's default, 100). */
  peerBatch?: number
}

const here = dirname(fileURLToPath(import.meta.url))
const PEER_DIR = join(here, '..', 'peer')
const TIMEOUT_MS = 300_000

// ---- PouchDB, loaded from bench/peer/node_modules (untyped CommonJS; the little we use, typed here)

interface PouchDoc {
  _id: string
  _rev?: string
  [field: string]: unknown
}
interface ReplicationResult {
  ok: boolean
  docs_written: number
  doc_write_failures: number
  errors: unknown[]
}
interface PouchDb {
  put(doc: PouchDoc): Promise<{ ok: boolean; id: string; rev: string }>
  replicate: { to(target: string, opts?: { batch_size?: number }): Promise<ReplicationResult> }
  destroy(): Promise<unknown>
}
interface PouchCtor {
  new (name: string, opts?: { adapter?: string }): PouchDb
  plugin(plugin: unknown): PouchCtor
}

/** Installs bench/peer on first use (its own lockfile; never part of the root install). */
function ensurePeerInstalled(log: (line: string) => void): void {
  if (existsSync(join(PEER_DIR, 'node_modules', 'pouchdb-server', 'package.json'))) return
  log(
    '  peer: bench/peer/node_modules is missing; installing it now (npm ci --prefix bench/peer --ignore-scripts), first use only',
  )
  const t0 = now()
  // --ignore-scripts: leveldown ships prebuilt binaries that load without its install step; the only other
  // install script is sqlite3's (pouchdb-server's unused --sqlite mode), which would try to download a binary.
  execFileSync('npm', ['ci', '--prefix', PEER_DIR, '--ignore-scripts', '--no-audit', '--no-fund'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  log(`  peer: installed bench/peer in ${fmt((now() - t0) / 1000)} s`)
}

function loadPouch(): PouchCtor {
  const require = createRequire(join(PEER_DIR, 'package.json'))
  const core = require('pouchdb-core') as PouchCtor
  return core
    .plugin(require('pouchdb-adapter-memory'))
    .plugin(require('pouchdb-adapter-http'))
    .plugin(require('pouchdb-replication'))
}

interface PouchServer {
  url: string
  child: ChildProcess
  version: string
  adapter: string
  stop(): Promise<void>
}

/** pouchdb-server as its own process on loopback, LevelDB files in a temp folder (not --in-memory). */
async function startPouchServer(): Promise<PouchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-pouch-'))
  const port = await freePort()
  const logFile = join(dir, 'stdout.log')
  const fd = openSync(logFile, 'a')
  const bin = join(PEER_DIR, 'node_modules', 'pouchdb-server', 'bin', 'pouchdb-server')
  const child = spawn(
    process.execPath,
    [
      bin,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--dir',
      join(dir, 'data'),
      '--config',
      join(dir, 'config.json'),
      '--no-stdout-logs',
    ],
    { cwd: dir, stdio: ['ignore', fd, fd] },
  )
  closeSync(fd)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  let welcome: { version?: string; 'pouchdb-adapters'?: string[] } = {}
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pouchdb-server exited early:\n${readFileSync(logFile, 'utf8')}`)
    try {
      const res = await fetch(`${url}/`)
      if (res.ok) {
        welcome = (await res.json()) as typeof welcome
        break
      }
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`pouchdb-server did not answer:\n${readFileSync(logFile, 'utf8')}`)
    }
    await sleep(100)
  }
  return {
    url,
    child,
    version: welcome.version ?? '?',
    adapter: (welcome['pouchdb-adapters'] ?? []).join(',') || '?',
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Writes the mix into a device's local PouchDB: documents shaped like TrackVault's rows; an update is a new revision. */
async function writePouchMix(db: PouchDb, side: Side, userId: string, deviceId: string, count: number) {
  const own: Record<Kind, PouchDoc[]> = { collection: [], payment: [] }
  const next: Record<Kind, number> = { collection: 0, payment: 0 }
  let creates = 0
  for (let n = 1; n <= count; n++) {
    const [kind, action] = PATTERN[(n - 1) % PATTERN.length]
    const at = new Date().toISOString()
    const docs = own[kind]
    let doc: PouchDoc
    if (action === 'update' && docs.length > 0) {
      // The device's own copy of the document is updated in place, so it always holds the latest _rev.
      doc = docs[next[kind]++ % docs.length]
      doc.updated_at = at
      if (kind === 'collection') {
        const quantity = `${10 + (n % 90)}.250`
        doc.quantity = quantity
        doc.total_amount = priceString(quantity, '120.00')
      } else doc.amount = `${100 + (n % 900)}.00`
    } else {
      const supplier_id = side.fx.supplierIds[n % side.fx.supplierIds.length]
      const quantity = `${10 + (n % 40)}.500`
      const common = { user_id: userId, device_id: deviceId, created_at: at, updated_at: at, deleted_at: null }
      doc =
        kind === 'collection'
          ? {
              _id: `collection:${newId()}`,
              type: kind,
              supplier_id,
              product_id: side.fx.productId,
              collection_date: COLLECTION_DATE,
              quantity,
              unit: 'kg',
              notes: null,
              product_rate_id: side.fx.rateId,
              rate_applied: '120.00',
              total_amount: priceString(quantity, '120.00'),
              ...common,
            }
          : {
              _id: `payment:${newId()}`,
              type: kind,
              supplier_id,
              payment_date: COLLECTION_DATE,
              amount: `${500 + (n % 500)}.00`,
              payment_type: 'advance',
              payment_method: 'cash',
              reference_number: null,
              notes: null,
              ...common,
            }
      docs.push(doc)
      creates += 1
    }
    const res = await db.put({ ...doc })
    doc._rev = res.rev
  }
  return creates
}

interface PouchRun {
  ms: number
  docsWritten: number
  failures: number
  serverDocs: number
  creates: number
  serverCpuMs: number
}

async function pouchRun(
  Pouch: PouchCtor,
  server: PouchServer,
  side: Side,
  opts: PeerOptions,
  tag: string,
): Promise<PouchRun> {
  const dbName = `bench_${tag}`
  const devices = side.users.slice(0, opts.peerDevices)
  const locals = devices.map((_, i) => new Pouch(`${dbName}_dev${i}`, { adapter: 'memory' }))
  let creates = 0
  for (let i = 0; i < devices.length; i++) {
    creates += await writePouchMix(locals[i], side, devices[i].id, `device_pouch_${i}`, opts.peerRecords)
  }
  const target = `${server.url}/${dbName}`
  // The target database exists before the clock starts (as TrackVault's tables do).
  const created = await fetch(target, { method: 'PUT' })
  if (!created.ok) throw new Error(`PUT ${target}: ${created.status}`)
  const cpu0 = cpuMsOf(server.child.pid)
  const t0 = now()
  const results = await Promise.all(
    locals.map((db) => db.replicate.to(target, opts.peerBatch ? { batch_size: opts.peerBatch } : {})),
  )
  const ms = now() - t0
  const serverCpuMs = cpuMsOf(server.child.pid) - cpu0
  const info = (await (await fetch(target)).json()) as { doc_count: number }
  await Promise.all(locals.map((db) => db.destroy()))
  await fetch(target, { method: 'DELETE' })
  return {
    ms,
    docsWritten: results.reduce((s, r) => s + r.docs_written, 0),
    failures: results.reduce((s, r) => s + r.doc_write_failures + r.errors.length, 0),
    serverDocs: info.doc_count,
    creates,
    serverCpuMs,
  }
}

interface TvDevice {
  client: SyncClient
  link: BenchLink
  mix: ClientMix
  emptiedAt: number
  successful: number
  error?: string
}

interface TvRun {
  /** Until every queue is empty. */
  ms: number
  /** Until every sync (push + pull) returned. */
  completeMs: number
  applied: number
  errors: string[]
  serverCpuMs: number
}

async function syncClientRun(server: BenchServer, side: Side, opts: PeerOptions): Promise<TvRun> {
  const users: UsersTable[] = side.users.slice(0, opts.peerDevices)
  const devices: TvDevice[] = users.map((user) => {
    const link = benchLink(side.db.handle.db, user)
    const client = createSyncClient({ baseUrl: server.url, storage: createMemoryStore(), fetch: link.fetch })
    return { client, link, mix: new ClientMix(client, side.fx), emptiedAt: 0, successful: 0 }
  })
  try {
    // Signed in and synced once (master data, current cursor), then the records are written offline.
    for (let i = 0; i < devices.length; i++) {
      await devices[i].client.login(users[i].email, BENCH_PASSWORD)
      await devices[i].client.sync()
    }
    for (const d of devices) {
      d.link.offline = true
      for (let i = 0; i < opts.peerRecords; i++) await d.mix.step()
    }
    for (const d of devices) d.link.offline = false
    const cpu0 = server.cpuMs()
    const t0 = now()
    const all = Promise.all(
      devices.map(async (d) => {
        const summary = await d.client.sync({
          onProgress: (current, total) => {
            if (total > 0 && current >= total && !d.emptiedAt) d.emptiedAt = now()
          },
        })
        d.successful = summary.successful
        d.error = summary.error?.code
      }),
    )
    const timedOut = await Promise.race([all.then(() => false), sleep(TIMEOUT_MS).then(() => true)])
    const completeMs = now() - t0
    const serverCpuMs = server.cpuMs() - cpu0
    const ms = timedOut ? TIMEOUT_MS : Math.max(...devices.map((d) => (d.emptiedAt || now()) - t0))
    const errors = [...new Set(devices.map((d) => d.error).filter((e): e is string => !!e))]
    if (timedOut) errors.push(`timed out after ${TIMEOUT_MS / 1000} s`)
    return { ms, completeMs, applied: devices.reduce((s, d) => s + d.successful, 0), errors, serverCpuMs }
  } finally {
    await Promise.all(devices.map((d) => d.client.close()))
  }
}

let rawRun = 0

/** The same number of operations from raw-HTTP devices (workload 1's), batch 10, all devices at once. */
async function rawHttpRun(server: BenchServer, side: Side, opts: PeerOptions) {
  const run = ++rawRun
  const devs = await Promise.all(
    side.users.slice(0, opts.peerDevices).map(async (user, i) => {
      const deviceId = `device_peer_raw_${run}_${i}`
      const session = await mintSession(side.db.handle.db, user, deviceId)
      return new RawDevice(server.url, deviceId, session.token, side.fx)
    }),
  )
  let ok = 0
  const errors = new Set<string>()
  const cpu0 = server.cpuMs()
  const t0 = now()
  await Promise.all(
    devs.map(async (dev) => {
      for (let left = opts.peerRecords; left > 0; left -= 10) {
        const out = await dev.push(dev.stream.next(Math.min(10, left)))
        ok += out.ok
        for (const e of out.errors) errors.add(e)
      }
    }),
  )
  return { ms: now() - t0, ok, errors: [...errors], serverCpuMs: server.cpuMs() - cpu0 }
}

export async function peerWorkload(opts: BenchOptions & PeerOptions): Promise<Figure[]> {
  ensurePeerInstalled(opts.log)
  const Pouch = loadPouch()
  const pouch = await startPouchServer()
  const d = opts.peerDevices
  const k = opts.peerRecords
  const total = d * k
  const batchNote = opts.peerBatch ? `batch_size ${opts.peerBatch}` : 'default batch_size 100'
  opts.log(
    `  peer: pouchdb-server ${pouch.version} (express-pouchdb), adapter ${pouch.adapter}: durable LevelDB files in a temp folder (not --in-memory; LevelDB writes without fsync); clients PouchDB 9 memory adapter, replicate.to one-shot, ${batchNote}`,
  )
  const figures: Figure[] = []
  try {
    for (const dialect of opts.dbs) {
      const side = await prepare(dialect, d)
      const server = await startServer(side.db, {
        profileDir: opts.profileDir ? `${opts.profileDir}/peer-${dialect}` : undefined,
      })
      const reps: Record<'client' | 'raw', Rep[]> = { client: [], raw: [] }
      const notes: Record<'client' | 'raw', string[]> = { client: [], raw: [] }
      const ex: Record<string, number[]> = {
        pouch_docs_on_server: [],
        pouch_server_cpu_ms_per_record: [],
        trackvault_server_cpu_ms_per_record: [],
        raw_http_server_cpu_ms_per_record: [],
        every_sync_done_s: [],
        pouch_server_rss_mb: [],
      }
      try {
        // Warm-up of both servers (JIT), not counted.
        await pouchRun(Pouch, pouch, side, { ...opts, peerDevices: Math.min(2, d), peerRecords: 40 }, `${dialect}_warm`)
        await rawHttpRun(server, side, { ...opts, peerDevices: Math.min(2, d), peerRecords: 40 })
        for (let r = 0; r < opts.repeat; r++) {
          const p = await pouchRun(Pouch, pouch, side, opts, `${dialect}_${r}`)
          const pouchRate = (total / p.ms) * 1000
          if (p.failures > 0 || p.serverDocs !== p.creates) {
            notes.client.push(
              `rep ${r + 1}: PouchDB ${p.failures} failures, ${p.serverDocs}/${p.creates} documents on the server`,
            )
          }
          const tv = await syncClientRun(server, side, opts)
          const tvRate = (total / tv.ms) * 1000
          if (tv.applied !== total || tv.errors.length > 0) {
            notes.client.push(
              `rep ${r + 1}: TrackVault ${tv.applied}/${total} applied${tv.errors.length ? `, ${tv.errors.join(', ')}` : ''}`,
            )
          }
          const raw = await rawHttpRun(server, side, opts)
          const rawRate = (raw.ok / raw.ms) * 1000
          if (raw.ok !== total) notes.raw.push(`rep ${r + 1}: ${raw.ok}/${total} applied (${raw.errors.join(', ')})`)
          reps.client.push({ value: tvRate, baseline: pouchRate, ratio: tvRate / pouchRate })
          reps.raw.push({ value: rawRate, baseline: pouchRate, ratio: rawRate / pouchRate })
          ex.pouch_docs_on_server.push(p.serverDocs)
          ex.pouch_server_cpu_ms_per_record.push(p.serverCpuMs / total)
          ex.trackvault_server_cpu_ms_per_record.push(tv.serverCpuMs / total)
          ex.raw_http_server_cpu_ms_per_record.push(raw.serverCpuMs / total)
          ex.every_sync_done_s.push(tv.completeMs / 1000)
          ex.pouch_server_rss_mb.push(rssOf(pouch.child.pid) / MB)
          opts.log(
            `  peer ${dialect} ${d} x ${k}, rep ${r + 1}: PouchDB ${fmt(pouchRate)} records/s (${fmt(p.ms / 1000)} s, ${p.serverDocs} docs, server CPU ${fmt(p.serverCpuMs / total)} ms/record); TrackVault SyncClient ${fmt(tvRate)} records/s (queues empty at ${fmt(tv.ms / 1000)} s, syncs done at ${fmt(tv.completeMs / 1000)} s, server CPU ${fmt(tv.serverCpuMs / total)} ms/record) = ${fmt(tvRate / pouchRate)}x; raw HTTP batch 10 ${fmt(rawRate)} records/s = ${fmt(rawRate / pouchRate)}x`,
          )
        }
      } finally {
        await server.stop()
        await side.db.drop()
      }
      const base = {
        workload: 2,
        name: 'vs PouchDB',
        db: dialect,
        metric: 'records replicated per second',
        unit: 'rec/s',
        baselineWhat: `PouchDB Server 4 (LevelDB), ${d} PouchDB clients, replicate.to`,
      }
      const f = figure(
        { ...base, case: `${d} dev x ${k}, SyncClient` },
        reps.client,
        // Issue 21: >= 2x PouchDB Server on SQLite, >= 1x on PostgreSQL (same records, same run).
        (_, ratio) => {
          const times = dialect === 'sqlite' ? 2 : 1
          return [{ text: `>= ${times}x PouchDB Server`, met: ratio >= times && notes.client.length === 0 }]
        },
        notes.client,
      )
      f.extra = Object.fromEntries(
        Object.entries(ex).map(([key, xs]) => [`median_${key}`, Math.round(median(xs) * 1000) / 1000]),
      )
      figures.push(f)
      figures.push(figure({ ...base, case: `${d} dev x ${k}, raw HTTP batch 10` }, reps.raw, () => [], notes.raw))
    }
  } finally {
    await pouch.stop()
  }
  return figures
}
