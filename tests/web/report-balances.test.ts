/**
 * Balances over a date range and the one wording of credit (issue 19): the reports screen over last
 * month opens each supplier with what it was owed before (the rows of earlier months) and closes
 * with opening + the month, as GET /api/reports/balances answers; a supplier paid ahead reads
 * "In credit: 300.00" (never a minus before "owed") on the reports screen, the supplier list and its page.
 */
import { DEFAULT_SETTINGS, todayIn } from '@trackvault/core'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { api, DESKTOP, PASSWORD, startWebHarness, type WebHarness, waitFor } from './harness'

let h: WebHarness
let manager: string
let aheadId: string
let advanceId: string
/** Last calendar month, and the month before it (UTC, the default business time zone). */
let period: { from_date: string; to_date: string }
let before: string

function monthBefore(day: string) {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))]
  const year = m === 1 ? y - 1 : y
  const month = m === 1 ? 12 : m - 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const mm = String(month).padStart(2, '0')
  return { from_date: `${year}-${mm}-01`, to_date: `${year}-${mm}-${String(last).padStart(2, '0')}` }
}

beforeAll(async () => {
  h = await startWebHarness()
  period = monthBefore(todayIn(DEFAULT_SETTINGS.time_zone))
  before = monthBefore(period.from_date).from_date.slice(0, 8) // "YYYY-MM-" of the month before
  manager = (
    await api(h.server.url, undefined, 'POST', '/api/auth/login', { email: h.users.manager.email, password: PASSWORD })
  ).token
  const collect = (supplier_id: string, collection_date: string, quantity: string) =>
    api(h.server.url, manager, 'POST', '/api/collections', {
      supplier_id,
      product_id: h.data.productId,
      collection_date,
      quantity,
      unit: 'kg',
    })
  const pay = (supplier_id: string, payment_date: string, amount: string, payment_type = 'partial') =>
    api(h.server.url, manager, 'POST', '/api/payments', { supplier_id, payment_date, amount, payment_type })
  // Kamau: 1,200.00 collected and 200.00 paid the month before (opening 1,000.00); 300.00 collected last month.
  await collect(h.data.supplierId, `${before}05`, '10')
  await pay(h.data.supplierId, `${before}20`, '200.00')
  await collect(h.data.supplierId, `${period.from_date.slice(0, 8)}10`, '2.5')
  // Ochieng: an advance of 300.00 the month before and nothing since: paid ahead, in credit.
  aheadId = (await api(h.server.url, manager, 'POST', '/api/suppliers', { code: 'SUP-002', name: 'Ochieng Estate' })).id
  advanceId = (await pay(aheadId, `${before}15`, '300.00', 'advance')).id
})
afterAll(() => h?.close())

const statValue = (page: Page, label: string) =>
  page.locator('.stat', { has: page.locator('.label', { hasText: new RegExp(`^${label}$`) }) }).locator('.value')

test("the reports screen over a range shows the opening balance and closes with it, as the server's report", async () => {
  const report = await api(
    h.server.url,
    manager,
    'GET',
    `/api/reports/balances?from_date=${period.from_date}&to_date=${period.to_date}`,
  )
  const serverRow = (id: string) => report.data.find((r: { supplier_id: string }) => r.supplier_id === id)
  expect(serverRow(h.data.supplierId)).toMatchObject({
    opening_balance: '1000.00',
    total_collections: '300.00',
    balance: '300.00',
    closing_balance: '1300.00',
  })
  expect(serverRow(aheadId)).toMatchObject({ opening_balance: '-300.00', closing_balance: '-300.00' })
  expect(report.totals).toMatchObject({ opening_balance: '700.00', closing_balance: '1000.00' })

  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click()
  const reportPeriod = page.getByRole('form', { name: 'Report period' })
  await reportPeriod.getByLabel('From', { exact: true }).fill(period.from_date)
  await reportPeriod.getByLabel('To', { exact: true }).fill(period.to_date)

  const table = page.getByRole('table', { name: /^Supplier balances/ })
  await table.waitFor()
  expect(await table.locator('thead th').allTextContents()).toEqual([
    'Code',
    'Supplier',
    'Opening balance',
    'Collections',
    'Payments',
    'Closing balance',
  ])
  const kamau = table.locator('tbody tr', { hasText: 'Kamau Farm' })
  await waitFor(async () => (await kamau.locator('td').allTextContents()).includes('1,300.00'), "Kamau's closing")
  // Opening 1,000.00 (before the range), 300.00 collected in it, closing 1,300.00: not 300.00.
  expect(await kamau.locator('td').allTextContents()).toEqual(['SUP-001', '1,000.00', '300.00', '0.00', '1,300.00'])
  const ahead = table.locator('tbody tr', { hasText: 'Ochieng Estate' })
  expect(await ahead.locator('td').allTextContents()).toEqual([
    'SUP-002',
    'In credit: 300.00',
    '0.00',
    '0.00',
    'In credit: 300.00',
  ])
  expect(await table.locator('tfoot td').allTextContents()).toEqual(['', '700.00', '300.00', '0.00', '1,000.00'])
  expect(await statValue(page, 'Owed to supplier at the start').textContent()).toBe('700.00')
  expect(await statValue(page, 'Owed to supplier at the end').textContent()).toBe('1,000.00')
  expect(await page.locator('main').textContent()).not.toMatch(/-\s*300\.00/)
  // Nothing moved for Ochieng in the range, but it is in credit: "only suppliers with a balance" keeps it.
  await page.getByLabel('Only suppliers with a balance or activity').check()
  expect(await ahead.count()).toBe(1)
  await context.close()
})

test('a supplier paid ahead reads "In credit" on the supplier list and its page, never a negative owed', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Suppliers' }).click()
  const list = page.locator('table.sp-table')
  expect(await list.locator('thead th').last().textContent()).toBe('Owed to supplier')
  const ahead = list.locator('tbody tr', { hasText: 'Ochieng Estate' })
  await waitFor(
    async () => (await ahead.textContent())?.includes('In credit: 300.00') ?? false,
    'the list to say In credit',
  )
  expect(await ahead.textContent()).not.toContain('-300.00')
  const kamau = list.locator('tbody tr', { hasText: 'Kamau Farm' })
  expect(await kamau.locator('td').last().textContent()).toBe('1,300.00')

  await ahead.getByRole('link', { name: 'Ochieng Estate' }).click()
  await page.getByRole('heading', { name: 'Ochieng Estate', level: 1 }).waitFor()
  await waitFor(async () => (await statValue(page, 'In credit').count()) === 1, 'the page to say In credit')
  expect(await statValue(page, 'In credit').textContent()).toBe('300.00')
  expect(await statValue(page, 'Owed to supplier').count()).toBe(0)
  // The payment form words it the same way.
  await page.goto(`/payments/new?supplier_id=${aheadId}`)
  await waitFor(
    async () => (await page.getByTestId('payment-balance').textContent())?.includes('In credit: 300.00') ?? false,
    'the payment form to say In credit',
  )
  // And the advance's receipt: the balance just after it.
  await page.goto(`/payments/${advanceId}`)
  await waitFor(
    async () => (await page.getByTestId('balance-after-payment').textContent())?.includes('In credit: 300.00') ?? false,
    'the receipt to say In credit',
  )
  await context.close()
})
