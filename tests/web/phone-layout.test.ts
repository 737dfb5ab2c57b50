/**
 * The phone layout (issue 19): on a 360x740 phone the role's main screens
 * are a tab bar at the bottom (at most 64 px tall) and "More" opens the
 * rest; every link, button and field of the main content is a 44 px tap
 * target; nothing is wider than the screen, even with a 60-character
 * supplier name and an amount of 99,999,999.99 (wide tables scroll inside
 * their own frame); the sync queue is stacked rows. A desktop keeps the
 * navigation in the top bar.
 */
import type { Role } from '@trackvault/core'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { api, DESKTOP, goToScreen, PASSWORD, PHONE, startWebHarness, type WebHarness } from './harness'
import { brokenWords, clippedLabels, overflow, smallTargets } from './layout'

let h: WebHarness
const LONG_NAME = 'Wanjiru Kamau Nyambura Family Tea Growers of Upper Kiambu Co'
const BIG = '99,999,999.99'

beforeAll(async () => {
  h = await startWebHarness()
  expect(LONG_NAME).toHaveLength(60)
  const login = async (role: Role) =>
    (await api(h.server.url, undefined, 'POST', '/api/auth/login', { email: h.users[role].email, password: PASSWORD }))
      .token as string
  const manager = await login('manager')
  const collector = await login('collector')
  const product = await api(h.server.url, manager, 'POST', '/api/products', {
    code: 'BIG',
    name: 'Bulk lot',
    default_unit: 'kg',
  })
  await api(h.server.url, manager, 'POST', '/api/product-rates', {
    product_id: product.id,
    unit: 'kg',
    rate: '99999999.99',
    effective_date: '2020-01-01',
  })
  const supplier = await api(h.server.url, manager, 'POST', '/api/suppliers', {
    code: 'SUP-LONG-NAME-01',
    name: LONG_NAME,
    phone: '+254700000099',
  })
  const day = new Date().toISOString().slice(0, 10)
  // The collector's own collection today (a collector's device holds only their own): 1 kg at 99,999,999.99.
  await api(h.server.url, collector, 'POST', '/api/collections', {
    supplier_id: supplier.id,
    product_id: product.id,
    collection_date: day,
    quantity: '1',
    unit: 'kg',
  })
  // A payment as big to the harness's supplier, so a balance of -99,999,999.99 is listed too.
  await api(h.server.url, manager, 'POST', '/api/payments', {
    supplier_id: h.data.supplierId,
    payment_date: day,
    amount: '99999999.99',
    payment_type: 'advance',
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

async function checkScreen(page: Page, screen: string) {
  const o = await overflow(page)
  expect({ screen, ...o }).toEqual({ screen, scrollWidth: expect.any(Number), sticking: [] })
  expect(o.scrollWidth, screen).toBeLessThanOrEqual(PHONE.width)
  expect({ screen, small: await smallTargets(page) }).toEqual({ screen, small: [] })
}

async function tabBar(page: Page) {
  const nav = page.getByRole('navigation', { name: 'Main' })
  const box = await nav.boundingBox()
  if (!box) throw new Error('no tab bar')
  return { nav, box }
}

test('a collector on a phone: a bottom tab bar, thumb-sized targets, nothing wider than the screen', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'collector')

  const { nav, box } = await tabBar(page)
  expect(box.height).toBeLessThanOrEqual(64)
  expect(box.y + box.height).toBeCloseTo(PHONE.height, 0)
  expect(box.width).toBe(PHONE.width)
  expect(await clippedLabels(page)).toEqual([])
  const tabs = ['Home', 'Collect', 'Suppliers', 'Sync', 'More']
  for (const name of tabs) {
    const tab = nav.getByRole(name === 'More' ? 'button' : 'link', { name, exact: name !== 'Sync' })
    expect(await tab.isVisible(), name).toBe(true)
    const b = await tab.boundingBox()
    expect(b?.height, name).toBeGreaterThanOrEqual(44)
  }
  // Screens the role may not open are nowhere, not even under More.
  await nav.getByRole('button', { name: 'More' }).click()
  expect(await nav.getByRole('link', { name: 'Products' }).isVisible()).toBe(true)
  expect(await nav.getByRole('link', { name: 'Collections' }).isVisible()).toBe(true)
  expect(await nav.getByRole('link', { name: 'Payments' }).count()).toBe(0)
  expect(await nav.getByRole('link', { name: 'Reports' }).count()).toBe(0)
  expect(await nav.getByRole('link', { name: 'Routes' }).count()).toBe(0)
  await page.keyboard.press('Escape')
  expect(await nav.getByRole('link', { name: 'Products' }).isVisible()).toBe(false)

  // Home: today's collection, 99,999,999.99, from the supplier with a long name.
  await until(async () => (await page.getByTestId('today-amount').textContent())?.includes(BIG) ?? false, 'the sync')
  await page.getByRole('link', { name: new RegExp(LONG_NAME) }).waitFor()
  await checkScreen(page, 'home')

  await goToScreen(page, 'Collect')
  await page.getByRole('heading', { name: 'New collection' }).waitFor()
  await checkScreen(page, 'new collection')

  await goToScreen(page, 'Suppliers')
  await page.getByRole('link', { name: LONG_NAME }).waitFor()
  await checkScreen(page, 'suppliers')

  await goToScreen(page, 'Collections')
  await page.getByRole('heading', { name: 'Collections' }).waitFor()
  await page
    .getByRole('cell', { name: new RegExp(LONG_NAME) })
    .first()
    .waitFor()
  await checkScreen(page, 'collections')

  await goToScreen(page, 'Products')
  await page.getByRole('link', { name: 'Bulk lot' }).waitFor()
  await checkScreen(page, 'products')

  // Sync, with a change queued offline: the queue is stacked rows, and the tab carries the count.
  await context.setOffline(true)
  await goToScreen(page, 'Suppliers')
  await page.getByRole('link', { name: 'New supplier' }).click()
  await page.getByLabel('Code').fill('PH-1')
  await page.getByLabel('Name').fill(LONG_NAME.replace(' Co', ' Two'))
  await page.getByRole('button', { name: 'Create supplier' }).click()
  await page.getByRole('heading', { name: LONG_NAME.replace(' Co', ' Two') }).waitFor()
  await nav.getByRole('link', { name: /^Sync 1 queued$/ }).waitFor()
  await goToScreen(page, 'Sync')
  await page.getByRole('heading', { name: 'Sync center' }).waitFor()
  const row = page.locator('.queue-table tbody tr').first()
  await row.waitFor()
  expect(await row.evaluate((tr) => getComputedStyle(tr).display)).toBe('grid')
  const subject = await row.locator('.queue-subject').boundingBox()
  // The item's name has the width of the row (less the state), not a narrow column breaking its words.
  expect(subject?.width).toBeGreaterThan(200)
  expect(await brokenWords(row)).toEqual([])
  await checkScreen(page, 'sync')
  await context.setOffline(false)
  await context.close()
})

test('a manager on a phone: Home, Suppliers, Collections, Payments and More; reports scroll in their frame', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  const { nav, box } = await tabBar(page)
  expect(box.height).toBeLessThanOrEqual(64)
  expect(box.y + box.height).toBeCloseTo(PHONE.height, 0)
  expect(await clippedLabels(page)).toEqual([])
  for (const name of ['Home', 'Suppliers', 'Collections', 'Payments']) {
    expect(await nav.getByRole('link', { name, exact: true }).isVisible(), name).toBe(true)
  }
  expect(await nav.getByRole('link', { name: 'Reports' }).isVisible()).toBe(false)

  await page.getByTestId('home-pending').waitFor()
  await checkScreen(page, 'home')

  await goToScreen(page, 'Suppliers')
  await page.getByRole('link', { name: LONG_NAME }).waitFor()
  await page.getByText(`In credit: ${BIG}`).first().waitFor() // Kamau Farm, paid in advance (lib/balance-words.ts)
  await checkScreen(page, 'suppliers')

  await goToScreen(page, 'Collections')
  await page
    .getByRole('cell', { name: new RegExp(LONG_NAME) })
    .first()
    .waitFor()
  await checkScreen(page, 'collections')

  await goToScreen(page, 'Payments')
  await page
    .getByRole('cell', { name: /Kamau Farm/ })
    .first()
    .waitFor()
  await checkScreen(page, 'payments')

  for (const [name, heading] of [
    ['Reports', 'Reports'],
    ['Settlements', 'Settlements'],
    ['Products', 'Products'],
    ['Routes', 'Routes'],
    ['Sync', 'Sync center'],
  ]) {
    await goToScreen(page, name)
    await page.getByRole('heading', { name: heading, exact: true }).first().waitFor()
    if (name === 'Reports') {
      await page.getByRole('link', { name: LONG_NAME }).waitFor()
      // The balances table fits the phone or scrolls inside its own frame; the page does not.
      const frame = await page
        .locator('.report-section .table-wrap')
        .last()
        .evaluate((el) => ({ overflowX: getComputedStyle(el).overflowX, right: el.getBoundingClientRect().right }))
      expect(frame.overflowX).toBe('auto')
      expect(frame.right).toBeLessThanOrEqual(PHONE.width)
    }
    await checkScreen(page, name.toLowerCase())
  }
  await context.close()
})

test('a desktop keeps the navigation in the top bar', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  const nav = page.getByRole('navigation', { name: 'Main' })
  const box = await nav.boundingBox()
  expect(box?.y).toBeLessThan(100)
  for (const name of [
    'Home',
    'Suppliers',
    'Routes',
    'Products',
    'Collections',
    'Payments',
    'Settlements',
    'Reports',
    'Sync',
  ]) {
    expect(await nav.getByRole('link', { name, exact: name !== 'Sync' }).isVisible(), name).toBe(true)
  }
  expect(await nav.getByRole('button', { name: 'More' }).isVisible()).toBe(false)
  expect(await nav.getByRole('link', { name: 'Collect', exact: true }).isVisible()).toBe(false)
  // In the usual order.
  const order = await nav.evaluate((el) =>
    [...el.querySelectorAll('a')]
      .filter((a) => a.getBoundingClientRect().width > 0)
      .sort((a, b) => a.getBoundingClientRect().x - b.getBoundingClientRect().x)
      .map((a) => a.querySelector('.mainnav-label')?.textContent),
  )
  expect(order).toEqual([
    'Home',
    'Suppliers',
    'Routes',
    'Products',
    'Collections',
    'Payments',
    'Settlements',
    'Reports',
    'Sync',
  ])
  await context.close()
})
