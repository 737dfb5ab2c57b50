/**
 * Group commit: writes that arrive together share one transaction, each in
 * its own savepoint. One failing write must not take the others with it, and
 * nobody may hear "done" unless the shared commit succeeded.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createEntity } from '../src/domain/entity-service'
import { GroupCommit } from '../src/domain/group-commit'
import type { Actor, WriteContext } from '../src/domain/write-context'
import { createTestDb, TEST_DIALECT, type TestDb } from '../src/testing/test-db'

const manager: Actor = { id: 'group-manager', role: 'manager', name: 'Manager', deviceId: null }
let db: TestDb

beforeAll(async () => {
  db = await createTestDb()
})
afterAll(async () => {
  await db.drop()
})

const supplier = (code: string) => ({ code, name: `Supplier ${code}` })

async function codes(prefix: string): Promise<string[]> {
  const rows = await db.handle.db.selectFrom('suppliers').select('code').where('code', 'like', `${prefix}%`).execute()
  return rows.map((r) => r.code).sort()
}

describe('group commit', () => {
  test('writes arriving together share one transaction; a failing one is undone alone', async () => {
    const group = new GroupCommit(db.handle.db, db.handle.caps)
    const seen: WriteContext['trx'][] = []
    const writes = Array.from({ length: 8 }, (_, i) =>
      group.run(manager, async (ctx) => {
        seen.push(ctx.trx)
        const row = await createEntity(ctx, 'supplier', supplier(`G1-${i}`))
        if (i === 3) throw new Error('write 3 fails after writing its row')
        return row.code
      }),
    )
    const settled = await Promise.allSettled(writes)
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ])
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(Error)
    // One transaction for all eight: the grouping actually happened.
    expect(new Set(seen).size).toBe(1)
    expect(await codes('G1-')).toEqual(['G1-0', 'G1-1', 'G1-2', 'G1-4', 'G1-5', 'G1-6', 'G1-7'])
    // Each write got its own change numbers, in order, and the failed one's history is gone.
    const seqs = settled.flatMap((s, i) => (s.status === 'fulfilled' && i !== 3 ? [i] : []))
    expect(seqs).toHaveLength(7)
    const history = await db.handle.db
      .selectFrom('entity_history')
      .innerJoin('suppliers', 'suppliers.id', 'entity_history.entity_id')
      .select('suppliers.code')
      .where('suppliers.code', 'like', 'G1-%')
      .execute()
    expect(history.map((h) => h.code).sort()).toEqual(['G1-0', 'G1-1', 'G1-2', 'G1-4', 'G1-5', 'G1-6', 'G1-7'])
  })

  test('each write of a group logs its own consecutive change numbers', async () => {
    const group = new GroupCommit(db.handle.db, db.handle.caps)
    const outcomes = await Promise.all(
      [0, 1, 2].map((i) =>
        group.run(manager, async (ctx) => {
          await createEntity(ctx, 'supplier', supplier(`G2-${i}a`))
          await createEntity(ctx, 'supplier', supplier(`G2-${i}b`))
        }),
      ),
    )
    const last = outcomes.map((o) => o.lastSeq as number)
    expect(last[1] - last[0]).toBe(2)
    expect(last[2] - last[1]).toBe(2)
  })

  test('a write whose statement fails in the database is undone alone; the rest of the group commits', async () => {
    const group = new GroupCommit(db.handle.db, db.handle.caps)
    const seen = new Set<WriteContext['trx']>()
    const writes = [0, 1, 2, 3].map((i) =>
      group.run(manager, async (ctx) => {
        seen.add(ctx.trx)
        await createEntity(ctx, 'supplier', supplier(`G5-${i}`))
        // The change counter's row again: a primary key violation (PostgreSQL refuses every later
        // statement of the transaction until the write's savepoint is rolled back).
        if (i === 1) await sql`insert into counters (name, value) values ('change_seq', 0)`.execute(ctx.trx)
      }),
    )
    const settled = await Promise.allSettled(writes)
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(seen.size).toBe(1)
    expect(await codes('G5-')).toEqual(['G5-0', 'G5-2', 'G5-3'])
    // The three that committed logged consecutive changes with one take of the counter.
    const seqs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.lastSeq as number] : []))
    expect([seqs[1] - seqs[0], seqs[2] - seqs[1]]).toEqual([1, 1])
  })

  test.skipIf(TEST_DIALECT !== 'postgres')(
    'a write that lost a deadlock inside a group runs again alone and commits',
    async () => {
      const group = new GroupCommit(db.handle.db, db.handle.caps)
      let attempts = 0
      const trxs = new Set<WriteContext['trx']>()
      const writes = [0, 1, 2].map((i) =>
        group.run(manager, async (ctx) => {
          trxs.add(ctx.trx)
          const row = await createEntity(ctx, 'supplier', supplier(`G6-${i}`))
          if (i === 1 && ++attempts === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' })
          return row.code
        }),
      )
      expect((await Promise.all(writes)).map((o) => o.result)).toEqual(['G6-0', 'G6-1', 'G6-2'])
      expect(attempts).toBe(2)
      expect(trxs.size).toBe(2) // the group's transaction, then one of its own
      expect(await codes('G6-')).toEqual(['G6-0', 'G6-1', 'G6-2'])
    },
  )

  test.skipIf(TEST_DIALECT !== 'sqlite')('if the shared commit fails, every write of the group fails', async () => {
    const group = new GroupCommit(db.handle.db, db.handle.caps)
    const ok = group.run(manager, (ctx) => createEntity(ctx, 'supplier', supplier('G3-ok')))
    const poison = group.run(manager, async (ctx) => {
      // A deferred foreign-key violation passes every statement and fails the COMMIT.
      await sql`pragma defer_foreign_keys = on`.execute(ctx.trx)
      await sql`insert into product_rates (id, version, created_at, updated_at, created_by, updated_by, product_id, unit, rate_minor, effective_date, is_active) values ('x', 1, '', '', 'u', 'u', 'no-such-product', 'kg', 100, '2025-01-01', 1)`.execute(
        ctx.trx,
      )
    })
    const settled = await Promise.allSettled([ok, poison])
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected'])
    expect(await codes('G3-')).toEqual([])
  })

  test('a write alone runs in a transaction of its own', async () => {
    const group = new GroupCommit(db.handle.db, db.handle.caps)
    await expect(
      group.run(manager, async (ctx) => {
        await createEntity(ctx, 'supplier', supplier('G4-0'))
        throw new Error('undone')
      }),
    ).rejects.toThrow('undone')
    await group.run(manager, (ctx) => createEntity(ctx, 'supplier', supplier('G4-1')))
    expect(await codes('G4-')).toEqual(['G4-1'])
  })
})
