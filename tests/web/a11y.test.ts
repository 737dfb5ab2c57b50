/**
 * Accessibility (issue 19): axe-core on every screen of the app, as the roles
 * that see it, on a 360x740 phone and a 1280x800 desktop: no serious or
 * critical violation. The sync center is checked with a failed and a
 * conflicted change in it. On the desktop, the keyboard alone reaches the main
 * navigation and the home's primary action, focus is visible, and a form is
 * filled and submitted without the mouse.
 */
import type { Role } from '@trackvault/core'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type A11yViolation, faintControls, seriousViolations, summarize } from './a11y'
import { api, DESKTOP, PASSWORD, PHONE, startWebHarness, type WebHarness } from './harness'

let h: WebHarness
let token = ''
const ids = { collection: '', own: '', payment: '', run: '', line: '' }

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function today() {
  return new Date().toISOString().slice(0, 10)
}

beforeAll(async () => {
  h = await startWebHarness()
  ;({ token } = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.manager.email,
    password: PASSWORD,
  }))
  const day = today()
  const collection = await api(h.server.url, token, 'POST', '/api/collections', {
    supplier_id: h.data.supplierId,
    product_id: h.data.productId,
    collection_date: day,
    quantity: '12.5',
    unit: 'kg',
  })
  ids.collection = collection.id
  const collector = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.collector.email,
    password: PASSWORD,
  })
  const own = await api(h.server.url, collector.token, 'POST', '/api/collections', {
    supplier_id: h.data.supplierId,
    product_id: h.data.productId,
    collection_date: day,
    quantity: '4',
    unit: 'kg',
  })
  ids.own = own.id
  const payment = await api(h.server.url, token, 'POST', '/api/payments', {
    supplier_id: h.data.supplierId,
    payment_date: day,
    amount: '300.00',
    payment_type: 'advance',
  })
  ids.payment = payment.id
  await api(h.server.url, token, 'POST', '/api/deductions', {
    supplier_id: h.data.supplierId,
    kind: 'charge',
    description: 'Transport',
    amount: '50.00',
    effective_date: day,
  })
  const finance = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.finance.email,
    password: PASSWORD,
  })
  const draft = await api(h.server.url, finance.token, 'POST', '/api/settlement-runs', {
    period_from: `${day.slice(0, 8)}01`,
    period_to: day,
    supplier_ids: [h.data.supplierId],
    reference: 'A11Y',
  })
  ids.run = draft.run.id
  ids.line = draft.lines[0].id
})
afterAll(() => h?.close())

async function signedIn(viewport: { width: number; height: number }, role: Role) {
  const context = await h.newContext(viewport)
  const page = await context.newPage()
  await h.signIn(page, role)
  return { context, page }
}

/** Opens `path`, waits for its heading (and `ready`, a text), lets live queries settle, runs axe. */
async function check(page: Page, path: string, found: string[], ready?: string) {
  await page.goto(path)
  await page.locator('main h1').first().waitFor()
  if (ready) await page.locator('main').getByText(ready).locator('visible=true').first().waitFor()
  await page.waitForTimeout(300)
  const where = `${page.viewportSize()?.width}px ${path}`
  const violations: A11yViolation[] = await seriousViolations(page)
  if (violations.length) found.push(summarize(where, violations))
  for (const faint of await faintControls(page)) found.push(`${where}: non-text-contrast ${faint}`)
}

/** A failed change (a collection for a supplier deleted meanwhile) and a conflict (a supplier edited on both sides). */
async function troubleInSyncCenter(context: BrowserContext, page: Page, tag: string) {
  const gone = await api(h.server.url, token, 'POST', '/api/suppliers', { code: `GONE-${tag}`, name: `Gone ${tag}` })
  const both = await api(h.server.url, token, 'POST', '/api/suppliers', { code: `BOTH-${tag}`, name: `Both ${tag}` })
  await page.goto('/suppliers')
  await page
    .getByRole('link', { name: `Both ${tag}` })
    .first()
    .waitFor()
  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()
  await page.goto('/collections/new').catch(() => {})
  await page.getByRole('combobox', { name: 'Supplier', exact: true }).fill(`GONE-${tag}`)
  await page
    .getByRole('listbox', { name: 'Supplier', exact: true })
    .getByRole('option', { name: new RegExp(`^Gone ${tag}`) })
    .click()
  await page.getByLabel('Gross quantity').fill('3')
  await page.getByRole('button', { name: 'Save collection' }).click()
  await page.getByText('Not yet synced', { exact: false }).first().waitFor()
  await page.goto(`/suppliers/${both.id}/edit`).catch(() => {})
  await page.getByLabel('Phone', { exact: true }).fill('111-mine')
  await page.getByRole('button', { name: 'Save changes' }).click()
  await page.getByRole('link', { name: 'Edit' }).waitFor()
  const deleted = await fetch(`${h.server.url}/api/suppliers/${gone.id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  })
  expect(deleted.status).toBe(200)
  await api(h.server.url, token, 'PATCH', `/api/suppliers/${both.id}`, { version: both.version, phone: '222-theirs' })
  await context.setOffline(false)
  await page.goto('/sync')
  await page.locator('section.sc-failed').waitFor({ timeout: 30_000 })
  await page.getByRole('region', { name: `Conflict on supplier Both ${tag}` }).waitFor({ timeout: 30_000 })
}

test.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])(
  '%s: every screen, as the roles that see it, has no serious or critical axe violation and no faint form control',
  async (name, viewport) => {
    const found: string[] = []
    // Sign-in, signed out.
    {
      const context = await h.newContext(viewport)
      const page = await context.newPage()
      await page.goto('/')
      await page.getByLabel('Email').waitFor()
      const violations = await seriousViolations(page)
      if (violations.length) found.push(summarize(`${viewport.width}px sign-in`, violations))
      await context.close()
    }
    // A collector's screens.
    {
      const { context, page } = await signedIn(viewport, 'collector')
      await check(page, '/', found)
      await check(page, '/collections', found, 'Kamau Farm')
      await check(page, '/collections/new', found)
      await check(page, `/collections/${ids.own}`, found, 'Kamau Farm')
      await check(page, '/suppliers', found, 'Kamau Farm')
      await check(page, '/sync', found)
      await context.close()
    }
    // A manager's: everything the office reads, and the sync center with a failed and a conflicted change.
    {
      const { context, page } = await signedIn(viewport, 'manager')
      await check(page, '/', found)
      if (viewport === PHONE) {
        // The phone's "More" sheet, open over the home.
        const nav = page.getByRole('navigation', { name: 'Main' })
        await nav.getByRole('button', { name: /^More/ }).click()
        await nav.getByRole('link', { name: 'Reports' }).waitFor()
        const sheet = await seriousViolations(page)
        if (sheet.length) found.push(summarize(`${viewport.width}px / (More open)`, sheet))
      }
      await check(page, '/suppliers', found, 'Kamau Farm')
      await check(page, `/suppliers/${h.data.supplierId}`, found, 'Transport')
      await check(page, '/suppliers/new', found)
      await check(page, `/suppliers/${h.data.supplierId}/edit`, found)
      await check(page, '/products', found, 'Green tea leaf')
      await check(page, `/products/${h.data.productId}`, found, 'Green tea leaf')
      await check(page, '/collections', found, 'Kamau Farm')
      await check(page, '/collections/new', found)
      await check(page, `/collections/${ids.collection}`, found, 'Kamau Farm')
      await check(page, '/payments', found, 'Kamau Farm')
      await check(page, '/payments/new', found)
      await check(page, `/payments/${ids.payment}`, found, 'Kamau Farm')
      await check(page, '/reports', found)
      await check(page, '/settlements', found, 'A11Y')
      await check(page, `/settlements/${ids.run}`, found, 'Kamau Farm')
      await check(page, `/statements/${ids.line}`, found, 'Kamau Farm')
      await troubleInSyncCenter(context, page, name)
      const violations = await seriousViolations(page)
      if (violations.length) found.push(summarize(`${viewport.width}px /sync (failed, conflict)`, violations))
      for (const faint of await faintControls(page)) found.push(`${viewport.width}px /sync: non-text-contrast ${faint}`)
      await page.locator('section.sc-failed').getByRole('button', { name: 'Edit' }).click()
      await page.locator('section.sc-failed').getByRole('form').waitFor()
      const editing = await seriousViolations(page)
      if (editing.length) found.push(summarize(`${viewport.width}px /sync (editing a failed change)`, editing))
      for (const faint of await faintControls(page))
        found.push(`${viewport.width}px /sync editor: non-text-contrast ${faint}`)
      await context.close()
    }
    // Finance computes runs; an admin has users and settings.
    {
      const { context, page } = await signedIn(viewport, 'finance')
      await check(page, '/settlements/new', found)
      await context.close()
    }
    {
      const { context, page } = await signedIn(viewport, 'admin')
      await check(page, '/users', found, h.users.collector.email)
      await check(page, '/settings', found)
      await context.close()
    }
    expect(found.join('\n')).toBe('')
  },
)

test('the check can fail: an unlabelled input, low-contrast text and a faint text box on the sign-in screen are reported', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  await page.goto('/')
  await page.getByLabel('Email').waitFor()
  await page.evaluate(() => {
    const main = document.querySelector('main') ?? document.body
    const input = document.createElement('input')
    const faint = document.createElement('p')
    faint.textContent = 'Faint text'
    faint.style.color = '#ccc'
    faint.style.background = '#fff'
    const faintBox = document.createElement('input')
    faintBox.setAttribute('aria-label', 'Faint box')
    faintBox.style.border = '1px solid #d0d7de'
    main.append(input, faint, faintBox)
  })
  const summary = summarize('sign-in', await seriousViolations(page))
  expect(summary).toMatch(/label \(critical\)/)
  expect(summary).toMatch(/color-contrast \(serious\)/)
  expect(await faintControls(page)).toEqual([expect.stringMatching(/^input "Faint box": boundary 1\.\d\d:1/)])
  await context.close()
})

/** The focused element, described, and whether it shows an outline. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    const style = el ? getComputedStyle(el) : null
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number)
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const x = v / 255
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4
      }
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    }
    let behind = [255, 255, 255]
    for (let e = el?.parentElement ?? null; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor)
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) {
        behind = c.slice(0, 3)
        break
      }
    }
    const [hi, lo] = style ? [lum(rgb(style.outlineColor)), lum(behind)].sort((a, b) => b - a) : [0, 0]
    return {
      text: el?.textContent?.trim() ?? '',
      inNav: !!el?.closest('nav[aria-label="Main"]'),
      label: el?.getAttribute('aria-label') ?? (el as HTMLInputElement | null)?.labels?.[0]?.textContent?.trim() ?? '',
      // A visible focus: an outline 2 px or wider, 3:1 or more against what is behind the element.
      outline: style
        ? style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2 && (hi + 0.05) / (lo + 0.05) >= 3
        : false,
    }
  })

async function tabTo(page: Page, want: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab')
    const f = await focused(page)
    if (want(f)) return f
  }
  throw new Error(`Tab never reached ${what}`)
}

test('desktop keyboard: Tab reaches the main navigation and the primary action, focus is visible, a form is filled and submitted', async () => {
  const { context, page } = await signedIn(DESKTOP, 'manager')
  await page.goto('/')
  await page.locator('main h1').waitFor()
  const nav = await tabTo(page, (f) => f.inNav, 'the main navigation')
  expect(nav.outline).toBe(true)
  const primary = await tabTo(page, (f) => f.text === 'New collection', 'New collection')
  expect(primary.outline).toBe(true)
  // Enter follows the link; the form opens.
  await page.keyboard.press('Enter')
  await page.waitForURL('**/collections/new')

  // A new supplier, by keyboard only.
  await page.goto('/suppliers/new')
  await page.locator('main h1').waitFor()
  const code = await tabTo(page, (f) => f.label.startsWith('Code'), 'the Code field')
  expect(code.outline).toBe(true)
  await page.keyboard.type('KEY-1')
  await page.keyboard.press('Tab')
  expect((await focused(page)).label).toMatch(/^Name/)
  await page.keyboard.type('Keyboard Farm')
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: 'Keyboard Farm' }).waitFor()
  await until(
    async () =>
      (await h.db.handle.db.selectFrom('suppliers').select('name').where('code', '=', 'KEY-1').executeTakeFirst())
        ?.name === 'Keyboard Farm',
    'the supplier on the server',
  )
  await context.close()
})
