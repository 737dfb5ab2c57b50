/**
 * Running many seeds and summing up; the CLI (run.ts) and the vitest entry
 * (sim.test.ts) both use it.
 *
 * The seeded fault simulation from the command line:
 *
 *   npm run sim -- --seeds 20 --seed 1 --db both
 *   npm run sim -- --seeds 1 --seed 1234 --db sqlite      (replay one seed)
 *
 * Options: --seeds N (default 10), --seed S (first seed, default 1),
 * --devices D (default 10), --ops O (user actions per seed, default 200),
 * --db sqlite|postgres|both (default sqlite), --fault-rate F (default 1),
 * --jobs J (seeds run side by side, default 1), --verbose. PostgreSQL comes from TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test).
 * Exits 1 if any seed found an anomaly, printing the command that replays it.
 */
import type { Dialect } from './server'
import { runSeed, type SimResult } from './simulation'

export interface RunOptions {
  seeds: number
  seed: number
  devices: number
  ops: number
  dbs: Dialect[]
  faultRate: number
  /** Seeds run side by side (default 1; replays are the same either way). */
  jobs: number
  verbose: boolean
}

export function parseArgs(argv: string[]): RunOptions {
  const opts: RunOptions = {
    seeds: 10,
    seed: 1,
    devices: 10,
    ops: 200,
    dbs: ['sqlite'],
    faultRate: 1,
    jobs: 1,
    verbose: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value`)
      return v
    }
    const int = () => {
      const n = Number(value())
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${arg} needs a whole number`)
      return n
    }
    switch (arg) {
      case '--seeds':
        opts.seeds = int()
        break
      case '--seed':
        opts.seed = int()
        break
      case '--devices':
        opts.devices = Math.max(1, int())
        break
      case '--ops':
        opts.ops = int()
        break
      case '--db': {
        const db = value()
        if (db === 'both') opts.dbs = ['sqlite', 'postgres']
        else if (db === 'sqlite' || db === 'postgres') opts.dbs = [db]
        else throw new Error('--db is sqlite, postgres or both')
        break
      }
      case '--fault-rate':
        opts.faultRate = Number(value())
        if (!(opts.faultRate >= 0)) throw new Error('--fault-rate needs a number >= 0')
        break
      case '--jobs':
        opts.jobs = Math.max(1, int())
        break
      case '--verbose':
        opts.verbose = true
        break
      default:
        throw new Error(`unknown option ${arg}`)
    }
  }
  return opts
}

export interface Totals {
  dialect: Dialect
  seeds: number
  devices: number
  actions: number
  operations: number
  requests: number
  faults: Record<string, number>
  /** What users and the engine did: resolutions, retries, discards, how each operation ended. */
  outcomes: Record<string, number>
  anomalies: number
  failedSeeds: SimResult[]
  ms: number
}

/** Runs the seeds on one database; `onSeed` hears each result. */
export async function runSeeds(
  opts: Omit<RunOptions, 'dbs'>,
  dialect: Dialect,
  onSeed?: (r: SimResult) => void,
): Promise<Totals> {
  const totals: Totals = {
    dialect,
    seeds: 0,
    devices: opts.devices,
    actions: 0,
    operations: 0,
    requests: 0,
    faults: {},
    outcomes: {},
    anomalies: 0,
    failedSeeds: [],
    ms: 0,
  }
  const start = performance.now()
  const results: SimResult[] = []
  let next = 0
  // Seeds are independent: a few run side by side, each waiting on its own server and database.
  const worker = async () => {
    while (next < opts.seeds) {
      const seed = opts.seed + next++
      const r = await runSeed({
        seed,
        dialect,
        devices: opts.devices,
        ops: opts.ops,
        faultRate: opts.faultRate,
        verbose: opts.verbose,
      })
      results.push(r)
      onSeed?.(r)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, opts.seeds)) }, worker))
  results.sort((a, b) => a.seed - b.seed)
  for (const r of results) {
    totals.seeds += 1
    totals.actions += r.actions
    totals.operations += r.operations
    totals.requests += r.requests
    for (const [k, v] of Object.entries(r.faults)) totals.faults[k] = (totals.faults[k] ?? 0) + v
    for (const [k, v] of Object.entries(r.outcomes)) totals.outcomes[k] = (totals.outcomes[k] ?? 0) + v
    totals.anomalies += r.anomalies.length
    if (r.anomalies.length > 0) totals.failedSeeds.push(r)
  }
  totals.ms = Math.round(performance.now() - start)
  return totals
}

const FAULT_ORDER = [
  'drop_request',
  'drop_response',
  'duplicate',
  'duplicate_concurrent',
  'late_duplicate',
  'late_delivery',
  'reordered',
  'burst',
  'error_5xx',
  'error_5xx_after_commit',
  'server_outage',
  'db_transient',
  'crash_in_batch',
  'server_restart',
  'backup',
  'restore_from_backup',
  'client_crash',
  'crash_request_lost',
  'crash_request_in_flight',
  'offline_period',
  'sync_while_offline',
  'user_switch',
]

/** The summary table, one column per database. */
export function summaryTable(all: Totals[]): string {
  const rows: Array<[string, ...string[]]> = []
  const col = (f: (t: Totals) => string | number) => all.map((t) => String(f(t)))
  rows.push(['database', ...col((t) => t.dialect)])
  rows.push(['seeds', ...col((t) => t.seeds)])
  rows.push(['devices per seed', ...col((t) => t.devices)])
  rows.push(['user actions', ...col((t) => t.actions)])
  rows.push(['queued operations', ...col((t) => t.operations)])
  rows.push(['HTTP requests delivered', ...col((t) => t.requests)])
  const kinds = new Set(all.flatMap((t) => Object.keys(t.faults)))
  const ordered = [...FAULT_ORDER.filter((k) => kinds.has(k)), ...[...kinds].filter((k) => !FAULT_ORDER.includes(k))]
  for (const k of ordered) rows.push([`  fault: ${k}`, ...col((t) => t.faults[k] ?? 0)])
  rows.push(['faults injected (total)', ...col((t) => Object.values(t.faults).reduce((s, v) => s + v, 0))])
  rows.push(['anomalies found', ...col((t) => t.anomalies)])
  rows.push(['time', ...col((t) => `${(t.ms / 1000).toFixed(1)} s`)])
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return rows.map(line).join('\n')
}
