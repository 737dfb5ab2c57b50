/**
 * Screenshots of the main screens on a 360x740 phone and a desktop, saved to
 * docs/screenshots/ (the README shows them). Each screen must render its
 * heading first, so a broken screen fails here rather than photographing an error.
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { choose, DESKTOP, PHONE, pickSupplier, SCREENSHOTS, startWebHarness, type WebHarness } from './harness'

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

/** The receipt of the collection each run saves first. */
let receiptPath = ''

const SCREENS: Array<{
  name: string
  path: (h: WebHarness) => string
  heading: RegExp
  prepare?: (p: Page) => Promise<void>
}> = [
  { name: 'home', path: () => '/', heading: /./ },
  { name: 'suppliers', path: () => '/suppliers', heading: /Suppliers/ },
  { name: 'supplier-statement', path: (x) => `/suppliers/${x.data.supplierId}`, heading: /Kamau Farm/ },
  {
    name: 'collection-form',
    path: () => '/collections/new',
    heading: /collection/i,
    prepare: async (page) => {
      await pickSupplier(page, 'Kamau Farm')
      await choose(page.getByLabel('Product', { exact: true }), 'Green tea leaf')
      await page.getByLabel('Gross quantity').fill('52')
      await page.getByLabel('Containers').fill('2')
      await page.getByLabel('Tare per container').fill('0.75')
      await page.getByLabel('Deduction %').fill('4')
      await page.getByText('5,817.60').first().waitFor()
      // On the phone: the net and the amount in view.
      await page.locator('#collection-quote').scrollIntoViewIfNeeded()
    },
  },
  { name: 'collection-receipt', path: () => receiptPath, heading: /Collection receipt/ },
  { name: 'collections', path: () => '/collections', heading: /Collections/ },
  { name: 'product', path: (x) => `/products/${x.data.productId}`, heading: /Green tea leaf/ },
  { name: 'payment-form', path: () => '/payments/new', heading: /payment/i },
  { name: 'reports', path: () => '/reports', heading: /Reports/ },
  { name: 'sync-center', path: () => '/sync', heading: /Sync/ },
]

for (const [device, viewport] of [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const) {
  test(`main screens on a ${device}`, async () => {
    const context = await h.newContext(viewport)
    const page = await context.newPage()
    await h.signIn(page, 'manager')
    // Some work so the lists are not empty: one collection synced, one waiting.
    await page.goto('/collections/new')
    await pickSupplier(page, 'Kamau Farm')
    await choose(page.getByLabel('Product', { exact: true }), 'Green tea leaf')
    await page.getByLabel('Gross quantity').fill('42')
    await page.getByLabel('Containers').fill('1')
    await page.getByLabel('Tare per container').fill('0.5')
    await page.getByLabel('Deduction %').fill('3')
    await page.getByRole('button', { name: 'Save collection' }).click()
    await page.getByRole('button', { name: 'Print' }).waitFor()
    receiptPath = new URL(page.url()).pathname
    for (const screen of SCREENS) {
      await page.goto(screen.path(h))
      await page.getByRole('heading', { level: 1, name: screen.heading }).first().waitFor()
      await screen.prepare?.(page)
      const file = join(SCREENSHOTS, `${screen.name}-${device}.png`)
      await page.screenshot({ path: file, fullPage: device === 'desktop' })
      expect(statSync(file).size).toBeGreaterThan(5_000)
    }
    // Nothing may scroll sideways on the phone.
    if (device === 'phone') {
      await page.goto('/')
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow).toBeLessThanOrEqual(0)
    }
    await context.close()
  })
}

test('the sign-in screen', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await page.goto('/')
  await page.getByRole('heading', { name: 'Sign in to TrackVault' }).waitFor()
  await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-phone.png') })
  await context.close()
})
