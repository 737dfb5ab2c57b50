/**
 * Settlement runs on the server (issue 17): a draft computed from the database, approval exactly
 * once (concurrent double clicks, retries), who may do what, stale drafts, settled periods and
 * records (REST and sync), discard, the rows reaching devices through the pull, and balances
 * after approval; a property test of the money identity over several runs.
 */
import { newId, todayIn } from '@trackvault/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TestDevice } from './helpers/sync-client'
import { type Api, type Reply, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>

beforeAll(async () => {
  s = await startTestServer()
  basics = await seedBasics(s.as.manager, '100.00')
})
afterAll(() => s?.close())

async function supplier(api: Api = s.as.manager) {
  const res = await api.post('/api/suppliers', { code: `S${newId().slice(-8)}`, name: 'Wanjiru' })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id as string
}

async function collect(supplierId: string, date: string, quantity: string, productId = basics.productId) {
  const res = await s.as.manager.post('/api/collections', {
    supplier_id: supplierId,
    product_id: productId,
    collection_date: date,
    quantity,
    unit: 'kg',
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function pay(supplierId: string, date: string, amount: string, payment_type = 'advance') {
  const res = await s.as.finance.post('/api/payments', {
    supplier_id: supplierId,
    payment_date: date,
    amount,
    payment_type,
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function deduct(fields: Record<string, unknown>) {
  const res = await s.as.finance.post('/api/deductions', fields)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

const run = (api: Api, body: Record<string, unknown>) => api.post('/api/settlement-runs', body)
const approve = (api: Api, id: string, version = 1) => api.post(`/api/settlement-runs/${id}/approve`, { version })

describe('a run computed, approved and settled', () => {
  let sup: string
  let draft: Awaited<ReturnType<typeof run>>['body']
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    sup = await supplier()
    ids.c1 = (await collect(sup, '2026-05-03', '120'))!.id // 12000.00
    ids.c2 = (await collect(sup, '2026-05-20', '30.5'))!.id // 3050.00
    ids.p1 = (await pay(sup, '2026-05-10', '2000.00')).id
    await deduct({
      supplier_id: sup,
      kind: 'per_period',
      description: 'Society fee',
      amount: '100.00',
      effective_date: '2026-01-01',
    })
    await deduct({
      supplier_id: sup,
      kind: 'per_quantity',
      description: 'Transport',
      rate: '2.50',
      unit: 'kg',
      effective_date: '2026-01-01',
    })
  })

  test('who may compute: a collector may not; a draft has the figures of core’s rule', async () => {
    const denied = await run(s.as.collector, {
      period_from: '2026-05-01',
      period_to: '2026-05-31',
      supplier_ids: [sup],
    })
    expect([denied.status, denied.body.error.code]).toEqual([403, 'FORBIDDEN'])
    const backwards = await run(s.as.finance, {
      period_from: '2026-05-31',
      period_to: '2026-05-01',
      supplier_ids: [sup],
    })
    expect([backwards.status, backwards.body.error.code]).toEqual([422, 'VALIDATION_FAILED'])
    const unknown = await run(s.as.finance, {
      period_from: '2026-05-01',
      period_to: '2026-05-31',
      supplier_ids: [newId()],
    })
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'REFERENCE_NOT_FOUND'])

    const res = await run(s.as.finance, { period_from: '2026-05-01', period_to: '2026-05-31', supplier_ids: [sup] })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    draft = res.body
    expect(draft.run).toMatchObject({
      status: 'draft',
      reference: '2026-05-01/2026-05-31',
      version: 1,
      suppliers: 1,
      gross: '15050.00',
      advances: '2000.00',
      deducted: '476.25', // 100.00 fee + 150.500 kg x 2.50 = 376.25
      net_payable: '12573.75',
      payout: '12573.75',
      carried_forward: '0.00',
      floor: '0.00',
    })
    expect(draft.lines).toHaveLength(1)
    expect(draft.lines[0]).toMatchObject({
      supplier_id: sup,
      run_id: draft.run.id,
      status: 'draft',
      opening: '0.00',
      quantity: '150.500',
      payout_status: 'pending',
      payment_id: null,
    })
    expect(draft.lines[0].detail.collections.map((c: { id: string }) => c.id).sort()).toEqual([ids.c1, ids.c2].sort())
    expect(draft.lines[0].detail.payments.map((p: { id: string }) => p.id)).toEqual([ids.p1])

    // The reference is unique among live runs.
    const again = await run(s.as.finance, { period_from: '2026-05-01', period_to: '2026-05-31', supplier_ids: [sup] })
    expect([again.status, again.body.error.code]).toEqual([409, 'DUPLICATE'])
  })

  test('approval: managers and admins only, never the creator; a stale draft is refused', async () => {
    const finance = await approve(s.as.finance, draft.run.id)
    expect([finance.status, finance.body.error.code]).toEqual([403, 'FORBIDDEN'])
    const collector = await approve(s.as.collector, draft.run.id)
    expect([collector.status, collector.body.error.code]).toEqual([403, 'FORBIDDEN'])

    // A collection recorded after the draft: the draft is stale.
    const late = await collect(sup, '2026-05-25', '1')
    const stale = await approve(s.as.manager, draft.run.id)
    expect([stale.status, stale.body.error.code]).toEqual([409, 'RUN_STALE'])
    const del = await s.as.manager.del(`/api/collections/${late.id}?version=${late.version}`)
    expect(del.status).toBe(200)
  })

  test('concurrent double clicks by two managers and retries approve once: one payment per payout', async () => {
    const attempts = await Promise.all([
      approve(s.as.manager, draft.run.id),
      approve(s.as.admin, draft.run.id),
      approve(s.as.manager, draft.run.id),
      approve(s.as.admin, draft.run.id),
    ])
    for (const a of attempts) expect(a.status, JSON.stringify(a.body)).toBe(200)
    const answers = attempts.map((a) => a.body)
    expect(new Set(answers.map((a) => a.run.version))).toEqual(new Set([2]))
    expect(new Set(answers.map((a) => a.lines[0].payment_id)).size).toBe(1)
    const approved = answers[0]
    expect(approved.run).toMatchObject({ status: 'approved', version: 2 })
    expect([s.users.manager.id, s.users.admin.id]).toContain(approved.run.approved_by)
    expect(approved.lines[0]).toMatchObject({ status: 'approved', payout_status: 'pending', version: 2 })

    const retry = await approve(s.as.manager, draft.run.id, 1)
    expect(retry.status).toBe(200)
    expect(retry.body).toEqual(approved)

    const payments = (await s.as.finance.get(`/api/payments?supplier_id=${sup}&limit=100`)).body.data
    const payouts = payments.filter((p: { payment_type: string }) => p.payment_type === 'full')
    expect(payouts).toHaveLength(1)
    expect(payouts[0]).toMatchObject({
      id: approved.lines[0].payment_id,
      amount: '12573.75',
      payment_method: 'bank_transfer',
      reference_number: '2026-05-01/2026-05-31',
      confirmed_large: true,
    })
  })

  test('settled records refuse updates and deletes (REST and sync); creates in the period are late items', async () => {
    const c1 = (await s.as.manager.get(`/api/collections/${ids.c1}`)).body
    const edit = await s.as.manager.patch(`/api/collections/${ids.c1}`, { quantity: '121', version: c1.version })
    expect([edit.status, edit.body.error.code]).toEqual([409, 'SETTLED'])
    const del = await s.as.manager.del(`/api/collections/${ids.c1}?version=${c1.version}`)
    expect([del.status, del.body.error.code]).toEqual([409, 'SETTLED'])
    const unversioned = await s.as.manager.del(`/api/collections/${ids.c1}`)
    expect([unversioned.status, unversioned.body.error.code]).toEqual([409, 'SETTLED'])
    const p1 = (await s.as.finance.get(`/api/payments/${ids.p1}`)).body
    const payEdit = await s.as.finance.patch(`/api/payments/${ids.p1}`, { amount: '1.00', version: p1.version })
    expect([payEdit.status, payEdit.body.error.code]).toEqual([409, 'SETTLED'])

    const device = new TestDevice(s.as.manager, 'device-manager')
    const c2 = (await s.as.manager.get(`/api/collections/${ids.c2}`)).body
    // Two collections in one batch: their rows and whether they are settled are read for the batch at once.
    const pushed = await device.push([
      device.op('collection', 'update', ids.c1, { quantity: '99' }, c1.version),
      device.op('payment', 'delete', ids.p1, {}, p1.version),
      device.op('collection', 'update', ids.c2, { quantity: '98' }, c2.version),
    ])
    expect(pushed.status).toBe(200)
    expect(
      pushed.body.results.map((r: { status: string; error?: { code: string } }) => [r.status, r.error?.code]),
    ).toEqual([
      ['failed', 'SETTLED'],
      ['failed', 'SETTLED'],
      ['failed', 'SETTLED'],
    ])
    expect((await s.as.manager.get(`/api/collections/${ids.c1}`)).body.version).toBe(c1.version)

    // A delivery of May recorded after May was settled: accepted; June's run pays it, marked late.
    const late = await collect(sup, '2026-05-28', '10')
    expect(late.total_amount).toBe('1000.00')
    const overlap = await run(s.as.finance, { period_from: '2026-05-15', period_to: '2026-06-30', supplier_ids: [sup] })
    expect([overlap.status, overlap.body.error.code]).toEqual([409, 'PERIOD_SETTLED'])
    // Settlement goes forward: April, before the settled May, is refused too.
    const before = await run(s.as.finance, { period_from: '2026-04-01', period_to: '2026-04-30', supplier_ids: [sup] })
    expect([before.status, before.body.error.code]).toEqual([409, 'PERIOD_SETTLED'])
    const june = await run(s.as.finance, { period_from: '2026-06-01', period_to: '2026-06-30', supplier_ids: [sup] })
    expect(june.status, JSON.stringify(june.body)).toBe(201)
    expect(june.body.lines[0]).toMatchObject({ late: 1, gross: '1000.00', opening: '0.00' })
    expect(june.body.lines[0].detail.collections).toEqual([
      expect.objectContaining({ id: late.id, late: true, amount: '1000.00' }),
    ])

    // Discard: a draft only; its lines are deleted, and the default reference is free for a new draft.
    const discarded = await s.as.finance.post(`/api/settlement-runs/${june.body.run.id}/discard`, { version: 1 })
    expect(discarded.status, JSON.stringify(discarded.body)).toBe(200)
    expect(discarded.body).toMatchObject({ status: 'discarded', version: 2 })
    expect((await s.as.finance.get(`/api/settlement-lines/${june.body.lines[0].id}`)).status).toBe(404)
    const kept = await s.as.finance.get(`/api/settlement-lines?run_id=${june.body.run.id}&include_deleted=true`)
    expect(
      kept.body.data.map((l: { deleted_at: string | null; status: string }) => [l.status, l.deleted_at !== null]),
    ).toEqual([['discarded', true]])
    const twice = await s.as.finance.post(`/api/settlement-runs/${june.body.run.id}/discard`, { version: 2 })
    expect([twice.status, twice.body.error.code]).toEqual([409, 'RUN_NOT_DRAFT'])
    const notDraft = await s.as.finance.post(`/api/settlement-runs/${draft.run.id}/discard`, { version: 2 })
    expect([notDraft.status, notDraft.body.error.code]).toEqual([409, 'RUN_NOT_DRAFT'])
    const redo = await run(s.as.finance, { period_from: '2026-06-01', period_to: '2026-06-30', supplier_ids: [sup] })
    expect(redo.status, JSON.stringify(redo.body)).toBe(201)
    expect(redo.body.run.reference).toBe('2026-06-01/2026-06-30 #2')
  })

  test('the creator may not approve their own run', async () => {
    const other = await supplier()
    await collect(other, '2026-05-05', '1')
    const mine = await run(s.as.manager, {
      period_from: '2026-05-01',
      period_to: '2026-05-31',
      supplier_ids: [other],
      reference: 'self',
    })
    expect(mine.status, JSON.stringify(mine.body)).toBe(201)
    const self = await approve(s.as.manager, mine.body.run.id)
    expect([self.status, self.body.error.code]).toEqual([403, 'SELF_APPROVAL'])
    // A supplier deleted since the draft: no payout is recorded for it.
    const row = (await s.as.manager.get(`/api/suppliers/${other}`)).body
    expect((await s.as.manager.del(`/api/suppliers/${other}?version=${row.version}`)).status).toBe(200)
    const gone = await approve(s.as.admin, mine.body.run.id)
    expect([gone.status, gone.body.error.code]).toEqual([409, 'RUN_STALE'])
  })

  test('repricing leaves settled collections as they are and says how many it skipped', async () => {
    const rate = (await s.as.manager.get(`/api/product-rates/${basics.rateId}`)).body
    const fix = await s.as.manager.patch(`/api/product-rates/${basics.rateId}`, {
      rate: '110.00',
      version: rate.version,
    })
    expect(fix.status).toBe(200)
    const preview = await s.as.manager.post('/api/reprices/preview', {
      product_id: basics.productId,
      from: '2026-05-01',
      to: '2026-05-31',
    })
    expect(preview.status, JSON.stringify(preview.body)).toBe(200)
    expect(preview.body.settled).toBe(2)
    const changed = preview.body.changes.map((c: { id: string }) => c.id)
    expect(changed).not.toContain(ids.c1)
    expect(changed).not.toContain(ids.c2)
    expect(changed.length).toBeGreaterThan(0)
    const applied = await s.as.manager.post('/api/reprices', {
      scope: { product_id: basics.productId, from: '2026-05-01', to: '2026-05-31' },
      reason: 'May rate corrected',
      fingerprint: preview.body.fingerprint,
    })
    expect(applied.status, JSON.stringify(applied.body)).toBe(200)
    expect((await s.as.manager.get(`/api/collections/${ids.c1}`)).body.total_amount).toBe('12000.00')
  })

  test('an adjustment (signed) corrects a settled period in the next run', async () => {
    const refused = await s.as.finance.post('/api/deductions', {
      supplier_id: sup,
      kind: 'charge',
      description: 'Bags',
      amount: '-5.00',
      effective_date: '2026-06-01',
    })
    expect([refused.status, refused.body.error.code]).toEqual([422, 'VALIDATION_FAILED'])
    const credit = await deduct({
      supplier_id: sup,
      kind: 'adjustment',
      description: 'May weighing corrected',
      amount: '-150.00',
      effective_date: '2026-06-15',
    })
    expect(credit.amount).toBe('-150.00')
    const july = await run(s.as.finance, { period_from: '2026-07-01', period_to: '2026-07-31', supplier_ids: [sup] })
    expect(july.status, JSON.stringify(july.body)).toBe(201)
    const adj = july.body.lines[0].detail.deductions.find((d: { kind: string }) => d.kind === 'adjustment')
    expect(adj).toMatchObject({ deduction_id: credit.id, applied: '-150.00' })
    await s.as.finance.post(`/api/settlement-runs/${july.body.run.id}/discard`, { version: 1 })
  })

  test('after approval a supplier’s balance and statement are the run’s carried forward', async () => {
    const other = await supplier()
    await collect(other, '2026-05-04', '50') // 5500.00 at 110.00 (the corrected rate above)
    await pay(other, '2026-05-06', '1000.00')
    await deduct({
      supplier_id: other,
      kind: 'per_period',
      description: 'Society fee',
      amount: '100.00',
      effective_date: '2026-05-01',
    })
    await deduct({
      supplier_id: other,
      kind: 'credit',
      purpose: 'loan',
      description: 'Loan',
      principal: '5000.00',
      instalment: '3000.00',
      effective_date: '2026-05-01',
    })
    const draft = await run(s.as.finance, {
      period_from: '2026-05-01',
      period_to: '2026-05-31',
      supplier_ids: [other],
      reference: 'balances',
      pay_at_most: '500.00',
    })
    expect(draft.status, JSON.stringify(draft.body)).toBe(201)
    // 4500.00 available; 3100.00 deducted; 1400.00 net, 500.00 paid now, 900.00 carried.
    expect(draft.body.lines[0]).toMatchObject({
      available: '4500.00',
      deducted: '3100.00',
      net_payable: '1400.00',
      payout: '500.00',
      carried_forward: '900.00',
    })
    const before = (await s.as.finance.get(`/api/suppliers/${other}/balance`)).body
    expect(before).toMatchObject({ balance: '4500.00', total_deductions: '0.00' })
    expect((await approve(s.as.admin, draft.body.run.id)).status).toBe(200)
    const after = (await s.as.finance.get(`/api/suppliers/${other}/balance`)).body
    expect(after).toMatchObject({ total_payments: '1500.00', total_deductions: '3100.00', balance: '900.00' })
    const statement = (await s.as.finance.get(`/api/suppliers/${other}/statement`)).body
    expect(statement.closing_balance).toBe('900.00')
    expect(
      statement.lines
        .filter((l: { kind: string }) => l.kind === 'deduction')
        .map((l: { deducted: string; date: string }) => [l.date, l.deducted]),
    ).toEqual([
      ['2026-05-31', '100.00'],
      ['2026-05-31', '3000.00'],
    ])
    const june = (await s.as.finance.get(`/api/suppliers/${other}/statement?from_date=2026-06-01`)).body
    // The payout is dated the approval day (today), not in May: June opens before it was paid.
    expect(june.opening_balance).toBe('1400.00')
    const report = (await s.as.finance.get('/api/reports/balances')).body
    expect(report.data.find((r: { supplier_id: string }) => r.supplier_id === other)).toMatchObject({
      balance: '900.00',
    })
  })

  test('runs and lines reach devices through the pull; a collector gets the lines, not the runs', async () => {
    const pullAll = async (api: Api) => {
      const out: { entity_type: string; entity_id: string; version: number; deleted: boolean }[] = []
      let cursor: string | undefined
      for (;;) {
        const res = await api.get(`/api/sync/changes?limit=1000${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`)
        expect(res.status).toBe(200)
        out.push(...res.body.changes)
        cursor = res.body.cursor
        if (!res.body.has_more) return out
      }
    }
    const manager = await pullAll(s.as.manager)
    const has = (changes: typeof manager, type: string, id: string, version: number) =>
      changes.some((c) => c.entity_type === type && c.entity_id === id && c.version === version)
    expect(has(manager, 'settlement_run', draft.run.id, 2)).toBe(true)
    expect(has(manager, 'settlement_line', draft.lines[0].id, 2)).toBe(true)
    const collector = await pullAll(s.as.collector)
    expect(has(collector, 'settlement_line', draft.lines[0].id, 2)).toBe(true)
    expect(collector.some((c) => c.entity_type === 'settlement_run')).toBe(false)
    expect((await s.as.collector.get(`/api/settlement-runs/${draft.run.id}`)).status).toBe(403)
  })
})

// ------------------------------------------------------------------ the property, on a real server

const DAYS = 7
/** An answer's body, as the tests read it (the server's schemas type it). */
type Answer = Reply['body']
const least = (x: bigint, y: bigint) => (y < x ? y : x)
/**
 * The periods end today (the business's time zone is UTC here): the payouts approval records are
 * dated today, inside the last period, so a payout counted again as an advance would show.
 */
const startFor = (periods: number) => Date.parse(`${todayIn('UTC')}T00:00:00Z`) - (periods * DAYS - 1) * 86_400_000
const cents = (n: bigint) => {
  const neg = n < 0n
  const s = (neg ? -n : n).toString().padStart(3, '0')
  return `${neg ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`
}
const milli = (n: bigint) => {
  const s = n.toString().padStart(4, '0')
  return `${s.slice(0, -3)}.${s.slice(-3)}`
}
const minor = (v: string) => {
  const neg = v.startsWith('-')
  const [w, f = ''] = (neg ? v.slice(1) : v).split('.')
  const n = BigInt(w) * 100n + BigInt(`${f}00`.slice(0, 2))
  return neg ? -n : n
}

interface World {
  periods: number
  floor: bigint
  rate: bigint
  /** Product B has no rate until this step: its collections wait unpriced, then are priced. */
  priceB: number
  suppliers: {
    collections: { day: number; delay: number; qty: bigint; b: boolean }[]
    payments: { day: number; delay: number; amount: bigint; partial: boolean }[]
    deductions: {
      kind: 'charge' | 'per_quantity' | 'per_period' | 'credit' | 'adjustment'
      at: number
      day: number
      amount: bigint
      negative: boolean
      rate: bigint
      onlyA: boolean
      instalment: bigint
      active: boolean
    }[]
    payAtMost: (bigint | null)[]
  }[]
}

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 3, max: 4 }).chain((periods) => {
  const day = fc.integer({ min: 0, max: periods * DAYS - 1 })
  const step = fc.integer({ min: 0, max: periods - 1 })
  // In its period's run, late (after its period was approved), or early (before its period's run: left for it).
  const delay = fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: -1, max: 2 }) },
  )
  const amount = fc.bigInt({ min: 1n, max: 5_000_000n })
  return fc.record({
    periods: fc.constant(periods),
    floor: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 300_000n })),
    rate: fc.bigInt({ min: 1n, max: 20_000n }),
    priceB: step,
    suppliers: fc.array(
      fc.record({
        collections: fc.array(fc.record({ day, delay, qty: fc.bigInt({ min: 1n, max: 500_000n }), b: fc.boolean() }), {
          maxLength: 7,
        }),
        payments: fc.array(fc.record({ day, delay, amount, partial: fc.boolean() }), { maxLength: 3 }),
        deductions: fc.array(
          fc.record({
            kind: fc.constantFrom('charge', 'per_quantity', 'per_period', 'credit', 'adjustment'),
            at: step,
            day,
            amount,
            negative: fc.boolean(),
            rate: fc.bigInt({ min: 1n, max: 1_000n }),
            onlyA: fc.boolean(),
            instalment: amount,
            active: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
          }),
          { maxLength: 4 },
        ),
        payAtMost: fc.array(fc.option(fc.bigInt({ min: 0n, max: 2_000_000n }), { freq: 2 }), {
          minLength: periods,
          maxLength: periods,
        }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  }) as fc.Arbitrary<World>
})

describe('settlement over consecutive runs on the database (property)', () => {
  let p: TestServer
  beforeAll(async () => {
    // Hundreds of requests a run: past the per-user allowance of a minute.
    p = await startTestServer({ rateLimit: { max: 1_000_000, timeWindowMs: 60_000 } })
  })
  afterAll(() => p?.close())

  test('sum of payouts + each last carried forward = priced collections - advances - deductions applied, exactly', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        const m = p.as.manager
        const f = p.as.finance
        const ok = (res: { status: number; body: unknown }, status = 201) => {
          expect(res.status, JSON.stringify(res.body)).toBe(status)
          return res.body as Answer
        }
        ok(await p.as.admin.patch('/api/settings', { settlement_floor: cents(world.floor) }), 200)
        const product = async () =>
          ok(await m.post('/api/products', { code: `P${newId().slice(-10)}`, name: 'Leaf', default_unit: 'kg' })).id
        const a = await product()
        const b = await product()
        ok(
          await m.post('/api/product-rates', {
            product_id: a,
            unit: 'kg',
            rate: cents(world.rate),
            effective_date: '2020-01-01',
          }),
        )
        const rateB = world.rate + 7n
        const sups = []
        for (const w of world.suppliers) {
          const id = ok(await m.post('/api/suppliers', { code: `S${newId().slice(-10)}`, name: 'Njeri' })).id as string
          sups.push({ id, w })
        }
        const start = startFor(world.periods)
        const dayOf = (d: number) => new Date(start + d * 86_400_000).toISOString().slice(0, 10)
        const period = (k: number) => ({ period_from: dayOf(k * DAYS), period_to: dayOf(k * DAYS + DAYS - 1) })
        const arrives = (d: number, delay: number) =>
          Math.max(0, Math.min(Math.floor(d / DAYS) + delay, world.periods - 1))

        let payouts = 0n
        let deducted = 0n
        const carried = new Map<string, bigint>()
        for (let k = 0; k < world.periods; k++) {
          if (k === world.priceB) {
            ok(
              await m.post('/api/product-rates', {
                product_id: b,
                unit: 'kg',
                rate: cents(rateB),
                effective_date: '2020-01-01',
              }),
            )
          }
          for (const { id, w } of sups) {
            for (const c of w.collections.filter((c) => arrives(c.day, c.delay) === k)) {
              const body = {
                supplier_id: id,
                product_id: c.b ? b : a,
                collection_date: dayOf(c.day),
                quantity: milli(c.qty),
                unit: 'kg',
              }
              ok(await m.post('/api/collections', body))
            }
            for (const x of w.payments.filter((x) => arrives(x.day, x.delay) === k)) {
              const body = {
                supplier_id: id,
                payment_date: dayOf(x.day),
                amount: cents(x.amount),
                payment_type: x.partial ? 'partial' : 'advance',
              }
              ok(await f.post('/api/payments', body))
            }
            for (const d of w.deductions.filter((d) => d.at === k)) {
              const base = { supplier_id: id, description: d.kind, effective_date: dayOf(d.day), is_active: d.active }
              const kinds = {
                charge: { amount: cents(d.amount) },
                per_period: { amount: cents(d.amount / 10n + 1n) },
                per_quantity: { rate: cents(d.rate), unit: 'kg', product_id: d.onlyA ? a : null },
                credit: {
                  purpose: 'inputs',
                  principal: cents(d.amount),
                  instalment: cents(least(d.instalment, d.amount)),
                },
                adjustment: { amount: cents(d.negative ? -d.amount : d.amount) },
              }
              ok(await f.post('/api/deductions', { ...base, kind: d.kind, ...kinds[d.kind] }))
            }
          }
          // One run per supplier, so each has its own partial payout (pay_at_most applies to a whole run).
          for (const { id, w } of sups) {
            const cap = w.payAtMost[k]
            const draft = ok(
              await f.post('/api/settlement-runs', {
                ...period(k),
                supplier_ids: [id],
                reference: `prop-${newId()}`,
                ...(cap === null ? {} : { pay_at_most: cents(cap) }),
              }),
            )
            expect(draft.lines).toHaveLength(1)
            const approved = ok(await m.post(`/api/settlement-runs/${draft.run.id}/approve`, { version: 1 }), 200)
            const line = approved.lines[0]
            if (cap !== null) expect(minor(line.payout) <= cap).toBe(true)
            expect(minor(line.payout) + minor(line.carried_forward)).toBe(minor(line.available) - minor(line.deducted))
            expect(line.detail.deductions.reduce((t: bigint, d: { applied: string }) => t + minor(d.applied), 0n)).toBe(
              minor(line.deducted),
            )
            payouts += minor(line.payout)
            deducted += minor(line.deducted)
            carried.set(id, minor(line.carried_forward))
            if (minor(line.payout) > 0n) {
              const payment = ok(await f.get(`/api/payments/${line.payment_id}`), 200)
              expect([payment.amount, payment.payment_type]).toEqual([line.payout, 'full'])
            }
          }
        }

        // The identity, against the generated numbers: every row arrived, and product B was priced, by the last run.
        const round = (qty: bigint, rate: bigint) => {
          const r = qty * rate
          return r / 1000n + ((r % 1000n) * 2n >= 1000n ? 1n : 0n)
        }
        let collections = 0n
        let advances = 0n
        for (const { w } of sups) {
          for (const c of w.collections) collections += round(c.qty, c.b ? rateB : world.rate)
          for (const x of w.payments) advances += x.amount
        }
        const lastCarried = [...carried.values()].reduce((t, v) => t + v, 0n)
        expect(payouts + lastCarried).toBe(collections - advances - deducted)
        // And each supplier's balance is its last carried forward (all settled, no payout failed).
        for (const { id } of sups) {
          const balance = ok(await f.get(`/api/suppliers/${id}/balance`), 200)
          expect(minor(balance.balance)).toBe(carried.get(id))
        }
      }),
      { numRuns: 15 },
    )
  }, 120_000)
})

describe('a run over every supplier with something to settle', () => {
  let q: TestServer
  beforeAll(async () => {
    q = await startTestServer()
  })
  afterAll(() => q?.close())

  test('suppliers with nothing get no line, and their late deliveries are late items of the next run', async () => {
    const b = await seedBasics(q.as.manager, '10.00')
    const idle = (await q.as.manager.post('/api/suppliers', { code: 'IDLE', name: 'Idle' })).body.id as string
    const add = (supplier_id: string, collection_date: string, quantity: string) =>
      q.as.manager.post('/api/collections', {
        supplier_id,
        product_id: b.productId,
        collection_date,
        quantity,
        unit: 'kg',
      })
    expect((await add(b.supplierId, '2026-03-03', '10')).status).toBe(201)
    const march = { period_from: '2026-03-01', period_to: '2026-03-31' }
    const draft = await q.as.finance.post('/api/settlement-runs', march)
    expect(draft.status, JSON.stringify(draft.body)).toBe(201)
    expect(draft.body.lines.map((l: { supplier_id: string }) => l.supplier_id)).toEqual([b.supplierId])

    // Something to settle appears for another supplier: the draft no longer covers everyone.
    const early = await add(idle, '2026-03-09', '1')
    expect(
      (await q.as.manager.post(`/api/settlement-runs/${draft.body.run.id}/approve`, { version: 1 })).body.error.code,
    ).toBe('RUN_STALE')
    expect((await q.as.manager.del(`/api/collections/${early.body.id}?version=1`)).status).toBe(200)
    const approved = await q.as.manager.post(`/api/settlement-runs/${draft.body.run.id}/approve`, { version: 1 })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)

    // March is settled for everyone: a delivery of March that syncs now is a late item of April's run.
    const late = await add(idle, '2026-03-20', '2')
    expect(late.status).toBe(201)
    const again = await q.as.finance.post('/api/settlement-runs', { ...march, supplier_ids: [idle] })
    expect([again.status, again.body.error.code]).toEqual([409, 'PERIOD_SETTLED'])
    const april = await q.as.finance.post('/api/settlement-runs', {
      period_from: '2026-04-01',
      period_to: '2026-04-30',
    })
    expect(april.status, JSON.stringify(april.body)).toBe(201)
    expect(
      april.body.lines.map((l: { supplier_id: string; late: number; gross: string }) => [
        l.supplier_id,
        l.late,
        l.gross,
      ]),
    ).toEqual([[idle, 1, '20.00']])
    // Drafts settle nothing: May's draft holds the same late delivery; once April is approved, May is stale.
    const may = await q.as.finance.post('/api/settlement-runs', { period_from: '2026-05-01', period_to: '2026-05-31' })
    expect(may.body.lines.map((l: { late: number }) => l.late)).toEqual([1])
    expect((await q.as.admin.post(`/api/settlement-runs/${april.body.run.id}/approve`, { version: 1 })).status).toBe(
      200,
    )
    const stale = await q.as.admin.post(`/api/settlement-runs/${may.body.run.id}/approve`, { version: 1 })
    expect([stale.status, stale.body.error.code]).toEqual([409, 'RUN_STALE'])
  })

  test('a failed payout (payout results) is owed again: in the balance and in the next run’s opening', async () => {
    const b = await seedBasics(q.as.manager, '10.00')
    const code = (await q.as.manager.get(`/api/suppliers/${b.supplierId}`)).body.code as string
    const add = await q.as.manager.post('/api/collections', {
      supplier_id: b.supplierId,
      product_id: b.productId,
      collection_date: '2026-06-10',
      quantity: '30',
      unit: 'kg',
    })
    expect(add.status).toBe(201)
    const june = { period_from: '2026-06-01', period_to: '2026-06-30', supplier_ids: [b.supplierId], reference: 'JUNE' }
    const draft = await q.as.finance.post('/api/settlement-runs', { ...june, pay_at_most: '100.00' })
    expect(draft.status, JSON.stringify(draft.body)).toBe(201)
    const approved = await q.as.manager.post(`/api/settlement-runs/${draft.body.run.id}/approve`, { version: 1 })
    expect(approved.body.lines[0]).toMatchObject({ payout: '100.00', carried_forward: '200.00' })
    expect((await q.as.finance.get(`/api/suppliers/${b.supplierId}/balance`)).body.balance).toBe('200.00')

    const results = await q.as.finance.request(
      'POST',
      `/api/settlement-runs/${draft.body.run.id}/payout-results`,
      `reference,status,note\nJUNE-${code},failed,Account closed\n`,
      { 'content-type': 'text/csv' },
    )
    expect(results.status, JSON.stringify(results.body)).toBe(200)
    expect((await q.as.finance.get(`/api/suppliers/${b.supplierId}/balance`)).body.balance).toBe('300.00')
    const july = await q.as.finance.post('/api/settlement-runs', {
      period_from: '2026-07-01',
      period_to: '2026-07-31',
      supplier_ids: [b.supplierId],
    })
    expect(july.status, JSON.stringify(july.body)).toBe(201)
    expect(july.body.lines[0]).toMatchObject({ opening: '300.00', payout: '300.00', carried_forward: '0.00' })
  })

  test('races: an edit during approval is refused or makes the run stale; two runs of a supplier approve one at a time', async () => {
    const b = await seedBasics(q.as.manager, '10.00')
    const add = async (date: string, quantity: string) => {
      const res = await q.as.manager.post('/api/collections', {
        supplier_id: b.supplierId,
        product_id: b.productId,
        collection_date: date,
        quantity,
        unit: 'kg',
      })
      expect(res.status).toBe(201)
      return res.body
    }
    const draft = async (from: string, to: string, extra: Record<string, unknown> = {}) => {
      const res = await q.as.finance.post('/api/settlement-runs', {
        period_from: from,
        period_to: to,
        supplier_ids: [b.supplierId],
        reference: `race-${newId()}`,
        ...extra,
      })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body.run.id as string
    }
    for (let i = 0; i < 5; i++) {
      // After the periods the runs over every supplier above settled for everyone (settlement goes forward).
      const c = await add(`2026-0${i + 5}-02`, '5')
      const run = await draft(`2026-0${i + 5}-01`, `2026-0${i + 5}-28`)
      const [approved, edited] = await Promise.all([
        q.as.admin.post(`/api/settlement-runs/${run}/approve`, { version: 1 }),
        q.as.manager.patch(`/api/collections/${c.id}`, { quantity: '6', version: c.version }),
      ])
      const outcome = [
        approved.status === 200 ? 'approved' : approved.body.error.code,
        edited.status === 200 ? 'edited' : edited.body.error.code,
      ]
      expect([
        ['approved', 'SETTLED'],
        ['RUN_STALE', 'edited'],
      ]).toContainEqual(outcome)
      if (outcome[0] === 'RUN_STALE') {
        await q.as.finance.post(`/api/settlement-runs/${run}/discard`, { version: 1 })
        const again = await draft(`2026-0${i + 5}-01`, `2026-0${i + 5}-28`)
        expect((await q.as.admin.post(`/api/settlement-runs/${again}/approve`, { version: 1 })).status).toBe(200)
      }
    }
    // Two drafts of consecutive periods, approved at once: the later one starts from the earlier one's
    // carried forward, so one of them must wait and find it changed.
    await add('2026-10-02', '10')
    await add('2026-11-02', '10')
    const october = await draft('2026-10-01', '2026-10-31', { pay_at_most: '10.00' })
    const november = await draft('2026-11-01', '2026-11-30')
    const both = await Promise.all([
      q.as.admin.post(`/api/settlement-runs/${october}/approve`, { version: 1 }),
      q.as.manager.post(`/api/settlement-runs/${november}/approve`, { version: 1 }),
    ])
    expect(both.map((r) => r.status).sort()).toEqual([200, 409])
  })
})

describe('a run over every supplier, when some were settled ahead', () => {
  test('those settled ahead are left out; the same period again is PERIOD_SETTLED', async () => {
    const t = await startTestServer()
    try {
      const b = await seedBasics(t.as.manager, '10.00')
      const early = (await t.as.manager.post('/api/suppliers', { code: 'EARLY', name: 'Paid early' })).body.id as string
      const add = (supplier_id: string, collection_date: string) =>
        t.as.manager.post('/api/collections', {
          supplier_id,
          product_id: b.productId,
          collection_date,
          quantity: '1',
          unit: 'kg',
        })
      expect((await add(b.supplierId, '2026-03-05')).status).toBe(201)
      expect((await add(early, '2026-03-06')).status).toBe(201)
      // EARLY was settled through April on its own (it is paid ahead).
      const own = await t.as.finance.post('/api/settlement-runs', {
        period_from: '2026-03-01',
        period_to: '2026-04-30',
        supplier_ids: [early],
        pay_at_most: '5.00',
      })
      expect(own.status, JSON.stringify(own.body)).toBe(201)
      expect((await t.as.manager.post(`/api/settlement-runs/${own.body.run.id}/approve`, { version: 1 })).status).toBe(
        200,
      )
      // March for everyone: EARLY (carried 5.00, settled through April) is left out, not a refusal.
      const march = await t.as.finance.post('/api/settlement-runs', {
        period_from: '2026-03-01',
        period_to: '2026-03-31',
      })
      expect(march.status, JSON.stringify(march.body)).toBe(201)
      expect(march.body.lines.map((l: { supplier_id: string }) => l.supplier_id)).toEqual([b.supplierId])
      expect(
        (await t.as.manager.post(`/api/settlement-runs/${march.body.run.id}/approve`, { version: 1 })).status,
      ).toBe(200)
      const again = await t.as.finance.post('/api/settlement-runs', {
        period_from: '2026-03-01',
        period_to: '2026-03-31',
        reference: 'again',
      })
      expect([again.status, again.body.error.code]).toEqual([409, 'PERIOD_SETTLED'])
    } finally {
      await t.close()
    }
  })
})
