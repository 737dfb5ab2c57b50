/**
 * What the parts of a run (actions.ts, parked.ts, events.ts, heal.ts) read
 * and call of the Simulation that schedules them: an interface, so none of
 * them imports the scheduler and the imports run one way.
 */
import { ApiError } from '@trackvault/client'
import { AppError } from '@trackvault/core'
import type { Anomaly, Intent, RunRecord } from './checks'
import type { Device } from './device'
import type { SimNetwork } from './network'
import type { Rng } from './prng'
import type { Dialect, SimServer } from './server'

export interface SimOptions {
  seed: number
  dialect: Dialect
  devices: number
  /** User actions per run (writes, resolutions, retries, discards), across all devices. */
  ops: number
  /** Multiplies every fault probability (1 = default). */
  faultRate?: number
  /** Progress lines on stderr. */
  verbose?: boolean
}

/** A run in progress, as its parts see it. */
export interface SimContext extends RunRecord {
  readonly opts: SimOptions
  /** The scheduler's random stream (each device has its own). */
  readonly rng: Rng
  readonly server: SimServer
  readonly network: SimNetwork
  readonly devices: Device[]
  readonly intents: Intent[]
  readonly resolvedBy: Map<string, string>
  readonly discarded: Set<string>
  readonly lostInRestore: Map<string, string>
  readonly anomalies: Anomaly[]
  step: number
  /** User actions done so far. */
  actions: number
  /** Until this step every delivered request gets a 5xx (the server is struggling). */
  outageUntil: number
  /** Suppliers most devices write to (conflicts). */
  readonly hot: string[]
  readonly products: Array<{ id: string; unit: string }>
  /** The routes drawn at the start (on the server since before any backup: REST changes use these). */
  readonly routes: string[]
  /** Today in the business's time zone when the run started (assignments are dated from it). */
  readonly today: string
  /** Counter behind the unique notes and references of new rows. */
  markers: number
  /** When the final pulls began (heal.ts; the checks read today's scopes as of then). */
  finalPullsAt?: number
  /** Months of the season settled by an approved run so far (settled in order, January first). */
  settledMonths: number
  /** Adds a scheduling decision to the trace digest. */
  traced(event: string): void
  anomaly(kind: string, detail: string): void
  /** A new client engine on the device's store (at start and after a crash). */
  openClient(d: Device): Promise<void>
  /** Starts a background sync on the device unless it is busy (or offline, unless `evenOffline`). */
  startSync(d: Device, evenOffline: boolean): void
  /** Waits until every device is idle or waiting for the network. */
  quiesce(): Promise<void>
}

/** How an outcome names an error: its code, or its message. */
export const errText = (err: unknown) =>
  err instanceof ApiError || err instanceof AppError ? err.code : err instanceof Error ? err.message : String(err)
