/**
 * Workload 7, server memory with many open live connections: C clients hold
 * the live event stream open (SSE, `GET /api/sync/events`), each after a
 * single-use ticket from `POST /api/sync/events/ticket` (what a browser's
 * EventSource needs; `--sse-auth bearer` sends the token in a header instead,
 * as the SyncClient does). The streams are spread over a few child processes
 * (lib/sse-worker.ts), one socket each. We read the server's RSS (VmRSS from
 * /proc) idle, with all C open, and after a poke (one write, which notifies
 * every stream), and count that every stream received the poke.
 *
 * Baseline: the same server process's RSS before any stream was opened
 * (after a warm-up that opened and closed one stream and made one write, so
 * that code loaded on first use is not counted per connection). A fresh
 * server per repetition.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchOptions } from '../lib/context'
import { type BenchServer, mintSession, startServer } from '../lib/env'
import { MB, openFileLimits } from '../lib/proc'
import { type Figure, figure, type Rep } from '../lib/report'
import type { WorkerCommand, WorkerReport } from '../lib/sse-worker'
import { fmt, median, sleep } from '../lib/stats'
import { prepare } from './push'

export interface ConnectionsOptions {
  /** Live connections to hold open (the target is for 5,000). */
  connections: number
  /** How a stream authenticates: a single-use ticket per stream (default), or the bearer token in a header. */
  sseAuth: 'ticket' | 'bearer'
}

const TARGET_CONNECTIONS = 5000
const USERS = 100
const PER_WORKER = 1250
const POKE_TIMEOUT_MS = 30_000
const here = dirname(fileURLToPath(import.meta.url))

class Worker {
  private readonly waiters = new Map<string, (r: WorkerReport) => void>()
  constructor(readonly child: ChildProcess) {
    child.on('message', (r: WorkerReport) => {
      const w = this.waiters.get(r.type)
      this.waiters.delete(r.type)
      w?.(r)
    })
  }
  ask<T extends WorkerReport['type']>(cmd: WorkerCommand, answer: T): Promise<Extract<WorkerReport, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error('SSE worker exited'))
      this.child.once('exit', onExit)
      this.waiters.set(answer, (r) => {
        this.child.off('exit', onExit)
        resolve(r as Extract<WorkerReport, { type: T }>)
      })
      this.child.send(cmd)
    })
  }
  async close() {
    if (this.child.exitCode !== null) return
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()))
    this.child.send({ type: 'close' } satisfies WorkerCommand)
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
}

function startWorker(): Promise<Worker> {
  const child = fork(join(here, '..', 'lib', 'sse-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(new Worker(child)))
    child.once('error', reject)
  })
}

/** The i-th of n interleaved slices of `xs` (all of `xs` if that slice is empty). */
function sliceOf<T>(xs: T[], i: number, n: number): T[] {
  const slice = xs.filter((_, j) => j % n === i)
  return slice.length > 0 ? slice : xs
}

/** Sums the workers' status. */
async function status(workers: Worker[]) {
  const all = await Promise.all(workers.map((w) => w.ask({ type: 'status' }, 'status')))
  const nonzero = (xs: number[]) => xs.filter((x) => x > 0)
  return {
    open: all.reduce((s, r) => s + r.open, 0),
    ready: all.reduce((s, r) => s + r.ready, 0),
    changed: all.reduce((s, r) => s + r.changed, 0),
    dropped: all.reduce((s, r) => s + r.dropped, 0),
    firstChangeAt: Math.min(...nonzero(all.map((r) => r.firstChangeAt)), Number.POSITIVE_INFINITY),
    lastChangeAt: Math.max(0, ...all.map((r) => r.lastChangeAt)),
  }
}

/** RSS of the server, median of `n` samples `gapMs` apart. */
async function settledRss(server: BenchServer, n = 3, gapMs = 300): Promise<number> {
  const xs: number[] = []
  for (let i = 0; i < n; i++) {
    if (i > 0) await sleep(gapMs)
    xs.push(server.rss())
  }
  return median(xs)
}

export async function connectionsWorkload(opts: BenchOptions & ConnectionsOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const c = opts.connections
  const limits = openFileLimits()
  if (limits.soft < c + 1000) {
    throw new Error(
      `open-file limit ${limits.soft} is too low for ${c} connections (the server holds one descriptor per stream); run \`ulimit -n ${Math.min(limits.hard, c + 4000)}\` first (hard limit ${limits.hard})`,
    )
  }
  for (const dialect of opts.dbs) {
    const side = await prepare(dialect, Math.min(USERS, c))
    const tokens = await Promise.all(
      side.users.map(async (u, i) => (await mintSession(side.db.handle.db, u, `device_sse_${i}`)).token),
    )
    const admin = await mintSession(side.db.handle.db, side.fx.admin, 'device_sse_admin')
    const reps: Record<'open' | 'poked', Rep[]> = { open: [], poked: [] }
    const notes: string[] = []
    const extra: Record<string, number[]> = {
      per_connection_kb: [],
      open_s: [],
      peak_rss_mb: [],
      poke_all_received_ms: [],
      received: [],
      rss_after_close_mb: [],
    }
    let pokes = 0
    const poke = async (server: BenchServer) => {
      const res = await fetch(`${server.url}/api/suppliers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
        body: JSON.stringify({ code: `POKE-${++pokes}`, name: `Poke ${pokes}` }),
      })
      if (!res.ok) throw new Error(`poke write answered ${res.status}: ${await res.text()}`)
      await res.arrayBuffer()
    }
    try {
      for (let r = 0; r < opts.heavyRepeat; r++) {
        const server = await startServer(side.db, {
          profileDir: opts.profileDir ? `${opts.profileDir}/connections-${dialect}` : undefined,
        })
        const workers: Worker[] = []
        try {
          // Warm-up: one stream opened, poked and closed, so first-use code is loaded before the idle reading.
          const warm = await startWorker()
          workers.push(warm)
          await warm.ask(
            { type: 'open', url: server.url, tokens: [tokens[0]], count: 1, concurrency: 1, auth: opts.sseAuth },
            'opened',
          )
          await poke(server)
          await sleep(200)
          await warm.close()
          workers.length = 0
          await sleep(1000)
          const idle = await settledRss(server)

          const nWorkers = Math.max(1, Math.ceil(c / PER_WORKER))
          for (let i = 0; i < nWorkers; i++) workers.push(await startWorker())
          let peak = idle
          const sampler = setInterval(() => {
            peak = Math.max(peak, server.rss())
          }, 200)
          const t0 = Date.now()
          const opened = await Promise.all(
            workers.map((w, i) => {
              const count = Math.floor(c / nWorkers) + (i < c % nWorkers ? 1 : 0)
              return w.ask(
                {
                  type: 'open',
                  url: server.url,
                  // Each worker its own slice of users, so a user's streams are spread evenly.
                  tokens: sliceOf(tokens, i, nWorkers),
                  count,
                  concurrency: 50,
                  auth: opts.sseAuth,
                },
                'opened',
              )
            }),
          )
          const openMs = Date.now() - t0
          const failed = opened.reduce((s, o) => s + o.failed, 0)
          const errs = [...new Set(opened.flatMap((o) => o.errors))]
          await sleep(2000)
          const before = await status(workers)
          const withOpen = await settledRss(server)
          peak = Math.max(peak, withOpen)

          const pokeAt = Date.now()
          await poke(server)
          let after = await status(workers)
          while (after.changed < before.open && Date.now() - pokeAt < POKE_TIMEOUT_MS) {
            await sleep(100)
            after = await status(workers)
          }
          const allReceivedMs = after.lastChangeAt > 0 ? after.lastChangeAt - pokeAt : Number.NaN
          await sleep(500)
          const poked = await settledRss(server)
          clearInterval(sampler)
          peak = Math.max(peak, poked)

          await Promise.all(workers.map((w) => w.close()))
          workers.length = 0
          await sleep(1500)
          const closed = server.rss()

          reps.open.push({ value: withOpen / MB, baseline: idle / MB, ratio: withOpen / idle })
          reps.poked.push({ value: poked / MB, baseline: idle / MB, ratio: poked / idle })
          extra.per_connection_kb.push((withOpen - idle) / 1024 / Math.max(1, before.open))
          extra.open_s.push(openMs / 1000)
          extra.peak_rss_mb.push(peak / MB)
          extra.poke_all_received_ms.push(allReceivedMs)
          extra.received.push(after.changed)
          extra.rss_after_close_mb.push(closed / MB)
          if (failed > 0 || before.open !== c || after.changed !== before.open || after.dropped > 0) {
            notes.push(
              `rep ${r + 1}: ${before.open}/${c} open (${failed} failed to open${errs.length ? `: ${errs.join('; ')}` : ''}), ${after.changed}/${before.open} received the poke, ${after.dropped} dropped`,
            )
          }
          opts.log(
            `  connections ${dialect} ${c} (${opts.sseAuth}), rep ${r + 1}: RSS idle ${fmt(idle / MB)} MB, ${before.open} open ${fmt(withOpen / MB)} MB (${fmt((withOpen - idle) / 1024 / Math.max(1, before.open))} KB each; opened in ${fmt(openMs / 1000)} s, ${failed} failed), after the poke ${fmt(poked / MB)} MB with ${after.changed}/${before.open} received (all within ${fmt(allReceivedMs)} ms), peak ${fmt(peak / MB)} MB, after closing ${fmt(closed / MB)} MB`,
          )
        } finally {
          await Promise.all(workers.map((w) => w.close()))
          await server.stop()
        }
      }
    } finally {
      await side.db.drop()
    }
    const base = {
      workload: 7,
      name: 'connections',
      db: dialect,
      metric: 'server RSS',
      unit: 'MB',
      baselineWhat: 'same server, 0 connections (after warm-up)',
    }
    const target = (value: number) =>
      c === TARGET_CONNECTIONS
        ? { text: '<= 300 MB', met: value <= 300 && notes.length === 0 }
        : { text: '<= 300 MB at 5,000 (run --connections 5000)', met: null }
    const f = figure({ ...base, case: `${c} SSE open (${opts.sseAuth})` }, reps.open, (v) => [target(v)], notes)
    f.extra = Object.fromEntries(
      Object.entries(extra).map(([k, xs]) => [`median_${k}`, Math.round(median(xs) * 100) / 100]),
    )
    figures.push(f)
    figures.push(figure({ ...base, case: `${c} SSE open, after a poke to all` }, reps.poked, (v) => [target(v)]))
  }
  return figures
}
