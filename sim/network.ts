/**
 * The simulated network between the devices and the server: each device's
 * `fetch`. While the run is "gated", requests are held, and the scheduler
 * delivers them one at a time in an order drawn from the seed (so devices
 * overtake each other), each with a fault drawn from that device's own
 * stream: request dropped, answer dropped after the server committed,
 * request duplicated (at once, together, or much later), a 5xx before or
 * after the server did the work, a database failure in the middle of a
 * batch, a server crash just before commit. Delivering one request at a
 * time makes a run replayable; bursts deliver a few together on purpose.
 *
 * Time is compressed: Retry-After is removed from answers, so a retry
 * waits the client's own (short) backoff instead of real seconds.
 */
import type { FetchLike } from '@trackvault/client'
import type { Rng } from './prng'
import { httpCall, type SimServer } from './server'

export type RequestKind = 'push' | 'pull' | 'resolve' | 'login' | 'other'

export interface Held {
  id: number
  device: number
  kind: RequestKind
  method: string
  path: string
  headers: Record<string, string>
  body: string | undefined
  /** Nobody waits for the answer: the sender crashed, or this is a late copy. */
  orphan: boolean
  /** Number of operations in a push. */
  ops: number
  resolve: (res: Response) => void
  reject: (err: unknown) => void
}

export type DeliveryFault =
  | 'none'
  | 'drop_request'
  | 'drop_response'
  | 'duplicate'
  | 'duplicate_concurrent'
  | 'late_duplicate'
  | 'error_5xx'
  | 'error_5xx_after_commit'
  | 'db_transient'
  | 'crash_in_batch'

/** Relative weights of each delivery fault; 'none' is the healthy delivery. */
export const DEFAULT_DELIVERY_WEIGHTS: Record<DeliveryFault, number> = {
  none: 66,
  drop_request: 5,
  drop_response: 6,
  duplicate: 3,
  duplicate_concurrent: 2,
  late_duplicate: 3,
  error_5xx: 4,
  error_5xx_after_commit: 3,
  db_transient: 5,
  crash_in_batch: 1.5,
}

const NO_BODY = new Set([101, 204, 205, 304])

function kindOf(method: string, path: string): RequestKind {
  if (path.startsWith('/api/sync/changes')) return 'pull'
  if (path.startsWith('/api/sync/resolve')) return 'resolve'
  if (path.startsWith('/api/sync') && method === 'POST') return 'push'
  if (path.startsWith('/api/auth/login')) return 'login'
  return 'other'
}

export class SimNetwork {
  /** While false, requests go straight to the server, without faults (setup and healing). */
  gated = false
  readonly held: Held[] = []
  readonly faults: Record<string, number> = {}
  requests = 0
  /** Pulls answered SCOPE_CHANGED: the device's routes or their suppliers changed (an outcome, not a fault). */
  scopeChanged = 0
  private nextId = 1
  /** Bumped when a device crashes: fetches of the dead client fail at once. */
  private readonly generations = new Map<number, number>()

  constructor(private readonly server: SimServer) {}

  count(kind: string, n = 1) {
    this.faults[kind] = (this.faults[kind] ?? 0) + n
  }

  heldBy(device: number): number {
    let n = 0
    for (const h of this.held) if (h.device === device && !h.orphan) n++
    return n
  }

  /** The fetch of one device's client; `offline()` says whether its link is down right now. */
  fetchFor(device: number, offline: () => boolean): FetchLike {
    const generation = this.generations.get(device) ?? 0
    return (input, init) => {
      if ((this.generations.get(device) ?? 0) !== generation) {
        return Promise.reject(new TypeError('fetch failed: the app that sent this is gone'))
      }
      if (offline()) return Promise.reject(new TypeError('fetch failed: no network'))
      const url = new URL(input)
      const method = init?.method ?? 'GET'
      const path = `${url.pathname}${url.search}`
      const headers = { ...((init?.headers as Record<string, string> | undefined) ?? {}) }
      const body = typeof init?.body === 'string' ? init.body : undefined
      const kind = kindOf(method, path)
      let ops = 0
      if (kind === 'push' && body) ops = (JSON.parse(body) as { operations?: unknown[] }).operations?.length ?? 0
      return new Promise<Response>((resolve, reject) => {
        const h: Held = {
          id: this.nextId++,
          device,
          kind,
          method,
          path,
          headers,
          body,
          orphan: false,
          ops,
          resolve,
          reject,
        }
        if (this.gated) this.held.push(h)
        else void this.deliver(h, 'none')
      })
    }
  }

  /** The device crashed: its held requests are lost, or still travel to the server with nobody to answer. */
  crashDevice(device: number, rng: Rng): void {
    this.generations.set(device, (this.generations.get(device) ?? 0) + 1)
    for (const h of [...this.held]) {
      if (h.device !== device || h.orphan) continue
      if (rng.chance(0.5)) {
        this.take(h)
        this.count('crash_request_lost')
      } else {
        h.orphan = true
        this.count('crash_request_in_flight')
      }
      h.reject(new TypeError('fetch failed: the app crashed'))
    }
  }

  take(h: Held): void {
    const i = this.held.indexOf(h)
    if (i >= 0) this.held.splice(i, 1)
  }

  private async send(h: Held): Promise<Response> {
    this.requests += 1
    const answer = await httpCall(this.server.port, h.path, { method: h.method, headers: h.headers, body: h.body })
    if (answer.status === 409 && answer.body.includes('"SCOPE_CHANGED"')) this.scopeChanged += 1
    const headers = { ...answer.headers }
    delete headers['retry-after'] // time compression: the client's short backoff stands in for real seconds
    delete headers['content-length']
    delete headers['transfer-encoding']
    delete headers.connection
    return new Response(NO_BODY.has(answer.status) ? null : answer.body, { status: answer.status, headers })
  }

  /** A synthetic 5xx from something between the device and the server. */
  private gatewayError(status: number): Response {
    const body = JSON.stringify({ error: { code: 'UNAVAILABLE', message: `simulated ${status}` } })
    return new Response(body, { status, headers: { 'content-type': 'application/json' } })
  }

  /** Delivers one held request (already taken off the list) with `fault`. */
  async deliver(h: Held, fault: DeliveryFault, rng?: Rng): Promise<void> {
    const failNetwork = () => h.reject(new TypeError('fetch failed: connection reset'))
    try {
      if (h.orphan) {
        await this.send(h).catch(() => undefined)
        return
      }
      switch (fault) {
        case 'none':
          h.resolve(await this.send(h))
          return
        case 'drop_request':
          this.count(fault)
          failNetwork()
          return
        case 'drop_response':
          this.count(fault)
          await this.send(h)
          failNetwork()
          return
        case 'duplicate': {
          this.count(fault)
          const first = await this.send(h)
          const second = await this.send(h)
          h.resolve(rng?.chance(0.5) ? first : second)
          return
        }
        case 'duplicate_concurrent': {
          this.count(fault)
          const [a, b] = await Promise.all([this.send(h), this.send(h)])
          h.resolve(rng?.chance(0.5) ? a : b)
          return
        }
        case 'late_duplicate':
          this.count(fault)
          // A copy stays in the network and reaches the server much later.
          this.held.push({ ...h, id: this.nextId++, orphan: true })
          h.resolve(await this.send(h))
          return
        case 'error_5xx':
          this.count(fault)
          h.resolve(this.gatewayError(rng?.pick([500, 502, 503]) ?? 503))
          return
        case 'error_5xx_after_commit':
          this.count(fault)
          await this.send(h)
          h.resolve(this.gatewayError(504))
          return
        case 'db_transient': {
          this.server.faults.arm({ mode: 'transient', after: rng ? rng.int(0, Math.max(0, h.ops - 1)) : 0 })
          const res = await this.send(h)
          if (this.server.faults.disarm()) this.count(fault)
          h.resolve(res)
          return
        }
        case 'crash_in_batch': {
          this.server.faults.arm({ mode: 'crash', after: 0 })
          const res = await this.send(h)
          if (this.server.faults.disarm()) {
            // The process died before its commit: nothing of the batch is stored, no answer comes back.
            this.count(fault)
            failNetwork()
            await this.server.restart()
            this.count('server_restart')
          } else h.resolve(res)
          return
        }
      }
    } catch (err) {
      this.server.faults.disarm()
      h.reject(err instanceof TypeError ? err : new TypeError(`fetch failed: ${String(err)}`))
    }
  }
}
