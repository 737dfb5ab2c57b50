/**
 * Is the network there? Modelled on TanStack Query's onlineManager: one
 * small object with `isOnline()`, `subscribe()` (notified only on change),
 * `setOnline()` (a failed request also marks the client offline), and
 * `setEventListener(setup)` so each platform (browser, React Native, Node,
 * a test) plugs in its own detection. `online` is a heuristic, never a promise.
 */
import { Subscribable } from '../subscribable'

export type SetOnline = (online: boolean) => void
/** Starts detection, reporting through `setOnline`; returns the cleanup. */
export type NetworkSetup = (setOnline: SetOnline) => (() => void) | undefined

export interface NetworkMonitor {
  isOnline(): boolean
  setOnline(online: boolean): void
  subscribe(listener: (online: boolean) => void): () => void
}

export class OnlineManager extends Subscribable<(online: boolean) => void> implements NetworkMonitor {
  private online: boolean
  private cleanup: (() => void) | undefined
  private setup: NetworkSetup | undefined

  /**
   * `mayBeOnline`: a platform's own word that there is no network (a browser's `navigator.onLine`
   * false) that no evidence overrides: not a probe, a sync that finished, or a live poke.
   */
  constructor(
    initial = true,
    setup?: NetworkSetup,
    private readonly mayBeOnline: () => boolean = () => true,
  ) {
    super()
    this.online = initial
    this.setup = setup
  }

  protected override onSubscribe(): void {
    if (!this.cleanup && this.setup) this.cleanup = this.setup(this.setOnline)
  }

  protected override onUnsubscribe(): void {
    if (!this.hasListeners()) {
      this.cleanup?.()
      this.cleanup = undefined
    }
  }

  /** Replaces the detection (e.g. NetInfo on React Native). */
  setEventListener(setup: NetworkSetup): void {
    this.cleanup?.()
    this.setup = setup
    this.cleanup = this.hasListeners() ? setup(this.setOnline) : undefined
  }

  setOnline = (online: boolean): void => {
    online &&= this.mayBeOnline()
    if (this.online === online) return
    this.online = online
    this.emit(online)
  }

  isOnline(): boolean {
    return this.online
  }
}

/**
 * Polls `probe` every `intervalMs` while offline (and once when asked), so
 * a device notices the server is back even without an OS network event.
 */
export function probeLoop(probe: () => Promise<boolean>, intervalMs: number, setOnline: SetOnline) {
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = async () => {
    if (stopped) return
    const ok = await probe().catch(() => false)
    if (stopped) return
    setOnline(ok)
    timer = setTimeout(tick, ok ? intervalMs * 4 : intervalMs)
  }
  timer = setTimeout(tick, 0)
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}

/** A probe that asks the server's /health endpoint. */
export function healthProbe(baseUrl: string, fetchFn: typeof fetch = fetch, timeoutMs = 3000) {
  return async () => {
    const res = await fetchFn(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) })
    return res.ok
  }
}
