import { describe, expect, test } from 'vitest'
import { serverKey } from './keys'
import { LocalDb } from './local-db'
import { serverRow, storeServerRows } from './replica'
import { createMemoryStore } from './storage/memory-store'

const row = (version: number, name: string) => ({ id: 's1', version, name, deleted_at: null })

describe('storeServerRows', () => {
  test('keeps a newer stored version, unless it is outdated (held from before a restore)', async () => {
    const db = new LocalDb(createMemoryStore())
    await db.write(async (tx) => void (await storeServerRows(tx, [{ type: 'supplier', id: 's1', row: row(5, 'gap') }])))
    const older = [{ type: 'supplier' as const, id: 's1', row: row(4, 'restored') }]
    expect(await db.write((tx) => storeServerRows(tx, older))).toEqual([])
    expect((await db.read((tx) => serverRow(tx, 'supplier', 's1')))?.name).toBe('gap')
    // The restored server's v4 replaces the v5 it never made; within the page versions still order.
    const key = serverKey('supplier', 's1')
    const page = [...older, { type: 'supplier' as const, id: 's1', row: row(3, 'older in the page') }]
    const stored = await db.write((tx) => storeServerRows(tx, page, (k) => k === key))
    expect(stored.map((s) => s.row.name)).toEqual(['restored'])
    expect((await db.read((tx) => serverRow(tx, 'supplier', 's1')))?.name).toBe('restored')
  })
})
