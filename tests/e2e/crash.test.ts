/**
 * Crashes: a Node client process killed mid-sync and restarted loses and
 * doubles nothing; a server killed and restarted mid-drain is survived.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type Harness, makeClient, PASSWORD, startHarness } from '../helpers/client-harness'

let h: Harness
let supplierId: string
let productId: string
const dir = mkdtempSync(join(tmpdir(), 'trackvault-crash-'))
const worker = join(import.meta.dirname, 'fixtures', 'client-worker.ts')

beforeAll(async () => {
  h = await startHarness()
  const m = makeClient(h)
  await m.client.login(h.users.manager.email, PASSWORD)
  productId = (await m.client.products.create({ code: 'TEA', name: 'Tea', default_unit: 'kg' })).id
  await m.client.productRates.create({ product_id: productId, unit: 'kg', rate: '100', effective_date: '2020-01-01' })
  supplierId = (await m.client.suppliers.create({ code: 'S1', name: 'Kamau' })).id
  expect((await m.client.sync()).error).toBeUndefined()
  await m.client.close()
})
afterAll(async () => {
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the worker; if `killAfterProgress` is set, SIGKILLs it after that many progress lines. */
function runWorker(
  file: string,
  args: string[],
  killAfterProgress?: number,
): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', worker, file, h.server.url, h.users.collector.email, PASSWORD, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let progress = 0
    let killed = false
    child.stdout.on('data', (d) => {
      out += d
      progress = (out.match(/^progress /gm) ?? []).length
      if (killAfterProgress !== undefined && progress >= killAfterProgress && !killed) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('exit', () => resolve({ out, killed }))
  })
}

async function collectionCount() {
  const rows = await h.db.handle.db
    .selectFrom('collections')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('quantity_milli').distinct().as('distinct_q')])
    .executeTakeFirstOrThrow()
  return { n: Number(rows.n), distinct: Number(rows.distinct_q) }
}

test('a client process killed mid-sync, again and again, loses and doubles nothing', async () => {
  const file = join(dir, 'device.db')
  const queued = await runWorker(file, ['enqueue', '60', supplierId, productId])
  expect(queued.out).toContain('queued 60')
  let kills = 0
  for (let i = 0; i < 5; i++) {
    const run = await runWorker(file, ['sync'], 2 + i)
    if (run.killed) kills += 1
  }
  expect(kills).toBeGreaterThanOrEqual(3)
  const final = await runWorker(file, ['sync'])
  const done = JSON.parse(
    final.out
      .split('\n')
      .find((l) => l.startsWith('done '))
      ?.slice(5) ?? '{}',
  )
  expect(done).toMatchObject({ unsynced: 0, failed: 0, conflicts: 0 })
  // Quantities were 1..60: exactly sixty rows, each once.
  expect(await collectionCount()).toEqual({ n: 60, distinct: 60 })
}, 120_000)

test('a server killed and restarted mid-drain is survived: everything arrives exactly once', async () => {
  const before = (await collectionCount()).n
  const d = makeClient(h, undefined, { batchSize: 5 })
  await d.client.login(h.users.collector.email, PASSWORD)
  for (let i = 0; i < 80; i++) {
    await d.client.collections.create({
      supplier_id: supplierId,
      product_id: productId,
      collection_date: '2026-07-02',
      quantity: `${1000 + i}`,
      unit: 'kg',
    })
  }
  let restarted = false
  const drain = d.client.sync({
    onProgress: (current) => {
      if (current >= 20 && !restarted) {
        restarted = true
        void h.server.stop('SIGKILL').then(() => h.restart())
      }
    },
  })
  const first = await drain
  expect(restarted).toBe(true)
  // The app's triggers (reconnection, timer) sync again until the queue is empty.
  for (let i = 0; i < 40 && (await d.client.unsyncedCount()) > 0; i++) {
    await new Promise((r) => setTimeout(r, 250))
    await d.client.sync()
  }
  expect(await d.client.unsyncedCount()).toBe(0)
  expect(first.successful).toBeLessThan(80)
  const after = await collectionCount()
  expect(after.n - before).toBe(80)
  expect(after.n).toBe(after.distinct)
  await d.client.close()
}, 120_000)
