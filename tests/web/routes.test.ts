/**
 * Routes and partial sync in the browser (issue 18). A manager on a desktop creates a route,
 * assigns a collector (a "to" before "from" is flagged as it is typed), ends and deletes another
 * assignment, moves a supplier onto the route, and filters the suppliers by route. The collector's
 * 360x740 phone, in Kiswahili, then holds only its route's supplier and the unrouted one; typing
 * a supplier of another route in the collection form's picker offers the directory of all
 * suppliers, which adds it to the phone and picks it, and the collection recorded for it reaches
 * the server; offline the directory says it needs a connection; the suppliers list names the
 * supplier added, with "Remove from this phone". Finance on a phone reads the routes (from
 * "More") and cannot change them. axe finds no serious violation on the new screens, and no form
 * control there has a faint edge.
 */
import { createUser } from '@trackvault/server/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { faintControls, seriousViolations, summarize } from './a11y'
import { api, choose, DESKTOP, goToScreen, PASSWORD, PHONE, startWebHarness, type WebHarness, waitFor } from './harness'

let h: WebHarness
let token = ''
const ids = { north: '', south: '' }

beforeAll(async () => {
  h = await startWebHarness()
  ;({ token } = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.manager.email,
    password: PASSWORD,
  }))
  // Kamau Farm (the harness's) stays on no route: on every collector's phone.
  ids.north = (await api(h.server.url, token, 'POST', '/api/suppliers', { code: 'NOR-1', name: 'Njeri North' })).id
  const south = await api(h.server.url, token, 'POST', '/api/routes', { code: 'R-S', name: 'South centre' })
  ids.south = (
    await api(h.server.url, token, 'POST', '/api/suppliers', {
      code: 'SOU-1',
      name: 'Otieno South',
      phone: '+254711222333',
      route_id: south.id,
    })
  ).id
  await createUser(h.db.handle.db, {
    name: 'Baraka Second',
    email: 'baraka@web.local',
    password: PASSWORD,
    role: 'collector',
  })
})
afterAll(() => h?.close())

/** axe finds no serious or critical violation, and every form control's edge shows (WCAG 1.4.11). */
async function noSeriousViolations(page: Page, where: string) {
  const found = await seriousViolations(page)
  expect(found, summarize(where, found)).toEqual([])
  expect(await faintControls(page), where).toEqual([])
}

/** Nothing on the page is wider than the phone's screen. */
async function fitsThePhone(page: Page, where: string) {
  const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0)
  expect(width, where).toBeLessThanOrEqual(PHONE.width)
}

/** Opens a screen from the main navigation in Kiswahili (the tab bar's link, or under "Zaidi"). */
async function goToSwahili(page: Page, name: string) {
  const nav = page.getByRole('navigation', { name: 'Kuu' })
  const link = nav.getByRole('link', { name: new RegExp(`^${name}( \\d+ kwenye foleni)?$`) })
  if (!(await link.isVisible())) await nav.getByRole('button', { name: /^Zaidi/ }).click()
  await link.click()
}

test('a manager draws a route, assigns a collector and moves a supplier onto it', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  page.on('dialog', (d) => void d.accept())
  await h.signIn(page, 'manager')
  const main = page.locator('main')

  await goToScreen(page, 'Routes')
  await page.getByRole('heading', { name: 'Routes', exact: true }).waitFor()
  await main.getByRole('link', { name: 'South centre' }).waitFor()
  await page.getByRole('button', { name: 'New route' }).click()
  await page.getByLabel('Code', { exact: true }).fill('R-N')
  await page.getByLabel('Name', { exact: true }).fill('North centre')
  await noSeriousViolations(page, 'routes list with the route form')
  await page.getByRole('button', { name: 'Create route' }).click()
  await page.getByRole('heading', { name: 'North centre', level: 1 }).waitFor()
  await main.getByText('No collector is assigned to this route.').waitFor()

  // Assign the collector; a "to" before "from" is flagged as it is typed, and nothing is saved.
  await page.getByRole('button', { name: 'Assign a collector' }).click()
  await choose(page.getByLabel('Collector', { exact: true }), 'Collector Web')
  const from = await page.getByLabel('From', { exact: true }).inputValue()
  expect(from).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  const before = new Date(Date.parse(`${from}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
  await page.getByLabel('To (optional)').fill(before)
  await main.getByText('"To" must not be before "From".').waitFor()
  await noSeriousViolations(page, 'route page with the assignment form')
  await page.getByRole('button', { name: 'Assign', exact: true }).click()
  await main.getByText('Please correct the marked fields.').waitFor()
  await page.getByLabel('To (optional)').fill('')
  expect(await main.getByText('"To" must not be before "From".').count()).toBe(0)
  await page.getByRole('button', { name: 'Assign', exact: true }).click()
  const assignments = main.getByRole('table', { name: /^Collectors assigned to North centre/ })
  await assignments.getByRole('row', { name: /Collector Web.*no end.*Current/ }).waitFor()

  // A second assignment made by mistake: ended today (it stays current until tonight), then deleted.
  await page.getByRole('button', { name: 'Assign a collector' }).click()
  await choose(page.getByLabel('Collector', { exact: true }), 'Baraka Second')
  await page.getByRole('button', { name: 'Assign', exact: true }).click()
  const baraka = assignments.getByRole('row', { name: /Baraka Second/ })
  await baraka.getByRole('button', { name: 'End today Baraka Second' }).click()
  await waitFor(async () => (await baraka.getByRole('button', { name: /^End today/ }).count()) === 0, 'the end')
  expect(await baraka.textContent()).not.toContain('no end')
  await baraka.getByRole('button', { name: 'Delete Baraka Second' }).click()
  await waitFor(async () => (await baraka.count()) === 0, 'the deletion')

  // Move Njeri North onto the route from the supplier's form.
  await page.goto(`/suppliers/${ids.north}`)
  await page.getByRole('heading', { name: 'Njeri North' }).waitFor()
  await main.getByText('No route', { exact: true }).waitFor()
  await main.getByRole('link', { name: 'Edit' }).click()
  await choose(page.getByLabel('Route', { exact: true }), 'North centre')
  await noSeriousViolations(page, 'supplier form with its route')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await main.getByRole('link', { name: 'North centre (R-N)' }).waitFor()

  // The suppliers list filters by route and names each supplier's route.
  await goToScreen(page, 'Suppliers')
  await main.getByRole('cell', { name: 'South centre (R-S)' }).waitFor()
  await choose(page.getByLabel('Route', { exact: true }), 'North centre')
  await main.getByText('1 supplier', { exact: true }).waitFor()
  await main.getByRole('link', { name: 'Njeri North' }).waitFor()
  await page.getByLabel('Route', { exact: true }).selectOption('none')
  await main.getByRole('link', { name: 'Kamau Farm' }).waitFor()
  expect(await main.getByRole('link', { name: 'Njeri North' }).count()).toBe(0)

  // The list counts each route's suppliers and today's collectors from this device's rows.
  await goToScreen(page, 'Routes')
  const counts = async (name: string) =>
    (
      await main
        .getByRole('row', { name: new RegExp(name) })
        .getByRole('cell')
        .allTextContents()
    )
      .slice(2, 4)
      .join()
  await waitFor(async () => (await counts('North centre')) === '1,1', "North's suppliers and collectors")
  expect(await counts('South centre')).toBe('1,0')
  await noSeriousViolations(page, 'routes list')

  // Everything reached the server before the collector's phone pulls its scope.
  await waitFor(async () => {
    const rows = (await api(h.server.url, token, 'GET', `/api/route-assignments?user_id=${h.users.collector.id}`)).data
    const moved = await api(h.server.url, token, 'GET', `/api/suppliers/${ids.north}`)
    return rows.length === 1 && moved.route_id !== null
  }, 'the sync of the route, the assignment and the move')
  await context.close()
})

test("the collector's phone, in Kiswahili, holds its route and finds the rest in the directory", async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await page.goto('/')
  await page.getByLabel('Language').selectOption('sw')
  await page.getByLabel('Barua pepe').fill(h.users.collector.email)
  await page.getByLabel('Nenosiri').fill(PASSWORD)
  await page.getByRole('button', { name: 'Ingia', exact: true }).click()
  await page.getByRole('navigation', { name: 'Kuu' }).waitFor()
  const main = page.locator('main')

  // Its route's supplier and the unrouted one; not South's.
  await goToSwahili(page, 'Wasambazaji')
  await main.getByRole('link', { name: 'Njeri North' }).waitFor()
  await main.getByRole('link', { name: 'Kamau Farm' }).waitFor()
  await main.getByText('Wasambazaji 2', { exact: true }).waitFor()
  expect(await main.getByRole('link', { name: 'Otieno South' }).count()).toBe(0)
  await main.getByRole('heading', { name: 'Wasambazaji wa njia nyingine' }).waitFor()
  await main.getByText('Hujaongeza msambazaji yeyote wa njia nyingine.').waitFor()
  await noSeriousViolations(page, 'collector suppliers list with the directory')
  await fitsThePhone(page, 'collector suppliers list')

  // The picker finds no "Otieno" here; the directory has it, adds it to the phone and picks it.
  await goToSwahili(page, 'Kusanya')
  const picker = page.getByRole('combobox', { name: 'Msambazaji', exact: true }).and(page.locator('input'))
  await picker.fill('Otieno')
  await main.getByText('Hakuna msambazaji hai anayelingana na "Otieno".').waitFor()
  await main.getByRole('button', { name: 'Tafuta “Otieno” kati ya wasambazaji wote' }).click()
  const found = main.getByRole('list', { name: 'Wasambazaji waliopatikana kwa “Otieno”' })
  const item = found.getByRole('listitem').filter({ hasText: 'Otieno South' })
  await item.getByText('SOU-1 · +254711222333 · South centre (R-S)').waitFor()
  await noSeriousViolations(page, 'collection form with the directory')
  await fitsThePhone(page, 'collection form with the directory')
  await item.getByRole('button', { name: 'Ongeza kwenye simu hii (Otieno South)' }).click()
  await waitFor(async () => (await picker.inputValue()) === 'Otieno South (SOU-1)', 'the added supplier picked')
  await main.getByText('Otieno South sasa yuko kwenye simu hii.').first().waitFor()

  await choose(page.getByLabel('Bidhaa', { exact: true }), 'Green tea leaf')
  await page.getByLabel('Uzito wa jumla').fill('7')
  await page.getByRole('button', { name: 'Hifadhi kusanyo' }).click()
  await waitFor(async () => {
    const rows = (await api(h.server.url, token, 'GET', `/api/collections?supplier_id=${ids.south}`)).data
    return rows.length === 1 && rows[0].user_id === h.users.collector.id
  }, "the collection for the other route's supplier on the server")

  // Offline, the directory says it needs a connection.
  await goToSwahili(page, 'Kusanya')
  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()
  await picker.fill('zzz')
  await main.getByText('Kutafuta wasambazaji wote kunahitaji mtandao.').waitFor()
  await context.setOffline(false)

  // The suppliers list holds it now and names it among those added, with "Remove from this phone".
  await goToSwahili(page, 'Wasambazaji')
  await main.getByRole('link', { name: 'Otieno South' }).first().waitFor()
  const added = main.getByRole('list', { name: 'Walioongezwa kwenye simu hii' })
  await added.getByRole('link', { name: 'Otieno South' }).waitFor()
  await fitsThePhone(page, 'collector suppliers list with a supplier added')
  await added.getByRole('button', { name: 'Ondoa kwenye simu hii (Otieno South)' }).click()
  await main.getByText('Otieno South ameondolewa kwenye simu hii').waitFor()
  await main.getByText('Wasambazaji 2', { exact: true }).waitFor()
  expect(await main.getByRole('link', { name: 'Otieno South' }).count()).toBe(0)
  await context.close()
})

test('finance on a phone reads the routes from "More" and cannot change them', async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'finance')
  const main = page.locator('main')
  await goToScreen(page, 'Routes')
  await main.getByRole('link', { name: 'North centre' }).waitFor()
  expect(await page.getByRole('button', { name: 'New route' }).count()).toBe(0)
  await fitsThePhone(page, 'routes list')
  await noSeriousViolations(page, 'routes list on a phone')
  await main.getByRole('link', { name: 'North centre' }).click()
  await main.getByRole('row', { name: /Collector Web/ }).waitFor()
  await main.getByRole('link', { name: 'Njeri North' }).waitFor()
  for (const name of ['Edit', 'Assign a collector', /^End today/, /^Delete/]) {
    expect(await main.getByRole('button', { name }).count(), String(name)).toBe(0)
  }
  await fitsThePhone(page, 'route page')
  await noSeriousViolations(page, 'route page on a phone')
  await context.close()
})
