/**
 * After a settlement, the device's balances are the server's (core's `balanceOf`: collections -
 * payments - deductions applied by approved runs): a run computed and approved through the real
 * routes (POST /api/settlement-runs by finance, /approve by a manager) reaches the browser by
 * sync, and the supplier page, the suppliers list and the payment form show the balance
 * GET /api/suppliers/:id/balance answers, with the deduction lines in the statement; the reports
 * screen shows what GET /api/reports/balances answers for the run's period. A draft
 * deducts nothing. The settings screen edits the settlement floor, checked by core on the server.
 */
import { DEFAULT_SETTINGS, todayIn } from '@trackvault/core'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { api, DESKTOP, PASSWORD, startWebHarness, type WebHarness, waitFor } from './harness'

let h: WebHarness
let manager: string
let finance: string
let admin: string
/** Last calendar month, in the business's time zone (UTC here). */
let period: { from_date: string; to_date: string }

function lastMonth(today: string) {
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))]
  const year = m === 1 ? y - 1 : y
  const month = m === 1 ? 12 : m - 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const mm = String(month).padStart(2, '0')
  return { from_date: `${year}-${mm}-01`, to_date: `${year}-${mm}-${String(last).padStart(2, '0')}` }
}

const login = async (role: 'manager' | 'finance' | 'admin') =>
  (
    await api(h.server.url, undefined, 'POST', '/api/auth/login', {
      email: h.users[role].email,
      password: PASSWORD,
    })
  ).token as string

const day = (dd: string) => `${period.from_date.slice(0, 8)}${dd}`

beforeAll(async () => {
  h = await startWebHarness()
  period = lastMonth(todayIn(DEFAULT_SETTINGS.time_zone))
  ;[manager, finance, admin] = await Promise.all([login('manager'), login('finance'), login('admin')])
  // Kamau: 12.5 + 10 kg at 120.00 = 2,700.00 and an advance of 500.00; a charge of 726.25 and an
  // adjustment of -10.00 owed back to the supplier.
  for (const [quantity, dd] of [
    ['12.5', '03'],
    ['10', '17'],
  ]) {
    await api(h.server.url, manager, 'POST', '/api/collections', {
      supplier_id: h.data.supplierId,
      product_id: h.data.productId,
      collection_date: day(dd),
      quantity,
      unit: 'kg',
    })
  }
  await api(h.server.url, manager, 'POST', '/api/payments', {
    supplier_id: h.data.supplierId,
    payment_date: day('10'),
    amount: '500.00',
    payment_type: 'advance',
  })
  await api(h.server.url, finance, 'POST', '/api/deductions', {
    supplier_id: h.data.supplierId,
    kind: 'charge',
    description: 'Fertiliser',
    effective_date: day('05'),
    amount: '726.25',
  })
  await api(h.server.url, finance, 'POST', '/api/deductions', {
    supplier_id: h.data.supplierId,
    kind: 'adjustment',
    description: 'Overcharged transport',
    effective_date: day('05'),
    amount: '-10.00',
  })
})
afterAll(() => h?.close())

const serverBalance = async () =>
  (await api(h.server.url, manager, 'GET', `/api/suppliers/${h.data.supplierId}/balance`)) as {
    balance: string
  }

/** "2,200.00" as the screens show money, from the server's "2200.00". */
const shown = (amount: string) => {
  const [whole, cents] = amount.replace('-', '').split('.')
  return `${amount.startsWith('-') ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`
}

const statValue = (page: Page, label: string) =>
  page.locator('.stat', { has: page.locator('.label', { hasText: new RegExp(`^${label}$`) }) }).locator('.value')

/**
 * Waits for the supplier page's balance. A server write reaches the device by its live poke, or,
 * when the write beat the event stream's connection after a page load, by the next periodic sync
 * (every 30 s): hence the timeout.
 */
async function waitForBalance(page: Page, expected: string) {
  let seen: string | null = null
  await waitFor(
    async () => {
      seen = await statValue(page, 'Owed to supplier').textContent()
      return seen?.includes(expected) ?? false
    },
    `the supplier page's balance to be ${expected}`,
    45_000,
  ).catch(async (err: Error) => {
    const status = await page.locator('.statusbar').textContent()
    throw new Error(`${err.message} (it shows ${seen}; the status bar: ${status})`)
  })
}

test("after a run's approval, the supplier page's balance is the server's and the statement lists the deductions; a draft deducts nothing", async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'finance')
  await page.goto(`/suppliers/${h.data.supplierId}`)
  await page.getByRole('heading', { name: 'Kamau Farm', level: 1 }).waitFor()
  await waitForBalance(page, '2,200.00')
  expect((await serverBalance()).balance).toBe('2200.00')

  // A draft (finance computes it through the real route): the device and the server still say 2,200.00.
  const { run } = await api(h.server.url, finance, 'POST', '/api/settlement-runs', {
    period_from: period.from_date,
    period_to: period.to_date,
    reference: 'BAL-1',
    pay_at_most: '1000.00',
  })
  expect((await serverBalance()).balance).toBe('2200.00')
  // Once its line is on the device (the run's page reads the replica), the supplier page still says 2,200.00.
  await page.goto(`/settlements/${run.id}`)
  await page.getByRole('heading', { name: 'Settlement BAL-1' }).waitFor()
  await page.locator('table.st-lines tbody tr', { hasText: 'Kamau Farm' }).waitFor()
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Suppliers' }).click()
  await page.getByRole('link', { name: 'Kamau Farm' }).click()
  await page.getByRole('heading', { name: 'Kamau Farm', level: 1 }).waitFor()
  await waitForBalance(page, '2,200.00')
  expect(await statValue(page, 'Deducted').count()).toBe(0)

  // Approved by a manager: 2,700.00 - 500.00 advance - 1,000.00 payout - (726.25 - 10.00) = 483.75 carried.
  await api(h.server.url, manager, 'POST', `/api/settlement-runs/${run.id}/approve`, { version: run.version })
  const server = await serverBalance()
  expect(server.balance).toBe('483.75')
  await waitForBalance(page, shown(server.balance))
  expect(await statValue(page, 'Deducted').textContent()).toBe('716.25')
  expect(await statValue(page, 'Paid').textContent()).toBe('1,500.00')

  // The statement from the period's first day: each deduction a line, described with the run's reference.
  await page.getByLabel('From').fill(period.from_date)
  const table = page.getByRole('table', { name: /^Statement of Kamau Farm/ })
  const fertiliser = table.getByRole('row', { name: /Fertiliser \(settlement BAL-1\)/ })
  await fertiliser.waitFor()
  const cells = await fertiliser.locator('td').allTextContents()
  expect(cells[0]).toBe(period.to_date)
  expect(cells).toContain('726.25')
  const adjustment = table.getByRole('row', { name: /Overcharged transport \(settlement BAL-1\)/ })
  expect(await adjustment.locator('td').allTextContents()).toContain('-10.00')
  expect(await table.getByRole('columnheader', { name: 'Deducted' }).count()).toBe(1)
  const totals = await table.locator('tfoot td').allTextContents()
  expect(totals).toContain('716.25')
  expect(totals.at(-1)).toBe('483.75') // the closing balance: the server's
  // The deduction links to the run's statement of this supplier.
  await fertiliser.getByRole('link', { name: 'Deduction' }).click()
  await page.getByRole('heading', { name: 'Statement: Kamau Farm' }).waitFor()

  // The suppliers list and the payment form count it too.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Suppliers' }).click()
  const row = page.getByRole('row', { name: /Kamau Farm/ })
  await waitFor(async () => (await row.textContent())?.includes('483.75') ?? false, 'the list balance')
  await page.goto(`/payments/new?supplier_id=${h.data.supplierId}`)
  await waitFor(
    async () => (await page.getByTestId('payment-balance').textContent())?.includes('483.75') ?? false,
    'the payment form balance',
  )
  expect(await page.getByTestId('payment-balance').textContent()).toContain('deducted by settlements 716.25')

  // The reports screen over the run's period: Kamau's row and the totals are the server's balances report.
  const report = await api(
    h.server.url,
    manager,
    'GET',
    `/api/reports/balances?from_date=${period.from_date}&to_date=${period.to_date}`,
  )
  const kamau = report.data.find((r: { supplier_id: string }) => r.supplier_id === h.data.supplierId)
  // Nothing before the period; the payout is dated today.
  expect(kamau).toMatchObject({
    opening_balance: '0.00',
    total_deductions: '716.25',
    balance: '1483.75',
    closing_balance: '1483.75',
  })
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click()
  const reportPeriod = page.getByRole('form', { name: 'Report period' })
  await reportPeriod.getByLabel('From', { exact: true }).fill(period.from_date)
  await reportPeriod.getByLabel('To', { exact: true }).fill(period.to_date)
  const reportRow = page.locator('table.report-table tbody tr', { hasText: 'Kamau Farm' })
  await waitFor(
    async () => (await reportRow.textContent())?.includes(shown(kamau.closing_balance)) ?? false,
    "the report's balance",
  )
  expect(await reportRow.locator('td').allTextContents()).toContain(shown(kamau.total_deductions))
  expect(await page.locator('table.report-table tfoot td').allTextContents()).toContain(
    shown(report.totals.closing_balance),
  )
  await context.close()
})

test('an admin sets the settlement floor on the settings screen; core refuses a bad one and nothing is saved', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'admin')
  await page.goto('/settings')
  const floor = page.getByLabel('Settlement floor')
  await floor.waitFor()
  expect(await floor.inputValue()).toBe('0.00')

  await floor.fill('-5')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await page.getByText('Please correct the marked fields.').waitFor()
  expect((await api(h.server.url, admin, 'GET', '/api/settings')).settlement_floor).toBe('0.00')

  await floor.fill('150.5')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await page.getByText('Settings saved').waitFor()
  expect((await api(h.server.url, admin, 'GET', '/api/settings')).settlement_floor).toBe('150.50')
  expect(await floor.inputValue()).toBe('150.50')
  await context.close()
})
