/**
 * The hot row statements' SQL is built once per database, statement kind, table and column list
 * (domain/rows.ts `runKeyed`). A text cached under the wrong key would load from, insert into or
 * update the wrong table, or bind values to the wrong columns: these run every kind on two tables
 * with different columns, in turn and again, and check each row where it must be.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createEntity, updateEntity } from '../src/domain/entity-service'
import { loadRow } from '../src/domain/rows'
import { type Actor, runWrite } from '../src/domain/write-context'
import { createTestDb, type TestDb } from '../src/testing/test-db'

const manager: Actor = { id: 'rows-manager', role: 'manager', name: 'Manager', deviceId: null }
let db: TestDb

beforeAll(async () => {
  db = await createTestDb()
})
afterAll(async () => {
  await db.drop()
})

const write = <T>(work: Parameters<typeof runWrite<T>>[3]) =>
  runWrite(db.handle.db, db.handle.caps, manager, work).then((o) => o.result)

describe('cached row statements', () => {
  test('inserts, loads and updates land in their own table with their own values, in turn and again', async () => {
    for (let round = 0; round < 3; round++) {
      const supplier = await write((ctx) =>
        createEntity(ctx, 'supplier', { code: `RS-${round}`, name: `Supplier ${round}` }),
      )
      const product = await write((ctx) =>
        createEntity(ctx, 'product', { code: `RP-${round}`, name: `Product ${round}`, default_unit: 'kg' }),
      )
      // Each table holds its own row and not the other's.
      const suppliers = await db.handle.db
        .selectFrom('suppliers')
        .select(['id', 'name'])
        .where('id', 'in', [supplier.id, product.id])
        .execute()
      const products = await db.handle.db
        .selectFrom('products')
        .select(['id', 'name'])
        .where('id', 'in', [supplier.id, product.id])
        .execute()
      expect(suppliers).toEqual([{ id: supplier.id, name: `Supplier ${round}` }])
      expect(products).toEqual([{ id: product.id, name: `Product ${round}` }])

      const loaded = await write(async (ctx) => ({
        s: await loadRow(ctx.trx, 'supplier', supplier.id),
        p: await loadRow(ctx.trx, 'product', product.id),
        wrong: await loadRow(ctx.trx, 'product', supplier.id),
      }))
      expect(loaded.s?.name).toBe(`Supplier ${round}`)
      expect(loaded.p?.name).toBe(`Product ${round}`)
      expect(loaded.wrong).toBeUndefined()

      const s2 = await write((ctx) => updateEntity(ctx, 'supplier', supplier.id, { name: `S renamed ${round}` }, 1))
      const p2 = await write((ctx) => updateEntity(ctx, 'product', product.id, { name: `P renamed ${round}` }, 1))
      expect([s2.version, p2.version]).toEqual([2, 2])
      const after = await write(async (ctx) => [
        await loadRow(ctx.trx, 'supplier', supplier.id),
        await loadRow(ctx.trx, 'product', product.id),
      ])
      expect(after.map((r) => [r?.name, r?.version])).toEqual([
        [`S renamed ${round}`, 2],
        [`P renamed ${round}`, 2],
      ])
      // An update expecting a stale version changes nothing (the cached text keeps its version check).
      await expect(
        write((ctx) => updateEntity(ctx, 'supplier', supplier.id, { name: 'stale' }, 1)),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' })
      const still = await write((ctx) => loadRow(ctx.trx, 'supplier', supplier.id))
      expect([still?.name, still?.version]).toEqual([`S renamed ${round}`, 2])
    }
  })
})
