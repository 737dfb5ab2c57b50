/** The business's settings, the rules they set for what is entered, and receipt numbers. */
import { addDays, newId, todayIn } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TestDevice } from './helpers/sync-client'
import { PASSWORD, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>
beforeAll(async () => {
  s = await startTestServer()
  basics = await seedBasics(s.as.manager)
})
afterAll(() => s?.close())

const collection = (over: Record<string, unknown> = {}) => ({
  supplier_id: basics.supplierId,
  product_id: basics.productId,
  collection_date: '2026-03-01',
  quantity: '10',
  unit: 'kg',
  ...over,
})

describe('settings', () => {
  test('everyone reads them; only admins change them, validated field by field', async () => {
    const defaults = await s.as.collector.get('/api/settings')
    expect(defaults.body).toMatchObject({
      currency: 'KES',
      time_zone: 'UTC',
      future_tolerance_days: 1,
      large_quantity: null,
    })
    expect((await s.as.manager.patch('/api/settings', { currency: 'LKR' })).status).toBe(403)
    const bad = await s.as.admin.patch('/api/settings', { currency: 'rupees', time_zone: 'Mars/Olympus', locale: 'x' })
    expect(bad.status).toBe(422)
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['currency', 'locale', 'time_zone'])
    expect((await s.as.admin.patch('/api/settings', { unknown: 1 })).status).toBe(422)
    const ok = await s.as.admin.patch('/api/settings', {
      business_name: 'Kericho Tea',
      currency: 'kes',
      time_zone: 'Africa/Nairobi',
    })
    expect(ok.body).toMatchObject({ business_name: 'Kericho Tea', currency: 'KES', time_zone: 'Africa/Nairobi' })
    expect((await s.as.finance.get('/api/settings')).body.business_name).toBe('Kericho Tea')
  })
})

describe('the rules for what is entered', () => {
  test('a date after the business today plus the tolerance is refused; within it is accepted', async () => {
    await s.as.admin.patch('/api/settings', { time_zone: 'Africa/Nairobi', future_tolerance_days: 1 })
    const today = todayIn('Africa/Nairobi')
    expect(
      (await s.as.manager.post('/api/collections', collection({ collection_date: addDays(today, 1) }))).status,
    ).toBe(201)
    const late = await s.as.manager.post('/api/collections', collection({ collection_date: addDays(today, 2) }))
    expect([late.status, Object.keys(late.body.error.details.fields)]).toEqual([422, ['collection_date']])
    const pay = await s.as.finance.post('/api/payments', {
      supplier_id: basics.supplierId,
      payment_date: addDays(today, 5),
      amount: '10',
      payment_type: 'advance',
    })
    expect([pay.status, Object.keys(pay.body.error.details.fields)]).toEqual([422, ['payment_date']])
  })

  test('a net quantity or payment over the limits needs confirmed_large; confirmed, it is recorded as such', async () => {
    await s.as.admin.patch('/api/settings', { large_quantity: '500', large_payment: '20000' })
    const big = await s.as.manager.post(
      '/api/collections',
      collection({ quantity: '520', tare_per_container: '10', containers: 1 }),
    )
    expect([big.status, big.body.error.details.fields.confirmed_large]).toEqual([
      422,
      ['the net quantity is over 500.000: confirm it'],
    ])
    const fine = await s.as.manager.post(
      '/api/collections',
      collection({ quantity: '520', tare_per_container: '20', containers: 1 }),
    )
    expect(fine.status).toBe(201) // net 500.000 is not over
    const sure = await s.as.manager.post('/api/collections', collection({ quantity: '520', confirmed_large: true }))
    expect(sure.body).toMatchObject({ confirmed_large: true, net_quantity: '520.000' })
    const payment = { supplier_id: basics.supplierId, payment_date: '2026-03-01', payment_type: 'advance' }
    expect((await s.as.finance.post('/api/payments', { ...payment, amount: '20000.01' })).status).toBe(422)
    expect(
      (await s.as.finance.post('/api/payments', { ...payment, amount: '20000.01', confirmed_large: true })).status,
    ).toBe(201)
    await s.as.admin.patch('/api/settings', { large_quantity: null, large_payment: null })
  })
})

describe('receipt numbers', () => {
  test('each device and user gets its own prefix; the device numbers its collections, the server keeps them', async () => {
    const first = await s.anon.post('/api/auth/login', {
      email: s.users.collector.email,
      password: PASSWORD,
      device_id: 'rcpt-1',
    })
    const again = await s.anon.post('/api/auth/login', {
      email: s.users.collector.email,
      password: PASSWORD,
      device_id: 'rcpt-1',
    })
    const other = await s.anon.post('/api/auth/login', {
      email: s.users.manager.email,
      password: PASSWORD,
      device_id: 'rcpt-1',
    })
    const bare = await s.anon.post('/api/auth/login', { email: s.users.manager.email, password: PASSWORD })
    expect(first.body.receipt_prefix).toMatch(/^[A-Z]{1,4}$/)
    expect(again.body.receipt_prefix).toBe(first.body.receipt_prefix)
    expect(other.body.receipt_prefix).not.toBe(first.body.receipt_prefix)
    expect(bare.body.receipt_prefix).toBeNull()

    const device = new TestDevice(s.as.collector, 'device-collector')
    const prefix = first.body.receipt_prefix
    const res = await device.push([
      device.op('collection', 'create', newId(), collection({ receipt_number: `${prefix}-1` })),
      device.op('collection', 'create', newId(), collection({ receipt_number: `${prefix}-1` })), // a broken device
      device.op('collection', 'create', newId(), collection()), // an old client
    ])
    const [kept, clash, none] = res.body.results.map((r: { data: Record<string, unknown> }) => r.data)
    expect(kept.receipt_number).toBe(`${prefix}-1`)
    // Never refused: the second gets the server's number, and the printed one is kept.
    expect(clash.receipt_number).toMatch(/^S-\d+$/)
    expect((clash.sync_metadata as Record<string, unknown>).receipt_printed).toBe(`${prefix}-1`)
    expect(none.receipt_number).toMatch(/^S-\d+$/)
    expect(none.receipt_number).not.toBe(clash.receipt_number)
    // A receipt number never changes.
    const edit = await s.as.collector.patch(`/api/collections/${kept.id}`, {
      receipt_number: 'ZZ-9',
      notes: 'x',
      version: 1,
    })
    expect(edit.body.receipt_number).toBe(`${prefix}-1`)
    const found = await s.as.manager.get(`/api/collections?search=${prefix}-1`)
    expect(found.body.data.map((c: { id: string }) => c.id)).toEqual([kept.id])
  })
})
