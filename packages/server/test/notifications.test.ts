/**
 * Text messages to suppliers (issue 20; docs/collection-point.md, "SMS"), on both databases:
 *
 * - the outbox row is written in the transaction of the collection (REST, sync, group commit) or
 *   the settlement approval it tells of: nothing when that write fails or is undone, nothing for
 *   a supplier who opted out or has no phone, nothing at all when SMS is off, one per message id
 *   however often a write is retried;
 * - the worker delivers each message exactly once through a provider outage (503, dropped
 *   connections) and recovery, fails a message the provider refuses for good, backs off more at
 *   each try, gives up after the most tries, and two workers (two processes) never send one
 *   message twice; a lapsed claim records nothing;
 * - GET /api/notifications and the metrics.
 *
 * The provider is the fake (`@trackvault/server/testing`): a real HTTP server on loopback speaking
 * Africa's Talking's and Twilio's APIs.
 */
import { newId } from '@trackvault/core'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { openDatabase } from '../src/db/database'
import { withSavepoint } from '../src/db/sql-helpers'
import { createEntity } from '../src/domain/entity-service'
import { type Actor, forgetSince, runWrite } from '../src/domain/write-context'
import type { SmsOptions } from '../src/plugins/sms'
import { africasTalking } from '../src/sms/africastalking'
import { retryDelay } from '../src/sms/backoff'
import { claimDue, type NotificationRow, settle } from '../src/sms/outbox-store'
import type { SmsProvider } from '../src/sms/provider'
import { twilio } from '../src/sms/twilio'
import { SmsWorker } from '../src/sms/worker'
import { FAKE_SMS_CREDENTIALS, FakeSmsProvider } from '../src/testing/fake-sms-provider'
import { TEST_DIALECT } from '../src/testing/test-db'
import { TestDevice } from './helpers/sync-client'
import { type Api, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

const AT = FAKE_SMS_CREDENTIALS.africastalking
const TW = FAKE_SMS_CREDENTIALS.twilio
const RECENT = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)

let fake: FakeSmsProvider
let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>
let at: SmsProvider

/** SMS on, its worker not run by the app: these tests run workers of their own. */
const smsOptions = (provider: SmsProvider): SmsOptions => ({
  provider,
  retry: { baseMs: 20, maxMs: 200, maxAttempts: 4 },
  pollMs: 50,
  worker: false,
})

beforeAll(async () => {
  fake = await FakeSmsProvider.start()
  at = africasTalking({ username: AT.username, apiKey: AT.apiKey, baseUrl: fake.url })
  s = await startTestServer({ sms: smsOptions(at), metrics: { public: true } })
  basics = await seedBasics(s.as.manager, '120.00')
})
afterAll(async () => {
  await s?.close()
  await fake?.close()
})

const db = () => s.db.handle.db

async function supplier(fields: Record<string, unknown> = {}, api: Api = s.as.manager): Promise<string> {
  const res = await api.post('/api/suppliers', {
    code: `S${newId().slice(-10)}`,
    name: 'Wanjiru',
    phone: '+254 712 000 001',
    ...fields,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id
}

async function collect(supplierId: string, quantity = '12.5', api: Api = s.as.manager) {
  const res = await api.post('/api/collections', {
    supplier_id: supplierId,
    product_id: basics.productId,
    collection_date: RECENT,
    quantity,
    unit: 'kg',
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; receipt_number: string; total_amount: string | null }
}

const outboxOf = (supplierId: string) =>
  db().selectFrom('notifications').selectAll().where('supplier_id', '=', supplierId).orderBy('id').execute()

/** A collector's phone of its own (each device's operations are numbered from 1). */
async function newDevice(): Promise<TestDevice> {
  const deviceId = `device-${newId()}`
  return new TestDevice(await s.login(s.users.collector.email, undefined, deviceId), deviceId)
}

/** A worker of the test's own over the test server's database. */
function worker(provider: SmsProvider = at, extra: Partial<ConstructorParameters<typeof SmsWorker>[2]> = {}) {
  return new SmsWorker(db(), s.db.handle.caps, {
    provider,
    retry: { baseMs: 20, maxMs: 200, maxAttempts: 4 },
    pollMs: 20,
    ...extra,
  })
}

/** Sends every due message; waits for retries to come due until nothing is pending (or `ms` pass). */
async function drain(w: SmsWorker, ms = 5_000) {
  const deadline = Date.now() + ms
  for (;;) {
    await w.runOnce()
    const waiting = await db()
      .selectFrom('notifications')
      .select('id')
      .where('status', 'in', ['pending', 'sending'])
      .execute()
    if (waiting.length === 0 || Date.now() > deadline) return
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Marks everything in the outbox done, so a test's worker sees only that test's messages. */
async function clearOutbox() {
  await db().updateTable('notifications').set({ status: 'skipped' }).where('status', 'in', ['pending']).execute()
}

describe('queued in the write', () => {
  test('a collection (REST) queues one message, worded from what the write recorded', async () => {
    const sup = await supplier()
    const c = await collect(sup)
    const rows = await outboxOf(sup)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      message_id: `collection:${c.id}`,
      kind: 'collection_recorded',
      recipient: '+254712000001',
      language: 'en',
      status: 'pending',
      attempts: 0,
      last_error: null,
      sent_at: null,
    })
    expect(c.total_amount).toBe('1500.00')
    expect(rows[0].body).toBe(`TrackVault: receipt ${c.receipt_number}, ${RECENT}. Tea 12.5 kg: KES 1,500.00.`)
    expect(rows[0].created_at <= new Date().toISOString()).toBe(true)
  })

  test("in the supplier's language, and 'price pending' while unpriced", async () => {
    const sup = await supplier({ language: 'sw' })
    const product = await s.as.manager.post('/api/products', {
      code: `P${newId().slice(-8)}`,
      name: 'Maziwa',
      default_unit: 'l',
    })
    const res = await s.as.manager.post('/api/collections', {
      supplier_id: sup,
      product_id: product.body.id,
      collection_date: RECENT,
      quantity: '1000',
      unit: 'l',
    })
    expect(res.status).toBe(201)
    const [row] = await outboxOf(sup)
    expect(row.language).toBe('sw')
    expect(row.body).toBe(`TrackVault: risiti ${res.body.receipt_number}, ${RECENT}. Maziwa 1,000 l: bei inasubiriwa.`)
  })

  test('nothing for a supplier who opted out or has no phone; skipped (with why) for a local number', async () => {
    const optedOut = await supplier({ sms_opt_out: true })
    const noPhone = await supplier({ phone: null })
    const local = await supplier({ phone: '0712 345 678' })
    for (const sup of [optedOut, noPhone, local]) await collect(sup)
    expect(await outboxOf(optedOut)).toEqual([])
    expect(await outboxOf(noPhone)).toEqual([])
    const [row] = await outboxOf(local)
    expect(row).toMatchObject({ status: 'skipped', recipient: '0712 345 678' })
    expect(row.last_error).toMatch(/not in international format/)
  })

  test('a sync operation pushed twice, or the same collection in another operation, queues one message', async () => {
    const sup = await supplier()
    const device = await newDevice()
    const id = newId()
    const payload = {
      supplier_id: sup,
      product_id: basics.productId,
      collection_date: RECENT,
      quantity: '3',
      unit: 'kg',
      user_id: s.users.collector.id,
    }
    const op = device.op('collection', 'create', id, payload)
    const first = await device.push([op])
    expect(first.body.results[0].status, JSON.stringify(first.body)).toBe('success')
    const again = await device.push([op])
    expect(again.body.results[0].status).toBe('duplicate')
    const other = await device.push([device.op('collection', 'create', id, payload)])
    expect(other.body.results[0].status).not.toBe('success')
    const rows = await outboxOf(sup)
    expect(rows.map((r) => r.message_id)).toEqual([`collection:${id}`])
  })

  test('one message per collection when many arrive at once (a batch; concurrent writes)', async () => {
    const sup = await supplier()
    const batchDevice = await newDevice()
    const ops = Array.from({ length: 30 }, () =>
      batchDevice.op('collection', 'create', newId(), {
        supplier_id: sup,
        product_id: basics.productId,
        collection_date: RECENT,
        quantity: '1',
        unit: 'kg',
        user_id: s.users.collector.id,
      }),
    )
    const pushed = await batchDevice.push(ops)
    expect(pushed.body.results.every((r: { status: string }) => r.status === 'success')).toBe(true)
    const rest = await Promise.all(Array.from({ length: 10 }, () => collect(sup, '2')))
    const rows = await outboxOf(sup)
    expect(rows).toHaveLength(40)
    expect(new Set(rows.map((r) => r.message_id))).toEqual(
      new Set([...ops.map((o) => `collection:${o.entity_id}`), ...rest.map((c) => `collection:${c.id}`)]),
    )
  })

  test('nothing when the write fails: a refused operation, a rolled-back transaction, an undone savepoint', async () => {
    const sup = await supplier()
    const device = await newDevice()
    // A batch whose second operation is refused: the first's message stays, the second queues none.
    const good = newId()
    const bad = newId()
    const fields = { supplier_id: sup, product_id: basics.productId, collection_date: RECENT, unit: 'kg' }
    const res = await device.push([
      device.op('collection', 'create', good, { ...fields, quantity: '2', user_id: s.users.collector.id }),
      device.op('collection', 'create', bad, { ...fields, quantity: '-2', user_id: s.users.collector.id }),
    ])
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'failed'])
    expect((await outboxOf(sup)).map((r) => r.message_id)).toEqual([`collection:${good}`])

    const actor: Actor = { id: s.users.manager.id, role: 'manager', name: 'M', deviceId: null }
    const input = { ...fields, quantity: '4' }
    // The whole transaction rolled back after the collection was written.
    const rolledBack = newId()
    await expect(
      runWrite(
        db(),
        s.db.handle.caps,
        actor,
        async (ctx) => {
          await createEntity(ctx, 'collection', input, rolledBack)
          throw new Error('the write fails after the collection')
        },
        { sms: true },
      ),
    ).rejects.toThrow('the write fails')
    // One operation undone to its savepoint, the next kept.
    const undone = newId()
    const kept = newId()
    await runWrite(
      db(),
      s.db.handle.caps,
      actor,
      async (ctx) => {
        const mark = ctx.changes.length
        await withSavepoint(ctx.trx, 'undone', async () => {
          await createEntity(ctx, 'collection', input, undone)
          throw new Error('undo this one')
        }).catch(() => forgetSince(ctx, mark))
        await createEntity(ctx, 'collection', input, kept)
      },
      { sms: true },
    )
    const ids = (await outboxOf(sup)).map((r) => r.message_id)
    expect(ids).toEqual([`collection:${good}`, `collection:${kept}`])
    const stored = await db().selectFrom('collections').select('id').where('id', 'in', [rolledBack, undone]).execute()
    expect(stored).toEqual([])
  })

  test('a settlement approval queues one message per line that pays, once', async () => {
    const paid = await supplier({ language: 'ta' })
    const advanced = await supplier() // paid ahead: its line pays nothing
    const optedOut = await supplier({ sms_opt_out: true })
    const date = '2026-04-10'
    for (const sup of [paid, advanced, optedOut]) {
      const res = await s.as.manager.post('/api/collections', {
        supplier_id: sup,
        product_id: basics.productId,
        collection_date: date,
        quantity: '10',
        unit: 'kg',
      })
      expect(res.status).toBe(201)
    }
    const advance = await s.as.finance.post('/api/payments', {
      supplier_id: advanced,
      payment_date: date,
      amount: '1500.00',
      payment_type: 'advance',
    })
    expect(advance.status).toBe(201)
    const before = await db().selectFrom('notifications').select('id').execute()
    const draft = await s.as.finance.post('/api/settlement-runs', {
      period_from: '2026-04-01',
      period_to: '2026-04-30',
      supplier_ids: [paid, advanced, optedOut],
    })
    expect(draft.status, JSON.stringify(draft.body)).toBe(201)
    // A draft tells nobody anything.
    expect(await db().selectFrom('notifications').select('id').execute()).toHaveLength(before.length)
    const runId = draft.body.run.id
    const approved = await s.as.manager.post(`/api/settlement-runs/${runId}/approve`, { version: 1 })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    const again = await s.as.manager.post(`/api/settlement-runs/${runId}/approve`, { version: 1 })
    expect(again.status).toBe(200)
    const messages = await db()
      .selectFrom('notifications')
      .selectAll()
      .where('kind', '=', 'settlement_paid')
      .where('message_id', 'like', `settlement:${runId}:%`)
      .execute()
    expect(messages.map((m) => [m.message_id, m.language, m.body])).toEqual([
      [
        `settlement:${runId}:${paid}`,
        'ta',
        'TrackVault: 2026-04-01 முதல் 2026-04-30 வரை KES 1,200.00 கொடுப்பனவு அங்கீகரிக்கப்பட்டது.',
      ],
    ])
  })

  test('SMS off: no row and no message, whatever is written', async () => {
    const off = await startTestServer()
    try {
      const b = await seedBasics(off.as.manager)
      const sup = await off.as.manager.post('/api/suppliers', { code: 'S1', name: 'W', phone: '+254712000009' })
      const res = await off.as.manager.post('/api/collections', {
        supplier_id: sup.body.id,
        product_id: b.productId,
        collection_date: RECENT,
        quantity: '1',
        unit: 'kg',
      })
      expect(res.status).toBe(201)
      expect(await off.db.handle.db.selectFrom('notifications').selectAll().execute()).toEqual([])
      expect(off.app.smsWorker).toBeUndefined()
      // The metrics say nothing of an outbox that is not in use.
      const metrics = await off.app.inject({ method: 'GET', url: '/metrics' })
      expect(metrics.body).not.toContain('trackvault_sms_outbox_messages')
    } finally {
      await off.close()
    }
  })
})

describe('the worker', () => {
  beforeEach(async () => {
    await clearOutbox()
    fake.up()
    fake.slow(0)
  })

  test('through an outage (503, then dropped connections) and recovery: delivered exactly once', async () => {
    const sup = await supplier({ phone: '+254712000101' })
    const c = await collect(sup)
    const key = `collection:${c.id}`
    // Waits long enough (150 ms, then 300 ms) that "not due yet" holds on a busy machine.
    const w = worker(at, { retry: { baseMs: 150, maxMs: 1000, maxAttempts: 4 }, random: () => 1 })
    fake.down('503')
    expect(await w.runOnce()).toBe(1)
    let [row] = await outboxOf(sup)
    expect(row).toMatchObject({ status: 'pending', attempts: 1, provider: 'africastalking' })
    expect(row.last_error).toBe('HTTP 503: Service Unavailable')
    expect(row.next_attempt_at > new Date().toISOString()).toBe(true)
    // Not due yet: nothing is claimed.
    expect(await w.runOnce()).toBe(0)
    fake.down('reset')
    await waitDue(row)
    expect(await w.runOnce()).toBe(1)
    ;[row] = await outboxOf(sup)
    expect(row).toMatchObject({ status: 'pending', attempts: 2 })
    expect(row.last_error).toMatch(/^no answer: /)
    fake.up()
    await waitDue(row)
    expect(await w.runOnce()).toBe(1)
    ;[row] = await outboxOf(sup)
    expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: null })
    expect(row.sent_at).not.toBeNull()
    const received = fake.withKey(key)
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ provider: 'africastalking', to: '+254712000101', body: row.body })
    expect(row.provider_message_id).toBe(received[0].id)
    expect(await w.runOnce()).toBe(0)
    expect(fake.withKey(key)).toHaveLength(1)
    const tried = fake.requests.filter((r) => r.key === key).map((r) => r.status)
    expect(tried).toEqual([503, 'reset', 201])
  })

  test('a number the provider refuses is failed at once, with its reason (Africa’s Talking and Twilio)', async () => {
    fake.refuse('+254712000202')
    const sup = await supplier({ phone: '+254712000202' })
    await collect(sup)
    await drain(worker())
    const [row] = await outboxOf(sup)
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: '403 InvalidPhoneNumber' })

    const sup2 = await supplier({ phone: '+254712000202' })
    await collect(sup2)
    const tw = twilio({ accountSid: TW.accountSid, authToken: TW.authToken, from: '+15005550006', baseUrl: fake.url })
    await drain(worker(tw))
    const [row2] = await outboxOf(sup2)
    expect(row2).toMatchObject({ status: 'failed', attempts: 1, provider: 'twilio' })
    expect(row2.last_error).toBe("HTTP 400: 21211 The 'To' number +254712000202 is not a valid phone number.")
  })

  test('bad credentials are a final refusal; Twilio with good ones sends', async () => {
    const sup = await supplier({ phone: '+254712000303' })
    const c = await collect(sup)
    const wrongKey = africasTalking({ username: AT.username, apiKey: 'wrong', baseUrl: fake.url })
    await drain(worker(wrongKey))
    const [row] = await outboxOf(sup)
    expect(row).toMatchObject({ status: 'failed', attempts: 1 })
    expect(row.last_error).toBe('HTTP 401: The supplied authentication is invalid')
    expect(row.last_error).not.toContain('wrong')

    const sup2 = await supplier({ phone: '+254712000304' })
    const c2 = await collect(sup2)
    const tw = twilio({ accountSid: TW.accountSid, authToken: TW.authToken, from: '+15005550006', baseUrl: fake.url })
    await drain(worker(tw))
    const [row2] = await outboxOf(sup2)
    expect(row2).toMatchObject({ status: 'sent', provider: 'twilio' })
    const received = fake.withKey(`collection:${c2.id}`)
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ provider: 'twilio', to: '+254712000304', from: '+15005550006' })
    expect(row2.provider_message_id).toBe(received[0].id)
    expect(fake.withKey(`collection:${c.id}`)).toEqual([])
  })

  test('each retry waits longer, up to the cap; after the most tries the message fails', async () => {
    const sup = await supplier({ phone: '+254712000404' })
    await collect(sup)
    fake.down('503')
    const w = worker(at, { retry: { baseMs: 40, maxMs: 150, maxAttempts: 4 }, random: () => 1 })
    const waits: number[] = []
    for (let attempt = 1; attempt <= 4; attempt++) {
      let [row] = await outboxOf(sup)
      await waitDue(row)
      const before = Date.now()
      expect(await w.runOnce()).toBe(1)
      const after = Date.now()
      ;[row] = await outboxOf(sup)
      expect(row.attempts).toBe(attempt)
      if (attempt < 4) {
        expect(row.status).toBe('pending')
        const at = Date.parse(row.next_attempt_at)
        waits.push(at - after)
        // random() = 1: the whole of base x 2^(n-1), capped: 40, 80, 150 ms from the answer.
        expect(at - before).toBeGreaterThanOrEqual([40, 80, 150][attempt - 1])
        expect(at - after).toBeLessThanOrEqual([40, 80, 150][attempt - 1])
      } else {
        expect(row.status).toBe('failed')
        expect(row.last_error).toBe('gave up after 4 tries: HTTP 503: Service Unavailable')
      }
    }
    expect(waits[1]).toBeGreaterThan(waits[0])
    expect(waits[2]).toBeGreaterThan(waits[1])
  })

  test('two workers (two database connections, as two processes) never send a message twice', async () => {
    const other = openSecondHandle()
    try {
      const sups = await Promise.all(Array.from({ length: 4 }, (_, i) => supplier({ phone: `+25471200050${i}` })))
      const made = await Promise.all(sups.flatMap((sup) => [collect(sup, '1'), collect(sup, '2'), collect(sup, '3')]))
      fake.slow(30)
      const w1 = worker(at, { batch: 2 })
      const w2 = new SmsWorker(other.db, other.caps, {
        provider: at,
        retry: { baseMs: 20, maxMs: 200, maxAttempts: 4 },
        pollMs: 20,
        batch: 2,
      })
      let claimed1 = 0
      let claimed2 = 0
      for (let round = 0; round < 20; round++) {
        const [a, b] = await Promise.all([w1.runOnce(), w2.runOnce()])
        // Each claims its batch at most, and between them every message once.
        expect([a, b].every((n) => n <= 2)).toBe(true)
        claimed1 += a
        claimed2 += b
        if (a + b === 0) break
      }
      expect(claimed1 + claimed2).toBe(made.length)
      expect(claimed1).toBeGreaterThan(0)
      expect(claimed2).toBeGreaterThan(0)
      for (const c of made) expect(fake.withKey(`collection:${c.id}`), c.id).toHaveLength(1)
      for (const sup of sups) {
        expect((await outboxOf(sup)).map((r) => [r.status, r.attempts])).toEqual([
          ['sent', 1],
          ['sent', 1],
          ['sent', 1],
        ])
      }
    } finally {
      await other.close()
    }
  })

  test('a lapsed claim is taken by another worker; the first records nothing over it', async () => {
    const sup = await supplier({ phone: '+254712000606' })
    const c = await collect(sup)
    // A worker claims with a lease that runs out at once (it hangs, or its process died)...
    const [stale] = await claimDue(db(), s.db.handle.caps, { now: new Date(), leaseMs: 1, limit: 50 })
    expect(stale.message_id).toBe(`collection:${c.id}`)
    await new Promise((r) => setTimeout(r, 5))
    // ...another takes the message and sends it.
    await drain(worker())
    const [sent] = await outboxOf(sup)
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 })
    // The first one's late answer changes nothing.
    const late = await settle(db(), stale as NotificationRow, { status: 'failed', provider: 'x', error: 'late' })
    expect(late).toBe(false)
    expect((await outboxOf(sup))[0]).toMatchObject({ status: 'sent', last_error: null })
    expect(fake.withKey(`collection:${c.id}`)).toHaveLength(1)
  })

  test('stop waits for the sends under way and records them', async () => {
    const sup = await supplier({ phone: '+254712000707' })
    const c = await collect(sup)
    fake.slow(300)
    const w = worker()
    w.start()
    const inFlight = () => fake.requests.length
    const before = inFlight()
    await waitUntil(async () => (await outboxOf(sup))[0].status === 'sending')
    await w.stop()
    expect(inFlight()).toBe(before + 1)
    expect((await outboxOf(sup))[0]).toMatchObject({ status: 'sent', attempts: 1 })
    expect(fake.withKey(`collection:${c.id}`)).toHaveLength(1)
  })

  test('retryDelay: half to all of base x 2^(n-1), capped; Retry-After waited out up to the cap', () => {
    const policy = { baseMs: 1000, maxMs: 10_000 }
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, policy, undefined, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ])
    expect([1, 2, 3].map((n) => retryDelay(n, policy, undefined, () => 0))).toEqual([500, 1000, 2000])
    expect(retryDelay(1, policy, 5000, () => 0)).toBe(5000)
    expect(retryDelay(1, policy, 60_000, () => 0)).toBe(10_000)
    expect(retryDelay(3, policy, 10, () => 1)).toBe(4000)
    expect(retryDelay(1000, policy, undefined, () => 1)).toBe(10_000)
  })
})

describe('sent by the app', () => {
  test('a write wakes the worker: the message goes out without waiting for the poll', async () => {
    await clearOutbox()
    const live = await startTestServer({
      sms: { ...smsOptions(at), worker: true, pollMs: 600_000 },
      metrics: { public: true },
    })
    try {
      const b = await seedBasics(live.as.manager)
      const sup = await live.as.manager.post('/api/suppliers', { code: 'S1', name: 'W', phone: '+254712000808' })
      const device = new TestDevice(live.as.collector, 'device-collector')
      const id = newId()
      const res = await device.push([
        device.op('collection', 'create', id, {
          supplier_id: sup.body.id,
          product_id: b.productId,
          collection_date: RECENT,
          quantity: '1',
          unit: 'kg',
          user_id: live.users.collector.id,
        }),
      ])
      expect(res.body.results[0].status).toBe('success')
      await fake.waitFor(() => fake.withKey(`collection:${id}`).length === 1, 5_000)
      await waitUntil(
        async () =>
          (await live.db.handle.db.selectFrom('notifications').select('status').executeTakeFirst())?.status === 'sent',
      )
      // The app's worker counts what it sent.
      const metrics = (await live.anon.get('/metrics')).body as string
      expect(metrics).toContain('trackvault_sms_messages_total{outcome="sent"} 1')
      expect(metrics).toContain('trackvault_sms_outbox_messages{status="pending"} 0')
    } finally {
      await live.close()
    }
    expect(fake.messages.filter((m) => m.to === '+254712000808')).toHaveLength(1)
  })
})

describe('GET /api/notifications', () => {
  test('the office reads it, newest first, by status and supplier; collectors may not', async () => {
    const sup = await supplier({ phone: '+254712000909' })
    const first = await collect(sup)
    const second = await collect(sup)
    for (const role of ['admin', 'manager', 'finance'] as const) {
      const res = await s.as[role].get(`/api/notifications?supplier_id=${sup}`)
      expect(res.status, role).toBe(200)
      expect(res.body.total).toBe(2)
      expect(res.body.data.map((n: { message_id: string }) => n.message_id)).toEqual([
        `collection:${second.id}`,
        `collection:${first.id}`,
      ])
      expect(res.body.data[0]).toMatchObject({
        kind: 'collection_recorded',
        recipient: '+254712000909',
        status: 'pending',
        attempts: 0,
        language: 'en',
        provider: null,
      })
      expect(res.body.data[0]).not.toHaveProperty('lease_until')
      expect(res.body.data[0].next_attempt_at).not.toBeNull()
    }
    const denied = await s.as.collector.get('/api/notifications')
    expect([denied.status, denied.body.error.code]).toEqual([403, 'FORBIDDEN'])
    expect((await s.anon.get('/api/notifications')).status).toBe(401)

    const page = await s.as.admin.get(`/api/notifications?supplier_id=${sup}&per_page=1&page=2`)
    expect(page.body).toMatchObject({ page: 2, per_page: 1, total: 2 })
    expect(page.body.data.map((n: { message_id: string }) => n.message_id)).toEqual([`collection:${first.id}`])

    const skipped = await s.as.admin.get('/api/notifications?status=skipped&per_page=100')
    expect(skipped.body.data.length).toBeGreaterThan(0)
    expect(skipped.body.data.every((n: { status: string; next_attempt_at: null }) => n.status === 'skipped')).toBe(true)
    expect(skipped.body.data.every((n: { next_attempt_at: string | null }) => n.next_attempt_at === null)).toBe(true)
    const bad = await s.as.admin.get('/api/notifications?status=lost')
    expect([bad.status, bad.body.error.code]).toEqual([422, 'VALIDATION_FAILED'])
  })

  test('the metrics: the outbox by status, and what workers sent', async () => {
    await clearOutbox()
    const sup = await supplier({ phone: '+254712001010' })
    await collect(sup)
    await collect(sup)
    const pending = await metricValue('trackvault_sms_outbox_messages{status="pending"}')
    expect(pending).toBe(2)
    // The app's counter moves with the app's worker; a worker of the test's own reports through onOutcome.
    const outcomes: string[] = []
    await drain(worker(at, { onOutcome: (o) => outcomes.push(o) }))
    expect(outcomes).toEqual(['sent', 'sent'])
    expect(await metricValue('trackvault_sms_outbox_messages{status="pending"}')).toBe(0)
    expect(await metricValue('trackvault_sms_outbox_messages{status="sending"}')).toBe(0)
    expect(await metricValue('trackvault_sms_outbox_messages{status="failed"}')).toBeGreaterThan(0)
  })
})

async function metricValue(series: string): Promise<number> {
  const res = await s.anon.get('/metrics')
  const line = (res.body as string).split('\n').find((l) => l.startsWith(`${series} `))
  if (!line) throw new Error(`no ${series} in /metrics`)
  return Number(line.split(' ')[1])
}

/** Waits until the row's next try is due. */
async function waitDue(row: { next_attempt_at: string }) {
  const wait = Date.parse(row.next_attempt_at) - Date.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 2))
}

async function waitUntil(check: () => Promise<boolean>, ms = 5_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** The test database opened again: its own connection (SQLite) or pool (PostgreSQL), as another process. */
function openSecondHandle() {
  const env = s.db.env
  return TEST_DIALECT === 'postgres'
    ? openDatabase({ databaseUrl: env.DATABASE_URL, pgSchema: env.TRACKVAULT_PG_SCHEMA })
    : openDatabase({ sqliteFile: env.TRACKVAULT_DB })
}
