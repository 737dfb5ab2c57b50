import { describe, expect, test } from 'vitest'
import { journal, journalEntries, pruneJournal, unconfirmed } from './journal'
import { META } from './keys'
import { LocalDb } from './local-db'
import { enqueue } from './queue'
import { createMemoryStore } from './storage/memory-store'

const DAY = 24 * 3600 * 1000

async function settled(db: LocalDb, n: number, epoch: string) {
  await db.write(async (tx) => {
    tx.put(META.epoch, epoch)
    for (let i = 0; i < n; i += 1) {
      const op = await enqueue(tx, {
        user_id: i % 2 === 0 ? 'u1' : 'u2',
        entity_type: 'supplier',
        entity_id: `r${i}`,
        operation_type: 'create',
        base_version: null,
        payload: { code: `S-${i}`, name: 'x'.repeat(50) },
      })
      await journal(tx, op, 1)
    }
  })
}

describe('journal', () => {
  test('keeps settled operations with their epoch and result, per user, oldest first', async () => {
    const db = new LocalDb(createMemoryStore())
    await settled(db, 4, 'epocha1b2c3d4')
    await settled(db, 2, 'epochzzzzzzzz')
    const entries = await db.read(journalEntries)
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(entries.every((e) => e.version === 1)).toBe(true)
    const mine = await db.read((tx) => unconfirmed(tx, 'u1', 'epochzzzzzzzz'))
    expect(mine.map((e) => e.seq)).toEqual([1, 3])
  })

  test('prunes past the window, then the oldest over the count and byte bounds; scans only when due', async () => {
    const db = new LocalDb(createMemoryStore())
    await settled(db, 10, 'epocha1b2c3d4')
    const limits = { windowMs: 30 * DAY, maxEntries: 100, maxBytes: 1e9 }
    expect(await db.write((tx) => pruneJournal(tx, limits))).toBe(0)
    expect(await db.write((tx) => pruneJournal(tx, { ...limits, maxEntries: 6 }))).toBe(4)
    expect((await db.read(journalEntries)).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10])
    const size = JSON.stringify((await db.read(journalEntries))[0]).length
    expect(await db.write((tx) => pruneJournal(tx, { ...limits, maxBytes: size * 2 + 1 }))).toBe(4)
    expect((await db.read(journalEntries)).map((e) => e.seq)).toEqual([9, 10])
    // 31 days later everything is past the window.
    expect(await db.write((tx) => pruneJournal(tx, limits, Date.now() + 31 * DAY))).toBe(2)
    expect(await db.read(journalEntries)).toEqual([])
    expect(await db.read((tx) => tx.get(META.journal))).toEqual({ count: 0, bytes: 0, oldest: null })
  })
})
