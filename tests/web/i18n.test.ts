/**
 * Languages on a 360x740 phone (docs/translations.md): Kiswahili picked on
 * the sign-in screen holds through sign-in, home, the navigation, a
 * collection recorded offline and its receipt, and a reload without network;
 * Tamil picked in the top bar renames the navigation and writes money in
 * lakhs (1,50,000.00).
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  choose,
  PASSWORD,
  PHONE,
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

test('a collector works in Kiswahili offline, then switches to Tamil', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await page.goto('/')
  expect(await page.locator('html').getAttribute('lang')).toBe('en') // the browser speaks English

  // Kiswahili, picked before signing in.
  await page.getByLabel('Language').selectOption('sw')
  await page.getByRole('heading', { name: 'Ingia kwenye TrackVault' }).waitFor()
  expect(await page.locator('html').getAttribute('lang')).toBe('sw')
  await page.getByLabel('Barua pepe').fill(h.users.collector.email)
  await page.getByLabel('Nenosiri').fill(PASSWORD)
  await page.getByRole('button', { name: 'Ingia', exact: true }).click()

  // Home and the tab bar read in Kiswahili.
  const nav = page.getByRole('navigation', { name: 'Kuu' })
  await nav.waitFor()
  await page.getByRole('heading', { name: /^Habari za (asubuhi|mchana|jioni), Collector Web$/ }).waitFor()
  for (const name of ['Mwanzo', 'Kusanya', 'Wasambazaji', 'Sawazisha'])
    expect(await nav.getByRole('link', { name, exact: true }).isVisible(), name).toBe(true)
  await page.getByRole('heading', { name: 'Makusanyo yako ya leo' }).waitFor()
  await page.getByRole('button', { name: 'Sawazisha sasa' }).waitFor()
  await waitForServiceWorker(page)

  // A collection recorded offline: 1,250 kg at 120.00 = 150,000.00.
  await context.setOffline(true)
  await page.locator('.offline-banner').getByText('Nje ya mtandao').waitFor()
  await nav.getByRole('link', { name: 'Kusanya', exact: true }).click()
  await page.getByRole('heading', { name: 'Kusanyo jipya' }).waitFor()
  await pickSupplier(page, 'Kamau', 'Kamau Farm', 'Msambazaji')
  await choose(page.getByLabel('Bidhaa', { exact: true }), 'Green tea leaf')
  await page.getByLabel('Uzito wa jumla').fill('1250')
  await waitFor(
    async () => (await page.getByTestId('collection-amount').textContent()) === 'Kiasi: KES 150,000.00',
    'the Swahili amount preview',
  )
  await page.getByRole('button', { name: 'Hifadhi kusanyo' }).click()

  // The receipt, in Kiswahili, the money as Swahili writes it.
  await page.getByRole('heading', { name: 'Risiti ya kusanyo', level: 1 }).waitFor()
  await page.getByText('Bado halijasawazishwa', { exact: false }).first().waitFor()
  expect(await page.getByTestId('receipt-amount').textContent()).toBe('KES 150,000.00 (makadirio)')
  const receipt = page.locator('.rc-receipt')
  for (const label of ['Mkusanyaji', 'Bidhaa', 'Tarehe', 'Halisi', 'Bei', 'Kiasi'])
    expect(await receipt.getByText(label, { exact: true }).count(), label).toBeGreaterThan(0)
  expect(await receipt.textContent()).toContain('120.00 kwa kg')
  const receiptUrl = page.url()

  // A reload without network: still Kiswahili (kept on the device).
  await page.reload()
  await page.getByRole('heading', { name: 'Risiti ya kusanyo', level: 1 }).waitFor()
  expect(await page.locator('html').getAttribute('lang')).toBe('sw')
  expect(await nav.getByRole('link', { name: 'Mwanzo', exact: true }).isVisible()).toBe(true)

  // Tamil, picked in the top bar: the navigation and the money follow.
  await page.getByRole('combobox', { name: 'Lugha' }).selectOption('ta')
  const tamilNav = page.getByRole('navigation', { name: 'முதன்மை' })
  await tamilNav.waitFor()
  expect(await page.locator('html').getAttribute('lang')).toBe('ta')
  for (const name of ['முகப்பு', 'சேகரி', 'விநியோகஸ்தர்கள்'])
    expect(await tamilNav.getByRole('link', { name, exact: true }).isVisible(), name).toBe(true)
  // Sync carries the queued collection, its count read out in Tamil too.
  expect(await tamilNav.getByRole('link', { name: 'ஒத்திசைவு 1 வரிசையில்', exact: true }).isVisible()).toBe(true)
  await page.getByRole('heading', { name: 'சேகரிப்பு ரசீது', level: 1 }).waitFor()
  expect(await page.getByTestId('receipt-amount').textContent()).toBe('KES 1,50,000.00 (முன்னோட்டம்)')
  expect(page.url()).toBe(receiptUrl)
  await context.close()
})
