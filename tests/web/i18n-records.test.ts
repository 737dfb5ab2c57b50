/**
 * The supplier, deduction and product screens in Kiswahili (docs/translations.md), as a manager
 * on a 360x740 phone and on a desktop (the phone hides some table columns, the desktop shows
 * them): the suppliers list, a supplier's page with its statement and deductions (and the
 * deduction form), the supplier form, the products list with the new product form, a product's
 * page with its rate history, edit form and the rate form. Headings, labels and buttons read in
 * Swahili, the words lib/deductions.ts and lib/product-rates.ts write too, and none of these
 * screens' English texts is left in `<main>` (text, options, aria-labels, placeholders, titles).
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { api, DESKTOP, PASSWORD, PHONE, startWebHarness, type WebHarness } from './harness'

let h: WebHarness
let otherSupplier = ''
beforeAll(async () => {
  h = await startWebHarness()
  const { token } = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.manager.email,
    password: PASSWORD,
  })
  const day = new Date().toISOString().slice(0, 10)
  const supplier_id = h.data.supplierId
  await api(h.server.url, token, 'POST', '/api/collections', {
    supplier_id,
    product_id: h.data.productId,
    collection_date: day,
    quantity: '12.5',
    unit: 'kg',
  })
  await api(h.server.url, token, 'POST', '/api/payments', {
    supplier_id,
    payment_date: day,
    amount: '300.00',
    payment_type: 'advance',
    reference_number: 'R-7',
  })
  await api(h.server.url, token, 'POST', '/api/deductions', {
    supplier_id,
    kind: 'per_quantity',
    description: 'Usafiri',
    rate: '2.50',
    unit: 'kg',
    product_id: h.data.productId,
    effective_date: day,
  })
  await api(h.server.url, token, 'POST', '/api/deductions', {
    supplier_id,
    kind: 'charge',
    description: 'Ada ya chama',
    amount: '50.00',
    effective_date: day,
  })
  // A closed rate, so the history shows a period with an end as well as the open one.
  await api(h.server.url, token, 'POST', '/api/product-rates', {
    product_id: h.data.productId,
    unit: 'bundle',
    rate: '30.00',
    effective_date: '2020-01-01',
    end_date: '2020-12-31',
  })
  otherSupplier = (
    await api(h.server.url, token, 'POST', '/api/suppliers', { code: 'SUP-002', name: 'Wanjiku Shamba' })
  ).name
})
afterAll(() => h?.close())

/**
 * These screens' English texts (whole words): none may be left once the screens speak Swahili.
 * Not "to": the balance column's "Owed to supplier" is lib/balance-words.ts's, shared with the
 * payment and settlement screens (i18n/areas/money.ts).
 */
const ENGLISH = [
  // suppliers
  'Suppliers',
  'New supplier',
  'Find suppliers',
  'Search',
  'Sort by',
  'Name A–Z',
  'Code Z–A',
  'All',
  'Active',
  'Inactive',
  'Status',
  'Code',
  'Name',
  'Phone',
  'Suppliers with their balance',
  'Name, code, phone…',
  '1 supplier',
  'suppliers',
  // supplier form
  'Edit',
  'Save changes',
  'Create supplier',
  'Delete supplier',
  'Letters, digits, dot, dash and underscore',
  'Paid by',
  'Cash',
  'Bank transfer',
  'Mobile money',
  'Bank',
  'Bank account',
  'Mobile money number',
  'Leave empty to pay to the phone number',
  'Email',
  'Address',
  'already used by',
  // supplier page and statement
  'Delete',
  'Print statement',
  'Balance',
  'Collected',
  'Paid',
  'Deducted',
  'Supplier records',
  'Collections of this supplier',
  'Payments to this supplier',
  'New collection',
  'New payment',
  'Statement',
  'From',
  'To',
  'entries in this period',
  'Date',
  'Entry',
  'Amount',
  'Opening balance',
  'Collection',
  'Payment',
  'payment',
  'Totals and closing balance',
  'Statement of',
  'ref',
  // deductions
  'Deductions',
  'Recovered from what',
  'Deductions of',
  'Kind',
  'Description',
  'Terms',
  'In force',
  'In force today',
  'Switch off',
  'Add deduction',
  'Actions',
  'One-off charge',
  'Per quantity delivered',
  'Fixed each period',
  'Credit (inputs or loan)',
  'once',
  'per',
  'of',
  'on',
  'from',
  'Purpose',
  'Inputs (fertiliser, feed…)',
  'Loan',
  'Principal',
  'Instalment',
  'Recovered each period until repaid.',
  'Rate (per unit)',
  'Unit',
  'Product (optional)',
  'Every product',
  'Charged on',
  'In force from',
  'Ends on (optional)',
  'Leave empty while it runs on.',
  'Notes (optional)',
  'Transport, Society fee, Fertiliser 2 bags',
  // products and the product form
  'Products',
  'New product',
  'Find products',
  'Name or code…',
  '1 product',
  'Default unit',
  'Rate today',
  'Products with the rate in force today',
  'Create product',
  'Save product',
  'Edit product',
  'Pricing',
  'One rate per unit',
  'A rate per grade',
  'Quality formula (fat and SNF)',
  'Grades',
  'Separated by commas. Each grade has its own rate.',
  'kg, l, bundle…',
  // product page and rate form
  'Delete product',
  'Rate history',
  'Rate',
  'Period',
  'open end',
  'Deactivate',
  'All rates of',
  'Add rate',
  'Effective from',
  'Leave empty for a rate with no end.',
  'This rate overlaps',
  'Loading…',
]

/** The English texts of ENGLISH still shown in `<main>`, outside `skip` (a selector). */
async function englishLeft(page: Page, skip?: string): Promise<string[]> {
  const shown = await page.evaluate((skip) => {
    const main = document.querySelector('main')
    if (!main) return ''
    const skipped = (el: Element) => (skip ? el.closest(skip) !== null : false)
    const out: string[] = []
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement
      // Screen-reader-only text counts (it is clipped, not hidden); options are read below.
      if (el && !skipped(el) && !el.closest('option, datalist') && el.checkVisibility())
        out.push(node.textContent ?? '')
    }
    for (const el of main.querySelectorAll('*')) {
      if (skipped(el) || !el.checkVisibility()) continue
      for (const name of ['aria-label', 'placeholder', 'title']) out.push(el.getAttribute(name) ?? '')
      if (el instanceof HTMLSelectElement) for (const option of el.options) out.push(option.text)
    }
    return out.join('\n')
  }, skip)
  return ENGLISH.filter((text) => {
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    return new RegExp(`(?<![\\p{L}])${escaped}(?![\\p{L}])`, 'u').test(shown)
  })
}

async function noEnglish(page: Page, where: string, skip?: string) {
  expect(await englishLeft(page, skip), `${page.viewportSize()?.width}px ${where}`).toEqual([])
}

async function heading(page: Page, name: string, level = 1) {
  await page.getByRole('heading', { name, exact: true, level }).waitFor()
}

async function visible(page: Page, texts: string[]) {
  const main = page.locator('main')
  for (const text of texts) await main.getByText(text, { exact: true }).locator('visible=true').first().waitFor()
}

async function manager(viewport: { width: number; height: number }) {
  const context = await h.newContext(viewport)
  const page = await context.newPage()
  await page.goto('/')
  await page.getByLabel('Language').selectOption('sw')
  await page.getByLabel('Barua pepe').fill(h.users.manager.email)
  await page.getByLabel('Nenosiri').fill(PASSWORD)
  await page.getByRole('button', { name: 'Ingia', exact: true }).click()
  await page.getByRole('navigation', { name: 'Kuu' }).waitFor()
  return { context, page }
}

async function suppliersInSwahili(page: Page) {
  const main = page.locator('main')
  const wide = (page.viewportSize()?.width ?? 0) > 600

  // The list.
  await page.goto('/suppliers')
  await heading(page, 'Wasambazaji')
  await main.getByRole('link', { name: 'Kamau Farm' }).waitFor()
  await main.getByRole('link', { name: 'Msambazaji mpya' }).waitFor()
  await main.getByRole('search', { name: 'Tafuta wasambazaji' }).waitFor()
  await main.getByRole('searchbox', { name: 'Tafuta' }).waitFor()
  expect(await main.getByLabel('Panga kwa').locator('option').allTextContents()).toEqual([
    'Jina A–Z',
    'Jina Z–A',
    'Msimbo A–Z',
    'Msimbo Z–A',
  ])
  expect(await main.getByLabel('Hali', { exact: true }).locator('option').allTextContents()).toEqual([
    'Wote',
    'Hai',
    'Si hai',
  ])
  expect(await main.locator('.sp-count').textContent()).toBe('Wasambazaji 2')
  if (wide) await visible(page, ['Msimbo', 'Jina', 'Simu', 'Hali'])
  await noEnglish(page, 'suppliers')

  // A supplier's page: details, balance, links, statement, deductions.
  await main.getByRole('link', { name: 'Kamau Farm' }).click()
  await heading(page, 'Kamau Farm')
  await heading(page, 'Salio', 2)
  await heading(page, 'Taarifa ya akaunti', 2)
  await heading(page, 'Makato', 2)
  await main.getByRole('link', { name: 'Hariri', exact: true }).waitFor()
  await main.getByRole('button', { name: 'Futa', exact: true }).waitFor()
  await main.getByRole('button', { name: 'Chapisha taarifa' }).waitFor()
  await main.getByRole('navigation', { name: 'Kumbukumbu za msambazaji' }).waitFor()
  await main.getByRole('link', { name: 'Makusanyo ya msambazaji huyu' }).waitFor()
  await main.getByLabel('Kuanzia').waitFor()
  await main.getByLabel('Hadi').waitFor()
  await visible(page, ['Msimbo', 'Hali', 'Simu', 'Barua pepe', 'Anwani', 'Yaliyokusanywa', 'Yaliyolipwa'])
  await visible(page, ['Maingizo 2 katika kipindi hiki', 'Kusanyo', 'Malipo', 'Salio la kuanzia'])
  await visible(page, ['Jumla na salio la kufunga'])
  if (wide) {
    await main.getByText(/^Green tea leaf: 12\.50* kg kwa bei 120\.00$/).waitFor()
    // The payment's type and method are the payment screens' words (i18n/areas/money.ts).
    await main.getByText(/^Malipo: .+ \(.+, kumb\. R-7\)$/).waitFor()
  } else await visible(page, ['Kiasi'])
  // Its deductions, worded by lib/deductions.ts.
  const deductions = main.getByRole('table', { name: 'Makato ya Kamau Farm' })
  await deductions.waitFor()
  for (const text of ['Aina', 'Maelezo', 'Masharti', 'Muda wa kutumika', 'Vitendo'])
    await deductions.getByRole('columnheader', { name: text, exact: true }).waitFor()
  const day = new Date().toISOString().slice(0, 10)
  for (const text of ['Kwa kiasi kilicholetwa', '2.50 kwa kg ya Green tea leaf', `kuanzia ${day}`, `tarehe ${day}`])
    await deductions.getByText(text, { exact: true }).waitFor()
  await deductions.getByText('Tozo la mara moja', { exact: true }).waitFor()
  await deductions.getByText(/^50\.00 mara moja$/).waitFor()
  expect(await deductions.getByText('Inatumika leo', { exact: true }).count()).toBe(2)
  await deductions.getByRole('button', { name: 'Hariri Usafiri' }).waitFor()
  await deductions.getByRole('button', { name: 'Zima Usafiri' }).waitFor()
  await noEnglish(page, 'supplier page')

  // The deduction form, with the fields of two kinds.
  await main.getByRole('button', { name: 'Ongeza makato' }).click()
  const form = main.getByRole('form', { name: 'Ongeza makato' })
  await form.waitFor()
  const kind = form.getByLabel('Aina')
  expect(await kind.locator('option').allTextContents()).toEqual(
    expect.arrayContaining(['Tozo la mara moja', 'Kwa kiasi kilicholetwa', 'Kiasi maalum kila kipindi']),
  )
  for (const label of ['Maelezo', 'Kiasi', 'Tarehe ya kutozwa', 'Maelezo ya ziada (si lazima)', 'Hai'])
    await form.getByLabel(label, { exact: true }).waitFor()
  await kind.selectOption('per_quantity')
  for (const label of ['Bei (kwa kipimo)', 'Kipimo', 'Bidhaa (si lazima)', 'Inatumika kuanzia'])
    await form.getByLabel(label, { exact: true }).waitFor()
  await form.getByLabel('Inaisha tarehe (si lazima)').waitFor()
  await noEnglish(page, 'deduction form, per quantity')
  await kind.selectOption('credit')
  for (const label of ['Madhumuni', 'Mtaji wa mkopo', 'Awamu']) await form.getByLabel(label, { exact: true }).waitFor()
  await noEnglish(page, 'deduction form, credit')
  await form.getByRole('button', { name: 'Ghairi' }).click()

  // The supplier form: its payout fields, and a code another supplier has.
  await page.goto(`/suppliers/${h.data.supplierId}/edit`)
  await heading(page, 'Hariri Kamau Farm')
  for (const label of ['Msimbo', 'Jina', 'Simu', 'Barua pepe', 'Anwani', 'Analipwa kwa', 'Hai'])
    await main.getByLabel(label, { exact: true }).waitFor()
  await main.getByText('Herufi, tarakimu, nukta, kistari na mstari wa chini').waitFor()
  await main.getByRole('button', { name: 'Futa msambazaji' }).waitFor()
  await main.getByLabel('Analipwa kwa').selectOption('bank_transfer')
  await main.getByLabel('Akaunti ya benki').waitFor()
  await main.getByLabel('Benki', { exact: true }).waitFor()
  await noEnglish(page, 'supplier form, bank')
  await main.getByLabel('Analipwa kwa').selectOption('mobile_money')
  await main.getByLabel('Namba ya pesa kwa simu').waitFor()
  await main.getByLabel('Msimbo').fill('SUP-002')
  await main.getByRole('button', { name: 'Hifadhi mabadiliko' }).click()
  await main.getByText(`tayari inatumiwa na ${otherSupplier}`).waitFor()
  await noEnglish(page, 'supplier form, mobile money')

  await page.goto('/suppliers/new')
  await heading(page, 'Msambazaji mpya')
  await main.getByRole('button', { name: 'Ongeza msambazaji' }).waitFor()
  await noEnglish(page, 'new supplier')
}

async function productsInSwahili(page: Page) {
  const main = page.locator('main')

  // The list, and the new product form with each pricing mode's fields.
  await page.goto('/products')
  await heading(page, 'Bidhaa')
  await main.getByRole('link', { name: 'Green tea leaf' }).waitFor()
  await main.getByRole('search', { name: 'Tafuta bidhaa' }).waitFor()
  expect(await main.locator('.sp-count').textContent()).toBe('Bidhaa 1')
  await main.getByRole('columnheader', { name: 'Bei ya leo' }).waitFor()
  await noEnglish(page, 'products')
  await main.getByRole('button', { name: 'Bidhaa mpya' }).click()
  await heading(page, 'Bidhaa mpya', 2)
  for (const label of ['Msimbo', 'Jina', 'Kipimo cha kawaida', 'Upangaji wa bei', 'Maelezo', 'Hai'])
    await main.getByLabel(label, { exact: true }).waitFor()
  await main.getByRole('button', { name: 'Ongeza bidhaa' }).waitFor()
  const pricing = main.getByLabel('Upangaji wa bei')
  expect(await pricing.locator('option').allTextContents()).toEqual([
    'Bei moja kwa kila kipimo',
    'Bei kwa kila daraja',
    'Fomula ya ubora (mafuta na SNF)',
  ])
  await pricing.selectOption('graded')
  await main.getByLabel('Madaraja').waitFor()
  await noEnglish(page, 'new product, graded')
  await pricing.selectOption('quality')
  await main.getByText(/^Bei ni kiasi cha msingi/).waitFor()
  await noEnglish(page, 'new product, quality')
  await main.getByRole('button', { name: 'Ghairi' }).click()

  // A product's page: details, rate history (an open and a closed period), the rate form.
  await main.getByRole('link', { name: 'Green tea leaf' }).click()
  await heading(page, 'Green tea leaf')
  await heading(page, 'Historia ya bei', 2)
  await visible(page, ['Kipimo cha kawaida', 'Upangaji wa bei', 'Bei moja kwa kila kipimo', 'Inatumika leo'])
  const history = main.locator('section[aria-labelledby="rates-title"] table')
  expect(await history.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.children[2].textContent))).toEqual(
    expect.arrayContaining(['2020-01-01 hadi bila mwisho', '2020-01-01 hadi 2020-12-31']),
  )
  await history.getByRole('button', { name: 'Zima bei kuanzia 2020-01-01 na kuendelea' }).waitFor()
  await heading(page, 'Ongeza bei', 2)
  const rateForm = main.getByRole('form', { name: 'Ongeza bei' })
  for (const label of ['Kipimo', 'Bei (kwa kipimo)', 'Inaanza kutumika', 'Inaisha tarehe (si lazima)', 'Hai'])
    await rateForm.getByLabel(label, { exact: true }).waitFor()
  await rateForm.getByLabel('Bei (kwa kipimo)').fill('130')
  await rateForm.getByRole('button', { name: 'Ongeza bei' }).click()
  await rateForm
    .getByText(/^Bei hii inaingiliana na bei kuanzia 2020-01-01 na kuendelea \(120\.00 kwa kg\)\. Kwanza/)
    .waitFor()
  // The reprice panel is another group's screen (i18n/areas/admin.ts).
  await noEnglish(page, 'product page', 'section[aria-labelledby="reprice-title"]')
  await main.getByRole('button', { name: 'Hariri bidhaa' }).click()
  await heading(page, 'Hariri bidhaa', 2)
  await main.getByRole('button', { name: 'Hifadhi bidhaa' }).waitFor()
  await noEnglish(page, 'product edit form', 'section[aria-labelledby="reprice-title"]')
}

test.each([
  ['a phone', PHONE],
  ['a desktop', DESKTOP],
])('a manager reads the supplier, deduction and product screens in Kiswahili on %s', async (_, viewport) => {
  const { context, page } = await manager(viewport)
  await suppliersInSwahili(page)
  await productsInSwahili(page)
  await context.close()
})
