/**
 * The CI budget of the seeded fault simulation, on the database the project
 * chooses (TRACKVAULT_TEST_DB, like the server suites): by default 50 seeds x
 * 10 devices x 200 user actions. A failing seed fails its own test with the
 * anomalies and the one command that replays it; the summary table (faults
 * injected by kind, anomalies, time) is printed at the end.
 *
 * Override with SIM_SEEDS, SIM_SEED (first seed), SIM_DEVICES, SIM_OPS,
 * SIM_JOBS (seeds run side by side) and SIM_FAULT_RATE.
 */
import { afterAll, describe, expect, test } from 'vitest'
import { summaryTable, type Totals } from './runner'
import type { Dialect } from './server'
import { replayCommand, runSeed, type SimResult } from './simulation'

const env = (name: string, fallback: number) => {
  const n = Number(process.env[name])
  return Number.isFinite(n) && process.env[name] !== '' && process.env[name] !== undefined ? n : fallback
}
const dialect = (process.env.TRACKVAULT_TEST_DB ?? 'sqlite') as Dialect
const seeds = env('SIM_SEEDS', 50)
const first = env('SIM_SEED', 1)
const devices = env('SIM_DEVICES', 10)
const ops = env('SIM_OPS', 200)
const faultRate = env('SIM_FAULT_RATE', 1)

const results: SimResult[] = []
const started = performance.now()

afterAll(() => {
  if (results.length === 0) return
  const totals: Totals = {
    dialect,
    seeds: results.length,
    devices,
    actions: 0,
    operations: 0,
    requests: 0,
    faults: {},
    outcomes: {},
    anomalies: 0,
    failedSeeds: results.filter((r) => r.anomalies.length > 0),
    ms: Math.round(performance.now() - started),
  }
  for (const r of results) {
    totals.actions += r.actions
    totals.operations += r.operations
    totals.requests += r.requests
    totals.anomalies += r.anomalies.length
    for (const [k, v] of Object.entries(r.faults)) totals.faults[k] = (totals.faults[k] ?? 0) + v
  }
  console.log(`\nseeded fault simulation (${dialect}, seeds ${first}..${first + seeds - 1})\n${summaryTable([totals])}`)
})

// Seeds run side by side (the project's maxConcurrency): each waits on its own server and database.
describe.concurrent(`seeded fault simulation on ${dialect}`, () => {
  test.each(Array.from({ length: seeds }, (_, i) => first + i))(
    `seed %i: ${devices} devices x ${ops} actions`,
    async (seed) => {
      const r = await runSeed({ seed, dialect, devices, ops, faultRate })
      results.push(r)
      const report = r.anomalies.map((a) => `  ${a.kind}: ${a.detail}`).join('\n')
      expect(r.anomalies, `${report}\nreplay: ${replayCommand(r, ops, faultRate)}`).toEqual([])
      expect(r.actions).toBe(ops)
    },
    180_000,
  )
})
