/**
 * Workload 1, push throughput: D devices push batches of B mixed operations
 * as fast as the server answers, for a fixed time, against a real server
 * process on loopback. Measured right before each product measurement, in
 * the same run:
 *
 * - the limit writer: the same rows into a database of the same kind and
 *   durability, every batch of the D devices that is ready at once in one
 *   transaction (as the server's group commit may): the database's grouped
 *   limit, the baseline of the PostgreSQL figure (target >= 0.5x);
 * - the HTTP floor: CPU per operation of a process that receives the same
 *   bodies over loopback, with the server's logging and schemas, validates
 *   every operation's fields, answers, and writes nothing (lib/http-floor.ts);
 * - the single-process ceiling, the baseline of the SQLite figure (target
 *   >= 0.7x): one Node process that did both at those costs,
 *   1 / (1 / limit + floor);
 * - the raw writer (one transaction per batch, as before issue 21), kept in
 *   the extras for continuity.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Role } from '@trackvault/core'
import type { PushOperation, UsersTable } from '@trackvault/server/testing'
import { mergeSets, RowBuilder, rawWriterFor } from '../lib/baseline'
import type { BenchOptions } from '../lib/context'
import {
  type BenchDb,
  type BenchServer,
  createBenchDb,
  type Dialect,
  type Fixtures,
  insertUsers,
  mintSession,
  seedFixtures,
  startServer,
} from '../lib/env'
import { OpStream, RawDevice } from '../lib/ops'
import { cpuMsOf, cpuSince, postgresCpu } from '../lib/proc'
import { type Figure, figure, type Rep } from '../lib/report'
import { fmt, median, now } from '../lib/stats'

const round = (x: number) => Math.round(x * 1000) / 1000
const here = dirname(fileURLToPath(import.meta.url))

let runCounter = 0

export interface Side {
  db: BenchDb
  fx: Fixtures
  users: UsersTable[]
}

/** A fresh database with master data and `users` users of `role`. */
export async function prepare(dialect: Dialect, users: number, role: Role = 'manager'): Promise<Side> {
  const db = await createBenchDb(dialect)
  const fx = await seedFixtures(db.handle)
  return { db, fx, users: await insertUsers(db.handle.db, users, role, role) }
}

/** Operations per second the raw writer sustains for `durationMs`. */
export async function rawRate(side: Side, batch: number, devices: number, durationMs: number): Promise<number> {
  const writer = rawWriterFor(side.db, devices)
  const run = ++runCounter
  let done = 0
  const t0 = now()
  const deadline = t0 + durationMs
  await Promise.all(
    Array.from({ length: devices }, async (_, i) => {
      const user = side.users[i % side.users.length]
      const stream = new OpStream(side.fx)
      const rows = new RowBuilder(side.fx, `raw-${run}-${i}`, user.id)
      while (now() < deadline) {
        const ops = stream.next(batch)
        const { set, versions } = rows.build(ops)
        await writer.write(set)
        stream.settle(ops, versions)
        done += ops.length
      }
    }),
  )
  const elapsed = now() - t0
  await writer.close()
  return (done / elapsed) * 1000
}

/**
 * Operations per second of the limit writer: each round, every one of the `devices` writers has its
 * next batch ready, and all of them are written in one transaction (SQLite; `batch * devices`
 * operations per commit), on both databases: the server groups concurrent writes on each.
 */
export async function limitRate(side: Side, batch: number, devices: number, durationMs: number): Promise<number> {
  const writer = rawWriterFor(side.db, 1)
  const run = ++runCounter
  const writers = Array.from({ length: devices }, (_, i) => ({
    stream: new OpStream(side.fx),
    rows: new RowBuilder(side.fx, `limit-${run}-${i}`, side.users[i % side.users.length].id),
  }))
  let done = 0
  const t0 = now()
  const deadline = t0 + durationMs
  while (now() < deadline) {
    const built = writers.map((w) => {
      const ops = w.stream.next(batch)
      return { w, ops, ...w.rows.build(ops) }
    })
    await writer.write(mergeSets(built.map((b) => b.set)))
    for (const b of built) {
      b.w.stream.settle(b.ops, b.versions)
      done += b.ops.length
    }
  }
  const elapsed = now() - t0
  await writer.close()
  return (done / elapsed) * 1000
}

/** The HTTP floor process (lib/http-floor.ts): its URL, its CPU so far, and how to stop it. */
interface Floor {
  url: string
  cpuMs(): number
  stop(): Promise<void>
}

async function startFloor(): Promise<Floor> {
  const logDir = mkdtempSync(join(tmpdir(), 'trackvault-bench-floor-'))
  const fd = openSync(join(logDir, 'floor.log'), 'a')
  const child: ChildProcess = fork(join(here, '..', 'lib', 'http-floor.ts'), [], {
    execArgv: ['--conditions=@trackvault/source', '--import', 'tsx'],
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', fd, fd, 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port))
    child.once('exit', (code) => reject(new Error(`the HTTP floor process exited (${code})`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    cpuMs: () => cpuMsOf(child.pid),
    stop: async () => {
      const exited = new Promise<void>((r) => child.once('exit', () => r()))
      child.send({ type: 'close' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
      rmSync(logDir, { recursive: true, force: true })
    },
  }
}

/** CPU ms per operation of the HTTP floor, `devices` devices pushing batches of `batch` for `durationMs`. */
async function floorCost(floor: Floor, side: Side, batch: number, devices: number, durationMs: number) {
  const run = ++runCounter
  const devs = Array.from({ length: devices }, (_, i) => new RawDevice(floor.url, `floor_${run}_${i}`, 'none', side.fx))
  let ok = 0
  const errors = new Set<string>()
  const cpu0 = floor.cpuMs()
  const deadline = now() + durationMs
  await Promise.all(
    devs.map(async (dev) => {
      while (now() < deadline) {
        const out = await dev.push(dev.stream.next(batch))
        ok += out.ok
        for (const e of out.errors) errors.add(e)
      }
    }),
  )
  // The floor must accept what the server accepts, or it would be measuring error answers.
  if (errors.size > 0) throw new Error(`the HTTP floor refused operations: ${[...errors].join(', ')}`)
  return (floor.cpuMs() - cpu0) / ok
}

/** One Node process that wrote at `limit` ops/s and spent `floorMs` per operation on HTTP and validation. */
export const ceilingOf = (limit: number, floorMs: number) => 1000 / (1000 / limit + floorMs)

/** Time to write `total` operations raw in batches of `batch` with `devices` writers (ms). */
export async function rawTime(side: Side, total: number, batch: number, devices: number): Promise<number> {
  const writer = rawWriterFor(side.db, devices)
  const run = ++runCounter
  let left = total
  const t0 = now()
  await Promise.all(
    Array.from({ length: devices }, async (_, i) => {
      const user = side.users[i % side.users.length]
      const stream = new OpStream(side.fx)
      const rows = new RowBuilder(side.fx, `raw-${run}-${i}`, user.id)
      while (left > 0) {
        const n = Math.min(batch, left)
        left -= n
        const ops: PushOperation[] = stream.next(n)
        const { set, versions } = rows.build(ops)
        await writer.write(set)
        stream.settle(ops, versions)
      }
    }),
  )
  const elapsed = now() - t0
  await writer.close()
  return elapsed
}

interface ProductRun {
  opsPerSec: number
  /** Server CPU time per applied operation (ms), and the server's CPU use over the run (1 = one core). */
  cpuMsPerOp: number
  cores: number
  /** PostgreSQL: the database processes' CPU per applied operation (ms); NaN on SQLite (in the server). */
  dbCpuMsPerOp: number
  notOk: number
  errors: string[]
}

/** Device `i` pushes to server `i % servers.length`; the CPU is the servers' together. */
async function productRate(
  servers: BenchServer[],
  side: Side,
  batch: number,
  devices: number,
  durationMs: number,
): Promise<ProductRun> {
  const run = ++runCounter
  const devs = await Promise.all(
    Array.from({ length: devices }, async (_, i) => {
      const deviceId = `device_bench_${run}_${i}`
      const session = await mintSession(side.db.handle.db, side.users[i % side.users.length], deviceId)
      return new RawDevice(servers[i % servers.length].url, deviceId, session.token, side.fx)
    }),
  )
  let ok = 0
  let notOk = 0
  const errors = new Set<string>()
  const cpuOf = () => servers.reduce((sum, server) => sum + server.cpuMs(), 0)
  const postgres = side.db.dialect === 'postgres'
  const cpu0 = cpuOf()
  const db0 = postgres ? postgresCpu() : undefined
  const t0 = now()
  const deadline = t0 + durationMs
  await Promise.all(
    devs.map(async (dev) => {
      while (now() < deadline) {
        const out = await dev.push(dev.stream.next(batch))
        ok += out.ok
        notOk += out.notOk
        for (const e of out.errors) errors.add(e)
      }
    }),
  )
  const elapsed = now() - t0
  const cpu = cpuOf() - cpu0
  const dbCpuMsPerOp = db0 ? cpuSince(db0, postgresCpu()) / ok : Number.NaN
  return {
    opsPerSec: (ok / elapsed) * 1000,
    cpuMsPerOp: cpu / ok,
    cores: cpu / elapsed,
    dbCpuMsPerOp,
    notOk,
    errors: [...errors],
  }
}

export async function pushWorkload(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const maxDevices = Math.max(...opts.devices)
  for (const dialect of opts.dbs) {
    const product = await prepare(dialect, maxDevices)
    const base = await prepare(dialect, maxDevices)
    // SQLite has one writer: one process. PostgreSQL may run several on one database.
    const processes = dialect === 'postgres' ? Math.max(1, opts.pushProcesses) : 1
    const servers: BenchServer[] = []
    for (let i = 0; i < processes; i++) {
      servers.push(
        await startServer(product.db, {
          profileDir: opts.profileDir ? `${opts.profileDir}/push-${dialect}` : undefined,
        }),
      )
    }
    const [server] = servers
    const floor = await startFloor()
    try {
      // Warm up the server (JIT, caches), the raw and limit paths and the floor; not counted.
      await productRate(servers, product, 10, 8, Math.min(2000, opts.durationMs))
      await rawRate(base, 10, 8, 500)
      await limitRate(base, 10, 8, 500)
      await floorCost(floor, base, 10, 8, 1000)
      const reps = new Map<string, Rep[]>()
      const parts = new Map<string, { raw: number[]; limit: number[]; floor: number[] }>()
      const cpu = new Map<string, { perOp: number[]; cores: number[]; db: number[] }>()
      const problems = new Map<string, Set<string>>()
      for (let r = 0; r < opts.repeat; r++) {
        for (const batch of opts.batches) {
          for (const devices of opts.devices) {
            const key = `${batch}/${devices}`
            const raw = await rawRate(base, batch, devices, opts.durationMs)
            const limit = await limitRate(base, batch, devices, opts.durationMs)
            const floorMs = await floorCost(floor, base, batch, devices, opts.durationMs)
            const ceiling = ceilingOf(limit, floorMs)
            const prod = await productRate(servers, product, batch, devices, opts.durationMs)
            // Issue 21's baselines: SQLite, the single-process ceiling; PostgreSQL, the database's grouped limit.
            const baseline = dialect === 'sqlite' ? ceiling : limit
            const list = reps.get(key) ?? []
            list.push({ value: prod.opsPerSec, baseline, ratio: prod.opsPerSec / baseline })
            reps.set(key, list)
            const p = parts.get(key) ?? { raw: [], limit: [], floor: [] }
            p.raw.push(raw)
            p.limit.push(limit)
            p.floor.push(floorMs)
            parts.set(key, p)
            const c = cpu.get(key) ?? { perOp: [], cores: [], db: [] }
            c.perOp.push(prod.cpuMsPerOp)
            c.cores.push(prod.cores)
            c.db.push(prod.dbCpuMsPerOp)
            cpu.set(key, c)
            if (prod.notOk > 0) {
              const p = problems.get(key) ?? new Set()
              p.add(`${prod.notOk} ops not applied: ${prod.errors.join(', ')}`)
              problems.set(key, p)
            }
            opts.log(
              `  push ${dialect}${processes > 1 ? ` (${processes} processes)` : ''} batch ${batch} x ${devices} devices, rep ${r + 1}: ${fmt(prod.opsPerSec)} ops/s, ceiling ${fmt(ceiling)} ops/s (${fmt(prod.opsPerSec / ceiling)}x; limit writer ${fmt(limit)} ops/s, HTTP floor ${fmt(floorMs)} ms/op), raw ${fmt(raw)} ops/s (${fmt(prod.opsPerSec / raw)}x); server CPU ${fmt(prod.cpuMsPerOp)} ms/op, ${fmt(prod.cores)} cores busy${Number.isNaN(prod.dbCpuMsPerOp) ? '' : `; PostgreSQL CPU ${fmt(prod.dbCpuMsPerOp)} ms/op`}`,
            )
          }
        }
      }
      for (const batch of opts.batches) {
        for (const devices of opts.devices) {
          const key = `${batch}/${devices}`
          const isTarget = batch === 10 && devices === 8
          const c = cpu.get(key) ?? { perOp: [], cores: [], db: [] }
          const f = figure(
            {
              workload: 1,
              name: 'push',
              db: dialect,
              case: `batch ${batch}, ${devices} dev${processes > 1 ? `, ${processes} processes` : ''}`,
              metric: 'throughput',
              unit: 'ops/s',
              baselineWhat:
                dialect === 'sqlite'
                  ? 'single-process ceiling: limit writer + HTTP floor, same run'
                  : "the database's grouped limit (limit writer), same run",
            },
            reps.get(key) ?? [],
            (_value, ratio) => {
              if (!isTarget) return []
              if (dialect === 'sqlite') return [{ text: '>= 0.7x the single-process ceiling', met: ratio >= 0.7 }]
              return [{ text: ">= 0.5x the database's grouped limit", met: ratio >= 0.5 }]
            },
            [...(problems.get(key) ?? [])],
          )
          const p = parts.get(key) ?? { raw: [], limit: [], floor: [] }
          const rawRatios = (reps.get(key) ?? []).map((rep, i) => rep.value / p.raw[i])
          f.extra = {
            server_processes: processes,
            server_cpu_ms_per_op: round(median(c.perOp)),
            ...(dialect === 'postgres' ? { database_cpu_ms_per_op: round(median(c.db)) } : {}),
            server_cores_busy: round(median(c.cores)),
            limit_writer_ops_per_s: Math.round(median(p.limit)),
            http_floor_ms_per_op: round(median(p.floor)),
            raw_ops_per_s: Math.round(median(p.raw)),
            ratio_to_raw: round(median(rawRatios)),
          }
          figures.push(f)
        }
      }
      const last = figures[figures.length - 1]
      if (last.extra) last.extra.server_rss_mb_after = Math.round(server.rss() / 1048576)
    } finally {
      await floor.stop()
      for (const s of servers) await s.stop()
      await product.db.drop()
      await base.db.drop()
    }
  }
  return figures
}
