/**
 * `npm run bench`: runs the workloads of issue 7, prints a table and writes
 * bench/results/latest.json. Every figure comes with a baseline measured in
 * the same run and the ratio to it; figures are medians over repetitions.
 *
 *   npm run bench                                  # everything, defaults (< ~10 min)
 *   npm run bench -- --only push,drain --db sqlite,postgres --repeat 5
 *   npm run bench -- --only push --batches 10 --devices 8 --profile
 *
 * Workloads (--only): push (1), peer (2: against PouchDB Server), drain (3:
 * the 10,000-operation drain and the reconnect storm; `offline-drain` or
 * `storm` pick one), initial-pull (4), propagation (5), local-write (6),
 * connections (7), routes (8: a collector's scoped pull in a cooperative of
 * 600,000 suppliers and 10 million collections generated in SQL). See
 * BENCHMARKS.md for what each measures.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { BenchOptions } from './lib/context'
import type { Dialect } from './lib/env'
import { describeMachine, machineInfo } from './lib/machine'
import { type Figure, table } from './lib/report'
import { type ConnectionsOptions, connectionsWorkload } from './workloads/connections'
import { drainWorkload, stormWorkload } from './workloads/drain'
import { type InitialPullOptions, initialPullWorkload } from './workloads/initial-pull'
import {
  LOCAL_WRITE_STORES,
  type LocalWriteOptions,
  type LocalWriteStore,
  localWriteWorkload,
} from './workloads/local-write'
import { type PeerOptions, peerWorkload } from './workloads/peer'
import { propagationWorkload } from './workloads/propagation'
import { pushWorkload } from './workloads/push'
import { type RoutesOptions, routesWorkload } from './workloads/routes'

const here = dirname(fileURLToPath(import.meta.url))
const ALL = [
  'push',
  'peer',
  'offline-drain',
  'storm',
  'initial-pull',
  'propagation',
  'local-write',
  'connections',
  'routes',
] as const
type Workload = (typeof ALL)[number]

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    db: { type: 'string', default: 'sqlite,postgres' },
    repeat: { type: 'string', default: '3' },
    duration: { type: 'string', default: '800' },
    batches: { type: 'string', default: '1,10,100' },
    devices: { type: 'string', default: '1,8,32' },
    'push-processes': { type: 'string', default: '1' },
    'heavy-repeat': { type: 'string', default: '1' },
    'drain-ops': { type: 'string', default: '10000' },
    'drain-stores': { type: 'string', default: 'memory' },
    'storm-devices': { type: 'string', default: '50' },
    'storm-ops': { type: 'string', default: '20' },
    samples: { type: 'string', default: '200' },
    'local-write-stores': { type: 'string', default: LOCAL_WRITE_STORES.join(',') },
    'peer-devices': { type: 'string', default: '8' },
    'peer-records': { type: 'string', default: '125' },
    'peer-batch': { type: 'string' },
    'pull-rows': { type: 'string', default: '10000' },
    'pull-clients': { type: 'string', default: 'node,chromium' },
    connections: { type: 'string', default: '1000' },
    'sse-auth': { type: 'string', default: 'ticket' },
    'route-suppliers': { type: 'string', default: '60000' },
    'route-collections': { type: 'string', default: '1000000' },
    'route-routes': { type: 'string' },
    'route-changes': { type: 'string', default: '10000' },
    'route-naive-seconds': { type: 'string', default: '60' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, 'results', 'latest.json') },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  process.stdout.write(
    `${[
      'npm run bench -- [options]',
      `  --only LIST            workloads: ${ALL.join(', ')} (drain = offline-drain + storm); default all`,
      '  --db LIST              sqlite,postgres (default both)',
      '  --repeat N             repetitions; figures are medians (default 3)',
      '  --duration MS          length of one timed push measurement (default 800)',
      '  --batches LIST         push batch sizes (default 1,10,100)',
      '  --devices LIST         push concurrent devices (default 1,8,32)',
      '  --push-processes N     server processes of the push workload on PostgreSQL, on one database (default 1)',
      '  --heavy-repeat N       repetitions of drain and storm (default 1)',
      '  --drain-ops N          operations queued offline for the drain (default 10000, the size the target is for)',
      '  --drain-stores LIST    client storage for the drain: memory,sqlite (default memory)',
      '  --storm-devices N      devices in the reconnect storm (default 50; the target is for 1000)',
      '  --storm-ops N          operations per storm device (default 20)',
      '  --samples N            writes per propagation / local-write run (default 200)',
      `  --local-write-stores LIST  stores of the local-write workload (default ${LOCAL_WRITE_STORES.join(',')}; chromium: real IndexedDB in /usr/bin/chromium)`,
      '  --peer-devices N       devices replicating at once, PouchDB and TrackVault alike (default 8)',
      '  --peer-records N       records (operations of the push mix) per device (default 125; e.g. 1250 for 10,000)',
      "  --peer-batch N         PouchDB replication batch_size (default: PouchDB's own, 100)",
      '  --pull-rows N          rows on the server for the initial pull (default 10000; the targets are for 100000)',
      '  --pull-clients LIST    node (SQLite store), chromium (IndexedDB in /usr/bin/chromium) (default both)',
      '  --connections N        live SSE connections held open (default 1000; the target is for 5000)',
      '  --sse-auth MODE        ticket (single-use ticket per stream, default) or bearer (token in a header)',
      '  --route-suppliers N    suppliers in the routes workload (default 60000; the target is for 600000)',
      '  --route-collections N  collections in the routes workload (default 1000000; the target is for 10000000)',
      '  --route-routes N       routes, one collector each (default suppliers / 120)',
      '  --route-changes N      collections written by other collectors before each incremental pull (default 10000)',
      '  --route-naive-seconds N  how long the naive pull from cursor zero may run (default 60)',
      '  --profile              CPU profiles of the server processes into bench/results/profiles',
      '  --out FILE             JSON output (default bench/results/latest.json)',
    ].join('\n')}\n`,
  )
  process.exit(0)
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
const nums = (s: string) => list(s).map(Number)

const selected = new Set<Workload>()
for (const name of values.only ? list(values.only) : ALL) {
  if (name === 'drain') {
    selected.add('offline-drain')
    selected.add('storm')
  } else if ((ALL as readonly string[]).includes(name)) selected.add(name as Workload)
  else {
    process.stderr.write(`unknown workload ${name}; known: ${ALL.join(', ')}, drain\n`)
    process.exit(2)
  }
}
const dbs = list(values.db) as Dialect[]
for (const d of dbs) {
  if (d !== 'sqlite' && d !== 'postgres') {
    process.stderr.write(`unknown database ${d}; known: sqlite, postgres\n`)
    process.exit(2)
  }
}

const profileDir = values.profile ? join(here, 'results', 'profiles', new Date().toISOString()) : undefined
const pullClients = list(values['pull-clients'])
for (const c of pullClients) {
  if (c !== 'node' && c !== 'chromium') {
    process.stderr.write(`unknown pull client ${c}; known: node, chromium\n`)
    process.exit(2)
  }
}
const localWriteStores = list(values['local-write-stores'])
for (const s of localWriteStores) {
  if (!(LOCAL_WRITE_STORES as readonly string[]).includes(s)) {
    process.stderr.write(`unknown local-write store ${s}; known: ${LOCAL_WRITE_STORES.join(', ')}\n`)
    process.exit(2)
  }
}
if (values['sse-auth'] !== 'ticket' && values['sse-auth'] !== 'bearer') {
  process.stderr.write(`unknown --sse-auth ${values['sse-auth']}; known: ticket, bearer\n`)
  process.exit(2)
}
const opts: BenchOptions & PeerOptions & InitialPullOptions & ConnectionsOptions & RoutesOptions & LocalWriteOptions = {
  dbs,
  repeat: Number(values.repeat),
  durationMs: Number(values.duration),
  batches: nums(values.batches),
  devices: nums(values.devices),
  pushProcesses: Number(values['push-processes']),
  drainOps: Number(values['drain-ops']),
  drainStores: list(values['drain-stores']) as BenchOptions['drainStores'],
  heavyRepeat: Number(values['heavy-repeat']),
  stormDevices: Number(values['storm-devices']),
  stormOps: Number(values['storm-ops']),
  samples: Number(values.samples),
  localWriteStores: localWriteStores as LocalWriteStore[],
  peerDevices: Number(values['peer-devices']),
  peerRecords: Number(values['peer-records']),
  peerBatch: values['peer-batch'] ? Number(values['peer-batch']) : undefined,
  pullRows: Number(values['pull-rows']),
  pullClients: pullClients as InitialPullOptions['pullClients'],
  connections: Number(values.connections),
  sseAuth: values['sse-auth'] as ConnectionsOptions['sseAuth'],
  routeSuppliers: Number(values['route-suppliers']),
  routeCollections: Number(values['route-collections']),
  routeRoutes: values['route-routes'] ? Number(values['route-routes']) : undefined,
  routeChanges: Number(values['route-changes']),
  routeNaiveSeconds: Number(values['route-naive-seconds']),
  profileDir,
  log: (line) => process.stdout.write(`${line}\n`),
}

const started = Date.now()
const machine = await machineInfo(dbs.includes('postgres'))
opts.log(describeMachine(machine))
opts.log(`workloads: ${[...selected].join(', ')}; databases: ${dbs.join(', ')}; repeat ${opts.repeat}\n`)

const figures: Figure[] = []
const timings: Record<string, number> = {}
const runners: Record<Workload, () => Promise<Figure[]>> = {
  push: () => pushWorkload(opts),
  peer: () => peerWorkload(opts),
  'offline-drain': () => drainWorkload(opts),
  storm: () => stormWorkload(opts),
  'initial-pull': () => initialPullWorkload(opts),
  propagation: () => propagationWorkload(opts),
  'local-write': () => localWriteWorkload(opts),
  connections: () => connectionsWorkload(opts),
  routes: () => routesWorkload(opts),
}
for (const name of ALL) {
  if (!selected.has(name)) continue
  opts.log(`== ${name}`)
  const t0 = Date.now()
  figures.push(...(await runners[name]()))
  timings[name] = Math.round((Date.now() - t0) / 1000)
  opts.log(`   (${timings[name]} s)`)
}
machine.loadavg_end = loadavg().map((l) => Math.round(l * 100) / 100)

opts.log('')
opts.log(describeMachine(machine))
opts.log('')
opts.log(table(figures))
for (const f of figures) {
  for (const n of f.notes) opts.log(`note: ${f.name} ${f.db} ${f.case}: ${n}`)
}
for (const f of figures) {
  if (f.extra) {
    const parts = Object.entries(f.extra).map(([k, v]) => `${k} ${v}`)
    opts.log(`extra: ${f.name} ${f.db} ${f.case}: ${parts.join(', ')}`)
  }
}
const seconds = Math.round((Date.now() - started) / 1000)
opts.log(`\n${seconds} s in all; JSON in ${values.out}`)

mkdirSync(dirname(values.out), { recursive: true })
writeFileSync(
  values.out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine,
      command: process.argv.slice(2),
      options: { ...opts, log: undefined },
      seconds,
      workload_seconds: timings,
      figures,
    },
    null,
    2,
  )}\n`,
)
// Keep-alive sockets and timers of clients must not hold the process open.
process.exit(0)
