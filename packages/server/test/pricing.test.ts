import { randomUUID } from 'node:crypto'
import type { AppError, Collection } from '@trackvault/core'
import { sql, type Transaction } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Database } from '../src/db/schema'
import { createEntity, updateEntity } from '../src/domain/entity-service'
import { lockProductRates } from '../src/domain/pricing'
import { loadRow } from '../src/domain/rows'
import { runWrite } from '../src/domain/write-context'
import { TEST_DIALECT } from '../src/testing/test-db'
import { type Api, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let m: Api
let supplierId: string
beforeAll(async () => {
  s = await startTestServer()
  m = s.as.manager
  supplierId = (await created('/api/suppliers', { code: 'PRICING', name: 'Kamau' })).id
})
afterAll(() => s?.close())

const uniq = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}`

async function created(path: string, body: Record<string, unknown>, api: Api = m) {
  const res = await api.post(path, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

const product = async () => (await created('/api/products', { code: uniq('P'), name: 'Tea', default_unit: 'kg' })).id
const rate = (product_id: string, rate: string, effective_date: string, end_date: string | null = null, extra = {}) =>
  m.post('/api/product-rates', { product_id, unit: 'kg', rate, effective_date, end_date, ...extra })
const collect = (product_id: string, collection_date: string, quantity: string, extra = {}) =>
  m.post('/api/collections', { supplier_id: supplierId, product_id, collection_date, quantity, unit: 'kg', ...extra })
const countRows = async (table: 'collections' | 'entity_history') =>
  Number(
    (
      await s.db.handle.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n,
  )

describe('amounts', () => {
  test.each([
    ['50.5', '120', '6060.00'],
    ['0.333', '0.03', '0.01'], // 0.00999
    ['2.5', '0.01', '0.03'], // 0.025: half up, not half even
    ['1.005', '1', '1.01'], // 1.005 is 1.00499999... as a float
    ['0.001', '0.01', '0.00'], // 0.00001
    ['3.333', '3.33', '11.10'], // 11.09889
    ['99999.999', '999.99', '99998999.00'], // 99998999.00001
  ])('%s x %s = %s', async (quantity, r, total) => {
    const p = await product()
    expect((await rate(p, r, '2020-01-01')).status).toBe(201)
    const res = await collect(p, '2025-01-01', quantity)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.total_amount).toBe(total)
    expect(res.body.rate_applied).toBe(Number(r).toFixed(2))
    expect((await m.get(`/api/collections/${res.body.id}`)).body.total_amount).toBe(total)
  })
})

describe('rate resolution', () => {
  test('the rate in force on the collection date is chosen, boundaries inclusive', async () => {
    const p = await product()
    const a = (await rate(p, '100', '2024-01-01', '2024-06-30')).body
    const b = (await rate(p, '110', '2024-07-01', '2024-12-31')).body
    const c = (await rate(p, '120', '2025-01-01')).body
    const cases: [string, { id: string; rate: string }][] = [
      ['2024-01-01', a],
      ['2024-06-30', a],
      ['2024-07-01', b],
      ['2024-12-31', b],
      ['2025-01-01', c],
      ['2026-11-05', c],
    ]
    for (const [date, expected] of cases) {
      const res = await collect(p, date, '2')
      expect(res.status, date).toBe(201)
      expect(res.body.product_rate_id, date).toBe(expected.id)
      expect(res.body.rate_applied, date).toBe(expected.rate)
    }
  })

  test('no rate in force: the delivery is stored unpriced, never refused', async () => {
    const p = await product()
    await rate(p, '100', '2024-01-01', '2024-06-30')
    await rate(p, '90', '2024-07-01', null, { is_active: false })
    for (const [date, unit] of [
      ['2023-12-31', 'kg'], // before the first rate
      ['2024-07-01', 'kg'], // only an inactive rate
      ['2024-03-01', 'l'], // no rate for this unit
    ]) {
      const res = await collect(p, date, '1', { unit })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expect(res.body).toMatchObject({
        product_rate_id: null,
        rate_applied: null,
        total_amount: null,
        quantity: '1.000',
      })
    }
  })

  test('a rate that covers unpriced collections prices them once, in its transaction, with history', async () => {
    const p = await product()
    const early = (await collect(p, '2024-02-01', '2.5')).body
    const late = (await collect(p, '2024-09-01', '1')).body
    const other = (await collect(p, '2024-02-01', '1', { unit: 'l' })).body
    const gone = (await collect(p, '2024-02-02', '1')).body
    expect((await m.del(`/api/collections/${gone.id}?version=1`)).status).toBe(200)
    const history = await countRows('entity_history')
    const r = (await rate(p, '120', '2024-01-01', '2024-06-30')).body
    // The rate's own version, and one new version of the one collection it covers.
    expect(await countRows('entity_history')).toBe(history + 2)
    const priced = (await m.get(`/api/collections/${early.id}`)).body
    expect(priced).toMatchObject({ version: 2, product_rate_id: r.id, rate_applied: '120.00', total_amount: '300.00' })
    expect(priced.sync_metadata.priced).toEqual({ rate_id: r.id, at: expect.any(String) })
    for (const row of [late, other]) {
      expect((await m.get(`/api/collections/${row.id}`)).body).toMatchObject({ version: 1, total_amount: null })
    }
    const versions = (await m.get(`/api/history/collection/${early.id}`)).body.data
    expect(versions.map((v: { data: { total_amount: string | null } }) => v.data.total_amount)).toEqual([
      null,
      '300.00',
    ])
    expect(versions[1].user_id).toBe(s.users.manager.id)
    // Priced is frozen: a correction of that rate does not touch it; a rate for the late one prices only it.
    await m.patch(`/api/product-rates/${r.id}`, { rate: '130', version: 1 })
    expect((await m.get(`/api/collections/${early.id}`)).body).toMatchObject({ version: 2, total_amount: '300.00' })
    await rate(p, '150', '2024-07-01')
    expect((await m.get(`/api/collections/${late.id}`)).body).toMatchObject({ version: 2, total_amount: '150.00' })
    expect((await m.get(`/api/collections/${early.id}`)).body.version).toBe(2)
  })

  test('balances, the report and statements count unpriced collections and say their price is pending', async () => {
    const p = await product()
    const sup = (await created('/api/suppliers', { code: uniq('UNP'), name: 'Wanjiru' })).id
    await rate(p, '100', '2024-01-01', '2024-01-31')
    await collect(p, '2024-01-10', '2', { supplier_id: sup })
    await collect(p, '2024-02-10', '3', { supplier_id: sup })
    const balance = (await m.get(`/api/suppliers/${sup}/balance`)).body
    expect(balance).toMatchObject({ total_collections: '200.00', balance: '200.00', unpriced_collections: 1 })
    const report = (await m.get('/api/reports/balances')).body
    expect(report.data.find((r: { supplier_id: string }) => r.supplier_id === sup).unpriced_collections).toBe(1)
    expect(report.totals.unpriced_collections).toBeGreaterThanOrEqual(1)
    const statement = (await m.get(`/api/suppliers/${sup}/statement`)).body
    expect(
      statement.lines.map((l: { collected: string | null; description: string }) => [l.collected, l.description]),
    ).toEqual([
      ['200.00', '2.000 kg @ 100.00'],
      [null, '3.000 kg, price pending'],
    ])
    expect(statement.closing_balance).toBe('200.00')
  })

  test('net weight: gross - tare x containers - deduction is what is priced; every input reprices', async () => {
    const p = await product()
    await rate(p, '120', '2024-01-01')
    const res = await collect(p, '2024-03-01', '52', {
      tare_per_container: '0.75',
      containers: 2,
      deduction_percent: '4',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      quantity: '52.000',
      tare_per_container: '0.750',
      containers: 2,
      deduction_percent: '4.00',
      net_quantity: '48.480',
      total_amount: '5817.60',
    })
    const patched = await m.patch(`/api/collections/${res.body.id}`, { containers: 1, version: 1 })
    expect(patched.body).toMatchObject({ net_quantity: '49.200', total_amount: '5904.00' }) // 51.25 - 2.05
    const statement = (await m.get(`/api/suppliers/${supplierId}/statement?from_date=2024-03-01&to_date=2024-03-01`))
      .body
    expect(statement.lines.map((l: { description: string }) => l.description)).toContain(
      '49.200 kg (gross 52.000) @ 120.00',
    )
    // No tare or deduction: the net is the quantity (old clients, the original app).
    expect((await collect(p, '2024-03-02', '10')).body).toMatchObject({
      net_quantity: '10.000',
      total_amount: '1200.00',
    })
  })

  test('a tare that takes the whole weight, or a deduction of 100%, is refused by field and nothing is written', async () => {
    const p = await product()
    await rate(p, '120', '2024-01-01')
    const before = await countRows('collections')
    const tare = await collect(p, '2024-03-01', '1', { tare_per_container: '0.5', containers: 2 })
    expect([tare.status, Object.keys(tare.body.error.details.fields)]).toEqual([422, ['tare_per_container']])
    const all = await collect(p, '2024-03-01', '1', { deduction_percent: '100' })
    expect([all.status, Object.keys(all.body.error.details.fields)]).toEqual([422, ['deduction_percent']])
    for (const bad of [
      { deduction_percent: '-1' },
      { deduction_percent: '100.01' },
      { containers: -1 },
      { containers: 1.5 },
      { tare_per_container: '-0.1' },
    ]) {
      expect((await collect(p, '2024-03-01', '1', bad)).status, JSON.stringify(bad)).toBe(422)
    }
    expect(await countRows('collections')).toBe(before)
  })

  test('graded leaf: each grade its own rate and periods; a collection names one of the grades of its product', async () => {
    const leaf = (
      await created('/api/products', {
        code: uniq('LEAF'),
        name: 'Leaf',
        default_unit: 'kg',
        pricing: 'graded',
        grades: ['A', 'B'],
      })
    ).id
    const a = (await rate(leaf, '30', '2024-01-01', null, { grade: 'A' })).body
    expect((await rate(leaf, '25', '2024-01-01', null, { grade: 'B' })).status).toBe(201) // same period, other grade
    const overlap = await rate(leaf, '31', '2024-06-01', null, { grade: 'A' })
    expect([overlap.status, overlap.body.error.code]).toEqual([422, 'RATE_OVERLAP'])
    expect((await rate(leaf, '1', '2024-01-01', null)).body.error.details.fields.grade).toEqual([
      'required: one of A, B',
    ])
    expect((await rate(leaf, '1', '2024-01-01', null, { grade: 'Z' })).body.error.details.fields.grade).toEqual([
      'must be one of A, B',
    ])
    const best = await collect(leaf, '2024-03-01', '10', { grade: 'A' })
    expect(best.body).toMatchObject({
      grade: 'A',
      product_rate_id: a.id,
      rate_applied: '30.00',
      total_amount: '300.00',
    })
    const coarse = await collect(leaf, '2024-03-01', '10', { grade: 'B' })
    expect(coarse.body.total_amount).toBe('250.00')
    const none = await collect(leaf, '2024-03-01', '10')
    expect([none.status, none.body.error.details.fields.grade]).toEqual([422, ['required: one of A, B']])
    // Regrading reprices; a grade for a flat product is refused.
    expect((await m.patch(`/api/collections/${best.body.id}`, { grade: 'B', version: 1 })).body.total_amount).toBe(
      '250.00',
    )
    const flat = await product()
    await rate(flat, '100', '2024-01-01')
    expect((await collect(flat, '2024-03-01', '1', { grade: 'A' })).body.error.details.fields.grade).toEqual([
      'this product is not priced by grade',
    ])
  })

  test('milk priced by quality: base + fat% x fat_rate + SNF% x snf_rate per litre; readings required', async () => {
    const milk = (
      await created('/api/products', { code: uniq('MILK'), name: 'Milk', default_unit: 'l', pricing: 'quality' })
    ).id
    const missing = await m.post('/api/product-rates', {
      product_id: milk,
      unit: 'l',
      rate: '20',
      effective_date: '2024-01-01',
    })
    expect(Object.keys(missing.body.error.details.fields).sort()).toEqual(['fat_rate', 'snf_rate'])
    const r = await m.post('/api/product-rates', {
      product_id: milk,
      unit: 'l',
      rate: '20',
      fat_rate: '3.5',
      snf_rate: '1.25',
      effective_date: '2024-01-01',
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    const c = await collect(milk, '2024-03-01', '12.5', { unit: 'l', fat_percent: '4.05', snf_percent: '8.45' })
    expect(c.body).toMatchObject({
      fat_percent: '4.05',
      snf_percent: '8.45',
      rate_applied: '44.74',
      total_amount: '559.25',
    })
    const noReadings = await collect(milk, '2024-03-01', '12.5', { unit: 'l' })
    expect(Object.keys(noReadings.body.error.details.fields).sort()).toEqual(['fat_percent', 'snf_percent'])
    // A new reading reprices.
    expect(
      (await m.patch(`/api/collections/${c.body.id}`, { fat_percent: '3.05', version: 1 })).body.rate_applied,
    ).toBe('41.24')
  })

  test('a deleted rate no longer prices: the next delivery is unpriced', async () => {
    const p = await product()
    const r = (await rate(p, '100', '2024-01-01')).body
    expect((await m.del(`/api/product-rates/${r.id}?version=1`)).status).toBe(200)
    expect((await collect(p, '2024-02-01', '1')).body.total_amount).toBeNull()
  })
})

describe('rate periods', () => {
  test('overlapping active rates are 422 RATE_OVERLAP on create', async () => {
    const p = await product()
    const first = (await rate(p, '100', '2024-01-01', '2024-06-30')).body
    for (const [from, to] of [
      ['2024-06-30', null], // shares the last day
      ['2023-01-01', '2024-01-01'], // shares the first day
      ['2024-03-01', '2024-03-31'], // inside
      ['2023-01-01', null], // around
    ]) {
      const res = await rate(p, '105', from as string, to)
      expect(res.status, `${from}..${to}`).toBe(422)
      expect(res.body.error.code).toBe('RATE_OVERLAP')
      expect(res.body.error.details.overlaps.map((o: { id: string }) => o.id)).toEqual([first.id])
    }
    expect((await rate(p, '105', '2024-07-01')).status).toBe(201)
    expect((await rate(p, '99', '2023-01-01', '2023-12-31')).status).toBe(201)
    const list = await m.get(`/api/product-rates?product_id=${p}`)
    expect(list.body.total).toBe(3)
  })

  test('inactive rates and other units do not overlap', async () => {
    const p = await product()
    expect((await rate(p, '100', '2024-01-01')).status).toBe(201)
    const inactive = await rate(p, '80', '2024-02-01', null, { is_active: false })
    expect(inactive.status).toBe(201)
    expect((await rate(p, '70', '2024-02-01', null, { unit: 'l' })).status).toBe(201)
    // Turning the inactive rate on would make it overlap.
    const on = await m.patch(`/api/product-rates/${inactive.body.id}`, { is_active: true, version: 1 })
    expect(on.status).toBe(422)
    expect(on.body.error.code).toBe('RATE_OVERLAP')
  })

  test('an update that makes a rate overlap is 422 RATE_OVERLAP and changes nothing', async () => {
    const p = await product()
    await rate(p, '100', '2024-01-01', '2024-06-30')
    const later = (await rate(p, '110', '2024-07-01')).body
    const res = await m.patch(`/api/product-rates/${later.id}`, { effective_date: '2024-06-15', version: 1 })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('RATE_OVERLAP')
    const now = await m.get(`/api/product-rates/${later.id}`)
    expect(now.body).toMatchObject({ version: 1, effective_date: '2024-07-01' })
    // Changing only the amount of a rate does not clash with itself.
    expect((await m.patch(`/api/product-rates/${later.id}`, { rate: '111', version: 1 })).status).toBe(200)
  })

  test('of overlapping rates sent at the same time exactly one is accepted', async () => {
    const p = await product()
    for (const unit of ['kg', 'l', 'g']) {
      const res = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => rate(p, `${i}`, `2024-0${i}-01`, null, { unit })))
      expect(res.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422, 422])
      expect((await m.get(`/api/product-rates?product_id=${p}&unit=${unit}`)).body.total).toBe(1)
    }
  })

  test('end_date before effective_date is 422', async () => {
    const p = await product()
    const res = await rate(p, '100', '2024-06-01', '2024-05-31')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect(res.body.error.details.fields.end_date).toBeDefined()
    const ok = (await rate(p, '100', '2024-06-01', '2024-06-01')).body
    const bad = await m.patch(`/api/product-rates/${ok.id}`, { end_date: '2024-01-01', version: 1 })
    expect(bad.status).toBe(422)
  })
})

describe('frozen and repriced collections', () => {
  test('changing a rate later leaves old collections alone; new ones use it', async () => {
    const p = await product()
    const r = (await rate(p, '100', '2024-01-01')).body
    const old = (await collect(p, '2024-02-01', '2')).body
    expect(old.total_amount).toBe('200.00')
    expect((await m.patch(`/api/product-rates/${r.id}`, { rate: '150', version: 1 })).status).toBe(200)
    const again = await m.get(`/api/collections/${old.id}`)
    expect(again.body).toMatchObject({ rate_applied: '100.00', total_amount: '200.00', version: 1 })
    expect((await collect(p, '2024-02-01', '2')).body.total_amount).toBe('300.00')

    // Only notes changed: still the frozen price.
    const notes = await m.patch(`/api/collections/${old.id}`, { notes: 'checked', version: 1 })
    expect(notes.body).toMatchObject({ rate_applied: '100.00', total_amount: '200.00', version: 2 })
    // Quantity changed: priced again, with the rate in force now.
    const qty = await m.patch(`/api/collections/${old.id}`, { quantity: '3', version: 2 })
    expect(qty.body).toMatchObject({ quantity: '3.000', rate_applied: '150.00', total_amount: '450.00' })
  })

  test('changing date, product or unit prices the row again', async () => {
    const p = await product()
    const early = (await rate(p, '100', '2024-01-01', '2024-06-30')).body
    const late = (await rate(p, '200', '2024-07-01')).body
    const litre = (await rate(p, '50', '2024-01-01', null, { unit: 'l' })).body
    const q = await product()
    const other = (await rate(q, '7.77', '2020-01-01')).body
    let row = (await collect(p, '2024-03-01', '1.5')).body
    expect(row).toMatchObject({ product_rate_id: early.id, total_amount: '150.00' })

    const steps: [Record<string, unknown>, string, string][] = [
      [{ collection_date: '2024-08-01' }, late.id, '300.00'],
      [{ unit: 'l' }, litre.id, '75.00'],
      [{ product_id: q, unit: 'kg' }, other.id, '11.66'], // 11.655
    ]
    for (const [change, rateId, total] of steps) {
      const res = await m.put(`/api/collections/${row.id}`, { ...change, version: row.version })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect(res.body.product_rate_id).toBe(rateId)
      expect(res.body.total_amount).toBe(total)
      row = res.body
    }
  })

  test('moving a collection to a date without a rate leaves it unpriced until a rate covers it', async () => {
    const p = await product()
    await rate(p, '100', '2024-01-01')
    const row = (await collect(p, '2024-03-01', '1')).body
    const res = await m.patch(`/api/collections/${row.id}`, { collection_date: '2023-03-01', version: 1 })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ version: 2, product_rate_id: null, rate_applied: null, total_amount: null })
  })
})

describe('references', () => {
  test('unknown or deleted suppliers and products are 422 REFERENCE_NOT_FOUND', async () => {
    const p = await product()
    await rate(p, '100', '2020-01-01')
    const gone = (await created('/api/suppliers', { code: uniq('G'), name: 'Gone' })).id
    expect((await m.del(`/api/suppliers/${gone}?version=1`)).status).toBe(200)
    const before = await countRows('collections')

    for (const sid of [randomUUID(), gone]) {
      const c = await m.post('/api/collections', {
        supplier_id: sid,
        product_id: p,
        collection_date: '2024-01-01',
        quantity: '1',
        unit: 'kg',
      })
      expect(c.status).toBe(422)
      expect(c.body.error.code).toBe('REFERENCE_NOT_FOUND')
      expect(c.body.error.details.fields.supplier_id).toBeDefined()
      const pay = await m.post('/api/payments', {
        supplier_id: sid,
        payment_date: '2024-01-01',
        amount: '1',
        payment_type: 'advance',
      })
      expect(pay.status).toBe(422)
      expect(pay.body.error.code).toBe('REFERENCE_NOT_FOUND')
    }
    const noProduct = await collect(randomUUID(), '2024-01-01', '1')
    expect(noProduct.body.error.code).toBe('REFERENCE_NOT_FOUND')
    const rateForNothing = await rate(randomUUID(), '1', '2024-01-01')
    expect(rateForNothing.status).toBe(422)
    expect(rateForNothing.body.error.code).toBe('REFERENCE_NOT_FOUND')
    expect(await countRows('collections')).toBe(before)

    // Moving an existing collection to a deleted supplier is refused too.
    const row = (await collect(p, '2024-01-01', '1')).body
    const move = await m.patch(`/api/collections/${row.id}`, { supplier_id: gone, version: 1 })
    expect(move.status).toBe(422)
    expect(move.body.error.code).toBe('REFERENCE_NOT_FOUND')
  })
})

describe('pricing under concurrent rate changes', () => {
  const actor = () => ({ id: s.users.manager.id, role: 'manager' as const, name: 'Manager', deviceId: null })
  const gate = () => {
    let open!: () => void
    const closed = new Promise<void>((resolve) => {
      open = resolve
    })
    return { open, closed }
  }
  /** This transaction's PostgreSQL backend, to watch who waits for it. */
  const backendOf = async (trx: Transaction<Database>) =>
    TEST_DIALECT === 'postgres'
      ? (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0].pid
      : 0
  /**
   * Resolves once another transaction waits for a lock that backend `pid` holds (PostgreSQL), so the
   * interleaving is exact. SQLite runs one write at a time: the other is queued behind it already.
   */
  async function someoneWaitsFor(pid: number) {
    if (TEST_DIALECT !== 'postgres') return new Promise((resolve) => setTimeout(resolve, 100))
    for (let i = 0; i < 500; i++) {
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`.execute(s.db.handle.db)
      if (Number(rows[0].n) > 0) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`nobody waited for backend ${pid}`)
  }
  const collectionOf = (product_id: string) => ({
    supplier_id: supplierId,
    product_id,
    collection_date: '2024-01-01',
    quantity: '1',
    unit: 'kg',
  })

  // Found by the fault simulation (sim/, PostgreSQL): a collection priced while a rate change was in
  // flight kept the old rate although it committed after the change.
  test('a collection is priced with the rates as of its place in commit order', async () => {
    const p = await product()
    const r = (await rate(p, '100', '2020-01-01')).body
    const { db, caps } = s.db.handle
    const rateWritten = gate()
    const commitRate = gate()
    const commitCollection = gate()
    const change = runWrite(db, caps, actor(), async (ctx) => {
      await updateEntity(ctx, 'product_rate', r.id, { rate: '200.00' }, 1)
      rateWritten.open()
      await commitRate.closed
    })
    await rateWritten.closed
    const collection = runWrite(db, caps, actor(), async (ctx) => {
      const row = await createEntity(ctx, 'collection', collectionOf(p))
      await commitCollection.closed
      return row
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    commitRate.open()
    const changed = await change
    commitCollection.open()
    const priced = await collection
    expect(priced.lastSeq as number).toBeGreaterThan(changed.lastSeq as number)
    expect(priced.result).toMatchObject({ rate_applied: '200.00', total_amount: '200.00' })
  })

  // Found by attacking the server (PostgreSQL): a rate PATCH locked the rate and waited for its product,
  // while a collection of that product held the product and waited for the rate (its foreign key):
  // a deadlock (40P01), one of them refused with 503. One lock order now: products, then rates.
  test('a rate edit and a collection of its product, interleaved, both succeed: no deadlock', async () => {
    const p = await product()
    const r = (await rate(p, '100', '2020-01-01')).body
    const { db, caps } = s.db.handle
    const productLocked = gate()
    const rateWaits = gate()
    let collectionPid = 0
    // The collection's pricing has share-locked the product (as priceCollection does first) ...
    const collection = runWrite(db, caps, actor(), async (ctx) => {
      collectionPid = await backendOf(ctx.trx)
      await lockProductRates(ctx.trx, p, 'share', ctx.caps)
      productLocked.open()
      await rateWaits.closed
      return createEntity(ctx, 'collection', collectionOf(p)) // ... then inserts, referencing the rate
    })
    await productLocked.closed
    // ... when the rate is edited over REST's path.
    const edit = runWrite(db, caps, actor(), (ctx) => updateEntity(ctx, 'product_rate', r.id, { rate: '150.00' }, 1))
    try {
      await someoneWaitsFor(collectionPid)
    } finally {
      rateWaits.open()
    }
    const [priced, edited] = await Promise.allSettled([collection, edit])
    const reason = (x: PromiseSettledResult<unknown>) =>
      x.status === 'rejected' ? `${(x.reason as { code?: string }).code} ${(x.reason as Error).message}` : 'ok'
    expect([reason(priced), reason(edited)]).toEqual(['ok', 'ok'])
    expect((priced as PromiseFulfilledResult<{ result: Collection }>).value.result).toMatchObject({
      product_rate_id: r.id,
      rate_applied: '100.00', // it committed first: the edit waited for it
    })
    expect((await m.get(`/api/product-rates/${r.id}`)).body).toMatchObject({ rate: '150.00', version: 2 })
  })

  // Found by attacking the server (PostgreSQL): a rate moved to another product (PATCH product_id) still
  // priced a collection of its old product that was priced while the move was in flight and committed after it.
  test('a collection is never priced by a rate that has moved to another product', async () => {
    const p = await product()
    const q = await product()
    const r = (await rate(p, '100', '2020-01-01')).body
    const { db, caps } = s.db.handle
    const moved = gate()
    const commitMove = gate()
    let movePid = 0
    const move = runWrite(db, caps, actor(), async (ctx) => {
      movePid = await backendOf(ctx.trx)
      await updateEntity(ctx, 'product_rate', r.id, { product_id: q }, 1)
      moved.open()
      await commitMove.closed
    })
    await moved.closed
    // The outcome is taken at once: the collection can fail as soon as the move commits, before `await move` returns.
    const collection = runWrite(db, caps, actor(), (ctx) => createEntity(ctx, 'collection', collectionOf(p))).then(
      (x) => x.result,
      (err: AppError) => err,
    )
    try {
      await someoneWaitsFor(movePid)
    } finally {
      commitMove.open()
    }
    await move
    // p has no rate left once the move has committed: the collection, which commits after it, is unpriced.
    const priced = await collection
    expect(priced).toMatchObject({ product_id: p, product_rate_id: null, total_amount: null })
    const rows = await db.selectFrom('collections').select('product_rate_id').where('product_id', '=', p).execute()
    expect(rows).toEqual([{ product_rate_id: null }])
  })

  test('rates moved between two products in opposite directions at once: both succeed (products locked in id order)', async () => {
    const p = await product()
    const q = await product()
    const toQ = (await rate(p, '100', '2020-01-01', null, { unit: 'l' })).body
    const toP = (await rate(q, '200', '2020-01-01', null, { unit: 'g' })).body
    const { db, caps } = s.db.handle
    /** As a sync push applies an update: load (and lock) the row with the operation's payload, then write. */
    const moveAs = (r: { id: string }, to: string, loaded?: (pid: number) => void, go?: Promise<void>) =>
      runWrite(db, caps, actor(), async (ctx) => {
        const patch = { product_id: to }
        const current = await loadRow(ctx.trx, 'product_rate', r.id, ctx.caps, patch)
        loaded?.(await backendOf(ctx.trx))
        await go
        return updateEntity(ctx, 'product_rate', r.id, patch, 1, {
          current: current as unknown as Record<string, unknown>,
        })
      })
    const oneLoaded = gate()
    const oneGo = gate()
    let onePid = 0
    const one = moveAs(
      toQ,
      q,
      (pid) => {
        onePid = pid
        oneLoaded.open()
      },
      oneGo.closed,
    )
    await oneLoaded.closed
    // Locking the old product first and the new one later deadlocked here: each held its own old product.
    const two = moveAs(toP, p)
    try {
      await someoneWaitsFor(onePid)
    } finally {
      oneGo.open()
    }
    const results = await Promise.allSettled([one, two])
    expect(results.map((x) => (x.status === 'rejected' ? String(x.reason) : 'ok'))).toEqual(['ok', 'ok'])
    expect((await m.get(`/api/product-rates/${toQ.id}`)).body.product_id).toBe(q)
    expect((await m.get(`/api/product-rates/${toP.id}`)).body.product_id).toBe(p)
  })
})
