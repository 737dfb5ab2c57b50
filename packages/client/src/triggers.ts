/**
 * When a sync runs without being asked: at start, on reconnection, on a
 * server poke, on a timer and shortly after a local write (TanStack Query
 * resumes paused mutations on its online manager's signal the same way).
 * Every trigger goes through `nudge`, which syncs only when it can succeed
 * (signed in, online, session not expired) and never throws.
 */
import type { ApiClient } from './http'
import { listenForPokes } from './live'
import type { NetworkMonitor } from './network/network-monitor'
import type { StatusStore } from './status'

export interface TriggerOptions {
  /** Timer trigger (default 60 s; 0 turns it off). */
  syncIntervalMs?: number
  /** Listen to the server's live pokes (default true). */
  live?: boolean
  /** After a local write (once started), sync this much later; bursts coalesce (default 500 ms). */
  writeSyncDelayMs?: number
}

export interface TriggerDeps {
  api: ApiClient
  network: NetworkMonitor
  status: StatusStore
  /** Resolves once the session is loaded; the start trigger waits for it. */
  ready: Promise<void>
  signedIn: () => boolean
  sync: () => Promise<unknown>
}

export class Triggers {
  private started = false
  private stops: Array<() => void> = []
  private stopLive: (() => void) | undefined
  private writeTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly deps: TriggerDeps,
    private readonly opts: TriggerOptions,
  ) {}

  /** Syncs now if a sync can succeed; its outcome shows in the status, never as a rejection. */
  async nudge(): Promise<void> {
    const { network, status, signedIn, sync } = this.deps
    if (!signedIn() || !network.isOnline() || status.current.connection === 'needs-auth') return
    await sync().catch(() => {}) // the failure is in the status already (connection, lastError)
  }

  /** Turns the triggers on (idempotent): app start, reconnection, server poke, timer, local writes. */
  start(): void {
    if (this.started) return
    this.started = true
    this.stops.push(
      this.deps.network.subscribe((online) => {
        this.deps.status.set({ online })
        if (online) void this.nudge()
      }),
    )
    const interval = this.opts.syncIntervalMs ?? 60_000
    if (interval > 0) {
      const timer = setInterval(() => void this.nudge(), interval)
      this.stops.push(() => clearInterval(timer))
    }
    void this.deps.ready.then(() => {
      this.listen()
      return this.nudge()
    })
  }

  /** A user signed in: once started, listen for their pokes and sync. */
  signedIn(): void {
    if (!this.started) return
    this.listen()
    void this.nudge()
  }

  /** The user signed out: no more pokes for their session. */
  signedOut(): void {
    this.stopLive?.()
    this.stopLive = undefined
  }

  /** A local write is a trigger too (once started): sync shortly after, coalescing bursts of writes. */
  afterWrite(): void {
    if (!this.started) return
    clearTimeout(this.writeTimer)
    this.writeTimer = setTimeout(() => void this.nudge(), this.opts.writeSyncDelayMs ?? 500)
  }

  /** Turns every trigger off. */
  stop(): void {
    for (const stop of this.stops) stop()
    this.stops = []
    this.signedOut()
    clearTimeout(this.writeTimer)
  }

  private listen(): void {
    if (this.opts.live === false || !this.deps.signedIn() || this.stopLive) return
    let lastCursor: string | undefined
    this.stopLive = listenForPokes(this.deps.api, (cursor) => {
      this.deps.network.setOnline(true)
      if (cursor !== lastCursor) {
        lastCursor = cursor
        void this.nudge()
      }
    })
  }
}
