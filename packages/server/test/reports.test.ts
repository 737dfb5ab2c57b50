import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let m: Api
let productId: string
beforeAll(async () => {
  s = await startTestServer()
  m = s.as.manager
  productId = (await created('/api/products', { code: 'TEA', name: 'Tea', default_unit: 'kg' })).id
  await created('/api/product-rates', { product_id: productId, unit: 'kg', rate: '120', effective_date: '2020-01-01' })
  await created('/api/product-rates', { product_id: productId, unit: 'g', rate: '3.33', effective_date: '2020-01-01' })
})
afterAll(() => s?.close())

async function created(path: string, body: Record<string, unknown>, api: Api = m) {
  const res = await api.post(path, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

const supplier = async () =>
  (await created('/api/suppliers', { code: `S${randomUUID().slice(0, 8)}`, name: 'Kamau' })).id
const collect = (supplier_id: string, collection_date: string, quantity: string, unit = 'kg') =>
  created('/api/collections', { supplier_id, product_id: productId, collection_date, quantity, unit })
const pay = (supplier_id: string, payment_date: string, amount: string, payment_type = 'partial') =>
  created('/api/payments', { supplier_id, payment_date, amount, payment_type }, s.as.finance)

/** Minor units -> "12.34", written independently of the server's code. */
const money = (minor: bigint) => {
  const neg = minor < 0n
  const abs = neg ? -minor : minor
  return `${neg ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
}
/** round_half_up(quantity (3 places) x rate (2 places), 2) in cents. */
const cents = (quantityMilli: bigint, rateCents: bigint) => (quantityMilli * rateCents + 500n) / 1000n

describe('supplier balance', () => {
  test('collections minus payments, without deleted rows, optionally in a date range, may be negative', async () => {
    const id = await supplier()
    await collect(id, '2025-01-10', '10') // 1200.00
    await collect(id, '2025-02-10', '2.5') // 300.00
    const gone = await collect(id, '2025-01-20', '100')
    expect((await m.del(`/api/collections/${gone.id}?version=1`)).status).toBe(200)
    await pay(id, '2025-01-15', '500', 'advance')
    const changed = await pay(id, '2025-02-15', '1', 'full')
    expect((await m.patch(`/api/payments/${changed.id}`, { amount: '2000', version: 1 })).status).toBe(200)
    const gonePay = await pay(id, '2025-01-16', '999')
    expect((await m.del(`/api/payments/${gonePay.id}?version=1`)).status).toBe(200)

    const all = await s.as.finance.get(`/api/suppliers/${id}/balance`)
    expect(all.status).toBe(200)
    expect(all.body).toEqual({
      supplier_id: id,
      total_collections: '1500.00',
      total_payments: '2500.00',
      total_deductions: '0.00',
      balance: '-1000.00',
      unpriced_collections: 0,
    })
    const jan = await s.as.finance.get(`/api/suppliers/${id}/balance?from_date=2025-01-01&to_date=2025-01-31`)
    expect(jan.body).toMatchObject({ total_collections: '1200.00', total_payments: '500.00', balance: '700.00' })
    const feb = await s.as.collector.get(`/api/suppliers/${id}/balance?from_date=2025-02-01`)
    expect(feb.status).toBe(200)
    expect(feb.body).toMatchObject({ total_collections: '300.00', total_payments: '2000.00', balance: '-1700.00' })
    const edges = await m.get(`/api/suppliers/${id}/balance?from_date=2025-01-10&to_date=2025-01-15`)
    expect(edges.body.balance).toBe('700.00')
  })

  test('a supplier with nothing has zero balances; unknown and deleted suppliers are 404', async () => {
    const id = await supplier()
    expect((await m.get(`/api/suppliers/${id}/balance`)).body).toMatchObject({
      total_collections: '0.00',
      total_payments: '0.00',
      balance: '0.00',
    })
    expect((await m.get(`/api/suppliers/${randomUUID()}/balance`)).status).toBe(404)
    expect((await m.del(`/api/suppliers/${id}?version=1`)).status).toBe(200)
    expect((await m.get(`/api/suppliers/${id}/balance`)).status).toBe(404)
    expect((await m.get(`/api/suppliers/${id}/balance?from_date=2025-13-01`)).status).toBe(422)
  })
})

describe('balances report', () => {
  test('sums every row, not a page, and honours the date range', async () => {
    const heavy = await supplier()
    const light = await supplier()
    let total = 0n
    let april = 0n
    const jobs: (() => Promise<unknown>)[] = []
    for (let i = 0; i < 110; i++) {
      const milli = BigInt(1000 + i * 37) // 1.000, 1.037, 1.074, ... grams at 3.33
      const date = i < 100 ? `2026-03-${String((i % 28) + 1).padStart(2, '0')}` : `2026-04-0${(i % 9) + 1}`
      total += cents(milli, 333n)
      if (i >= 100) april += cents(milli, 333n)
      jobs.push(() => collect(heavy, date, (Number(milli) / 1000).toFixed(3), 'g'))
    }
    for (let i = 0; i < jobs.length; i += 10) await Promise.all(jobs.slice(i, i + 10).map((j) => j()))
    await pay(heavy, '2026-03-05', '10.10')
    await pay(heavy, '2026-04-05', '0.20')
    await collect(light, '2026-04-02', '1') // 120.00

    const list = await m.get(`/api/collections?supplier_id=${heavy}&per_page=100`)
    expect(list.body.total).toBe(110)
    expect(list.body.data).toHaveLength(100)

    const report = await s.as.finance.get('/api/reports/balances')
    expect(report.status).toBe(200)
    const row = report.body.data.find((r: { supplier_id: string }) => r.supplier_id === heavy)
    expect(row).toMatchObject({
      total_collections: money(total),
      total_payments: '10.30',
      balance: money(total - 1030n),
    })
    expect(report.body.data.find((r: { supplier_id: string }) => r.supplier_id === light).balance).toBe('120.00')
    const suppliers = await m.get('/api/suppliers?per_page=1')
    expect(report.body.data).toHaveLength(suppliers.body.total)
    // Grand totals are the exact sum over all suppliers.
    const toMinor = (v: string) => BigInt(v.replace('.', ''))
    for (const key of ['total_collections', 'total_payments', 'balance'] as const) {
      const sum = report.body.data.reduce((acc: bigint, r: Record<string, string>) => acc + toMinor(r[key]), 0n)
      expect(report.body.totals[key]).toBe(money(sum))
    }

    const apr = await s.as.finance.get('/api/reports/balances?from_date=2026-04-01&to_date=2026-04-30')
    expect(apr.body).toMatchObject({ from_date: '2026-04-01', to_date: '2026-04-30' })
    expect(apr.body.totals).toEqual({
      total_collections: money(april + 12000n),
      total_payments: '0.20',
      total_deductions: '0.00',
      balance: money(april + 12000n - 20n),
      unpriced_collections: 0,
      // Opening: every supplier's rows before April (March); closing: opening + April.
      opening_balance: apr.body.totals.opening_balance,
      closing_balance: money(toMinor(apr.body.totals.opening_balance) + april + 12000n - 20n),
    })
    expect(apr.body.data.find((r: { supplier_id: string }) => r.supplier_id === heavy)).toMatchObject({
      opening_balance: money(total - april - 1010n),
      closing_balance: money(total - 1030n),
    })
    const mar = await s.as.finance.get('/api/reports/balances?to_date=2026-03-31')
    expect(mar.body.data.find((r: { supplier_id: string }) => r.supplier_id === heavy).total_collections).toBe(
      money(total - april),
    )
  })

  test('over a range: the opening balance is everything before it, closing = opening + the range; paid ahead is negative', async () => {
    const owed = await supplier()
    const ahead = await supplier()
    await collect(owed, '2024-05-10', '10') // 1200.00 before the range
    await pay(owed, '2024-05-20', '200') // before the range
    await collect(owed, '2024-06-03', '2.5') // 300.00 in it
    await pay(owed, '2024-06-30', '50') // in it, on the last day
    await collect(owed, '2024-07-01', '100') // after it: left out
    await pay(ahead, '2024-05-31', '500', 'advance') // paid ahead, the day before the range
    await collect(ahead, '2024-06-01', '1') // 120.00 on the first day
    const jun = await s.as.finance.get('/api/reports/balances?from_date=2024-06-01&to_date=2024-06-30')
    expect(jun.status).toBe(200)
    const row = (id: string) => jun.body.data.find((r: { supplier_id: string }) => r.supplier_id === id)
    expect(row(owed)).toMatchObject({
      opening_balance: '1000.00',
      total_collections: '300.00',
      total_payments: '50.00',
      total_deductions: '0.00',
      balance: '250.00',
      closing_balance: '1250.00',
    })
    expect(row(ahead)).toMatchObject({ opening_balance: '-500.00', balance: '120.00', closing_balance: '-380.00' })
    // Totals are the exact sums of the rows; closing = opening + balance.
    const toMinor = (v: string) => BigInt(v.replace('.', ''))
    for (const key of ['opening_balance', 'balance', 'closing_balance'] as const) {
      const sum = jun.body.data.reduce((acc: bigint, r: Record<string, string>) => acc + toMinor(r[key]), 0n)
      expect(jun.body.totals[key]).toBe(money(sum))
    }
    expect(toMinor(jun.body.totals.closing_balance)).toBe(
      toMinor(jun.body.totals.opening_balance) + toMinor(jun.body.totals.balance),
    )
    // Without a start, nothing opens: closing is the balance up to to_date.
    const upTo = await s.as.finance.get('/api/reports/balances?to_date=2024-06-30')
    expect(upTo.body.data.find((r: { supplier_id: string }) => r.supplier_id === owed)).toMatchObject({
      opening_balance: '0.00',
      balance: '1250.00',
      closing_balance: '1250.00',
    })
    // The statement's opening and closing are the report's (one rule).
    const st = await s.as.finance.get(`/api/suppliers/${ahead}/statement?from_date=2024-06-01&to_date=2024-06-30`)
    expect(st.body).toMatchObject({ opening_balance: '-500.00', closing_balance: '-380.00' })
  })

  test('collectors may not read the all-suppliers report', async () => {
    expect((await s.as.collector.get('/api/reports/balances')).status).toBe(403)
  })
})

describe('supplier statement', () => {
  test('lines in date order with a running balance; opening and closing balances', async () => {
    const id = await supplier()
    await collect(id, '2025-03-05', '10') // 1200.00
    await pay(id, '2025-03-01', '500', 'advance')
    await collect(id, '2025-03-03', '1') // 120.00
    await pay(id, '2025-03-10', '800')
    const gone = await collect(id, '2025-03-04', '50')
    expect((await m.del(`/api/collections/${gone.id}?version=1`)).status).toBe(200)

    const st = await s.as.finance.get(`/api/suppliers/${id}/statement`)
    expect(st.status).toBe(200)
    expect(st.body.opening_balance).toBe('0.00')
    expect(
      st.body.lines.map((l: Record<string, string>) => [l.date, l.kind, l.collected, l.paid, l.running_balance]),
    ).toEqual([
      ['2025-03-01', 'payment', '0.00', '500.00', '-500.00'],
      ['2025-03-03', 'collection', '120.00', '0.00', '-380.00'],
      ['2025-03-05', 'collection', '1200.00', '0.00', '820.00'],
      ['2025-03-10', 'payment', '0.00', '800.00', '20.00'],
    ])
    expect(st.body.closing_balance).toBe('20.00')
    expect(st.body.closing_balance).toBe((await m.get(`/api/suppliers/${id}/balance`)).body.balance)

    const from = await s.as.finance.get(`/api/suppliers/${id}/statement?from_date=2025-03-04`)
    expect(from.body.opening_balance).toBe('-380.00')
    expect(from.body.lines.map((l: { running_balance: string }) => l.running_balance)).toEqual(['820.00', '20.00'])
    expect(from.body.closing_balance).toBe('20.00')

    const window = await s.as.finance.get(`/api/suppliers/${id}/statement?from_date=2025-03-02&to_date=2025-03-05`)
    expect(window.body.opening_balance).toBe('-500.00')
    expect(window.body.lines).toHaveLength(2)
    expect(window.body.closing_balance).toBe('820.00')
    const upTo = await m.get(`/api/suppliers/${id}/balance?to_date=2025-03-05`)
    expect(window.body.closing_balance).toBe(upTo.body.balance)
    const range = await m.get(`/api/suppliers/${id}/balance?from_date=2025-03-02&to_date=2025-03-05`)
    expect(range.body.balance).toBe('1320.00')

    expect((await s.as.collector.get(`/api/suppliers/${id}/statement`)).status).toBe(403)
    expect((await m.get(`/api/suppliers/${randomUUID()}/statement`)).status).toBe(404)
  })
})
