/**
 * The device of the local-write workload (workload 6), shared by its Node
 * side (bench/workloads/local-write.ts) and its Chromium page
 * (bench/browser/local-write-entry.ts), so both time the same thing: no Node
 * imports here.
 *
 * The device holds a product, its rate, 50 suppliers and `existing`
 * collections of its user, pulled from a stub server (sign-in and one pull
 * page answered here); then it is offline. Timed: `client.collections.create`
 * one after another; the baseline: bare `store.commit`s of one row-sized put
 * on a fresh store of the same adapter.
 */
import { createSyncClient, type FetchLike, type KVStore } from '@trackvault/client'
import { type Change, DEFAULT_SETTINGS, encodeCursor, newId } from '@trackvault/core'
import { COLLECTION_DATE } from './ops'

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

/** What the device already has: a product, its rate, 50 suppliers, `existing` collections of this user. */
export function seedChanges(userId: string, existing: number) {
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
      entity_type: 'supplier' as const,
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
  for (let i = 0; i < existing; i++) {
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

/** Around each timed call (outside the timing): e.g. reading the process's involuntary context switches. */
export interface SampleProbe {
  before(): void
  /** Called with the sample's index (warm-up excluded) and its start and end (performance.now()). */
  after(index: number, start: number, end: number): void
}

const noProbe: SampleProbe = { before: () => {}, after: () => {} }

/** Milliseconds of `samples` bare commits of one row-sized put each, after `warmup` untimed ones. */
export async function timeBareCommits(
  store: KVStore,
  samples: number,
  warmup: number,
  probe: SampleProbe = noProbe,
): Promise<number[]> {
  const value = { ...meta(newId(), newId()), quantity: '12.500', unit: 'kg', notes: null, rate_applied: '120.00' }
  const ms: number[] = []
  for (let i = 0; i < samples + warmup; i++) {
    probe.before()
    const t0 = performance.now()
    await store.commit({ put: [[`bench/${String(i).padStart(8, '0')}`, value]] })
    const t1 = performance.now()
    if (i >= warmup) {
      ms.push(t1 - t0)
      probe.after(i - warmup, t0, t1)
    }
  }
  return ms
}

/**
 * A device on `storage` seeded with `existing` collections, then `samples`
 * timed collection creates right after its first sync, one after another,
 * after `warmup` untimed ones; closes the client.
 */
export async function timeCreates(
  storage: KVStore,
  opts: { existing: number; samples: number; warmup: number },
  probe: SampleProbe = noProbe,
): Promise<number[]> {
  const userId = newId()
  const seed = seedChanges(userId, opts.existing)
  const client = createSyncClient({
    baseUrl: 'http://bench.invalid',
    storage,
    fetch: stubServer(userId, seed.changes),
  })
  try {
    await client.login('bench@bench.local', 'x')
    const s = await client.sync()
    if (s.error || s.pulled !== seed.changes.length) throw new Error(`seeding the replica failed: ${s.error?.message}`)
    const ms: number[] = []
    for (let i = 0; i < opts.samples + opts.warmup; i++) {
      probe.before()
      const t0 = performance.now()
      await client.collections.create({
        supplier_id: seed.supplierIds[i % 50],
        product_id: seed.productId,
        collection_date: COLLECTION_DATE,
        quantity: `${10 + (i % 40)}.500`,
        unit: 'kg',
      })
      const t1 = performance.now()
      if (i >= opts.warmup) {
        ms.push(t1 - t0)
        probe.after(i - opts.warmup, t0, t1)
      }
    }
    return ms
  } finally {
    await client.close()
  }
}
