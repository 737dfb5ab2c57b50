/**
 * Settlement in Debian's Chromium (issue 17): finance adds a deduction on the supplier's page
 * offline and it syncs; a manager computes a draft and discards it; finance computes a run with the
 * New run form and a manager approves it; the approved run's lines sort by the column clicked and
 * open each supplier's statement; the statement prints on one page without the navigation; the
 * run's bank payout file and the bank's results; a statement's CSV download; who sees Approve and
 * Discard; a new run's default period and its need of a connection; a collector opens the
 * supplier's last approved statement offline.
 *
 * Every run is a real one (POST /api/settlement-runs, /approve, /discard, through the screens or
 * the API): the month before last month is settled first by a run over Achieng, so a delivery of
 * that month recorded afterwards arrives late in last month's run.
 */
import { readFileSync } from 'node:fs'
import { DEFAULT_SETTINGS, todayIn } from '@trackvault/core'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  api,
  DESKTOP,
  PASSWORD,
  PHONE,
  pendingCount as pending,
  startWebHarness,
  type WebHarness,
  waitFor,
  waitForServiceWorker,
} from './harness'

let h: WebHarness
let token: string
/** Finance's session, for the drafts finance computes through the API. */
let financeToken: string
/** Last month's run, computed by finance and approved by a manager (E2E-1). */
let approvedRun = ''
/** Last calendar month (the New run form's default), in the business's time zone (UTC here). */
let period: { from_date: string; to_date: string }

function lastMonth(today: string) {
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))]
  const year = m === 1 ? y - 1 : y
  const month = m === 1 ? 12 : m - 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const mm = String(month).padStart(2, '0')
  return { from_date: `${year}-${mm}-01`, to_date: `${year}-${mm}-${String(last).padStart(2, '0')}` }
}

/** The month before `p` (a calendar month). */
function monthBefore(p: { from_date: string }) {
  return lastMonth(p.from_date)
}

beforeAll(async () => {
  h = await startWebHarness()
  period = lastMonth(todayIn(DEFAULT_SETTINGS.time_zone))
  ;({ token } = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.manager.email,
    password: PASSWORD,
  }))
  const achieng = await api(h.server.url, token, 'POST', '/api/suppliers', { code: 'SUP-002', name: 'Achieng Farm' })
  const milk = await api(h.server.url, token, 'POST', '/api/products', {
    code: 'MILK',
    name: 'Milk',
    default_unit: 'l',
  })
  const collect = (supplier_id: string, quantity: string, day: string, product = h.data.productId, unit = 'kg') =>
    api(h.server.url, token, 'POST', '/api/collections', {
      supplier_id,
      product_id: product,
      collection_date: day.length === 2 ? `${period.from_date.slice(0, 8)}${day}` : day,
      quantity,
      unit,
    })
  // The month before is settled for Achieng (1 kg, 120.00): computed by finance, approved by the manager.
  const before = monthBefore(period)
  await collect(achieng.id, '1', `${before.from_date.slice(0, 8)}05`)
  const finance = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.finance.email,
    password: PASSWORD,
  })
  financeToken = finance.token
  const draft = await api(h.server.url, financeToken, 'POST', '/api/settlement-runs', {
    period_from: before.from_date,
    period_to: before.to_date,
    supplier_ids: [achieng.id],
    reference: 'PREV-MONTH',
  })
  await api(h.server.url, token, 'POST', `/api/settlement-runs/${draft.run.id}/approve`, { version: draft.run.version })
  // Kamau: 12.5 + 10 kg at 120.00 = 2,700.00, an advance of 500.00; Achieng: 5 kg = 600.00, 8 l of
  // milk with no rate (unpriced), and 5 kg (600.00) dated the month before, recorded after its run (late).
  await collect(h.data.supplierId, '12.5', '03')
  await collect(h.data.supplierId, '10', '17')
  await collect(achieng.id, '5', '09')
  await collect(achieng.id, '8', '12', milk.id, 'l')
  await collect(achieng.id, '5', before.from_date)
  await api(h.server.url, token, 'POST', '/api/payments', {
    supplier_id: h.data.supplierId,
    payment_date: `${period.from_date.slice(0, 8)}10`,
    amount: '500.00',
    payment_type: 'advance',
  })
})
afterAll(() => h?.close())

/** The supplier names of a run's lines table, top to bottom. */
const lineOrder = (page: Page) => page.locator('table.st-lines tbody th').allTextContents()

async function openSupplier(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Suppliers' }).click()
  await page.getByRole('link', { name }).click()
  await page.getByRole('heading', { name, level: 1 }).waitFor()
}

test('finance adds a deduction on the supplier page offline (kind chooses the fields, core checks them); it syncs', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'finance')
  await waitForServiceWorker(page)
  await openSupplier(page, 'Kamau Farm')
  await page.getByRole('heading', { name: 'Deductions' }).waitFor()
  await page.getByText('No deductions.').waitFor()

  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()
  await page.getByRole('button', { name: 'Add deduction' }).click()
  const form = page.getByRole('form', { name: 'Add deduction' })

  // A credit shows purpose, principal and instalment; an instalment over the principal is core's error, inline.
  await form.getByLabel('Kind').selectOption('credit')
  expect(await form.getByLabel('Rate (per unit)').count()).toBe(0)
  await form.getByLabel('Description').fill('Fertiliser')
  await form.getByLabel('Principal').fill('100.00')
  await form.getByLabel('Instalment').fill('200.00')
  await form.getByRole('button', { name: 'Add deduction' }).click()
  await form.getByText('must not be more than the principal').waitFor()

  // Per kg: rate and unit, optional product and end; the credit's fields are not sent.
  await form.getByLabel('Kind').selectOption('per_quantity')
  expect(await form.getByLabel('Principal').count()).toBe(0)
  await form.getByLabel('Description').fill('Transport')
  await form.getByLabel('Rate (per unit)').fill('2.00')
  await form.getByLabel('In force from').fill(period.from_date)
  await form.getByRole('button', { name: 'Add deduction' }).click()
  const table = page.getByRole('table', { name: 'Deductions of Kamau Farm' })
  const row = table.getByRole('row', { name: /Transport/ })
  await row.waitFor()
  expect(await row.textContent()).toContain('2.00 per kg')
  expect(await row.textContent()).toContain('Not synced')
  expect(await row.textContent()).toContain('Active')

  await context.setOffline(false)
  await waitFor(async () => (await pending(page)) === 0, 'the deduction to sync', 30_000)
  const rows = await h.db.handle.db.selectFrom('deductions').selectAll().execute()
  expect(rows).toHaveLength(1)
  expect(rows[0]).toMatchObject({ kind: 'per_quantity', unit: 'kg', supplier_id: h.data.supplierId })
  expect(Number(rows[0].rate_minor)).toBe(200)
  expect(rows[0].principal_minor).toBeNull()

  // Edited: the form opens with its values; the change syncs as an update of the same row.
  await table.getByRole('button', { name: 'Edit Transport' }).click()
  const edit = page.getByRole('form', { name: 'Edit deduction: Transport' })
  expect(await edit.getByLabel('Rate (per unit)').inputValue()).toBe('2.00')
  await edit.getByLabel('Notes (optional)').fill('Lorry to the factory')
  await edit.getByRole('button', { name: 'Save deduction' }).click()
  await edit.waitFor({ state: 'detached' })
  await waitFor(
    async () =>
      (await h.db.handle.db.selectFrom('deductions').select('notes').executeTakeFirst())?.notes ===
      'Lorry to the factory',
    'the edit to sync',
    30_000,
  )
  await context.close()
})

/** Computes a run through the New run form (default period: last month) and waits for its lines. */
async function computeRun(page: Page, reference: string, payAtMost?: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settlements' }).click()
  await page.getByRole('link', { name: 'New run' }).click()
  expect(await page.getByLabel('Period from').inputValue()).toBe(period.from_date)
  expect(await page.getByLabel('Period to').inputValue()).toBe(period.to_date)
  await page.getByLabel('Reference (optional)').fill(reference)
  if (payAtMost) await page.getByLabel('Pay at most, per supplier (optional)').fill(payAtMost)
  await page.getByRole('button', { name: 'Compute run' }).click()
  await page.getByRole('heading', { name: `Settlement ${reference}` }).waitFor()
  await waitFor(async () => (await lineOrder(page)).length === 2, 'the lines to sync')
}

test('a manager computes a draft, is not offered to approve it, and discards it', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await computeRun(page, 'E2E-0', '1000')
  // A partial payout: Kamau is paid 1,000.00 of 2,155.00 now, the rest carried forward.
  const kamau = page.locator('table.st-lines tbody tr', { hasText: 'Kamau Farm' })
  expect(await kamau.locator('td').allTextContents()).toEqual(
    expect.arrayContaining(['2,155.00', '1,000.00', '1,155.00']),
  )
  expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0)
  await page.getByText('You computed this run: another manager or admin must approve it.').waitFor()
  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Discard' }).click()
  await page.locator('.st-status', { hasText: 'Discarded' }).waitFor()
  expect(await page.getByRole('button', { name: 'Discard' }).count()).toBe(0)
  await context.close()
})

test("finance computes a run with the New run form; a manager approves it; the statement is the server's line", async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'finance')
  await computeRun(page, 'E2E-1')
  expect(await lineOrder(page)).toEqual(['Achieng Farm', 'Kamau Farm'])
  expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0) // finance computes, never approves
  await context.close()

  const manager = await h.newContext(DESKTOP)
  const mpage = await manager.newPage()
  await h.signIn(mpage, 'manager')
  await mpage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settlements' }).click()
  await mpage.getByRole('link', { name: 'E2E-1' }).click()
  mpage.once('dialog', (d) => void d.accept())
  await mpage.getByRole('button', { name: 'Approve' }).click()
  await mpage.getByRole('button', { name: 'Export bank CSV' }).waitFor()
  approvedRun = (
    await h.db.handle.db
      .selectFrom('settlement_runs')
      .select('id')
      .where('reference', '=', 'E2E-1')
      .where('status', '=', 'approved')
      .executeTakeFirstOrThrow()
  ).id
  const payments = await h.db.handle.db
    .selectFrom('payments')
    .selectAll()
    .where('supplier_id', '=', h.data.supplierId)
    .where('payment_type', '=', 'full')
    .execute()
  expect(payments).toHaveLength(1)
  expect(Number(payments[0].amount_minor)).toBe(215500) // 2,700.00 - 500.00 - 22.5 kg x 2.00

  await mpage.getByRole('link', { name: 'Kamau Farm' }).click()
  await mpage.getByRole('heading', { name: 'Statement: Kamau Farm' }).waitFor()
  expect(await mpage.getByTestId('statement-net').textContent()).toBe('2,155.00')
  const collections = mpage.getByRole('table', { name: 'Collections' })
  expect(await collections.locator('tbody tr').count()).toBe(2)
  expect(await collections.textContent()).toContain('12.500 kg')
  expect(await mpage.getByRole('table', { name: 'Deductions' }).textContent()).toContain('45.00')
  await manager.close()
})

test('a run: totals, lines sorted by the column clicked, a supplier opens its statement, which prints on one page without navigation', async () => {
  // Last month's run as approved (E2E-1): its bank results are recorded by the test after the next.
  const runId = approvedRun
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'finance')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settlements' }).click()
  const listed = page.getByRole('row', { name: /E2E-1/ })
  await listed.waitFor()
  expect(await listed.textContent()).toContain(`${period.from_date} to ${period.to_date}`)
  expect(await listed.textContent()).toContain('Approved')
  expect(await listed.textContent()).toContain('3,355.00') // net payable: 2,155.00 + 1,200.00
  await page.getByRole('link', { name: 'E2E-1' }).click()
  await page.getByRole('heading', { name: 'Settlement E2E-1' }).waitFor()
  expect(page.url()).toContain(`/settlements/${runId}`)
  const totals = (await page.getByRole('region', { name: 'Run totals' }).textContent()) ?? ''
  expect(totals).toContain('3,900.00') // gross: the milk is not priced
  expect(totals).toContain('45.00') // deducted: 22.5 kg x 2.00

  // The unpriced and the late are flagged, on the run and on the line.
  const flags = (await page.getByRole('list', { name: 'Flags' }).textContent()) ?? ''
  expect(flags).toContain('1 collection has no price yet: it is counted but not in gross.')
  expect(flags).toContain('1 item arrived late')
  await waitFor(async () => (await lineOrder(page)).length === 2, 'the lines')
  const achiengRow = (await page.locator('table.st-lines tbody tr', { hasText: 'Achieng Farm' }).textContent()) ?? ''
  expect(achiengRow).toContain('1 unpriced')
  expect(achiengRow).toContain('1 late')

  // Sorted by supplier; Net payable puts the largest first, a second click the smallest.
  expect(await lineOrder(page)).toEqual(['Achieng Farm', 'Kamau Farm'])
  await page.getByRole('button', { name: 'Net payable' }).click()
  expect(await lineOrder(page)).toEqual(['Kamau Farm', 'Achieng Farm'])
  expect(await page.getByRole('columnheader', { name: /Net payable/ }).getAttribute('aria-sort')).toBe('descending')
  await page.getByRole('button', { name: 'Net payable' }).click()
  expect(await lineOrder(page)).toEqual(['Achieng Farm', 'Kamau Farm'])
  await page.getByRole('button', { name: 'Deducted' }).click()
  expect(await lineOrder(page)).toEqual(['Kamau Farm', 'Achieng Farm'])

  // An approved run: exports, no approve or discard.
  expect(await page.getByRole('button', { name: 'Export bank CSV' }).isVisible()).toBe(true)
  expect(await page.getByRole('button', { name: 'Export mobile money CSV' }).isVisible()).toBe(true)
  expect(await page.getByRole('form', { name: 'Payout results' }).isVisible()).toBe(true)
  expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0)
  expect(await page.getByRole('button', { name: 'Discard' }).count()).toBe(0)

  // Achieng's statement marks the late collection and the one whose price is pending.
  await page.getByRole('link', { name: 'Achieng Farm' }).click()
  await page.getByRole('heading', { name: 'Statement: Achieng Farm' }).waitFor()
  const achieng = page.getByRole('table', { name: 'Collections' })
  expect(await achieng.locator('tbody tr').count()).toBe(3)
  expect(await achieng.locator('tbody tr', { hasText: monthBefore(period).from_date }).textContent()).toContain('Late')
  expect(await achieng.locator('tbody tr', { hasText: '8.000 l' }).textContent()).toContain('Price pending')
  expect(await page.getByTestId('statement-net').textContent()).toBe('1,200.00')
  await page.goBack()
  await page.getByRole('heading', { name: 'Settlement E2E-1' }).waitFor()

  // Kamau's statement: every collection, the advance, the deduction, what is paid and carried.
  await page.getByRole('link', { name: 'Kamau Farm' }).click()
  await page.getByRole('heading', { name: 'Statement: Kamau Farm' }).waitFor()
  expect(await page.getByTestId('statement-supplier').textContent()).toBe('Kamau Farm (SUP-001)')
  expect(await page.getByTestId('statement-period').textContent()).toBe(`${period.from_date} to ${period.to_date}`)
  expect(await page.getByTestId('statement-net').textContent()).toBe('2,155.00')
  expect(await page.getByTestId('statement-payout').textContent()).toBe('2,155.00')
  expect(await page.getByTestId('statement-carried').textContent()).toBe('0.00')
  const collections = page.getByRole('table', { name: 'Collections' })
  expect(await collections.locator('tbody tr').count()).toBe(2)
  expect(await collections.textContent()).toContain('12.500 kg')
  expect(await collections.textContent()).toContain('1,500.00')
  expect(await collections.textContent()).toMatch(/S-\d+/) // the server's receipt numbers
  const payments = page.getByRole('table', { name: 'Payments' })
  expect(await payments.textContent()).toContain('Advance')
  expect(await payments.textContent()).toContain('500.00')
  const deductions = page.getByRole('table', { name: 'Deductions' })
  expect(await deductions.getByRole('row', { name: /Transport/ }).textContent()).toContain('45.00')
  expect(await page.getByRole('button', { name: 'Download CSV' }).isEnabled()).toBe(true)

  // Printed: no navigation, no buttons; the statement and its sign line; one page.
  await page.emulateMedia({ media: 'print' })
  expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false)
  expect(await page.locator('.topbar').isVisible()).toBe(false)
  expect(await page.locator('.statusbar').isVisible()).toBe(false)
  expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false)
  expect(await page.getByTestId('statement-net').isVisible()).toBe(true)
  expect(await page.locator('.st-sign').isVisible()).toBe(true)
  const pdf = await page.pdf({ format: 'A4', printBackground: false })
  expect(pdf.subarray(0, 4).toString()).toBe('%PDF')
  expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length).toBe(1)
  await page.emulateMedia({ media: 'screen' })
  expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true)
  await context.close()
})

test("an approved run's bank payout file downloads with its totals; a statement downloads as CSV", async () => {
  // Kamau is paid by bank (the file lists the bank-paid suppliers); Achieng stays on cash.
  const kamau = await api(h.server.url, token, 'GET', `/api/suppliers/${h.data.supplierId}`)
  await api(h.server.url, token, 'PATCH', `/api/suppliers/${h.data.supplierId}`, {
    version: kamau.version,
    payout_method: 'bank_transfer',
    bank_name: 'Equity',
    bank_account: '0123456789',
  })
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'finance')
  await page.goto(`/settlements/${approvedRun}`)
  await page.getByRole('heading', { name: 'Settlement E2E-1' }).waitFor()
  const [bank] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export bank CSV' }).click(),
  ])
  expect(bank.suggestedFilename()).toBe('payouts-E2E-1-bank.csv')
  const file = readFileSync(await bank.path(), 'utf8')
  expect(file).toContain('Kamau Farm')
  expect(file).toContain('2155.00')
  expect(file).not.toContain('Achieng Farm')
  await page.locator('.st-notice', { hasText: '1 payout, 2,155.00 in total' }).waitFor()

  await page.getByRole('link', { name: 'Kamau Farm' }).click()
  await page.getByRole('heading', { name: 'Statement: Kamau Farm' }).waitFor()
  const [statement] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ])
  expect(statement.suggestedFilename()).toMatch(/^statement-.*\.csv$/)
  const csv = readFileSync(await statement.path(), 'utf8')
  expect(csv).toContain(`${period.from_date.slice(0, 8)}03`)
  expect(csv).toContain('Transport')
  await context.close()
})

test("an approved run exports the bank payout file and records the bank's results; a statement downloads as CSV", async () => {
  // Kamau is paid by bank (the file lists the bank-paid suppliers); Achieng stays on cash.
  const kamau = await api(h.server.url, token, 'GET', `/api/suppliers/${h.data.supplierId}`)
  await api(h.server.url, token, 'PATCH', `/api/suppliers/${h.data.supplierId}`, {
    version: kamau.version,
    payout_method: 'bank_transfer',
    bank_name: 'Equity',
    bank_account: '0123456789',
  })
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'finance')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settlements' }).click()
  await page.getByRole('link', { name: 'E2E-1' }).click()
  const [bank] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export bank CSV' }).click(),
  ])
  expect(bank.suggestedFilename()).toMatch(/\.csv$/)
  const file = readFileSync(await bank.path(), 'utf8')
  expect(file).toContain('E2E-1')
  // The server's totals come with the file: Kamau is paid by bank, Achieng (cash) is not in it.
  await page.locator('.st-notice', { hasText: '1 payout, 2,155.00 in total' }).waitFor()

  // The bank's answer: a bad row refuses the whole file, listed row by row; then Kamau's payout failed.
  const reference = /E2E-1[^,"\n]*SUP-001/.exec(file)?.[0] ?? 'E2E-1-SUP-001'
  const results = page.getByLabel('Results file (CSV)')
  await results.setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`reference,status,note\n${reference},maybe,\n`),
  })
  await page.getByRole('button', { name: 'Record results' }).click()
  await page.getByRole('list', { name: 'Rows refused' }).waitFor()
  await results.setInputFiles({
    name: 'results.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`reference,status,note\n${reference},failed,Account closed\n`),
  })
  await page.getByRole('button', { name: 'Record results' }).click()
  await page.getByText('Recorded: 0 paid, 1 failed, 0 unchanged.').first().waitFor()
  const kamauLine = page.locator('table.st-lines tbody tr', { hasText: 'Kamau Farm' })
  await kamauLine.getByText('Failed').waitFor()
  expect(await kamauLine.textContent()).toContain('Account closed')

  await page.getByRole('link', { name: 'Kamau Farm' }).click()
  await page.getByRole('heading', { name: 'Statement: Kamau Farm' }).waitFor()
  const [statement] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ])
  expect(readFileSync(await statement.path(), 'utf8')).toContain(`${period.from_date.slice(0, 8)}03`)
  await context.close()
})

test('Approve shows for a manager or admin who did not compute the draft; finance may discard; a new run defaults to last month and needs a connection', async () => {
  // Two drafts over this month so far (last month is approved): one computed by finance, one by the manager.
  const today = todayIn(DEFAULT_SETTINGS.time_zone)
  const draft = async (as: string, reference: string) =>
    (
      await api(h.server.url, as, 'POST', '/api/settlement-runs', {
        period_from: `${today.slice(0, 8)}01`,
        period_to: today,
        supplier_ids: [h.data.supplierId],
        reference,
      })
    ).run as { id: string }
  const byFinance = { runId: (await draft(financeToken, 'DRAFT-FINANCE')).id }
  const byManager = { runId: (await draft(token, 'DRAFT-OWN')).id }

  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await page.goto(`/settlements/${byFinance.runId}`)
  await page.getByRole('heading', { name: 'Settlement DRAFT-FINANCE' }).waitFor()
  expect(await page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true)
  expect(await page.getByRole('button', { name: 'Discard' }).isVisible()).toBe(true)
  expect(await page.getByRole('button', { name: 'Export bank CSV' }).count()).toBe(0)
  expect(await page.locator('table.st-lines').textContent()).toContain('Not approved')
  // The server's refusal reads clearly (answered here without the server: the screen never
  // offers Approve to the run's creator, so a real SELF_APPROVAL needs a creator it did not know).
  await page.route(`**/api/settlement-runs/${byFinance.runId}/approve`, (route) =>
    route.fulfill({
      status: 403,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'SELF_APPROVAL', message: 'The run was computed by you' } }),
    }),
  )
  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Approve' }).click()
  await page
    .getByRole('alert')
    .filter({ hasText: 'You cannot approve a run you computed: another manager or admin must approve it.' })
    .waitFor()
  await page.unroute(`**/api/settlement-runs/${byFinance.runId}/approve`)
  await page.goto(`/settlements/${byManager.runId}`)
  await page.getByRole('heading', { name: 'Settlement DRAFT-OWN' }).waitFor()
  expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0)
  await page.getByText('You computed this run: another manager or admin must approve it.').waitFor()
  await context.close()

  const finance = await h.newContext(DESKTOP)
  const fpage = await finance.newPage()
  await h.signIn(fpage, 'finance')
  await waitForServiceWorker(fpage)
  await fpage.goto(`/settlements/${byFinance.runId}`)
  await fpage.getByRole('heading', { name: 'Settlement DRAFT-FINANCE' }).waitFor()
  expect(await fpage.getByRole('button', { name: 'Approve' }).count()).toBe(0)
  expect(await fpage.getByRole('button', { name: 'Discard' }).isVisible()).toBe(true)
  expect(await fpage.getByRole('form', { name: 'Payout results' }).count()).toBe(0) // a draft pays nothing yet

  await fpage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settlements' }).click()
  await fpage.getByRole('link', { name: 'New run' }).click()
  expect(await fpage.getByLabel('Period from').inputValue()).toBe(period.from_date)
  expect(await fpage.getByLabel('Period to').inputValue()).toBe(period.to_date)
  await finance.setOffline(true)
  await fpage.getByRole('heading', { name: 'Needs a connection' }).waitFor()
  // The runs already on the device stay readable offline.
  await fpage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settlements' }).click()
  await fpage.getByRole('link', { name: 'DRAFT-FINANCE' }).click()
  await fpage.getByRole('heading', { name: 'Settlement DRAFT-FINANCE' }).waitFor()
  expect(await fpage.getByRole('button', { name: 'Discard' }).isDisabled()).toBe(true)
  await finance.close()
})

test("a collector opens the supplier's last approved statement offline, and has no settlements screen", async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'collector')
  await waitForServiceWorker(page)
  const nav = page.getByRole('navigation', { name: 'Main' })
  expect(await nav.getByRole('link', { name: 'Settlements' }).count()).toBe(0)
  await openSupplier(page, 'Kamau Farm')
  const link = page.getByRole('link', { name: `Last statement (${period.from_date} to ${period.to_date})` })
  await link.waitFor()
  // Deductions are read only for a collector.
  await page.getByRole('table', { name: 'Deductions of Kamau Farm' }).waitFor()
  expect(await page.getByRole('button', { name: 'Add deduction' }).count()).toBe(0)

  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()
  await link.click()
  await page.getByRole('heading', { name: 'Statement: Kamau Farm' }).waitFor()
  expect(await page.getByTestId('statement-net').textContent()).toBe('2,155.00')
  expect(await page.getByTestId('statement-period').textContent()).toBe(`${period.from_date} to ${period.to_date}`)
  expect(await page.getByRole('button', { name: 'Download CSV' }).isDisabled()).toBe(true)
  await page.goto('/settlements')
  await page.getByRole('heading', { name: 'Not available' }).waitFor()
  await context.close()
})
