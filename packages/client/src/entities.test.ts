import { AppError, DEFAULT_SETTINGS, newId, todayIn } from '@trackvault/core'
import { describe, expect, test } from 'vitest'
import { entityApis } from './entities'
import { META } from './keys'
import { LocalDb } from './local-db'
import type { KVStore } from './storage/kv-store'
import { createMemoryStore } from './storage/memory-store'

/** A memory store that counts its calls: each is a round trip on a real store (an IndexedDB transaction, a SQLite statement). */
function countingStore() {
  const inner = createMemoryStore()
  const calls = { get: 0, getMany: 0, scan: 0, commit: 0 }
  const store: KVStore = {
    get: (k) => {
      calls.get += 1
      return inner.get(k)
    },
    getMany: (keys) => {
      calls.getMany += 1
      return inner.getMany(keys)
    },
    scan: (prefix) => {
      calls.scan += 1
      return inner.scan(prefix)
    },
    commit: (b) => {
      calls.commit += 1
      return inner.commit(b)
    },
    close: () => inner.close(),
  }
  return { store, calls }
}

describe('a local collection write', () => {
  test("reads the store in two calls (its keys with the business's settings and receipt counter, the product's rates) and commits once", async () => {
    const { store, calls } = countingStore()
    const db = new LocalDb(store)
    const userId = newId()
    const apis = entityApis(
      db,
      () => ({ id: userId, role: 'collector', receiptPrefix: 'K7' }),
      () => {},
    )
    await db.write(async (tx) => tx.put(META.settings, { ...DEFAULT_SETTINGS, future_tolerance_days: 0 }))
    const today = todayIn(DEFAULT_SETTINGS.time_zone)
    const fields = { supplier_id: newId(), product_id: newId(), quantity: '10.500', unit: 'kg' } as const
    // Warm: the queue index loads on the first write.
    await apis.collection.create({ ...fields, collection_date: today })

    for (const k of Object.keys(calls) as Array<keyof typeof calls>) calls[k] = 0
    const row = await apis.collection.create({ ...fields, collection_date: today })
    expect(row.user_id).toBe(userId)
    expect(row.receipt_number).toBe('K7-2')
    expect(calls).toEqual({ get: 0, getMany: 1, scan: 1, commit: 1 })

    // The settings read with the keys are the ones that apply: no tolerance for a date past today.
    const tomorrow = new Date(`${today}T00:00:00Z`)
    tomorrow.setUTCDate(tomorrow.getUTCDate() + 1)
    const late = apis.collection.create({ ...fields, collection_date: tomorrow.toISOString().slice(0, 10) })
    await expect(late).rejects.toBeInstanceOf(AppError)
    await expect(late).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })
})
