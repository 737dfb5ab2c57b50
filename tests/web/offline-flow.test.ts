/**
 * The web app in Debian's Chromium: sign in, work offline (create a
 * supplier paid by mobile money, a collection and a payment), reload
 * offline and find them, come back online and watch them sync exactly once.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  choose,
  DESKTOP,
  pickSupplier,
  startWebHarness,
  type WebHarness,
  waitFor,
  waitForServiceWorker,
} from './harness'

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

const footerPending = (page: Page) => page.locator('.statusbar').getByText(/^Pending: \d+$/)

async function pendingCount(page: Page): Promise<number> {
  return Number((await footerPending(page).textContent())?.replace(/\D/g, ''))
}

test('offline work survives a reload and syncs once when the network returns', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await waitForServiceWorker(page)
  await page.getByRole('link', { name: 'Suppliers', exact: true }).click()
  await page.getByRole('link', { name: 'Kamau Farm' }).waitFor()

  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()

  // A supplier, created offline.
  await page.getByRole('link', { name: 'New supplier' }).click()
  await page.getByLabel('Code').fill('WEB-OFF-1')
  await page.getByLabel('Name').fill('Offline Web Supplier')
  await page.getByLabel('Paid by').selectOption('mobile_money')
  await page.getByLabel('Mobile money number').fill(' +254 712 345678 ')
  await page.getByRole('button', { name: 'Create supplier' }).click()
  await page.getByRole('heading', { name: 'Offline Web Supplier' }).waitFor()

  // A collection for it, priced offline from the local rate (12.5 kg x 120.00).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Collections' }).click()
  await page.getByRole('link', { name: 'New collection' }).first().click()
  await pickSupplier(page, 'Offline Web Supplier')
  await choose(page.getByLabel('Product', { exact: true }), 'Green tea leaf')
  await page.getByLabel('Quantity').fill('12.5')
  await waitFor(
    async () => (await page.getByTestId('collection-amount').textContent())?.includes('1,500.00') ?? false,
    'the amount preview',
  )
  await page.getByRole('button', { name: 'Save collection' }).click()
  await page.getByText('Not yet synced', { exact: false }).first().waitFor()

  // A payment to it, showing the balance.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).click()
  await page.getByRole('link', { name: 'New payment' }).first().click()
  await pickSupplier(page, 'Offline Web Supplier')
  await waitFor(
    async () => (await page.getByTestId('payment-balance').textContent())?.includes('1,500.00') ?? false,
    'the balance',
  )
  await page.getByLabel('Amount').fill('300')
  await page.getByRole('button', { name: 'Save payment' }).click()
  await waitFor(async () => (await pendingCount(page)) === 3, 'three pending changes')
  expect(await page.locator('.offline-banner').textContent()).toContain('3 changes waiting')

  // Reload with no network: the service worker serves the app, the data is on the device.
  await page.reload()
  await page.goto('/suppliers')
  await page.getByRole('link', { name: 'Offline Web Supplier' }).waitFor()
  expect(await pendingCount(page)).toBe(3)

  // Back online: the queue drains once.
  await context.setOffline(false)
  await waitFor(async () => (await pendingCount(page)) === 0, 'the queue to drain', 30_000)
  const db = h.db.handle.db
  const suppliers = await db
    .selectFrom('suppliers')
    .select(['id', 'payout_method', 'mobile_money_number', 'bank_account'])
    .where('code', '=', 'WEB-OFF-1')
    .execute()
  expect(suppliers).toEqual([
    {
      id: expect.any(String),
      payout_method: 'mobile_money',
      mobile_money_number: '+254 712 345678',
      bank_account: null,
    },
  ])
  const collections = await db
    .selectFrom('collections')
    .selectAll()
    .where('supplier_id', '=', suppliers[0].id)
    .execute()
  expect(collections).toHaveLength(1)
  expect(Number(collections[0].total_minor)).toBe(150000)
  const payments = await db.selectFrom('payments').selectAll().where('supplier_id', '=', suppliers[0].id).execute()
  expect(payments).toHaveLength(1)
  expect(Number(payments[0].amount_minor)).toBe(30000)
  const ops = await db
    .selectFrom('sync_operations')
    .select(['status'])
    .where('user_id', '=', h.users.manager.id)
    .execute()
  expect(ops.map((o) => o.status)).toEqual(['success', 'success', 'success'])
  await context.close()
})

test('a collector cannot reach rate editing', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await h.signIn(page, 'collector')
  const nav = page.getByRole('navigation', { name: 'Main' })
  expect(await nav.getByRole('link', { name: 'Payments' }).count()).toBe(0)
  expect(await nav.getByRole('link', { name: 'Reports' }).count()).toBe(0)
  await nav.getByRole('link', { name: 'Products' }).click()
  await page.getByRole('link', { name: 'Green tea leaf' }).click()
  await page.getByRole('heading', { name: 'Rate history' }).waitFor()
  expect(await page.getByRole('heading', { name: 'Add rate' }).count()).toBe(0)
  expect(await page.getByRole('button', { name: 'Add rate' }).count()).toBe(0)
  expect(await page.getByRole('button', { name: /Deactivate/ }).count()).toBe(0)
  // Typing the address of a manager-only page shows nothing to do.
  await page.goto('/payments/new')
  await page.getByRole('heading', { name: 'Not available' }).waitFor()
  await context.close()
})
