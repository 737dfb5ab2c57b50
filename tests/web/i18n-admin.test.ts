/**
 * An admin works in Kiswahili on a 360x740 phone and on a desktop
 * (docs/translations.md, i18n/areas/admin.ts): the users and settings
 * screens, a server's refusal (a duplicate email, a time zone that is none)
 * said in Kiswahili by its code and its field's problem kind, the inline
 * checks of the collection and payment forms ("12abc", a negative payment)
 * before anything is saved, the sign-out prompt with changes waiting, the
 * session banner after the server ended the session, and the sync center's
 * failed and conflict cards and summary. Each screen is checked for the
 * English it used to show, so a text left untranslated fails. On the phone,
 * the navigation's "More" sheet closes on a tap outside it and on Escape.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  api,
  DESKTOP,
  PASSWORD,
  PHONE,
  pickSupplier,
  startWebHarness,
  type WebHarness,
  waitFor,
  waitForServiceWorker,
} from './harness'

let h: WebHarness
let token: string

beforeAll(async () => {
  h = await startWebHarness()
  const login = { email: h.users.manager.email, password: PASSWORD }
  token = (await api(h.server.url, undefined, 'POST', '/api/auth/login', login)).token
})
afterAll(() => h?.close())

/** Fails naming each English text still on the page (hidden ones too: a screen reader's, a phone's hidden column). */
async function noEnglish(page: Page, texts: string[]) {
  const body = (await page.locator('body').textContent()) ?? ''
  expect(texts.filter((t) => body.includes(t))).toEqual([])
}

/** The number of changes the status bar says are waiting, in Kiswahili. */
const waiting = async (page: Page) =>
  Number(
    (
      (await page
        .locator('.statusbar')
        .getByText(/^Yanasubiri: \d+$/)
        .textContent()) ?? ''
    ).replace(/\D/g, ''),
  )

/** Opens a screen from the Swahili navigation: a link in the top or tab bar, or under "Zaidi" (More) on a phone. */
async function openScreen(page: Page, name: string) {
  const nav = page.getByRole('navigation', { name: 'Kuu' })
  const link = nav.getByRole('link', { name, exact: true })
  if (!(await link.isVisible())) await nav.getByRole('button', { name: /^Zaidi/ }).click()
  await link.click()
}

test.each([
  ['phone', PHONE, 'SW-1', 'Mwisho Farm'],
  ['desktop', DESKTOP, 'SW-2', 'Kikomo Farm'],
])('%s: an admin works in Kiswahili, no English left', async (viewport, size, code, name) => {
  // A supplier the office deletes while the device is offline, and a collection edited on both sides.
  const doomed = await api(h.server.url, token, 'POST', '/api/suppliers', { code, name })
  const row = await api(h.server.url, token, 'POST', '/api/collections', {
    supplier_id: h.data.supplierId,
    product_id: h.data.productId,
    collection_date: '2026-01-15',
    quantity: '10',
    unit: 'kg',
  })

  const context = await h.newContext(size)
  await context.addInitScript(() => {
    if (!localStorage.getItem('trackvault:language')) localStorage.setItem('trackvault:language', 'sw')
  })
  const page = await context.newPage()
  await page.goto('/')
  await page.getByLabel('Barua pepe').fill(h.users.admin.email)
  await page.getByLabel('Nenosiri').fill(PASSWORD)
  await page.getByRole('button', { name: 'Ingia', exact: true }).click()
  const nav = page.getByRole('navigation', { name: 'Kuu' })
  await nav.waitFor()
  await waitForServiceWorker(page)

  if (viewport === 'phone') {
    // "Zaidi" (More) opens the sheet; a tap outside it closes it, and so does Escape (focus back on Zaidi).
    const more = nav.getByRole('button', { name: /^Zaidi/ })
    const users = nav.getByRole('link', { name: 'Watumiaji', exact: true })
    await more.click()
    await users.waitFor()
    expect(await more.getAttribute('aria-expanded')).toBe('true')
    // A tap on the page's heading, outside the sheet (nothing there to follow: the screen stays).
    const home = page.url()
    const heading = await page.getByRole('heading', { level: 1 }).boundingBox()
    await page.mouse.click((heading?.x ?? 0) + 10, (heading?.y ?? 0) + (heading?.height ?? 0) / 2)
    await users.waitFor({ state: 'hidden' })
    expect(page.url()).toBe(home)
    expect(await more.getAttribute('aria-expanded')).toBe('false')
    await more.click()
    await users.waitFor()
    await page.keyboard.press('Escape')
    await users.waitFor({ state: 'hidden' })
    expect(await more.evaluate((el) => el === document.activeElement)).toBe(true)
  }

  // Users: the screen, and the server's DUPLICATE with its field's "already used", in Kiswahili.
  await openScreen(page, 'Watumiaji')
  await page.getByRole('heading', { name: 'Watumiaji', level: 1 }).waitFor()
  await page.getByRole('rowheader', { name: new RegExp(`^${h.users.collector.name}`) }).waitFor()
  const create = page.locator('form.users-create')
  await create.getByLabel('Jina').fill('Nakala')
  await create.getByLabel('Barua pepe').fill(h.users.collector.email)
  await create.getByLabel('Nenosiri').fill('nenosiri-refu')
  await create.getByRole('button', { name: 'Unda mtumiaji' }).click()
  await create.getByText('Mtumiaji mwenye barua pepe hii tayari yupo.').waitFor()
  expect(await create.locator('.error-text').allInnerTexts()).toEqual(['tayari imetumika'])
  const head = (await page.locator('.users-table thead').textContent()) ?? ''
  for (const label of ['Jina', 'Barua pepe', 'Jukumu', 'Hali', 'Vitendo']) expect(head, label).toContain(label)
  await noEnglish(page, [
    'All users',
    'Add a user',
    'Create user',
    'Reset password',
    'Deactivate',
    'Active',
    'already',
    'Please correct',
  ])

  // Settings: the screen, and a time zone the server refuses, by its problem's kind.
  await openScreen(page, 'Mipangilio')
  await page.getByRole('heading', { name: 'Mipangilio', level: 1 }).waitFor()
  await page.getByLabel('Saa za eneo').fill('Mars/Base')
  await page.getByRole('button', { name: 'Hifadhi mipangilio' }).click()
  await page.getByText('si saa za eneo (mf. Africa/Nairobi)').waitFor()
  await page.getByText('Tafadhali sahihisha sehemu zilizowekwa alama.').waitFor()
  await noEnglish(page, ['is not a time zone', 'Please correct', 'Time zone', 'Business name', 'No limit', 'Save'])

  // The collection form: "12abc" says it is no number as the field is left, in Kiswahili.
  await page.goto(`/collections/${row.id}/edit`)
  const gross = page.getByLabel('Uzito wa jumla')
  await waitFor(async () => (await gross.inputValue()) === '10', 'the collection on this device')
  await gross.fill('12abc')
  await gross.blur()
  await page.getByText('Kiasi si namba').waitFor()
  await noEnglish(page, ['is not a number', 'Quantity'])
  // The payment form: a negative amount is flagged, and the save refused, before anything is saved.
  await page.goto('/payments/new')
  const amount = page.locator('form input[inputmode="decimal"]').first()
  await amount.fill('-50')
  await amount.press('Tab')
  await page.locator('.error-text').getByText('lazima iwe zaidi ya sifuri').waitFor()
  expect(await amount.getAttribute('aria-invalid')).toBe('true')
  await page.locator('form button[type="submit"]').click()
  await page.locator('.error-text').getByText('lazima iwe zaidi ya sifuri').waitFor()
  expect(page.url()).toMatch(/\/payments\/new$/)
  await noEnglish(page, ['must be greater than zero', 'is not a number'])
  expect(await waiting(page)).toBe(0)

  // Offline: the collection edited here, and one recorded for the supplier the office deletes meanwhile.
  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()
  await page.goto(`/collections/${row.id}/edit`)
  await waitFor(async () => (await gross.inputValue()) === '10', 'the edit form offline')
  await gross.fill('11')
  await page.getByRole('button', { name: 'Hifadhi mabadiliko' }).click()
  await page.getByText('Bado halijasawazishwa', { exact: false }).first().waitFor()
  await page.goto('/collections/new')
  await pickSupplier(page, code, name, 'Msambazaji')
  await gross.fill('5')
  await page.getByRole('button', { name: 'Hifadhi kusanyo' }).click()
  await page.getByText('Bado halijasawazishwa', { exact: false }).first().waitFor()
  await waitFor(async () => (await waiting(page)) === 2, 'two changes waiting')

  // The sign-out prompt says what waits, in Kiswahili; dismissed, the admin stays signed in.
  let prompt = ''
  page.once('dialog', (dialog) => {
    prompt = dialog.message()
    void dialog.dismiss()
  })
  await page.getByRole('button', { name: 'Toka', exact: true }).click()
  await waitFor(async () => prompt !== '', 'the sign-out prompt')
  expect(prompt).toBe(
    'Mabadiliko 2 bado hayajasawazishwa. Yanabaki kwenye kifaa hiki na yatasawazishwa utakapoingia tena. Unaweza kuingia tena bila mtandao kwenye kifaa hiki. Utoke?',
  )
  await nav.waitFor()

  // Meanwhile the office changes the collection, deletes the supplier, and the server ends the session.
  await api(h.server.url, token, 'PATCH', `/api/collections/${row.id}`, { version: row.version, quantity: '12' })
  const deleted = await fetch(`${h.server.url}/api/suppliers/${doomed.id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  })
  expect(deleted.status).toBe(200)
  await h.db.handle.db
    .updateTable('auth_tokens')
    .set({ revoked_at: new Date().toISOString() })
    .where('user_id', '=', h.users.admin.id)
    .where('revoked_at', 'is', null)
    .execute()
  await context.setOffline(false)

  // The session banner asks to sign in again to send the 2 changes; signing in there sends them.
  const banner = page.locator('.session-banner')
  await banner.getByText('Ingia tena ili kutuma mabadiliko 2.').waitFor({ timeout: 30_000 })
  expect(await banner.textContent()).toContain('Yanabaki kwenye kifaa hiki hadi wakati huo.')
  await noEnglish(page, ['Sign in again', 'They stay on this device'])
  await banner.getByRole('button', { name: 'Ingia tena' }).click()
  await banner.getByLabel(`Nenosiri la ${h.users.admin.email}`).fill(PASSWORD)
  await banner.getByRole('button', { name: 'Ingia na utume' }).click()
  await banner.waitFor({ state: 'detached' })

  // The sync center: the failed change and the conflict explained in Kiswahili.
  await page.goto('/sync')
  const failed = page.locator('section.sc-failed')
  await failed.waitFor({ timeout: 30_000 })
  await failed
    .getByText(
      'Rekodi ya msambazaji inayotajwa haipo tena kwenye seva: hariri ili kuchagua nyingine, au tupa badiliko hili.',
    )
    .waitFor()
  expect(await failed.getByText('Msambazaji: haipatikani').count()).toBe(1)
  // The supplier is named, marked deleted once a sync has brought its deletion.
  const heading = new RegExp(`^Unda kusanyo ${name} \\(imefutwa\\): 5\\.000 kg`)
  await waitFor(
    async () => heading.test((await failed.getByRole('heading').textContent()) ?? ''),
    'the card to name it',
  )
  expect(await failed.textContent()).toContain('Liliwekwa kwenye foleni ')
  const conflict = page.getByRole('region', { name: /^Mgongano kwenye kusanyo Kamau Farm: / })
  await conflict.waitFor({ timeout: 30_000 })
  expect(await conflict.textContent()).toMatch(
    /Badiliko lako \(usasishaji\) la .+ lilitegemea toleo 1; seva iko kwenye toleo 2\. Sehemu zilizoangaziwa zilibadilishwa pande zote mbili\./,
  )
  for (const side of ['Msingi', 'Seva', 'Yako'])
    expect(await conflict.getByRole('heading', { name: side }).count()).toBe(1)
  await page.getByRole('button', { name: 'Sawazisha sasa' }).click()
  await page.getByText(/^Usawazishaji umekamilika: 0 yametumwa, \d+ yamepokelewa\.$/).waitFor()
  await noEnglish(page, [
    'is not on the server',
    'not found',
    'Queued',
    'was based on version',
    'Highlighted fields',
    'Base',
    'Yours',
    'Sync finished',
    ' sent',
    'received',
    'Create',
    'Update',
    '(deleted)',
  ])
  await context.close()
})
