/**
 * Workload 3, drain: a real SyncClient queues N operations offline (the
 * usual mix), then comes back and syncs with the default settings (batch 10,
 * pull page 1000); we time `client.sync()` (push to empty queue, then pull)
 * and note when the queue emptied. And the reconnect storm: many devices,
 * each with a few operations queued offline, all reconnecting at once; time
 * until every queue is empty and every sync finished; nothing may be lost
 * (server rows and ledger rows are counted).
 *
 * Baseline: the raw time to write the same number of operations' rows in
 * batches of 10 into a database of the same kind (lib/baseline.ts).
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSyncClient, type SyncClient, type SyncSummary } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import { createSqliteStore } from '@trackvault/client/sqlite'
import { ClientMix } from '../lib/client-mix'
import type { BenchOptions } from '../lib/context'
import { BENCH_PASSWORD, type BenchLink, benchLink, countRows, startServer } from '../lib/env'
import { type Figure, figure, type Rep } from '../lib/report'
import { fmt, median, now, sleep } from '../lib/stats'
import { prepare, rawTime } from './push'

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        await fn(items[i], i)
      }
    }),
  )
}

export async function drainWorkload(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  for (const dialect of opts.dbs) {
    const product = await prepare(dialect, 1)
    const base = await prepare(dialect, 1)
    const server = await startServer(product.db, {
      profileDir: opts.profileDir ? `${opts.profileDir}/drain-${dialect}` : undefined,
    })
    const storeDir = mkdtempSync(join(tmpdir(), 'trackvault-bench-client-'))
    try {
      const reps: Record<string, Rep[]> = { memory: [], sqlite: [] }
      const notes: Record<string, string[]> = { memory: [], sqlite: [] }
      const extras: Record<string, Record<'queue_s' | 'push_s' | 'pull_s' | 'pulled', number[]>> = {
        memory: { queue_s: [], push_s: [], pull_s: [], pulled: [] },
        sqlite: { queue_s: [], push_s: [], pull_s: [], pulled: [] },
      }
      for (let r = 0; r < opts.heavyRepeat; r++) {
        for (const storeKind of opts.drainStores) {
          const raw = await rawTime(base, opts.drainOps, 10, 1)
          const user = product.users[0]
          const link = benchLink(product.db.handle.db, user)
          const storage =
            storeKind === 'memory' ? createMemoryStore() : createSqliteStore(join(storeDir, `drain-${r}.db`))
          const client = createSyncClient({ baseUrl: server.url, storage, fetch: link.fetch })
          await client.login(user.email, BENCH_PASSWORD)
          await client.sync()
          link.offline = true
          const mix = new ClientMix(client, product.fx)
          const q0 = now()
          for (let i = 0; i < opts.drainOps; i++) await mix.step()
          const queueMs = now() - q0
          link.offline = false
          const before = {
            collections: await countRows(product.db.handle.db, 'collections'),
            payments: await countRows(product.db.handle.db, 'payments'),
          }
          let emptiedAt = 0
          const t0 = now()
          const summary = await client.sync({
            onProgress: (current, total) => {
              if (total > 0 && current >= total && !emptiedAt) emptiedAt = now()
            },
          })
          const totalMs = now() - t0
          const pushMs = (emptiedAt || now()) - t0
          const created =
            (await countRows(product.db.handle.db, 'collections')) -
            before.collections +
            (await countRows(product.db.handle.db, 'payments')) -
            before.payments
          const lost = mix.counts.creates - created
          if (summary.error || summary.successful !== opts.drainOps || lost !== 0) {
            notes[storeKind].push(
              `rep ${r + 1}: ${summary.successful}/${opts.drainOps} applied, ${summary.failed} failed, ${summary.conflicts} conflicts, ${lost} creates missing on the server${summary.error ? `, error ${summary.error.code}` : ''}`,
            )
          }
          await client.close()
          reps[storeKind].push({ value: totalMs / 1000, baseline: raw / 1000, ratio: totalMs / raw })
          const ex = extras[storeKind]
          ex.queue_s.push(queueMs / 1000)
          ex.push_s.push(pushMs / 1000)
          ex.pull_s.push((totalMs - pushMs) / 1000)
          ex.pulled.push(summary.pulled)
          opts.log(
            `  drain ${dialect} ${storeKind} store, rep ${r + 1}: ${fmt(totalMs / 1000)} s (queue emptied at ${fmt(pushMs / 1000)} s, pulled ${summary.pulled}); queueing offline took ${fmt(queueMs / 1000)} s; raw ${fmt(raw / 1000)} s`,
          )
        }
      }
      for (const storeKind of opts.drainStores) {
        const f = figure(
          {
            workload: 3,
            name: 'drain',
            db: dialect,
            case: `${opts.drainOps} ops, ${storeKind} store`,
            metric: 'time to drain (push + pull)',
            unit: 's',
            baselineWhat: 'raw insert of the same rows, batch 10',
          },
          reps[storeKind],
          (value) => [
            opts.drainOps === 10_000
              ? { text: '<= 5 s', met: value <= 5 }
              : { text: '<= 5 s for 10,000 ops (run --drain-ops 10000)', met: null },
          ],
          notes[storeKind],
        )
        const ex = extras[storeKind]
        f.extra = {
          median_queue_emptied_s: med(ex.push_s),
          median_pull_s: med(ex.pull_s),
          median_offline_queueing_s: med(ex.queue_s),
          pulled: med(ex.pulled),
        }
        figures.push(f)
      }
    } finally {
      await server.stop()
      await product.db.drop()
      await base.db.drop()
      rmSync(storeDir, { recursive: true, force: true })
    }
  }
  return figures
}

const med = (xs: number[]) => Math.round(median(xs) * 1000) / 1000

interface StormDevice {
  client: SyncClient
  link: BenchLink
  mix: ClientMix
  emptiedAt: number
  summary?: SyncSummary
}

const STORM_TIMEOUT_MS = 180_000

export async function stormWorkload(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = []
  const n = opts.stormDevices
  for (const dialect of opts.dbs) {
    const product = await prepare(dialect, n, 'collector')
    const base = await prepare(dialect, 1)
    let server = await startServer(product.db, {
      profileDir: opts.profileDir ? `${opts.profileDir}/storm-${dialect}` : undefined,
    })
    try {
      const reps: Rep[] = []
      const notes: string[] = []
      const completes: number[] = []
      for (let r = 0; r < opts.heavyRepeat; r++) {
        const raw = await rawTime(base, n * opts.stormOps, 10, n)
        const devices: StormDevice[] = product.users.map((user) => {
          const link = benchLink(product.db.handle.db, user)
          const client = createSyncClient({ baseUrl: server.url, storage: createMemoryStore(), fetch: link.fetch })
          return { client, link, mix: new ClientMix(client, product.fx, false), emptiedAt: 0 }
        })
        // Every device signed in and synced once before it went offline (its cursor is current).
        await pool(devices, 50, async (d, i) => {
          await d.client.login(product.users[i].email, BENCH_PASSWORD)
          await d.client.sync()
        })
        for (const d of devices) {
          d.link.offline = true
          for (let i = 0; i < opts.stormOps; i++) await d.mix.step()
        }
        const before = {
          collections: await countRows(product.db.handle.db, 'collections'),
          ledger: await countRows(product.db.handle.db, 'sync_operations'),
        }
        for (const d of devices) d.link.offline = false
        const t0 = now()
        const all = Promise.all(
          devices.map(async (d) => {
            d.summary = await d.client.sync({
              onProgress: (current, total) => {
                if (total > 0 && current >= total && !d.emptiedAt) d.emptiedAt = now()
              },
            })
          }),
        )
        const timedOut = await Promise.race([all.then(() => false), sleep(STORM_TIMEOUT_MS).then(() => true)])
        const completeMs = now() - t0
        if (timedOut) {
          notes.push(
            `rep ${r + 1}: not drained within ${STORM_TIMEOUT_MS / 1000} s (figure = the timeout); server restarted`,
          )
          await server.stop()
          await all.catch(() => {})
          server = await startServer(product.db)
        }
        // A device whose queue never emptied counts as the whole timeout.
        const drainedMs = timedOut ? STORM_TIMEOUT_MS : Math.max(...devices.map((d) => (d.emptiedAt || now()) - t0))
        const applied = devices.reduce((sum, d) => sum + (d.summary?.successful ?? 0), 0)
        const creates = devices.reduce((sum, d) => sum + d.mix.counts.creates, 0)
        const createdRows = (await countRows(product.db.handle.db, 'collections')) - before.collections
        const ledgerRows = (await countRows(product.db.handle.db, 'sync_operations')) - before.ledger
        const errors = new Set(devices.map((d) => d.summary?.error?.code).filter(Boolean))
        const expected = n * opts.stormOps
        if (applied !== expected || createdRows !== creates || ledgerRows !== expected || errors.size > 0) {
          notes.push(
            `rep ${r + 1}: ${applied}/${expected} applied, ${createdRows}/${creates} created rows, ${ledgerRows}/${expected} ledger rows${errors.size ? `, errors ${[...errors].join(',')}` : ''}`,
          )
        }
        await Promise.all(devices.map((d) => d.client.close()))
        reps.push({ value: drainedMs / 1000, baseline: raw / 1000, ratio: drainedMs / raw })
        completes.push(completeMs / 1000)
        opts.log(
          `  storm ${dialect} ${n} x ${opts.stormOps}, rep ${r + 1}: queues empty at ${fmt(drainedMs / 1000)} s, every sync done at ${fmt(completeMs / 1000)} s; raw ${fmt(raw / 1000)} s; ${createdRows}/${creates} rows, ${ledgerRows}/${expected} ledger; server RSS ${Math.round(server.rss() / 1048576)} MB`,
        )
      }
      const f = figure(
        {
          workload: 3,
          name: 'storm',
          db: dialect,
          case: `${n} dev x ${opts.stormOps} ops`,
          metric: 'time until every queue is empty',
          unit: 's',
          baselineWhat: `raw insert of the same rows, batch 10`,
        },
        reps,
        // Issue 21: <= 10 s on SQLite (PostgreSQL keeps issue 7's 15 s).
        (value) => {
          const limit = dialect === 'sqlite' ? 10 : 15
          return [
            n === 1000 && opts.stormOps === 20
              ? { text: `<= ${limit} s, nothing lost`, met: value <= limit && notes.length === 0 }
              : { text: `<= ${limit} s for 1,000 x 20 (run --storm-devices 1000)`, met: null },
          ]
        },
        notes,
      )
      f.extra = { median_every_sync_done_s: med(completes) }
      figures.push(f)
    } finally {
      await server.stop()
      await product.db.drop()
      await base.db.drop()
    }
  }
  return figures
}
