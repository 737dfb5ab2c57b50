/**
 * The hot statements' SQL is built once per database and key (db/compiled-statements.ts
 * `runKeyed`): row statements by table and column list (domain/rows.ts), multi-row inserts and
 * `in` lookups by row count too, the push's device lock, replay lookup and ledger insert. A text
 * cached under the wrong key would load from, insert into or update the wrong table, bind values
 * to the wrong columns, or bind a number of values its text does not have: these run each kind on
 * two tables, and with different row counts, in turn and again, and check each row where it must be.
 */
import { newId } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { cachedStatementKeys, StatementTexts } from '../src/db/compiled-statements'
import { createEntity, updateEntity } from '../src/domain/entity-service'
import { loadRow } from '../src/domain/rows'
import { type Actor, runWrite } from '../src/domain/write-context'
import { type PushOperation, processPush } from '../src/sync/push'
import { createTestDb, type TestDb } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'

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

describe('statements whose text depends on a row count', () => {
  test('writes of 1, 3, 2, 3 and 1 rows put each history row and change-log entry in its place', async () => {
    for (const [w, n] of [1, 3, 2, 3, 1].entries()) {
      const { result: ids, lastSeq } = await runWrite(db.handle.db, db.handle.caps, manager, async (ctx) => {
        const made: string[] = []
        for (let i = 0; i < n; i++) {
          made.push((await createEntity(ctx, 'supplier', { code: `MR-${w}-${i}`, name: `Multi ${w}.${i}` })).id)
        }
        return made
      })
      const history = await db.handle.db
        .selectFrom('entity_history')
        .select(['entity_id', 'version', 'operation', 'data'])
        .where('entity_id', 'in', ids)
        .execute()
      expect(history.map((h) => [h.entity_id, Number(h.version), h.operation]).sort()).toEqual(
        ids.map((id) => [id, 1, 'create']).sort(),
      )
      for (const h of history) expect(JSON.parse(h.data).name).toBe(`Multi ${w}.${ids.indexOf(h.entity_id)}`)
      const log = await db.handle.db
        .selectFrom('change_log')
        .select(['seq', 'entity_type', 'entity_id'])
        .where('entity_id', 'in', ids)
        .orderBy('seq')
        .execute()
      // Consecutive numbers ending at the write's cursor, in the order the rows were written.
      expect(log.map((e) => [Number(e.seq), e.entity_type, e.entity_id])).toEqual(
        ids.map((id, i) => [(lastSeq as number) - n + 1 + i, 'supplier', id]),
      )
    }
  })

  test('pushes of 3, 1 and 2 operations, and replays of 2 and 3, find and record each operation', async () => {
    const user = await createUser(db.handle.db, {
      name: 'Pusher',
      email: 'pusher@test.local',
      password: 'password1',
      role: 'manager',
    })
    const actor: Actor = { id: user.id, role: 'manager', name: 'Pusher', deviceId: 'device-row-statements' }
    let seq = 0
    const op = (): PushOperation => {
      const id = newId()
      seq += 1
      return {
        local_id: `l-${seq}`,
        seq,
        entity_type: 'supplier',
        entity_id: id,
        operation_type: 'create',
        payload: { code: `PU-${seq}`, name: `Pushed ${seq}` },
      }
    }
    const push = (ops: PushOperation[]) =>
      runWrite(db.handle.db, db.handle.caps, actor, (ctx) => processPush(ctx, ops)).then((o) => o.result)
    const [a, b, c] = [[op(), op(), op()], [op()], [op(), op()]]
    for (const batch of [a, b, c]) expect((await push(batch)).map((r) => r.status)).toEqual(batch.map(() => 'success'))
    const replayTwo = [a[1], c[0]]
    expect((await push(replayTwo)).map((r) => [r.local_id, r.status, r.version])).toEqual(
      replayTwo.map((o) => [o.local_id, 'duplicate', 1]),
    )
    const fresh = op()
    const mixed = [b[0], fresh, a[2]]
    expect((await push(mixed)).map((r) => [r.local_id, r.status])).toEqual([
      [b[0].local_id, 'duplicate'],
      [fresh.local_id, 'success'],
      [a[2].local_id, 'duplicate'],
    ])
    // One ledger row per operation, with its own entity; the device's last seq is the newest.
    const ledger = await db.handle.db
      .selectFrom('sync_operations')
      .select(['local_id', 'seq', 'entity_id', 'status'])
      .where('device_id', '=', actor.deviceId as string)
      .orderBy('seq')
      .execute()
    const all = [...a, ...b, ...c, fresh]
    expect(ledger.map((r) => [r.local_id, Number(r.seq), r.entity_id, r.status])).toEqual(
      all.map((o) => [o.local_id, o.seq, o.entity_id, 'success']),
    )
    const device = await db.handle.db
      .selectFrom('sync_devices')
      .select('last_seq')
      .where('device_id', '=', actor.deviceId as string)
      .executeTakeFirstOrThrow()
    expect(Number(device.last_seq)).toBe(fresh.seq)
    // The statements were served from their texts (a key whose parameters are out of order is never kept).
    const keys = cachedStatementKeys(db.handle.db)
    for (const key of [
      'push:claim-lock-device',
      'push:replays:3',
      'push:replays:1',
      'push:replays:2',
      'push:advance-device',
      'change-log:take-seqs',
    ]) {
      expect(keys).toContain(key)
    }
    for (const [table, n] of [
      ['sync_operations', 3],
      ['sync_operations', 1],
      ['entity_history', 2],
      ['change_log', 2],
    ] as const) {
      expect(keys.some((k) => k.startsWith(`insert:${table}:${n}:`))).toBe(true)
    }
  })
})

describe('the texts kept', () => {
  test('are bounded by count and size, the least recently used dropped first', () => {
    const texts = new StatementTexts(3, 30)
    texts.set('a', 'select 1')
    texts.set('b', 'select 2')
    texts.set('c', 'select 3')
    expect(texts.get('a')).toBe('select 1') // used: b is now the oldest
    texts.set('d', 'select 4')
    expect(texts.keys()).toEqual(['c', 'a', 'd'])
    texts.set('e', 'x'.repeat(20)) // 8 + 8 + 20 > 30: c and a go
    expect(texts.keys()).toEqual(['d', 'e'])
    expect(texts.length).toBe(28)
    texts.set('f', 'y'.repeat(31)) // larger than the bound: not kept
    expect(texts.keys()).toEqual(['d', 'e'])
    texts.set('d', 'select 44') // replaced, not counted twice
    expect([texts.size, texts.length, texts.get('d')]).toEqual([2, 29, 'select 44'])
  })
})
