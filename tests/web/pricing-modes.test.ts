/**
 * Issue 16 in Chromium on a 360x740 phone: a collection in every pricing mode
 * (flat with containers, tare and a deduction; graded; a milk quality
 * formula) recorded offline shows the right net and amount as it is typed,
 * and once synced its receipt shows the receipt number, the weighing, the
 * grade or readings and the server's amount, and prints. A net weight over
 * the business's threshold is saved only when confirmed, and so is a payment
 * over its threshold or beyond the balance owed (the form says so first); an
 * admin changes the settings on their screen; a manager reprices a period.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  api,
  choose,
  DESKTOP,
  PASSWORD,
  PHONE,
  pendingCount as pending,
  pickSupplier,
  startWebHarness,
  type WebHarness,
  waitFor,
} from './harness'

let h: WebHarness
let manager: string
let admin: string
beforeAll(async () => {
  h = await startWebHarness()
  const login = async (email: string) =>
    (await api(h.server.url, undefined, 'POST', '/api/auth/login', { email, password: PASSWORD })).token as string
  manager = await login(h.users.manager.email)
  admin = await login(h.users.admin.email)
  const as = (path: string, body: unknown) => api(h.server.url, manager, 'POST', path, body)
  const leaf = await as('/api/products', {
    code: 'LEAF-G',
    name: 'Graded leaf',
    default_unit: 'kg',
    pricing: 'graded',
    grades: ['A', 'B'],
  })
  for (const [grade, rate] of [
    ['A', '150.00'],
    ['B', '100.00'],
  ]) {
    await as('/api/product-rates', { product_id: leaf.id, unit: 'kg', grade, rate, effective_date: '2020-01-01' })
  }
  const milk = await as('/api/products', { code: 'MILK', name: 'Fresh milk', default_unit: 'l', pricing: 'quality' })
  await as('/api/product-rates', {
    product_id: milk.id,
    unit: 'l',
    rate: '10.00',
    fat_rate: '3.00',
    snf_rate: '1.50',
    effective_date: '2020-01-01',
  })
  await api(h.server.url, admin, 'PATCH', '/api/settings', {
    business_name: 'Kericho Leaf Co-op',
    receipt_header: 'P.O. Box 1, Kericho',
    large_quantity: '500.000',
    large_payment: '50000.00',
  })
  await as('/api/suppliers', { code: 'SUP-002', name: 'Wanjiru Farm' })
})
afterAll(() => h?.close())

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? ''

interface Mode {
  name: string
  product: string
  fill: (page: Page) => Promise<void>
  net: string
  amount: string
  /** On the receipt: the grade or the readings. */
  detail: RegExp | undefined
  totalMinor: number
}

const MODES: Mode[] = [
  {
    name: 'flat, with containers, tare and a deduction',
    product: 'Green tea leaf',
    fill: async (page) => {
      await page.getByLabel('Gross quantity').fill('52')
      await page.getByLabel('Containers').fill('2')
      await page.getByLabel('Tare per container').fill('0.75')
      await page.getByLabel('Deduction %').fill('4')
    },
    // 52 - 2 x 0.75 = 50.5; 4% = 2.02; 48.48 kg x 120.00
    net: '48.48 kg',
    amount: '5,817.60',
    detail: undefined,
    totalMinor: 581760,
  },
  {
    name: 'graded',
    product: 'Graded leaf',
    fill: async (page) => {
      await page.getByLabel('Gross quantity').fill('20')
      await page.getByLabel('Grade', { exact: true }).selectOption('A')
    },
    net: '20 kg',
    amount: '3,000.00',
    detail: /Grade\s*A/,
    totalMinor: 300000,
  },
  {
    name: 'quality (milk)',
    product: 'Fresh milk',
    fill: async (page) => {
      await page.getByLabel('Gross quantity').fill('12.5')
      await page.getByLabel('Fat %').fill('3.8')
      await page.getByLabel('SNF %').fill('8.5')
    },
    // 10.00 + 3.8 x 3.00 + 8.5 x 1.50 = 34.15 per litre; 12.5 l = 426.875 -> 426.88
    net: '12.5 l',
    amount: '426.88',
    detail: /Fat \/ SNF\s*3\.80% \/ 8\.50%/,
    totalMinor: 42688,
  },
]

test('a collection in every pricing mode, recorded offline on a phone, previews, syncs and prints', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'collector')
  // The first sync brings the products, rates and settings.
  await page.goto('/collections/new')
  await choose(page.getByLabel('Product', { exact: true }), 'Fresh milk')
  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()

  const receipts: string[] = []
  for (const mode of MODES) {
    await page.goto('/collections/new')
    await pickSupplier(page, 'Kamau Farm')
    await choose(page.getByLabel('Product', { exact: true }), mode.product)
    await mode.fill(page)
    await waitFor(async () => (await text(page, 'collection-amount')).includes(mode.amount), `${mode.name} amount`)
    expect(await text(page, 'collection-net'), mode.name).toContain(mode.net)
    // Nothing on the form is wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    await page.getByRole('button', { name: 'Save collection' }).click()
    await page.getByRole('button', { name: 'Print' }).waitFor()
    expect(await text(page, 'receipt-amount')).toContain(`${mode.amount} (preview)`)
    expect(await text(page, 'receipt-number')).toMatch(/^[A-Z]{1,4}-\d+$/)
    receipts.push(page.url())
  }

  await context.setOffline(false)
  await waitFor(async () => (await pending(page)) === 0, 'the queue to drain', 30_000)

  const rows = await h.db.handle.db
    .selectFrom('collections')
    .selectAll()
    .where('user_id', '=', h.users.collector.id)
    .orderBy('created_at')
    .execute()
  expect(rows.map((r) => Number(r.total_minor))).toEqual(MODES.map((m) => m.totalMinor))
  for (const [i, mode] of MODES.entries()) {
    await page.goto(receipts[i])
    const receipt = page.locator('article.rc-receipt')
    await receipt.waitFor()
    await waitFor(async () => !(await text(page, 'receipt-amount')).includes('preview'), 'the synced amount')
    expect(await text(page, 'receipt-amount'), mode.name).toBe(`KES ${mode.amount}`)
    expect(await text(page, 'receipt-number')).toBe(rows[i].receipt_number)
    expect(await text(page, 'receipt-net')).toBe(mode.net)
    expect(await text(page, 'receipt-business')).toBe('Kericho Leaf Co-op')
    expect(await text(page, 'receipt-header')).toBe('P.O. Box 1, Kericho')
    const all = (await receipt.textContent()) ?? ''
    expect(all).toContain('Collector Web')
    expect(all).toContain('Kamau Farm (SUP-001)')
    if (mode.detail) expect(all).toMatch(mode.detail)
    if (i === 0) {
      expect(all).toMatch(/Gross\s*52 kg/)
      expect(all).toMatch(/Tare\s*2 × 0\.75 kg = 1\.5 kg/)
      expect(all).toMatch(/Deduction\s*4% = 2\.02 kg/)
    }
  }

  // The receipt prints: only the receipt, the sign line shows, and a PDF comes out.
  await page.emulateMedia({ media: 'print' })
  expect(await page.locator('.topbar').isVisible()).toBe(false)
  expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false)
  expect(await page.locator('.rc-receipt-sign').isVisible()).toBe(true)
  expect(await page.getByTestId('receipt-amount').isVisible()).toBe(true)
  const pdf = await page.pdf({ width: '80mm', printBackground: false })
  expect(pdf.subarray(0, 4).toString()).toBe('%PDF')
  expect(pdf.length).toBeGreaterThan(5_000)
  await context.close()
})

test('a net weight over the threshold is saved only when confirmed; a date too far ahead is flagged', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'collector')
  await page.goto('/collections/new')
  await pickSupplier(page, 'Kamau Farm')
  await choose(page.getByLabel('Product', { exact: true }), 'Green tea leaf')

  await page.getByLabel('Date').fill('2099-01-01')
  await page.getByText(/must not be after/).waitFor()
  await page.getByRole('button', { name: 'Save collection' }).click()
  expect(await page.getByRole('heading', { name: 'New collection' }).isVisible()).toBe(true)
  const today = await page.evaluate(() => new Date().toISOString().slice(0, 10))
  await page.getByLabel('Date').fill(today)

  // 510 - 2 x 5 = 500: at the threshold, no question.
  await page.getByLabel('Gross quantity').fill('520')
  await page.getByLabel('Containers').fill('2')
  await page.getByLabel('Tare per container').fill('5')
  await waitFor(async () => (await text(page, 'collection-net')).includes('= 510 kg'), 'the net')
  const dialogs: string[] = []
  page.once('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  await page.getByRole('button', { name: 'Save collection' }).click()
  await waitFor(async () => dialogs.length === 1, 'the question')
  expect(dialogs[0]).toMatch(/^Are you sure\? The net quantity is over 500\.000/)
  await new Promise((r) => setTimeout(r, 500))
  expect(await page.getByRole('heading', { name: 'New collection' }).isVisible()).toBe(true)
  const big = () =>
    h.db.handle.db
      .selectFrom('collections')
      .selectAll()
      .where('net_milli', '=', 510_000 as never)
      .execute()
  expect(await big()).toHaveLength(0)

  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Save collection' }).click()
  await page.getByRole('button', { name: 'Print' }).waitFor()
  await waitFor(async () => (await big()).length === 1, 'the collection on the server')
  expect(Number((await big())[0].confirmed_large)).toBe(1)
  await context.close()
})

test('a payment over the threshold and beyond the balance owed says so and asks before saving', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await page.goto('/payments/new')
  await pickSupplier(page, 'Wanjiru Farm')
  await page.getByLabel('Amount').fill('60000')
  await page.getByTestId('payment-beyond-owed').waitFor()
  expect(await text(page, 'payment-beyond-owed')).toBe('Nothing is owed to this supplier: all 60,000.00 is paid ahead.')
  const dialogs: string[] = []
  page.once('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  await page.getByRole('button', { name: 'Save payment' }).click()
  await waitFor(async () => dialogs.length === 1, 'the question')
  expect(dialogs[0]).toBe(
    'Are you sure? The amount is over 50000.00; and it pays 60,000.00 more than the balance owed.',
  )
  const paid = () =>
    h.db.handle.db
      .selectFrom('payments')
      .selectAll()
      .where('amount_minor', '=', 6_000_000 as never)
      .execute()
  await new Promise((r) => setTimeout(r, 500))
  expect(await paid()).toHaveLength(0)
  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Save payment' }).click()
  await page.getByRole('button', { name: 'Print' }).waitFor()
  await waitFor(async () => (await paid()).length === 1, 'the payment on the server')
  expect(Number((await paid())[0].confirmed_large)).toBe(1)
  await context.close()
})

test('an admin changes the settings; admins and managers see who collected', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'admin')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('heading', { name: 'Settings' }).waitFor()
  const name = page.getByLabel('Business name')
  await waitFor(async () => (await name.inputValue()) === 'Kericho Leaf Co-op', 'the settings')

  // A field the server refuses is marked, nothing is saved.
  await page.getByLabel('Time zone').fill('Mars/Olympus')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await page.getByText('is not a time zone (e.g. Africa/Nairobi)').waitFor()
  expect((await api(h.server.url, admin, 'GET', '/api/settings')).time_zone).toBe('UTC')
  await page.getByLabel('Time zone').fill('Africa/Nairobi')
  await name.fill('Kericho Tea Factory')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await page.getByText('Settings saved').waitFor()
  const saved = await api(h.server.url, admin, 'GET', '/api/settings')
  expect(saved).toMatchObject({
    business_name: 'Kericho Tea Factory',
    time_zone: 'Africa/Nairobi',
    currency: 'KES',
    large_quantity: '500.000',
  })

  // The collections list names the collector for an admin.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Collections' }).click()
  await page.getByRole('columnheader', { name: 'Collector' }).waitFor()
  await page.getByRole('cell', { name: 'Collector Web' }).first().waitFor()
  await context.close()

  // So does it for a manager: the users' names come with the sync to the roles that see others' records.
  const managers = await h.newContext(DESKTOP)
  const mp = await managers.newPage()
  await h.signIn(mp, 'manager')
  await mp.goto('/collections')
  await mp.getByRole('columnheader', { name: 'Collector' }).waitFor()
  await mp.getByRole('cell', { name: 'Collector Web' }).first().waitFor()
  await managers.close()

  // A collector sees no Settings and no collector column.
  const other = await h.newContext(DESKTOP)
  const p2 = await other.newPage()
  await h.signIn(p2, 'collector')
  expect(await p2.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count()).toBe(0)
  await p2.goto('/collections')
  await p2.getByRole('columnheader', { name: 'Receipt' }).waitFor()
  expect(await p2.getByRole('columnheader', { name: 'Collector' }).count()).toBe(0)
  await other.close()
})

test('a manager reprices a period: preview, reason, apply; a stale preview is shown again', async () => {
  const url = h.server.url
  const leaf = (await api(url, manager, 'GET', '/api/products?search=LEAF-G')).data[0]
  /** Replaces grade A's rate with `rate` from 2020 (the collection of the first test stays priced at the old one). */
  const newRateA = async (rate: string) => {
    const rates = (await api(url, manager, 'GET', `/api/product-rates?product_id=${leaf.id}&is_active=true`)).data
    const a = rates.find((r: { grade: string | null }) => r.grade === 'A')
    await api(url, manager, 'PATCH', `/api/product-rates/${a.id}`, { version: a.version, is_active: false })
    await api(url, manager, 'POST', '/api/product-rates', {
      product_id: leaf.id,
      unit: 'kg',
      grade: 'A',
      rate,
      effective_date: '2020-01-01',
    })
  }
  const totalA = async () =>
    (
      await h.db.handle.db
        .selectFrom('collections')
        .select('total_minor')
        .where('product_id', '=', leaf.id)
        .where('grade', '=', 'A')
        .executeTakeFirstOrThrow()
    ).total_minor
  await newRateA('160.00')
  expect(Number(await totalA())).toBe(300000)

  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await page.goto(`/products/${leaf.id}`)
  const panel = page.getByRole('region', { name: 'Reprice a period' })
  await panel.getByLabel('From').fill('2020-01-01')
  await panel.getByRole('button', { name: 'Preview' }).click()
  await page.getByTestId('reprice-summary').waitFor()
  expect(await text(page, 'reprice-summary')).toMatch(
    /^1 of 1 collections change: 3,000\.00 → 3,200\.00 \(difference 200\.00\)/,
  )
  expect(await panel.getByRole('row').nth(1).textContent()).toMatch(/Kamau Farm.*3,000\.00.*3,200\.00/)
  await panel.getByLabel('Reason').fill('Corrected grade A rate')

  // The rate changes again before Apply: the server refuses the stale plan and the panel shows the new one.
  await newRateA('170.00')
  await panel.getByRole('button', { name: 'Apply to 1 collection' }).click()
  await page.getByText(/changed since the preview/).waitFor()
  await waitFor(async () => (await text(page, 'reprice-summary')).includes('3,400.00'), 'the new preview')
  expect(Number(await totalA())).toBe(300000)
  await panel.getByRole('button', { name: 'Apply to 1 collection' }).click()
  await page.getByText('Repriced 1 collection').waitFor()
  expect(Number(await totalA())).toBe(340000)
  const done = await api(url, manager, 'GET', `/api/reprices?product_id=${leaf.id}`)
  expect(done).toHaveLength(1)
  expect(done[0]).toMatchObject({ reason: 'Corrected grade A rate', changed: 1, total_after: '3400.00' })
  await context.close()
})
