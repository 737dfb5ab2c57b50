/**
 * The field app's pickers and checks in Chromium (issue 19), on a 360 px
 * phone and a desktop: the supplier picker finds a supplier by part of its
 * phone offline and lists recent suppliers first; the keyboard works it on a
 * desktop; fixing a failed collection in the sync center uses the same
 * pickers and names the supplier and product, no id in sight; "12abc" and a
 * negative payment are flagged beside their field before anything is saved;
 * a conflict on a collection names its supplier and product.
 */
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  api,
  DESKTOP,
  PASSWORD,
  PHONE,
  pendingCount as pending,
  pickSupplier,
  startWebHarness,
  type WebHarness,
} from './harness'

let h: WebHarness
let token: string
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i

beforeAll(async () => {
  h = await startWebHarness()
  token = (
    await api(h.server.url, undefined, 'POST', '/api/auth/login', { email: h.users.manager.email, password: PASSWORD })
  ).token
  // A longer list than a select handles well, and one supplier to find by phone.
  for (let i = 1; i <= 40; i++) {
    const n = String(i).padStart(2, '0')
    await api(h.server.url, token, 'POST', '/api/suppliers', {
      code: `GRW-${n}`,
      name: `Grower ${n}`,
      phone: `+25471100${n}00`,
    })
  }
  await api(h.server.url, token, 'POST', '/api/suppliers', {
    code: 'ACH-01',
    name: 'Achieng Dairy',
    phone: '+254 799 555 123',
  })
})
afterAll(() => h?.close())

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Height of an element on screen, in CSS pixels. */
async function height(el: Locator): Promise<number> {
  return (await el.boundingBox())?.height ?? 0
}

/** Signs in and waits until the first sync brought the suppliers (the picker reads the local replica). */
async function signedIn(viewport: { width: number; height: number }, role: 'manager' | 'collector') {
  const context = await h.newContext(viewport)
  const page = await context.newPage()
  await h.signIn(page, role)
  await page.goto('/suppliers')
  await page.getByRole('link', { name: 'Achieng Dairy' }).waitFor()
  return { context, page }
}

test.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])(
  '%s, offline: a supplier is found by part of its phone, picked with a tap, and listed first next time',
  async (_, viewport) => {
    const { context, page } = await signedIn(viewport, 'collector')
    await context.setOffline(true)
    await page.locator('.offline-banner').waitFor()
    await page.goto('/collections/new').catch(() => {}) // offline: the service worker or the router serves the shell
    await page.getByRole('heading', { name: 'New collection' }).waitFor()

    const input = page.getByRole('combobox', { name: 'Supplier', exact: true })
    expect(await height(input)).toBeGreaterThanOrEqual(44)
    // Local format, with spaces: matches "+254 799 555 123".
    await input.fill('0799 555')
    const options = page.getByRole('listbox', { name: 'Supplier', exact: true }).getByRole('option')
    await until(async () => (await options.count()) === 1, 'one match')
    const option = options.first()
    expect(await option.textContent()).toContain('Achieng Dairy')
    expect(await height(option)).toBeGreaterThanOrEqual(44)
    // The list opens under the input, inside the 360 px screen.
    const [inputBox, optionBox] = [await input.boundingBox(), await option.boundingBox()]
    expect(optionBox?.y).toBeGreaterThanOrEqual((inputBox?.y ?? 0) + (inputBox?.height ?? 0))
    expect((optionBox?.x ?? 0) + (optionBox?.width ?? 0)).toBeLessThanOrEqual(viewport.width)
    await option.click()
    expect(await input.inputValue()).toBe('Achieng Dairy (ACH-01)')
    expect(await input.getAttribute('aria-expanded')).toBe('false')

    // "12abc" says what is wrong as the person leaves the field, and nothing is saved.
    const quantity = page.getByLabel('Gross quantity')
    await quantity.fill('12abc')
    expect(await page.getByText('Quantity is not a number').count()).toBe(0) // not while typing
    await quantity.blur()
    await page.getByText('Quantity is not a number').waitFor()
    expect(await page.getByText(/decimal places/).count()).toBe(0)
    await page.getByRole('button', { name: 'Save collection' }).click()
    await page.getByText('Quantity is not a number').waitFor()
    await quantity.fill('0')
    await page.getByText('Quantity must be greater than zero').waitFor() // after a submit, as it is corrected
    expect(await pending(page)).toBe(0)
    await quantity.fill('12.5')
    await page.getByRole('button', { name: 'Save collection' }).click()
    await page.getByText('Not yet synced', { exact: false }).first().waitFor()
    expect(await pending(page)).toBe(1)

    // Next time, the supplier picked last comes first, marked recent, before anything is typed.
    await page.goto('/collections/new').catch(() => {})
    await input.click()
    const first = options.first()
    await first.waitFor()
    expect(await first.textContent()).toMatch(/^Achieng Dairy.*recent/)
    expect(await options.nth(1).textContent()).toMatch(/^Grower 01/)
    await context.close()
  },
)

test('desktop: the picker works with the keyboard, and a negative or non-numeric payment is flagged before saving', async () => {
  const { context, page } = await signedIn(DESKTOP, 'manager')
  await page.goto('/payments/new')
  const input = page.getByRole('combobox', { name: 'Supplier', exact: true })
  await input.focus()
  await page.keyboard.type('grw-0')
  const options = page.getByRole('listbox', { name: 'Supplier', exact: true }).getByRole('option')
  await until(async () => (await options.count()) === 9, 'GRW-01 to GRW-09')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  // The active option is announced through aria-activedescendant.
  const active = await input.getAttribute('aria-activedescendant')
  expect(active).toBeTruthy()
  expect(await page.locator(`[id="${active}"]`).textContent()).toMatch(/^Grower 02/)
  await page.keyboard.press('Enter')
  expect(await input.inputValue()).toBe('Grower 02 (GRW-02)')
  // Typing what matches nothing says so; leaving the field or Escape keeps the choice.
  await input.fill('zzz')
  await page.getByText('No active supplier matches "zzz".').waitFor()
  await page.keyboard.press('Tab')
  expect(await input.inputValue()).toBe('Grower 02 (GRW-02)')
  await input.fill('grower 1')
  await page.keyboard.press('Escape')
  await page.keyboard.press('Escape')
  expect(await input.inputValue()).toBe('Grower 02 (GRW-02)')
  // Enter with the list open never submits the form; with one match it picks it.
  await input.fill('grower')
  await page.keyboard.press('Enter')
  expect(page.url()).toMatch(/\/payments\/new$/)
  expect(await page.getByText('Enter the amount').count()).toBe(0)
  await input.fill('GRW-03')
  await page.keyboard.press('Enter')
  await until(async () => (await input.inputValue()) === 'Grower 03 (GRW-03)', 'the only match picked')
  await page.getByTestId('payment-balance').getByText('Balance now').waitFor()

  const amount = page.getByLabel('Amount')
  await amount.fill('12abc')
  await page.keyboard.press('Tab')
  await page.getByText('Amount is not a number').waitFor()
  expect(await page.getByText(/decimal places/).count()).toBe(0)
  await amount.fill('-50')
  await page.keyboard.press('Tab')
  await page.getByText('Amount must be greater than zero').waitFor()
  expect(await amount.getAttribute('aria-invalid')).toBe('true')
  await page.getByRole('button', { name: 'Save payment' }).click()
  await page.getByText('Amount must be greater than zero').waitFor()
  expect(page.url()).toMatch(/\/payments\/new$/)
  expect(await pending(page)).toBe(0)
  await context.close()
})

test.each([
  ['phone', PHONE, { code: 'GONE-1', name: 'Closing Farm', quantity: '7.5', stored: '7.500', milli: 7500 }],
  ['desktop', DESKTOP, { code: 'GONE-2', name: 'Barren Farm', quantity: '8.25', stored: '8.250', milli: 8250 }],
])(
  '%s: a failed collection is fixed in the sync center with the same pickers, named, no id shown',
  async (_, viewport, gone) => {
    const doomed = await api(h.server.url, token, 'POST', '/api/suppliers', { code: gone.code, name: gone.name })
    const { context, page } = await signedIn(viewport, 'manager')
    await page.getByRole('link', { name: gone.name }).waitFor()

    // Recorded offline for a supplier the office deletes meanwhile: the server refuses it on sync.
    await context.setOffline(true)
    await page.locator('.offline-banner').waitFor()
    await page.goto('/collections/new').catch(() => {})
    await pickSupplier(page, gone.code, gone.name)
    await page.getByLabel('Gross quantity').fill(gone.quantity)
    await page.getByRole('button', { name: 'Save collection' }).click()
    await page.getByText('Not yet synced', { exact: false }).first().waitFor()
    const deleted = await fetch(`${h.server.url}/api/suppliers/${doomed.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(deleted.status).toBe(200)
    await context.setOffline(false)

    await page.goto('/sync')
    const card = page.locator('section.sc-failed')
    await card.waitFor({ timeout: 30_000 })
    // The supplier is named, marked deleted once the sync has brought its deletion.
    const named = new RegExp(
      `${gone.name} \\(deleted\\): ${gone.stored.replace('.', '\\.')} kg Green tea leaf on \\d{4}-\\d{2}-\\d{2}`,
    )
    await until(async () => named.test((await card.getByRole('heading').textContent()) ?? ''), 'the card to name it')
    const heading = await card.getByRole('heading').textContent()
    expect(heading).toMatch(named)
    expect(await card.getByText('Supplier: not found').count()).toBe(1)
    expect(await card.getByText('The supplier it names is not on the server any more').count()).toBe(1)
    expect(await card.textContent()).not.toMatch(UUID)

    await card.getByRole('button', { name: 'Edit' }).click()
    const form = card.getByRole('form')
    const supplier = form.getByRole('combobox', { name: 'Supplier', exact: true })
    // The picker fills its box once it has read the supplier from the device (a moment after the form opens).
    await until(async () => (await supplier.inputValue()) !== '', 'the picker to name the supplier')
    expect(await supplier.inputValue()).toBe(`${gone.name} (${gone.code})`)
    const product = form.getByRole('combobox', { name: 'Product', exact: true })
    expect(await product.locator('option:checked').textContent()).toBe('Green tea leaf')
    const collector = form.getByRole('combobox', { name: 'Collector', exact: true })
    expect(await collector.locator('option:checked').textContent()).toBe(h.users.manager.name)
    // No box shows an id, and none is labelled "... id".
    expect(await form.getByLabel(/ id$/i).count()).toBe(0)
    const shown = await form.evaluate((el) =>
      [...el.querySelectorAll('input, select')].map((c) =>
        c instanceof HTMLSelectElement ? c.selectedOptions[0]?.text : (c as HTMLInputElement).value,
      ),
    )
    expect(shown.join(' ')).not.toMatch(UUID)
    expect(await card.textContent()).not.toMatch(UUID)

    // The editor checks a typed decimal as the forms do, and sends nothing until it is fixed.
    const quantity = form.getByLabel('Quantity', { exact: true })
    expect(await quantity.inputValue()).toBe(gone.stored)
    await quantity.fill(`${gone.quantity}kg`)
    await quantity.blur()
    await form.getByText('Quantity is not a number').waitFor()
    await form.getByRole('button', { name: 'Save and retry' }).click()
    expect(await page.locator('section.sc-failed').count()).toBe(1)
    await quantity.fill(gone.quantity)
    expect(await form.getByText('Quantity is not a number').count()).toBe(0)

    await pickSupplier(page, 'Kamau', 'Kamau Farm')
    await form.getByRole('button', { name: 'Save and retry' }).click()
    await until(async () => (await page.locator('section.sc-failed').count()) === 0, 'the failed card to go', 30_000)
    const onServer = () =>
      h.db.handle.db
        .selectFrom('collections')
        .select(['supplier_id', 'quantity_milli'])
        .where('supplier_id', '=', h.data.supplierId)
        .where('quantity_milli', '=', gone.milli)
        .execute()
    await until(async () => (await onServer()).length === 1, 'the edited collection on the server', 30_000)
    await until(async () => (await pending(page)) === 0, 'the queue to drain')
    await context.close()
  },
)

test('desktop: a conflict on a collection names its supplier and product, no id shown', async () => {
  const row = await api(h.server.url, token, 'POST', '/api/collections', {
    supplier_id: h.data.supplierId,
    product_id: h.data.productId,
    collection_date: '2026-01-15',
    quantity: '10',
    unit: 'kg',
  })
  const { context, page } = await signedIn(DESKTOP, 'manager')
  await page.goto(`/collections/${row.id}/edit`)
  const quantity = page.getByLabel('Gross quantity')
  await until(async () => (await quantity.inputValue()) === '10', 'the collection on this device')

  // Changed here offline and on the server meanwhile: the sync meets a conflict.
  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()
  await quantity.fill('11')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await page.getByText('Not yet synced', { exact: false }).first().waitFor()
  await api(h.server.url, token, 'PATCH', `/api/collections/${row.id}`, { version: row.version, quantity: '12' })
  await context.setOffline(false)

  await page.goto('/sync')
  const card = page.locator('section.sc-conflict')
  await card.waitFor({ timeout: 30_000 })
  expect(await card.getByRole('heading').first().textContent()).toMatch(
    /^Collection Kamau Farm: 1\d\.000 kg Green tea leaf on 2026-01-15/,
  )
  expect(await card.textContent()).not.toMatch(UUID)
  await card.getByRole('button', { name: 'Use server data' }).click()
  await until(async () => (await page.locator('section.sc-conflict').count()) === 0, 'the conflict to settle')
  await context.close()
})
