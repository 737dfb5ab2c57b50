/**
 * Workload 5, propagation: device A writes a collection and syncs at once;
 * device B (started with the default settings: live pokes over SSE) shows
 * it once the poke made it pull. Latency = from A's local write until B's
 * replica has the row; also from A's push answer until then (the poke path
 * alone). One write at a time, B must see each before the next.
 *
 * Baseline: a loopback HTTP round trip to the same server (GET /health),
 * p50 and p99 of as many samples, in the same run.
 */
import { createSyncClient, type SyncClient } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import type { BenchOptions } from '../lib/context'
import { BENCH_PASSWORD, benchLink, startServer } from '../lib/env'
import { COLLECTION_DATE } from '../lib/ops'
import { type Figure, figure, type Rep } from '../lib/report'
import { fmt, now, percentile, sleep } from '../lib/stats'
import { prepare } from './push'

const VISIBLE_TIMEOUT_MS = 5000

/** Resolves when `client` has row `id` of `type` in its replica (or after the timeout, with false). */
function whenVisible(client: SyncClient, id: string): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false
    const finish = (ok: boolean) => {
      if (done) return
      done = true
      stop()
      clearTimeout(timer)
      resolve(ok)
    }
    const check = async () => {
      if (await client.collections.get(id)) finish(true)
    }
    const stop = client.onChange((types) => {
      if (types.includes('collection')) void check()
    })
    const timer = setTimeout(() => finish(false), VISIBLE_TIMEOUT_MS)
    void check()
  })
}

export async function propagationWorkload(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  for (const dialect of opts.dbs) {
    const side = await prepare(dialect, 2)
    const server = await startServer(side.db, {
      profileDir: opts.profileDir ? `${opts.profileDir}/propagation-${dialect}` : undefined,
    })
    try {
      const reps: Record<'p50' | 'p99' | 'ack50' | 'ack99', Rep[]> = { p50: [], p99: [], ack50: [], ack99: [] }
      const notes: string[] = []
      for (let r = 0; r < opts.repeat; r++) {
        // Baseline: loopback round trips.
        const rtt: number[] = []
        for (let i = 0; i < opts.samples; i++) {
          const t0 = now()
          const res = await fetch(`${server.url}/health`)
          await res.arrayBuffer()
          rtt.push(now() - t0)
        }
        const [ua, ub] = side.users
        const la = benchLink(side.db.handle.db, ua)
        const lb = benchLink(side.db.handle.db, ub)
        const a = createSyncClient({ baseUrl: server.url, storage: createMemoryStore(), fetch: la.fetch, live: false })
        const b = createSyncClient({ baseUrl: server.url, storage: createMemoryStore(), fetch: lb.fetch })
        await a.login(ua.email, BENCH_PASSWORD)
        await b.login(ub.email, BENCH_PASSWORD)
        await a.sync()
        b.start()
        await sleep(500) // B's first sync and its event stream
        const e2e: number[] = []
        const afterAck: number[] = []
        let missed = 0
        for (let i = 0; i < opts.samples; i++) {
          const t0 = now()
          const row = await a.collections.create({
            supplier_id: side.fx.supplierIds[i % side.fx.supplierIds.length],
            product_id: side.fx.productId,
            collection_date: COLLECTION_DATE,
            quantity: '12.500',
            unit: 'kg',
          })
          const visible = whenVisible(b, row.id as string)
          let ackAt = 0
          const syncing = a.sync({
            onProgress: (current, total) => {
              if (total > 0 && current >= total && !ackAt) ackAt = now()
            },
          })
          const ok = await visible
          const t1 = now()
          await syncing
          if (!ok) {
            missed += 1
            continue
          }
          e2e.push(t1 - t0)
          afterAck.push(t1 - (ackAt || t1))
          await sleep(5)
        }
        await a.close()
        await b.close()
        const base50 = percentile(rtt, 50)
        const base99 = percentile(rtt, 99)
        const p50 = percentile(e2e, 50)
        const p99 = percentile(e2e, 99)
        reps.p50.push({ value: p50, baseline: base50, ratio: p50 / base50 })
        reps.p99.push({ value: p99, baseline: base99, ratio: p99 / base99 })
        const a50 = percentile(afterAck, 50)
        const a99 = percentile(afterAck, 99)
        reps.ack50.push({ value: a50, baseline: base50, ratio: a50 / base50 })
        reps.ack99.push({ value: a99, baseline: base99, ratio: a99 / base99 })
        if (missed > 0) {
          notes.push(
            `rep ${r + 1}: ${missed} of ${opts.samples} writes not visible on B within ${VISIBLE_TIMEOUT_MS} ms`,
          )
        }
        opts.log(
          `  propagation ${dialect}, rep ${r + 1}: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms (after A's push answer: p50 ${fmt(a50)}, p99 ${fmt(a99)}); HTTP RTT p50 ${fmt(base50)} p99 ${fmt(base99)} ms; missed ${missed}`,
        )
      }
      const base = {
        workload: 5,
        name: 'propagation',
        db: dialect,
        metric: 'latency',
        unit: 'ms',
        baselineWhat: 'loopback HTTP round trip (GET /health)',
      }
      const tag = `${opts.samples} writes`
      figures.push(figure({ ...base, case: `p50, write on A -> on B (${tag})` }, reps.p50, () => [], notes))
      figures.push(
        figure({ ...base, case: `p99, write on A -> on B (${tag})` }, reps.p99, (v) => [
          { text: '<= 50 ms', met: v <= 50 && notes.length === 0 },
        ]),
      )
      figures.push(figure({ ...base, case: `p50, A's push answer -> on B` }, reps.ack50))
      figures.push(figure({ ...base, case: `p99, A's push answer -> on B` }, reps.ack99))
    } finally {
      await server.stop()
      await side.db.drop()
    }
  }
  return figures
}
