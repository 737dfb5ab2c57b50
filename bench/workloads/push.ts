/**
 * Workload 1, push throughput: D devices push batches of B mixed operations
 * as fast as the server answers, for a fixed time, against a real server
 * process on loopback. Baseline: the raw insert rate of the same rows into a
 * database of the same kind and durability, same batch size and concurrency,
 * measured right before each product measurement (see lib/baseline.ts).
 */
import type { Role } from '@trackvault/core'
import type { PushOperation, UsersTable } from '@trackvault/server/testing'
import { RowBuilder, rawWriterFor } from '../lib/baseline'
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
import { type Figure, figure, type Rep } from '../lib/report'
import { fmt, median, now } from '../lib/stats'

const round = (x: number) => Math.round(x * 1000) / 1000

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
  notOk: number
  errors: string[]
}

async function productRate(
  server: BenchServer,
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
      return new RawDevice(server.url, deviceId, session.token, side.fx)
    }),
  )
  let ok = 0
  let notOk = 0
  const errors = new Set<string>()
  const cpu0 = server.cpuMs()
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
  const cpu = server.cpuMs() - cpu0
  return { opsPerSec: (ok / elapsed) * 1000, cpuMsPerOp: cpu / ok, cores: cpu / elapsed, notOk, errors: [...errors] }
}

export async function pushWorkload(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const maxDevices = Math.max(...opts.devices)
  for (const dialect of opts.dbs) {
    const product = await prepare(dialect, maxDevices)
    const base = await prepare(dialect, maxDevices)
    const server = await startServer(product.db, {
      profileDir: opts.profileDir ? `${opts.profileDir}/push-${dialect}` : undefined,
    })
    try {
      // Warm up the server (JIT, caches) and the raw path; not counted.
      await productRate(server, product, 10, 8, Math.min(2000, opts.durationMs))
      await rawRate(base, 10, 8, 500)
      const reps = new Map<string, Rep[]>()
      const cpu = new Map<string, { perOp: number[]; cores: number[] }>()
      const problems = new Map<string, Set<string>>()
      for (let r = 0; r < opts.repeat; r++) {
        for (const batch of opts.batches) {
          for (const devices of opts.devices) {
            const key = `${batch}/${devices}`
            const raw = await rawRate(base, batch, devices, opts.durationMs)
            const prod = await productRate(server, product, batch, devices, opts.durationMs)
            const list = reps.get(key) ?? []
            list.push({ value: prod.opsPerSec, baseline: raw, ratio: prod.opsPerSec / raw })
            reps.set(key, list)
            const c = cpu.get(key) ?? { perOp: [], cores: [] }
            c.perOp.push(prod.cpuMsPerOp)
            c.cores.push(prod.cores)
            cpu.set(key, c)
            if (prod.notOk > 0) {
              const p = problems.get(key) ?? new Set()
              p.add(`${prod.notOk} ops not applied: ${prod.errors.join(', ')}`)
              problems.set(key, p)
            }
            opts.log(
              `  push ${dialect} batch ${batch} x ${devices} devices, rep ${r + 1}: ${fmt(prod.opsPerSec)} ops/s, raw ${fmt(raw)} ops/s (${fmt(prod.opsPerSec / raw)}x); server CPU ${fmt(prod.cpuMsPerOp)} ms/op, ${fmt(prod.cores)} cores busy`,
            )
          }
        }
      }
      for (const batch of opts.batches) {
        for (const devices of opts.devices) {
          const key = `${batch}/${devices}`
          const isTarget = batch === 10 && devices === 8
          const c = cpu.get(key) ?? { perOp: [], cores: [] }
          const f = figure(
            {
              workload: 1,
              name: 'push',
              db: dialect,
              case: `batch ${batch}, ${devices} dev`,
              metric: 'throughput',
              unit: 'ops/s',
              baselineWhat: 'raw insert of the same rows, same batch and concurrency',
            },
            reps.get(key) ?? [],
            (value, ratio) => {
              if (!isTarget) return []
              if (dialect === 'sqlite') {
                return [
                  { text: '>= 15,000 ops/s', met: value >= 15_000 },
                  { text: '>= 50% of raw', met: ratio >= 0.5 },
                ]
              }
              return [{ text: '>= 5,000 ops/s', met: value >= 5_000 }]
            },
            [...(problems.get(key) ?? [])],
          )
          f.extra = { server_cpu_ms_per_op: round(median(c.perOp)), server_cores_busy: round(median(c.cores)) }
          figures.push(f)
        }
      }
      const last = figures[figures.length - 1]
      if (last.extra) last.extra.server_rss_mb_after = Math.round(server.rss() / 1048576)
    } finally {
      await server.stop()
      await product.db.drop()
      await base.db.drop()
    }
  }
  return figures
}
