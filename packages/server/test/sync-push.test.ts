/** POST /api/sync: exactly once, in order, atomic, no poisoned queue, device bound to the session. */
import { randomUUID } from 'node:crypto'
import { newId } from '@trackvault/core'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { issueToken } from '../src/auth/tokens'
import { TEST_DIALECT } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'
import { rawWithToken } from './helpers/raw-http'
import { TestDevice } from './helpers/sync-client'
import { PASSWORD, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>
let collector: TestDevice
let manager: TestDevice

/** A supplier's version, read from its table. */
const currentVersion = async (id: string) =>
  Number(
    (await s.db.handle.db.selectFrom('suppliers').select('version').where('id', '=', id).executeTakeFirstOrThrow())
      .version,
  )

const count = async (table: 'suppliers' | 'collections' | 'entity_history' | 'change_log' | 'sync_operations') =>
  Number(
    (
      await s.db.handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

beforeAll(async () => {
  s = await startTestServer()
  basics = await seedBasics(s.as.manager)
  collector = new TestDevice(s.as.collector, 'device-collector')
  manager = new TestDevice(s.as.manager, 'device-manager')
})
afterAll(() => s?.close())

let second: { email: string } | undefined
/** A second collector (created once). */
async function otherCollector() {
  second ??= await createUser(s.db.handle.db, {
    name: 'Second collector',
    email: 'second-collector@test.local',
    password: PASSWORD,
    role: 'collector',
  })
  return second
}

const collection = (over: Record<string, unknown> = {}) => ({
  supplier_id: basics.supplierId,
  product_id: basics.productId,
  collection_date: '2026-03-01',
  quantity: '10.5',
  unit: 'kg',
  ...over,
})

describe('exactly once', () => {
  test('a replayed batch writes nothing and returns the stored outcome as duplicate', async () => {
    const ops = [
      collector.op('collection', 'create', newId(), collection()),
      collector.op('supplier', 'create', newId(), { code: `S-${newId().slice(-6)}`, name: 'New' }),
    ]
    const first = await collector.push(ops)
    expect(first.status).toBe(200)
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success'])
    expect(first.body.results[0].data.total_amount).toBe('1260.00')
    const before = await Promise.all([
      count('collections'),
      count('entity_history'),
      count('change_log'),
      count('sync_operations'),
    ])
    const replay = await collector.push(ops)
    expect(replay.status).toBe(200)
    expect(replay.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate'])
    expect(replay.body.results[0].original_status).toBe('success')
    expect(replay.body.results[0].data).toEqual(first.body.results[0].data)
    const after = await Promise.all([
      count('collections'),
      count('entity_history'),
      count('change_log'),
      count('sync_operations'),
    ])
    expect(after).toEqual(before)
  })

  test('two identical batches sent at the same time apply once', async () => {
    const ops = Array.from({ length: 5 }, () => collector.op('collection', 'create', newId(), collection()))
    const before = await count('collections')
    const [a, b] = await Promise.all([collector.push(ops), collector.push(ops)])
    expect(a.status).toBe(200)
    expect(b.status).toBe(200)
    const statuses = [...a.body.results, ...b.body.results].map((r: { status: string }) => r.status).sort()
    expect(statuses).toEqual([...Array(5).fill('duplicate'), ...Array(5).fill('success')])
    expect(await count('collections')).toBe(before + 5)
  })

  test('a response lost after commit is recovered by the retry', async () => {
    const id = newId()
    const ops = [collector.op('collection', 'create', id, collection({ quantity: '2' }))]
    // The first response is "lost": the client never reads it and sends again.
    await collector.push(ops)
    const retry = await collector.push(ops)
    expect(retry.body.results[0]).toMatchObject({
      status: 'duplicate',
      original_status: 'success',
      entity_id: id,
      version: 1,
    })
    expect(retry.body.results[0].data.total_amount).toBe('240.00')
    const rows = await s.db.handle.db.selectFrom('collections').select('id').where('id', '=', id).execute()
    expect(rows).toHaveLength(1)
  })

  test('the same operation sent again by another user of a shared phone is a replay, shown as that user may see it', async () => {
    const op = collector.op('collection', 'create', newId(), collection())
    const first = await collector.push([op])
    expect(first.body.results[0].status).toBe('success')
    const before = await Promise.all([count('collections'), count('sync_operations')])
    // The manager signs in on the same (shared) phone, whose queue still holds the collector's operation.
    const shared = new TestDevice(
      await s.login(s.users.manager.email, undefined, 'device-collector'),
      'device-collector',
    )
    const res = await shared.push([{ ...op, seq: 10_000 }])
    expect(res.body.results[0]).toMatchObject({
      status: 'duplicate',
      original_status: 'success',
      entity_id: op.entity_id,
    })
    expect(res.body.results[0].data.total_amount).toBe('1260.00')
    // Another collector on that phone sees that it was recorded, not the row.
    const other = await otherCollector()
    const phone = new TestDevice(await s.login(other.email, PASSWORD, 'device-collector'), 'device-collector')
    const hidden = await phone.push([{ ...op, seq: 1 }])
    expect(hidden.body.results[0]).toMatchObject({ status: 'duplicate', data: { revoked: true } })
    expect(hidden.body.results[0].data).not.toHaveProperty('total_amount')
    expect(await Promise.all([count('collections'), count('sync_operations')])).toEqual(before)
  })

  test("a user who claims another's device id cannot take that device's next local ids from it", async () => {
    // The victim's phone runs the original app (local ids `local_<ms>_<random>`); the attacker
    // learns its device id, signs in claiming it and sends harmless operations under the local
    // ids the victim's app will use next, in both shapes.
    const victimDevice = `victim-${newId().slice(-8)}`
    const victim = await s.login(s.users.collector.email, undefined, victimDevice)
    const other = await otherCollector()
    const attacker = await s.login(other.email, PASSWORD, victimDevice)
    const next = [0, 1, 2].map((i) => `local_${1764000000000 + i}_k3j9x2abc`)
    const squat = await attacker.post('/api/sync', {
      device_id: victimDevice,
      operations: next.map((local_id) => ({
        local_id,
        entity: 'supplier',
        operation: 'create',
        data: { code: `SQ-${newId().slice(-8)}`, name: 'Squatter', device_id: victimDevice, local_id },
        timestamp: new Date().toISOString(),
      })),
    })
    expect(squat.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success', 'success'])
    const squatNew = new TestDevice(attacker, victimDevice)
    // (seq after the three the legacy shape numbered)
    const taken = {
      ...squatNew.op('supplier', 'create', newId(), { code: `SQ-${newId().slice(-8)}`, name: 'Squatter' }),
      seq: 10,
    }
    expect((await squatNew.push([taken])).body.results[0].status).toBe('success')

    const before = await count('collections')
    const real = await victim.post('/api/sync', {
      device_id: victimDevice,
      operations: next.map((local_id, i) => ({
        local_id,
        entity: 'collection',
        operation: 'create',
        data: { ...collection({ quantity: `${i + 1}` }), device_id: victimDevice, local_id },
        timestamp: new Date().toISOString(),
      })),
    })
    expect(real.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success', 'success'])
    const victimNew = new TestDevice(victim, victimDevice)
    const mine = { ...victimNew.op('collection', 'create', newId(), collection()), local_id: taken.local_id, seq: 10 }
    expect((await victimNew.push([mine])).body.results[0].status).toBe('success')
    expect(await count('collections')).toBe(before + 4)
    expect((await victim.get(`/api/sync/pending?device_id=${victimDevice}`)).body.operations).toEqual([])
    // Neither rows nor results tell anyone which device wrote them.
    for (const r of real.body.results) expect(r.data).not.toHaveProperty('device_id')
    const supplier = await attacker.get(`/api/suppliers/${squat.body.results[0].entity_id}`)
    expect(supplier.body).not.toHaveProperty('device_id')
  })
})

describe('protocol version', () => {
  test('a version this server does not speak is refused before anything is written; none means version 1', async () => {
    const op = collector.op('collection', 'create', newId(), collection())
    const before = await count('sync_operations')
    for (const version of ['2', '0', 'one', '1, 2']) {
      const res = await collector.api.request(
        'POST',
        '/api/sync',
        { device_id: 'device-collector', operations: [op] },
        {
          'x-trackvault-protocol': version,
        },
      )
      expect([res.status, res.body.error.code], version).toEqual([400, 'UNSUPPORTED_PROTOCOL'])
      expect(res.body.error.details).toEqual({ supported: [1] })
    }
    expect(await count('sync_operations')).toBe(before)
    const ok = await collector.api.request(
      'POST',
      '/api/sync',
      { device_id: 'device-collector', operations: [op] },
      {
        'x-trackvault-protocol': '1',
      },
    )
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-trackvault-protocol')).toBe('1')
    const pull = await collector.api.get('/api/sync/changes') // no header: the original app, version 1
    expect([pull.status, pull.headers.get('x-trackvault-protocol')]).toEqual([200, '1'])
  })
})

describe('what the ledger keeps', () => {
  const kept = async (localIds: string[]) =>
    s.db.handle.db
      .selectFrom('sync_operations')
      .select(['local_id', 'payload', 'error_message'])
      .where('local_id', 'in', localIds)
      .execute()

  test('failing operations with huge payloads keep none of it; a success keeps only writable fields', async () => {
    const huge = 'x'.repeat(700 * 1024)
    const failing = [0, 1, 2].map(() =>
      collector.op('collection', 'create', newId(), collection({ notes: huge, quantity: '-1' })),
    )
    const junk = collector.op('collection', 'create', newId(), { ...collection(), junk: huge, also: { nested: 'y' } })
    const res = await collector.push([...failing, junk])
    expect(res.status).toBe(200)
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['failed', 'failed', 'failed', 'success'])
    const rows = await kept([...failing, junk].map((o) => o.local_id))
    const bytes = rows.reduce((n, r) => n + r.payload.length + (r.error_message?.length ?? 0), 0)
    expect(bytes).toBeLessThan(4 * 1024) // was 2.8 MiB: every payload stored whole
    const byId = new Map(rows.map((r) => [r.local_id, r]))
    for (const o of failing) expect(byId.get(o.local_id)?.payload).toBe('null')
    expect(Object.keys(JSON.parse(byId.get(junk.local_id)?.payload ?? '{}')).sort()).toEqual(
      Object.keys(collection()).sort(),
    )
    const pending = await s.as.collector.get('/api/sync/pending?device_id=device-collector&limit=500')
    const entry = pending.body.operations.find((p: { local_id: string }) => p.local_id === failing[0].local_id)
    expect(entry).toMatchObject({ status: 'failed', payload: null, error: { code: 'VALIDATION_FAILED' } })
  })

  test('the pending list comes a page at a time, oldest first, every entry once', async () => {
    const device = new TestDevice(await s.login(s.users.collector.email, undefined, 'paged-phone'), 'paged-phone')
    const ops = Array.from({ length: 230 }, () =>
      device.op('collection', 'create', newId(), collection({ quantity: '-1' })),
    )
    for (let i = 0; i < ops.length; i += 100) await device.push(ops.slice(i, i + 100))
    const seen: Array<{ local_id: string; seq: number }> = []
    const sizes: number[] = []
    let after: string | null = null
    do {
      const page: { status: number; body: { success: boolean; operations: typeof seen; next: string | null } } =
        await device.api.get(`/api/sync/pending?device_id=paged-phone&limit=100${after ? `&after=${after}` : ''}`)
      expect(page.status).toBe(200)
      expect(page.body.success).toBe(true)
      sizes.push(page.body.operations.length)
      seen.push(...page.body.operations)
      after = page.body.next
    } while (after)
    expect(sizes).toEqual([100, 100, 30])
    expect(seen.map((o) => o.local_id)).toEqual(ops.map((o) => o.local_id))
    const unpaged = await device.api.get('/api/sync/pending?device_id=paged-phone')
    expect(unpaged.body.operations).toHaveLength(100) // the default page, never the whole list
    for (const bad of ['nope', '1.2', `${'9'.repeat(16)}.${newId()}`]) {
      const res = await device.api.get(`/api/sync/pending?device_id=paged-phone&after=${bad}`)
      expect([res.status, res.body.error.code]).toEqual([422, 'VALIDATION_FAILED'])
    }
    const tooMany = await device.api.get('/api/sync/pending?device_id=paged-phone&limit=501')
    expect(tooMany.status).toBe(422)
  })

  test("the original app's timestamp is bounded like every other string", async () => {
    const legacy = await s.login(s.users.collector.email, undefined, 'legacy-stamp')
    const res = await legacy.post('/api/sync', {
      device_id: 'legacy-stamp',
      operations: [
        {
          local_id: 'local_1',
          entity: 'collection',
          operation: 'create',
          data: collection(),
          timestamp: 'x'.repeat(41),
        },
      ],
    })
    expect([res.status, res.body.error?.code]).toEqual([422, 'VALIDATION_FAILED'])
    expect(await count('sync_operations')).toBeGreaterThan(0)
  })
})

describe('order and failures', () => {
  test('a failed operation does not block the ones after it', async () => {
    const good = newId()
    const res = await collector.push([
      collector.op('collection', 'create', newId(), collection({ quantity: '-1' })),
      collector.op('collection', 'create', newId(), collection({ unit: 'l' })),
      collector.op('product', 'create', newId(), { code: 'X', name: 'x', default_unit: 'kg' }),
      collector.op('collection', 'create', good, collection()),
    ])
    expect(
      res.body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status),
    ).toEqual(['VALIDATION_FAILED', 'success', 'FORBIDDEN', 'success']) // no rate for litres: stored unpriced
    expect(res.body.results[0].error.details.fields.quantity).toBeDefined()
    const pending = await s.as.collector.get('/api/sync/pending?device_id=device-collector')
    expect(
      pending.body.operations.filter((p: { status: string }) => p.status === 'failed').length,
    ).toBeGreaterThanOrEqual(2)
    expect(pending.body.operations.find((p: { entity_id: string }) => p.entity_id === good)).toBeUndefined()
  })

  test('an operation whose seq is not after the last applied one fails OUT_OF_ORDER', async () => {
    const device = new TestDevice(s.as.collector, 'device-collector')
    const res = await device.push([{ ...device.op('collection', 'create', newId(), collection()), seq: 1 }])
    expect(res.body.results[0]).toMatchObject({ status: 'failed', error: { code: 'OUT_OF_ORDER' } })
  })

  test('operations apply in seq order: create then update of the same row in one batch', async () => {
    const id = newId()
    const res = await manager.push([
      manager.op('supplier', 'create', id, { code: `O-${id.slice(-6)}`, name: 'First' }),
      manager.op('supplier', 'update', id, { name: 'Second' }, 1),
    ])
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success'])
    expect(res.body.results[1]).toMatchObject({ version: 2, data: { name: 'Second' } })
  })

  // Found by the fuzzer (fuzz.test.ts).
  test('a base_version beyond 32 bits fails that operation only, new and legacy shape (sync/push.ts)', async () => {
    const device = 'big-version-device'
    const token = (await issueToken(s.db.handle.db, s.users.admin.id, device, 60_000)).token
    const target = (await s.as.admin.post('/api/suppliers', { code: 'BIG-V', name: 'Big version' })).body.id as string
    const version = await currentVersion(target)
    const push = (body: unknown) => rawWithToken(s.url, token, 'POST', '/api/sync', JSON.stringify(body))
    let seq = 0
    const op = (base: number, name: string) => ({
      local_id: `big-${randomUUID()}`,
      seq: ++seq,
      entity_type: 'supplier',
      entity_id: target,
      operation_type: 'update',
      base_version: base,
      payload: { name },
    })
    // On PostgreSQL this was a 500 for the whole batch: the ledger column is a 32-bit integer.
    const res = await push({ device_id: device, operations: [op(3_000_000_000, 'Too far'), op(version, 'Next one')] })
    expect(res.status, res.text).toBe(200)
    const results = (res.json as { results: Array<{ status: string; error?: { code: string; details: unknown } }> })
      .results
    expect(results.map((r) => r.error?.code ?? r.status)).toEqual(['VALIDATION_FAILED', 'success'])
    expect(results[0].error?.details).toEqual({
      fields: { base_version: ['must be a whole number from 1 to 2147483647'] },
    })
    // The original app's shape: a version beyond 32 bits, fractional (on PostgreSQL this was a 500 for
    // the whole batch), negative or not a number fails that operation alone; the batch goes on.
    const legacyOps = [2 ** 40, 1.5, -3, '2', { v: 1 }].map((bad, i) => ({
      local_id: `bad-version-${i}-${randomUUID()}`,
      entity: 'supplier',
      operation: 'update',
      data: { id: target, version: bad, name: 'x' },
    }))
    const before = await currentVersion(target)
    const legacy = await push({
      device_id: device,
      operations: [
        ...legacyOps,
        {
          local_id: `good-${randomUUID()}`,
          entity: 'supplier',
          operation: 'update',
          data: { id: target, version: before, name: 'Fine' },
        },
      ],
    })
    expect(legacy.status, legacy.text).toBe(200)
    const legacyResults = (legacy.json as { results: Array<{ status: string; message: string }> }).results
    expect(legacyResults.map((r) => r.status)).toEqual(['error', 'error', 'error', 'error', 'error', 'success'])
    for (const r of legacyResults.slice(0, 5)) expect(r.message).toMatch(/invalid|valid/i)
    expect(await currentVersion(target)).toBe(before + 1)
    // A version at the limit is merely stale: a conflict, as before. (The legacy push took the next seq.)
    seq += 10
    const atLimit = await push({ device_id: device, operations: [op(2_147_483_647, 'Limit')] })
    expect((atLimit.json as { results: Array<{ status: string }> }).results[0].status, atLimit.text).toBe('conflict')
  })
})

describe('devices and limits', () => {
  test("an operation sent for another user's device is refused", async () => {
    const res = await s.as.collector.post('/api/sync', {
      device_id: 'device-manager',
      operations: [collector.op('collection', 'create', newId(), collection())],
    })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
  })

  test('more than 500 operations is a validation error and nothing is written', async () => {
    const before = await count('sync_operations')
    const ops = Array.from({ length: 501 }, () => collector.op('supplier', 'create', newId(), { code: 'Z', name: 'z' }))
    const res = await collector.push(ops)
    expect(res.status).toBe(422)
    expect(await count('sync_operations')).toBe(before)
  })

  test('every operation is recorded with the user who sent it and its history names the operation', async () => {
    const id = newId()
    const op = collector.op('collection', 'create', id, collection())
    await collector.push([op])
    const row = await s.db.handle.db
      .selectFrom('sync_operations')
      .selectAll()
      .where('local_id', '=', op.local_id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ user_id: s.users.collector.id, device_id: 'device-collector', status: 'success' })
    const history = await s.as.manager.get(`/api/history/collection/${id}`)
    expect(history.body.data[0]).toMatchObject({ sync_operation_id: row.id, device_id: 'device-collector' })
  })
})

describe('body limit', () => {
  test('a push over the body limit is refused with 413 before any database work', async () => {
    const before = await count('sync_operations')
    const huge = 'x'.repeat(5 * 1024 * 1024)
    const res = await collector.push([collector.op('supplier', 'create', newId(), { code: 'BIG', name: huge })])
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(await count('sync_operations')).toBe(before)
  })
})

describe('lookups shared by the operations of one batch', () => {
  test('a supplier deleted earlier in the batch is not found by a later operation', async () => {
    const own = await seedBasics(s.as.manager)
    const on = (over: Record<string, unknown> = {}) =>
      collection({ supplier_id: own.supplierId, product_id: own.productId, ...over })
    const res = await manager.push([
      manager.op('collection', 'create', newId(), on()),
      manager.op('supplier', 'delete', own.supplierId, {}, 1),
      manager.op('collection', 'create', newId(), on()),
    ])
    expect(res.status).toBe(200)
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success', 'failed'])
    expect(res.body.results[2].error.code).toBe('REFERENCE_NOT_FOUND')
  })

  test('a rate changed earlier in the batch prices the later collections', async () => {
    const own = await seedBasics(s.as.manager, '100.00')
    const on = () => collection({ supplier_id: own.supplierId, product_id: own.productId, quantity: '2' })
    const res = await manager.push([
      manager.op('collection', 'create', newId(), on()),
      manager.op('product_rate', 'update', own.rateId, { rate: '150.00' }, 1),
      manager.op('collection', 'create', newId(), on()),
    ])
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'success', 'success'])
    expect(res.body.results[0].data.total_amount).toBe('200.00')
    expect(res.body.results[2].data.total_amount).toBe('300.00')
  })

  test('a rate change that fails leaves the rate in force for the next operation', async () => {
    const own = await seedBasics(s.as.manager, '100.00')
    const on = () => collection({ supplier_id: own.supplierId, product_id: own.productId, quantity: '1' })
    const res = await manager.push([
      manager.op('product_rate', 'update', own.rateId, { rate: '-5' }, 1),
      manager.op('collection', 'create', newId(), on()),
    ])
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['failed', 'success'])
    expect(res.body.results[1].data.total_amount).toBe('100.00')
  })
})

describe('a statement that fails inside a batch', () => {
  // A trigger makes the database itself refuse a row that passes every check of ours.
  beforeAll(async () => {
    const db = s.db.handle.db
    if (TEST_DIALECT === 'sqlite') {
      await sql`create trigger refuse_boom before insert on suppliers when new.name = 'boom'
        begin select raise(abort, 'refused by trigger'); end`.execute(db)
    } else {
      await sql`create function refuse_boom() returns trigger language plpgsql as $$
        begin if new.name = 'boom' then raise exception 'refused by trigger'; end if; return new; end $$`.execute(db)
      await sql`create trigger refuse_boom before insert on suppliers for each row execute function refuse_boom()`.execute(
        db,
      )
    }
  })

  test('fails that operation alone; the others before and after it apply once', async () => {
    const ids = [newId(), newId(), newId()]
    const code = () => `B-${newId().slice(-8)}`
    const before = await count('sync_operations')
    const res = await manager.push([
      manager.op('supplier', 'create', ids[0], { code: code(), name: 'first' }),
      manager.op('supplier', 'create', ids[1], { code: code(), name: 'boom' }),
      manager.op('supplier', 'create', ids[2], { code: code(), name: 'third' }),
    ])
    expect(res.status).toBe(200)
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'failed', 'success'])
    const stored = await s.db.handle.db.selectFrom('suppliers').select('id').where('id', 'in', ids).execute()
    expect(stored.map((r) => r.id).sort()).toEqual([ids[0], ids[2]].sort())
    expect(await count('sync_operations')).toBe(before + 3)
    const history = await s.db.handle.db
      .selectFrom('entity_history')
      .select('entity_id')
      .where('entity_id', 'in', ids)
      .execute()
    expect(history.map((h) => h.entity_id).sort()).toEqual([ids[0], ids[2]].sort())
  })
})
