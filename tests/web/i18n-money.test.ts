/**
 * The money screens in Kiswahili (docs/translations.md), as a manager on a 360x740 phone and on a
 * desktop: the collection and payment lists, the payment form and a payment's receipt, reports
 * (opening and closing balances worded "Deni kwa msambazaji" / "Amelipwa mbele", never a minus),
 * settlement runs (list, new run, an approved run's detail with its payout results, a draft's
 * Approve and Discard) and a supplier's statement. Each screen shows its Swahili texts and none of
 * a list of its English ones, so a text left untranslated fails; on the phone nothing is wider than
 * the screen. The reports chart's labels lie inside the chart (and the screen) at both sizes, over
 * a month by day and over all dates by month.
 */
import { DEFAULT_SETTINGS, todayIn } from '@trackvault/core'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { api, DESKTOP, PASSWORD, PHONE, startWebHarness, type WebHarness, waitFor } from './harness'

let h: WebHarness
/** Last calendar month (the reports' and the New run form's default is this month and last month). */
let last: { from_date: string; to_date: string }
let before: { from_date: string; to_date: string }
let aheadId: string
let advanceId: string
let approvedRunId: string
let draftRunId: string
let statementLineId: string

function monthBefore(day: string) {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))]
  const year = m === 1 ? y - 1 : y
  const month = m === 1 ? 12 : m - 1
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const mm = String(month).padStart(2, '0')
  return { from_date: `${year}-${mm}-01`, to_date: `${year}-${mm}-${String(days).padStart(2, '0')}` }
}

beforeAll(async () => {
  h = await startWebHarness()
  last = monthBefore(todayIn(DEFAULT_SETTINGS.time_zone))
  before = monthBefore(last.from_date)
  const login = async (role: 'manager' | 'finance') =>
    (await api(h.server.url, undefined, 'POST', '/api/auth/login', { email: h.users[role].email, password: PASSWORD }))
      .token as string
  const manager = await login('manager')
  const finance = await login('finance')
  const collect = (collection_date: string, quantity: string) =>
    api(h.server.url, manager, 'POST', '/api/collections', {
      supplier_id: h.data.supplierId,
      product_id: h.data.productId,
      collection_date,
      quantity,
      unit: 'kg',
    })
  const advance = (supplier_id: string, payment_date: string, amount: string) =>
    api(h.server.url, manager, 'POST', '/api/payments', { supplier_id, payment_date, amount, payment_type: 'advance' })
  aheadId = (await api(h.server.url, manager, 'POST', '/api/suppliers', { code: 'SUP-002', name: 'Ochieng Estate' })).id
  // Kamau at 120.00 a kg: 120.00 long ago (so all dates chart by month), 1,200.00 the month before, 300.00 last month.
  await collect('2020-01-15', '1')
  await collect(`${before.from_date.slice(0, 8)}05`, '10')
  await collect(`${last.from_date.slice(0, 8)}10`, '2.5')
  // Ochieng is paid ahead: 300.00 the month before, 1,500.00 last month.
  await advance(aheadId, `${before.from_date.slice(0, 8)}15`, '300.00')
  advanceId = (await advance(aheadId, `${last.from_date.slice(0, 8)}20`, '1500.00')).id
  // Finance computes a draft over the month before, and last month's run, which the manager approves.
  draftRunId = (
    await api(h.server.url, finance, 'POST', '/api/settlement-runs', {
      period_from: before.from_date,
      period_to: before.to_date,
      reference: 'MWEZI-0',
    })
  ).run.id
  const computed = await api(h.server.url, finance, 'POST', '/api/settlement-runs', {
    period_from: last.from_date,
    period_to: last.to_date,
    reference: 'MWEZI-1',
  })
  approvedRunId = computed.run.id
  statementLineId = computed.lines.find((l: { supplier_id: string }) => l.supplier_id === h.data.supplierId).id
  await api(h.server.url, manager, 'POST', `/api/settlement-runs/${approvedRunId}/approve`, {
    version: computed.run.version,
  })
})
afterAll(() => h?.close())

const asPattern = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The English texts of `english` that the main content still shows (whole words; hidden ones do not count). */
async function englishLeft(page: Page, english: string[]): Promise<string[]> {
  // innerText, not textContent: only what is shown (a phone's folded columns are display: none).
  // The harness's people are called "Collector Web" and the like: names are data, not the screen's words.
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text
  let text = await page.locator('main').innerText()
  for (const { name } of Object.values(h.users)) text = text.replaceAll(name, '')
  return english.filter((e) => new RegExp(`(^|[^A-Za-z])${asPattern(e)}($|[^A-Za-z])`).test(text))
}

/** Opens `path` and waits for its Swahili heading. */
async function open(page: Page, path: string, heading: string | RegExp) {
  await page.goto(path)
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor()
}

/** On a phone, the page is no wider than the screen (wide tables scroll in their own frame). */
async function fitsWidth(page: Page, width: number) {
  if (width > PHONE.width) return
  expect(await page.evaluate(() => document.documentElement.scrollWidth), page.url()).toBeLessThanOrEqual(width)
}

/** Every shown text of the reports chart lies inside the chart and the screen; no two date labels overlap. */
async function chartTextsFit(page: Page) {
  const boxes = await page.locator('svg.bar-chart').evaluate((svg) => {
    const frame = svg.getBoundingClientRect()
    const texts = [...svg.querySelectorAll('text')].filter((t) => getComputedStyle(t).visibility !== 'hidden')
    return {
      frame: { left: frame.left, right: frame.right, top: frame.top, bottom: frame.bottom },
      viewport: document.documentElement.clientWidth,
      texts: texts.map((t) => {
        const b = t.getBoundingClientRect()
        return { text: t.textContent ?? '', label: t.classList.contains('x-label'), left: b.left, right: b.right }
      }),
    }
  })
  expect(boxes.texts.length).toBeGreaterThan(3)
  for (const t of boxes.texts) {
    expect(t.left, t.text).toBeGreaterThanOrEqual(Math.max(0, boxes.frame.left) - 0.5)
    expect(t.right, t.text).toBeLessThanOrEqual(Math.min(boxes.viewport, boxes.frame.right) + 0.5)
  }
  const labels = boxes.texts.filter((t) => t.label).sort((a, b) => a.left - b.left)
  expect(labels.length).toBeGreaterThan(1)
  for (let i = 1; i < labels.length; i++) expect(labels[i].left, labels[i].text).toBeGreaterThan(labels[i - 1].right)
}

async function managerInSwahili(viewport: { width: number; height: number }) {
  const context = await h.newContext(viewport)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await page.getByRole('combobox', { name: 'Language' }).selectOption('sw')
  await page.getByRole('navigation', { name: 'Kuu' }).waitFor()
  return { context, page }
}

for (const [size, viewport] of [
  ['a phone', PHONE],
  ['a desktop', DESKTOP],
] as const) {
  test(`a manager works the money screens in Kiswahili on ${size}`, async () => {
    const { context, page } = await managerInSwahili(viewport)
    const wide = viewport.width > PHONE.width
    const range = `from=${before.from_date}&to=${last.to_date}`

    // Collections: the list frame, its filters and columns, the count and the totals row.
    await open(page, `/collections?${range}`, 'Makusanyo')
    await page.getByText('Makusanyo 2', { exact: true }).waitFor()
    expect(await page.getByRole('link', { name: 'Kusanyo jipya' }).isVisible()).toBe(true)
    expect(await page.getByLabel('Kuanzia', { exact: true }).inputValue()).toBe(before.from_date)
    expect(await page.locator('tfoot th').first().textContent()).toMatch(/^Jumla \(2\)/)
    if (wide) {
      expect(await page.locator('thead th').allTextContents()).toEqual(
        expect.arrayContaining([
          'Tarehe',
          'Msambazaji',
          'Risiti',
          'Mkusanyaji',
          'Kiasi halisi',
          'Bei',
          'Kiasi cha pesa',
        ]),
      )
    }
    expect(
      await englishLeft(page, [
        'Collections',
        'New collection',
        'From',
        'To',
        'All suppliers',
        'Product',
        'All products',
        'Date',
        'Supplier',
        'Receipt',
        'Receipt of',
        'Collector',
        'Net quantity',
        'Rate',
        'Amount',
        'Total',
        'collections',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)

    // Payments: the types and methods are Swahili too.
    await open(page, `/payments?${range}`, 'Malipo')
    await page.getByText(/^Malipo \d+$/).waitFor()
    expect(await page.locator('main').textContent()).toContain('Malipo ya mbele')
    expect(
      await englishLeft(page, [
        'Payments',
        'New payment',
        'Type',
        'All types',
        'Method',
        'Reference',
        'Amount',
        'Advance',
        'Partial',
        'Full',
        'Cash',
        'Date',
        'Supplier',
        'Total',
        'payments',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)

    // The payment form for a supplier paid ahead: the balance in words, the beyond-owed notice.
    await open(page, `/payments/new?supplier_id=${aheadId}`, 'Malipo mapya')
    const balance = page.getByTestId('payment-balance')
    await waitFor(
      async () => (await balance.textContent())?.includes('Salio sasa: Amelipwa mbele: 1,800.00') ?? false,
      'the Swahili balance',
    )
    await page.getByLabel('Kiasi cha pesa', { exact: true }).fill('100')
    await waitFor(
      async () =>
        (await balance.textContent())?.includes('Salio baada ya malipo haya: Amelipwa mbele: 1,900.00') ?? false,
      'the balance after the payment',
    )
    expect(await page.getByTestId('payment-beyond-owed').textContent()).toBe(
      'Msambazaji huyu hadai chochote: 100.00 yote inalipwa mbele.',
    )
    const types = await page.getByLabel('Aina', { exact: true }).locator('option').allTextContents()
    expect(types).toEqual(['Malipo ya mbele', 'Malipo ya sehemu', 'Malipo kamili'])
    expect(await page.getByRole('button', { name: 'Hifadhi malipo' }).isVisible()).toBe(true)
    expect(
      await englishLeft(page, [
        'New payment',
        'Balance now',
        'Collected',
        'paid',
        'Balance after this payment',
        'Owed to supplier',
        'In credit',
        'Nothing is owed to this supplier',
        'Date',
        'Amount',
        'Type',
        'Method',
        'Reference',
        'Notes',
        'Cheque number, transfer id…',
        'Save payment',
        'Advance',
        'Partial',
        'Cash',
        'Bank transfer',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)

    // A payment's receipt: its own lines and the balance just after it.
    await open(page, `/payments/${advanceId}`, 'Risiti ya malipo')
    await waitFor(
      async () => (await page.getByTestId('balance-after-payment').textContent()) === 'Amelipwa mbele: 1,800.00',
      'the balance after the advance',
    )
    for (const label of ['Aina', 'Njia', 'Salio baada ya malipo', 'Imerekodiwa na'])
      expect(await page.locator('.rc-receipt dt', { hasText: label }).count(), label).toBe(1)
    expect(await page.locator('.rc-receipt-sign').textContent()).toMatch(/^Amepokea: _+$/)
    expect(
      await englishLeft(page, [
        'Type',
        'Method',
        'Balance after payment',
        'Recorded by',
        'Received by',
        'Supplier page',
        'In credit',
        'Advance',
        'Cash',
      ]),
    ).toEqual([])

    // Reports over last month: opening owed, closing in credit, the supplier paid ahead in words.
    await open(page, '/reports', 'Ripoti')
    const reportPeriod = page.getByRole('form', { name: 'Kipindi cha ripoti' })
    await reportPeriod.getByLabel('Kuanzia', { exact: true }).fill(last.from_date)
    await reportPeriod.getByLabel('Hadi', { exact: true }).fill(last.to_date)
    const table = page.getByRole('table', { name: /^Masalio ya wasambazaji, / })
    await table.waitFor()
    const ahead = table.locator('tbody tr', { hasText: 'Ochieng Estate' })
    await waitFor(
      async () => (await ahead.textContent())?.includes('Amelipwa mbele: 1,800.00') ?? false,
      "Ochieng's closing",
    )
    expect(await ahead.textContent()).toContain('Amelipwa mbele: 300.00') // its opening
    const stat = (label: string) => page.locator('.stat', { has: page.getByText(label, { exact: true }) })
    expect(await stat('Deni kwa msambazaji mwanzoni').locator('.value').textContent()).toBe('1,020.00')
    expect(await stat('Amelipwa mbele mwishoni').locator('.value').textContent()).toBe('180.00')
    expect(await stat('Makusanyo').textContent()).toContain('kusanyo 1')
    expect(await page.locator('.report-period').textContent()).toBe(`Kipindi: ${last.from_date} hadi ${last.to_date}`)
    await page.getByRole('img', { name: /^Jumla za makusanyo kwa siku, / }).waitFor()
    await chartTextsFit(page)
    if (wide) {
      await page.getByText('Data ya chati kama jedwali').click()
      expect(await page.locator('.chart-data thead th').allTextContents()).toEqual(['Tarehe', 'Makusanyo', 'Jumla'])
    }
    expect(
      await englishLeft(page, [
        'Reports',
        'Print',
        'Export CSV',
        'From',
        'To',
        'This month',
        'All dates',
        'Period',
        'Collections',
        'Payments',
        'collection',
        'payments',
        'Owed to supplier',
        'In credit',
        'at the start',
        'at the end',
        'before',
        'opening',
        'Collections over time',
        'Supplier balances',
        'Only suppliers with a balance or activity',
        'Code',
        'Supplier',
        'Opening balance',
        'Closing balance',
        'Total',
        'Chart data as a table',
        'Date',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)
    // All dates: charted by month, the months as Kiswahili writes them ("Jan 20" ... "Des 25").
    await page.getByRole('button', { name: 'Tarehe zote' }).click()
    await page.getByRole('img', { name: /^Jumla za makusanyo kwa mwezi, tarehe zote / }).waitFor()
    await chartTextsFit(page)

    // Settlement runs: the list, newest first, with their statuses.
    await open(page, '/settlements', 'Hesabu za malipo')
    const runs = page.locator('main table tbody tr')
    await waitFor(async () => (await runs.count()) === 2, 'both runs')
    expect(await runs.first().textContent()).toContain('Imeidhinishwa')
    expect(await runs.last().textContent()).toContain('Rasimu')
    expect(await runs.first().textContent()).toContain(`${last.from_date} hadi ${last.to_date}`)
    expect(
      await englishLeft(page, [
        'Settlements',
        'New run',
        'Reference',
        'Period',
        'Status',
        'Suppliers',
        'Net payable',
        'Payout',
        'Approved',
        'Draft',
        'to',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)

    // A new run: the form, and the server's refusal of a period already settled, in Kiswahili.
    await page.getByRole('link', { name: 'Hesabu mpya', exact: true }).click()
    await page.getByRole('heading', { name: 'Hesabu mpya ya malipo', level: 1 }).waitFor()
    expect(await page.getByLabel('Kipindi kuanzia').inputValue()).toBe(last.from_date)
    expect(await page.getByLabel('Lipa kisichozidi, kwa kila msambazaji (si lazima)').isVisible()).toBe(true)
    expect(
      await englishLeft(page, [
        'New settlement run',
        'Period from',
        'Period to',
        'Reference (optional)',
        'Pay at most, per supplier (optional)',
        'Notes (optional)',
        'Every supplier with something to settle is included',
        'What payout files and statements call the run',
        'When the business pays part now',
        'Compute run',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)
    if (wide) {
      await page.getByRole('button', { name: 'Kokotoa hesabu' }).click()
      await page.getByText('Sehemu ya kipindi hiki tayari imelipwa kwa hesabu iliyoidhinishwa.').waitFor()
    }

    // The approved run: facts, totals, lines, payout status and the payout results form.
    await open(page, `/settlements/${approvedRunId}`, 'Hesabu ya malipo MWEZI-1')
    const lines = page.locator('table.st-lines tbody tr')
    await waitFor(async () => (await lines.count()) > 0, "the run's lines")
    expect(await page.getByRole('region', { name: 'Jumla za hesabu' }).textContent()).toContain('Kinacholipwa')
    expect(await lines.filter({ hasText: 'Kamau Farm' }).textContent()).toContain('Inasubiri') // its payout is pending
    await page.getByRole('heading', { name: 'Matokeo ya malipo' }).waitFor()
    expect(await page.getByRole('button', { name: 'Hamisha CSV ya benki' }).isVisible()).toBe(true)
    expect(
      await englishLeft(page, [
        'Settlement',
        'Period',
        'Status',
        'Approved',
        'Floor',
        'Suppliers',
        'Gross',
        'Advances',
        'Deducted',
        'Net payable',
        'Payout',
        'Carried forward',
        'Carried',
        'Lines',
        'Supplier',
        'Flags',
        'Payout status',
        'Pending',
        'Nothing to pay',
        'Payout results',
        'Results file (CSV)',
        'Record results',
        'Export bank CSV',
        'Export mobile money CSV',
        'In credit',
        'to',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)

    if (wide) {
      // A draft computed by finance: the manager may approve or discard it.
      await open(page, `/settlements/${draftRunId}`, 'Hesabu ya malipo MWEZI-0')
      expect(await page.getByRole('button', { name: 'Idhinisha' }).isVisible()).toBe(true)
      expect(await page.getByRole('button', { name: 'Tupa' }).isVisible()).toBe(true)
      expect(await englishLeft(page, ['Approve', 'Discard', 'Draft', 'Not approved'])).toEqual([])
    }

    // Kamau's statement of the approved run.
    await open(page, `/statements/${statementLineId}`, 'Taarifa: Kamau Farm')
    expect(await page.getByTestId('statement-period').textContent()).toBe(`${last.from_date} hadi ${last.to_date}`)
    // The first run opens at 0.00 and also pays what no run covered before it, late: 120.00 + 1,200.00 + 300.00.
    expect(await page.getByTestId('statement-net').textContent()).toBe('1,620.00')
    const summary = await page.getByRole('table', { name: 'Muhtasari' }).textContent()
    for (const label of ['Salio la mwanzo', 'Makusanyo (yenye bei)', 'Kinachostahili kulipwa', 'Kinacholipwa'])
      expect(summary, label).toContain(label)
    expect(await page.locator('.st-sign').textContent()).toMatch(/^Amepokea: _+ Tarehe: _+$/)
    expect(
      await englishLeft(page, [
        'Statement',
        'Supplier',
        'Period',
        'Run',
        'Status',
        'Approved',
        'Printed',
        'Opening balance',
        'Collections (priced)',
        'Advances paid',
        'Deductions taken',
        'Net payable',
        'Payout',
        'Carried forward',
        'Collections',
        'Date',
        'Receipt',
        'Quantity',
        'Amount',
        'Payments',
        'No advances in this period',
        'Deductions',
        'No deductions this period',
        'Received by',
        'Print',
        'Download CSV',
        'to',
      ]),
    ).toEqual([])
    await fitsWidth(page, viewport.width)
    await context.close()
  })
}
