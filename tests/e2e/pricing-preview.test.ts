/**
 * The device prices a collection offline with core's rules and its local
 * rates; the server prices it again when it arrives. For every pricing mode
 * (flat, graded, quality) and random weighings, the two figures are equal.
 */
import { addDays, formatDecimal, MONEY_SCALE, QUANTITY_SCALE, todayIn } from '@trackvault/core'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type Harness, makeClient, PASSWORD, startHarness, type TestClient } from '../helpers/client-harness'

let h: Harness
let admin: TestClient
let collector: TestClient
const products: Record<'flat' | 'graded' | 'quality', string> = { flat: '', graded: '', quality: '' }
let supplierId: string

beforeAll(async () => {
  h = await startHarness()
  admin = makeClient(h)
  await admin.client.login(h.users.admin.email, PASSWORD)
  const flat = await admin.client.products.create({ code: 'PV-FLAT', name: 'Leaf', default_unit: 'kg' })
  const graded = await admin.client.products.create({
    code: 'PV-GRADE',
    name: 'Graded leaf',
    default_unit: 'kg',
    pricing: 'graded',
    grades: ['A', 'B'],
  })
  const quality = await admin.client.products.create({
    code: 'PV-MILK',
    name: 'Milk',
    default_unit: 'litre',
    pricing: 'quality',
  })
  Object.assign(products, { flat: flat.id, graded: graded.id, quality: quality.id })
  const from = '2020-01-01'
  await admin.client.productRates.create({ product_id: flat.id, unit: 'kg', rate: '47.35', effective_date: from })
  await admin.client.productRates.create({
    product_id: graded.id,
    unit: 'kg',
    rate: '61.10',
    grade: 'A',
    effective_date: from,
  })
  await admin.client.productRates.create({
    product_id: graded.id,
    unit: 'kg',
    rate: '38.45',
    grade: 'B',
    effective_date: from,
  })
  await admin.client.productRates.create({
    product_id: quality.id,
    unit: 'litre',
    rate: '20.00',
    fat_rate: '3.45',
    snf_rate: '1.23',
    effective_date: from,
  })
  supplierId = (await admin.client.suppliers.create({ code: 'PV-S', name: 'Preview farm' })).id
  expect((await admin.client.sync()).error).toBeUndefined()
  collector = makeClient(h)
  await collector.client.login(h.users.collector.email, PASSWORD)
  expect((await collector.client.sync()).error).toBeUndefined()
})
afterAll(async () => {
  await collector?.client.close()
  await admin?.client.close()
  await h?.close()
})

const grams = (max: number) => fc.integer({ min: 0, max }).map((g) => (g / 1000).toFixed(3))
const hundredths = (max: number) => fc.integer({ min: 0, max }).map((c) => (c / 100).toFixed(2))
const weighing = fc.record({
  mode: fc.constantFrom('flat', 'graded', 'quality'),
  quantity: fc.integer({ min: 20_000, max: 400_000 }).map((g) => (g / 1000).toFixed(3)),
  tare_per_container: grams(900),
  containers: fc.integer({ min: 0, max: 8 }),
  deduction_percent: hundredths(1500),
  grade: fc.constantFrom('A', 'B'),
  fat_percent: hundredths(900),
  snf_percent: hundredths(1200),
})

test('offline preview equals the server figure for every pricing mode', async () => {
  const samples = fc.sample(weighing, { numRuns: 45, seed: 16 })
  collector.offline = true
  const made: { id: string; net: unknown; rate: unknown; total: unknown }[] = []
  for (const w of samples) {
    const col = await collector.client.collections.create({
      supplier_id: supplierId,
      product_id: products[w.mode],
      collection_date: '2026-06-01',
      quantity: w.quantity,
      unit: w.mode === 'quality' ? 'litre' : 'kg',
      tare_per_container: w.tare_per_container,
      containers: w.containers,
      deduction_percent: w.deduction_percent,
      ...(w.mode === 'graded' ? { grade: w.grade } : {}),
      ...(w.mode === 'quality' ? { fat_percent: w.fat_percent, snf_percent: w.snf_percent } : {}),
    })
    expect(col.total_amount, `a preview for ${JSON.stringify(w)}`).not.toBeNull()
    made.push({ id: col.id, net: col.net_quantity, rate: col.rate_applied, total: col.total_amount })
  }
  collector.offline = false
  const summary = await collector.client.sync()
  expect(summary).toMatchObject({ successful: samples.length, failed: 0 })
  const modes = new Set(samples.map((s) => s.mode))
  expect(modes.size).toBe(3)
  const rows = await h.db.handle.db
    .selectFrom('collections')
    .select(['id', 'net_milli', 'rate_minor', 'total_minor'])
    .where(
      'id',
      'in',
      made.map((m) => m.id),
    )
    .execute()
  const dec = (v: unknown, scale: number) => (v === null ? null : formatDecimal(BigInt(v as string), scale))
  const server = new Map(
    rows.map((r) => [
      r.id,
      {
        net: dec(r.net_milli, QUANTITY_SCALE),
        rate: dec(r.rate_minor, MONEY_SCALE),
        total: dec(r.total_minor, MONEY_SCALE),
      },
    ]),
  )
  for (const m of made) expect(server.get(m.id), m.id).toEqual({ net: m.net, rate: m.rate, total: m.total })
})

test("the business's settings reach the device with a sync, and its rules hold offline", async () => {
  await admin.client.request('PATCH', '/api/settings', {
    business_name: 'Preview Tea',
    time_zone: 'Africa/Nairobi',
    future_tolerance_days: 0,
    large_quantity: '500',
  })
  expect((await collector.client.settings()).business_name).not.toBe('Preview Tea')
  await collector.client.sync()
  expect(await collector.client.settings()).toMatchObject({
    business_name: 'Preview Tea',
    time_zone: 'Africa/Nairobi',
    large_quantity: '500.000',
  })
  // Who the users are comes with the sync to those who see others' records; a collector gets none.
  await admin.client.sync()
  expect((await admin.client.people()).map((p) => p.id)).toContain(h.users.collector.id)
  expect(await collector.client.people()).toEqual([])
  collector.offline = true
  const base = { supplier_id: supplierId, product_id: products.flat, unit: 'kg', collection_date: '2026-06-02' }
  await expect(
    collector.client.collections.create({
      ...base,
      collection_date: addDays(todayIn('Africa/Nairobi'), 1),
      quantity: '1',
    }),
  ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: { collection_date: expect.any(Array) } } })
  await expect(collector.client.collections.create({ ...base, quantity: '600' })).rejects.toMatchObject({
    details: { fields: { confirmed_large: ['the net quantity is over 500.000: confirm it'] } },
  })
  const big = await collector.client.collections.create({ ...base, quantity: '600', confirmed_large: true })
  expect(big.receipt_number).toMatch(/^[A-Z0-9]+-\d+$/)
  collector.offline = false
  expect(await collector.client.sync()).toMatchObject({ successful: 1, failed: 0 })
})
