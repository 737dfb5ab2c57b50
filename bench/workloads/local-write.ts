/**
 * Workload 6, local write latency per storage adapter: p50/p99 of
 * `client.collections.create` (validate, authorise, enqueue, rebuild the
 * view with the offline price preview, one storage commit) on a device that
 * already holds the master data and `EXISTING` collections, offline (no
 * sync is triggered). No server: sign-in and the first pull are answered
 * by a stub, so only the device is measured.
 *
 * Baseline: a bare `store.commit` of one put of a row-sized value on the
 * same adapter, same count, in the same run.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAsyncStorage } from '@react-native-async-storage/async-storage/jest'
import { createSyncClient, type FetchLike, type KVStore } from '@trackvault/client'
import { createAsyncStorageStore } from '@trackvault/client/async-storage'
import { createIndexedDbStore } from '@trackvault/client/indexeddb'
import { createMemoryStore } from '@trackvault/client/memory'
import { createSqliteStore } from '@trackvault/client/sqlite'
import { type Change, DEFAULT_SETTINGS, encodeCursor, newId } from '@trackvault/core'
import { IDBKeyRange, indexedDB } from 'fake-indexeddb'
import type { BenchOptions } from '../lib/context'
import { COLLECTION_DATE } from '../lib/ops'
import { type Figure, figure, type Rep } from '../lib/report'
import { fmt, now, percentile } from '../lib/stats'

const EXISTING = 1000
const WARMUP = 50
const ADAPTERS = ['memory', 'sqlite', 'indexeddb', 'async-storage'] as const
type Adapter = (typeof ADAPTERS)[number]

let counter = 0

function openStore(kind: Adapter, dir: string): KVStore {
  const name = `bench-${process.pid}-${++counter}`
  switch (kind) {
    case 'memory':
      return createMemoryStore()
    case 'sqlite':
      return createSqliteStore(join(dir, `${name}.db`))
    case 'indexeddb':
      return createIndexedDbStore(name, { indexedDB, IDBKeyRange })
    case 'async-storage':
      return createAsyncStorageStore(createAsyncStorage(name))
  }
}

const at = '2025-06-01T08:00:00.000Z'
const meta = (id: string, userId: string) => ({
  id,
  version: 1,
  created_at: at,
  updated_at: at,
  deleted_at: null,
  created_by: userId,
  updated_by: userId,
  device_id: 'seed',
  sync_metadata: null,
})

/** What the device already has: a product, its rate, 50 suppliers, EXISTING collections of this user. */
function seedChanges(userId: string) {
  const productId = newId()
  const rateId = newId()
  const supplierIds = Array.from({ length: 50 }, () => newId())
  const changes: Change[] = [
    {
      entity_type: 'product',
      entity_id: productId,
      version: 1,
      deleted: false,
      data: {
        ...meta(productId, userId),
        code: 'TEA',
        name: 'Tea',
        description: null,
        default_unit: 'kg',
        is_active: true,
      },
    },
    {
      entity_type: 'product_rate',
      entity_id: rateId,
      version: 1,
      deleted: false,
      data: {
        ...meta(rateId, userId),
        product_id: productId,
        unit: 'kg',
        rate: '120.00',
        effective_date: '2020-01-01',
        end_date: null,
        is_active: true,
      },
    },
    ...supplierIds.map((id, i) => ({
      entity_type: 'supplier',
      entity_id: id,
      version: 1,
      deleted: false,
      data: {
        ...meta(id, userId),
        code: `S-${i}`,
        name: `Supplier ${i}`,
        phone: null,
        email: null,
        address: null,
        is_active: true,
      },
    })),
  ]
  for (let i = 0; i < EXISTING; i++) {
    const id = newId()
    changes.push({
      entity_type: 'collection',
      entity_id: id,
      version: 1,
      deleted: false,
      data: {
        ...meta(id, userId),
        supplier_id: supplierIds[i % 50],
        product_id: productId,
        user_id: userId,
        collection_date: COLLECTION_DATE,
        quantity: '10.500',
        unit: 'kg',
        notes: null,
        product_rate_id: rateId,
        rate_applied: '120.00',
        total_amount: '1260.00',
      },
    })
  }
  return { changes, productId, supplierIds }
}

/**
 * Sign-in, one pull page and the reference data a sync fetches (the default
 * settings, no other people) answered here; anything else fails like a dead
 * link.
 */
function stubServer(userId: string, changes: Change[]): FetchLike {
  let pulled = false
  return async (input) => {
    const json = (body: unknown) =>
      new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
    if (input.endsWith('/api/auth/login')) {
      return json({
        token: 'stub',
        expires_at: '2099-01-01T00:00:00.000Z',
        user: {
          id: userId,
          name: 'Bench',
          email: 'bench@bench.local',
          role: 'manager',
          is_active: true,
          created_at: at,
          updated_at: at,
        },
      })
    }
    if (input.includes('/api/sync/changes')) {
      const page = pulled ? [] : changes
      pulled = true
      return json({ changes: page, cursor: encodeCursor(changes.length), has_more: false })
    }
    if (input.endsWith('/api/settings')) return json(DEFAULT_SETTINGS)
    if (input.endsWith('/api/people')) return json({ data: [] })
    throw new TypeError('fetch failed: offline')
  }
}

export async function localWriteWorkload(opts: BenchOptions): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-local-'))
  const reps: Record<Adapter, { p50: Rep[]; p99: Rep[] }> = {
    memory: { p50: [], p99: [] },
    sqlite: { p50: [], p99: [] },
    indexeddb: { p50: [], p99: [] },
    'async-storage': { p50: [], p99: [] },
  }
  try {
    for (let r = 0; r < opts.repeat; r++) {
      for (const kind of ADAPTERS) {
        // Baseline: bare commits of a row-sized value on the same adapter.
        const raw = openStore(kind, dir)
        const value = { ...meta(newId(), newId()), quantity: '12.500', unit: 'kg', notes: null, rate_applied: '120.00' }
        const rawMs: number[] = []
        for (let i = 0; i < opts.samples + WARMUP; i++) {
          const t0 = now()
          await raw.commit({ put: [[`bench/${String(i).padStart(8, '0')}`, value]] })
          if (i >= WARMUP) rawMs.push(now() - t0)
        }
        await raw.close()

        const userId = newId()
        const seed = seedChanges(userId)
        const client = createSyncClient({
          baseUrl: 'http://bench.invalid',
          storage: openStore(kind, dir),
          fetch: stubServer(userId, seed.changes),
        })
        await client.login('bench@bench.local', 'x')
        const s = await client.sync()
        if (s.error || s.pulled !== seed.changes.length)
          throw new Error(`seeding the replica failed: ${s.error?.message}`)
        const ms: number[] = []
        for (let i = 0; i < opts.samples + WARMUP; i++) {
          const t0 = now()
          await client.collections.create({
            supplier_id: seed.supplierIds[i % 50],
            product_id: seed.productId,
            collection_date: COLLECTION_DATE,
            quantity: `${10 + (i % 40)}.500`,
            unit: 'kg',
          })
          if (i >= WARMUP) ms.push(now() - t0)
        }
        await client.close()
        const [p50, p99, b50, b99] = [
          percentile(ms, 50),
          percentile(ms, 99),
          percentile(rawMs, 50),
          percentile(rawMs, 99),
        ]
        reps[kind].p50.push({ value: p50, baseline: b50, ratio: p50 / b50 })
        reps[kind].p99.push({ value: p99, baseline: b99, ratio: p99 / b99 })
        opts.log(
          `  local write ${kind}, rep ${r + 1}: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms; bare commit p50 ${fmt(b50)} ms, p99 ${fmt(b99)} ms`,
        )
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const figures: Figure[] = []
  for (const kind of ADAPTERS) {
    const base = {
      workload: 6,
      name: 'local write',
      db: kind === 'indexeddb' ? 'fake-indexeddb' : kind === 'async-storage' ? 'async-storage mock' : kind,
      metric: 'collections.create latency',
      unit: 'ms',
      baselineWhat: 'bare store.commit of one row-sized put',
    }
    const limit = kind === 'indexeddb' ? 10 : kind === 'async-storage' ? undefined : 2
    const tag = `${opts.samples} creates, ${EXISTING} rows held`
    figures.push(figure({ ...base, case: `p50 (${tag})` }, reps[kind].p50))
    figures.push(
      figure({ ...base, case: `p99 (${tag})` }, reps[kind].p99, (v) =>
        limit === undefined ? [] : [{ text: `<= ${limit} ms`, met: v <= limit }],
      ),
    )
  }
  return figures
}
