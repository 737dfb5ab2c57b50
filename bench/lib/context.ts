/** Options every workload receives (from the command line, see run.ts). */
import type { Dialect } from './env'

export interface BenchOptions {
  dbs: Dialect[]
  repeat: number
  /** Length of one timed push measurement, ms. */
  durationMs: number
  batches: number[]
  devices: number[]
  /** Server processes of the push workload on PostgreSQL, devices spread over them (SQLite: always 1). */
  pushProcesses: number
  drainOps: number
  /** Client storage for the drain: memory and/or sqlite. */
  drainStores: Array<'memory' | 'sqlite'>
  /** Repetitions of the long workloads (drain, storm). */
  heavyRepeat: number
  stormDevices: number
  stormOps: number
  /** Writes per propagation run and per local-write run. */
  samples: number
  /** Write V8 CPU profiles of the server processes here (node --cpu-prof). */
  profileDir?: string
  log: (line: string) => void
}
