/**
 * The rest of issue 19's matrix (docs/field-app.md has the table): each item of the field app in
 * English and Kiswahili, on a 360x740 phone and a desktop, where no other browser test covers that
 * language and size. A collector's walk in English on a desktop and in Kiswahili at both sizes,
 * each with only the steps that combination lacks elsewhere:
 * - the language is picked on the sign-in screen (English after trying Kiswahili: the last choice
 *   holds) and holds through reloads without signal; a collection dated 4 May 2025 shows its date
 *   as the language writes it on the receipt ("May 4, 2025", "4 Mei 2025");
 * - the offline unlock: signed out without signal, the prompt says offline sign-in will work; the
 *   sign-in screen survives a reload; a wrong password is refused; the right one signs in; a reload
 *   keeps the user signed in; the verifier never leaves the device;
 * - the session banner: the server ended the session while a change waits, and every main screen
 *   says "Sign in again to send 1 change" until the password is given there (a wrong one refused);
 * - Kiswahili: the supplier picker says when nothing matches, finds a supplier by part of its phone
 *   offline and lists it first, marked recent, the next time; the failed change (its supplier
 *   deleted meanwhile) names the supplier, marked deleted, and its Edit form has the normal picker
 *   and product select, no id shown; on a phone, the tab bar at the bottom with whole labels, 44 px
 *   targets, nothing wider than the screen with a 60-character name and 99,999,999.99 on it, the
 *   sync queue's words unbroken; on a desktop, the navigation in the top bar, no sideways scroll;
 * - axe (no serious or critical violation) on what these walks add: Kiswahili's sign-in, the
 *   sync center with a failed change in its editor, and the banner.
 * Then a manager on a phone: the reports' opening balance over a range and "In credit", and a
 * negative payment flagged before saving, in English; the navigation in Kiswahili on the phone
 * and, resized, on a desktop.
 */
import { DEFAULT_SETTINGS, todayIn } from '@trackvault/core'
import { createUser } from '@trackvault/server/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { seriousViolations, summarize } from './a11y'
import {
  api,
  choose,
  DESKTOP,
  deviceStorage,
  ENGLISH_NAV,
  goToScreen,
  type NavWords,
  PASSWORD,
  PHONE,
  pendingCount,
  pickSupplier,
  startWebHarness,
  type WebHarness,
  waitFor,
  waitForServiceWorker,
} from './harness'
import { brokenWords, clippedLabels, overflow, smallTargets } from './layout'

type Lang = 'en' | 'sw'
type Size = 'phone' | 'desktop'

/** The texts a walk looks for, in each language (i18n/en.ts, sw.ts, areas/admin.ts). */
interface Words {
  nav: NavWords
  language: string
  signInTitle: string
  email: string
  password: string
  signIn: string
  signInOffline: string
  offlineNote: string
  wrong: string
  signOut: string
  prompt: string
  home: string
  suppliers: string
  collections: string
  sync: string
  newCollection: string
  supplier: string
  product: string
  gross: string
  date: string
  save: string
  notSynced: string
  receipt: string
  /** 2025-05-04 as the receipt writes it (the business's locale is "en": no region). */
  receiptDate: string
  pending: string
  noMatch: string
  recent: string
  banner: string
  signInAgain: string
  bannerPassword: (email: string) => string
  signInSend: string
  syncTitle: string
  deleted: string
  edit: string
  saveRetry: string
}

const WORDS: Record<Lang, Words> = {
  en: {
    nav: ENGLISH_NAV,
    language: 'Language',
    signInTitle: 'Sign in to TrackVault',
    email: 'Email',
    password: 'Password',
    signIn: 'Sign in',
    signInOffline: 'Sign in on this device',
    offlineNote: 'No signal. If you have signed in on this device before',
    wrong: 'Wrong email or password',
    signOut: 'Sign out',
    prompt:
      '1 change is not synced yet. They stay on this device and sync when you sign in again. You can sign back in without signal on this device. Sign out?',
    home: 'Home',
    suppliers: 'Suppliers',
    collections: 'Collections',
    sync: 'Sync',
    newCollection: 'New collection',
    supplier: 'Supplier',
    product: 'Product',
    gross: 'Gross quantity',
    date: 'Date',
    save: 'Save collection',
    notSynced: 'Not yet synced',
    receipt: 'Collection receipt',
    receiptDate: 'May 4, 2025',
    pending: 'Pending',
    noMatch: 'No active supplier matches "zzz".',
    recent: 'recent',
    banner: 'Sign in again to send 1 change.',
    signInAgain: 'Sign in again',
    bannerPassword: (email) => `Password for ${email}`,
    signInSend: 'Sign in and send',
    syncTitle: 'Sync center',
    deleted: 'deleted',
    edit: 'Edit',
    saveRetry: 'Save and retry',
  },
  sw: {
    nav: { main: 'Kuu', more: 'Zaidi', queued: 'kwenye foleni' },
    language: 'Lugha',
    signInTitle: 'Ingia kwenye TrackVault',
    email: 'Barua pepe',
    password: 'Nenosiri',
    signIn: 'Ingia',
    signInOffline: 'Ingia kwenye kifaa hiki',
    offlineNote: 'Hakuna mtandao. Ikiwa umewahi kuingia kwenye kifaa hiki',
    wrong: 'Barua pepe au nenosiri si sahihi',
    signOut: 'Toka',
    prompt:
      'Badiliko 1 bado halijasawazishwa. Linabaki kwenye kifaa hiki na litasawazishwa utakapoingia tena. Unaweza kuingia tena bila mtandao kwenye kifaa hiki. Utoke?',
    home: 'Mwanzo',
    suppliers: 'Wasambazaji',
    collections: 'Makusanyo',
    sync: 'Sawazisha',
    newCollection: 'Kusanyo jipya',
    supplier: 'Msambazaji',
    product: 'Bidhaa',
    gross: 'Uzito wa jumla',
    date: 'Tarehe',
    save: 'Hifadhi kusanyo',
    notSynced: 'Bado halijasawazishwa',
    receipt: 'Risiti ya kusanyo',
    receiptDate: '4 Mei 2025',
    pending: 'Yanasubiri',
    noMatch: 'Hakuna msambazaji hai anayelingana na "zzz".',
    recent: 'wa karibuni',
    banner: 'Ingia tena ili kutuma badiliko 1.',
    signInAgain: 'Ingia tena',
    bannerPassword: (email) => `Nenosiri la ${email}`,
    signInSend: 'Ingia na utume',
    syncTitle: 'Kituo cha usawazishaji',
    deleted: 'imefutwa',
    edit: 'Hariri',
    saveRetry: 'Hifadhi na ujaribu tena',
  },
}

/**
 * One walk: a language and a size, and the steps it runs (the other combinations' are in other
 * files, docs/field-app.md). The offline unlock, its reloads and the dated receipt run in each;
 * English on a phone is offline-unlock.test.ts's.
 */
interface Walk {
  lang: Lang
  size: Size
  /** Searching, "no match" and recent-first in the supplier picker. */
  picker: boolean
  /** The session banner on every screen, signing in there. */
  banner: boolean
  /** A failed change named in the sync center, fixed in its Edit form. */
  fix: boolean
  /** The phone's tab bar, tap targets and widths, or the desktop's top bar. */
  layout: boolean
  /** Supplier the offline collection is for: one the office deletes (`fix`), else Kamau Farm. */
  doomed?: { code: string; name: string; phone: string; typed: string }
}

const WALKS: Walk[] = [
  { lang: 'en', size: 'desktop', picker: false, banner: true, fix: false, layout: false },
  {
    lang: 'sw',
    size: 'phone',
    picker: true,
    banner: true,
    fix: true,
    layout: true,
    doomed: { code: 'GONE-SWP', name: 'Mwisho Shamba', phone: '+254 733 111 201', typed: '0733 111 201' },
  },
  {
    lang: 'sw',
    size: 'desktop',
    picker: true,
    banner: true,
    fix: true,
    layout: true,
    doomed: { code: 'GONE-SWD', name: 'Kikomo Shamba', phone: '+254 733 111 202', typed: '0733111202' },
  },
]

const VIEWPORT = { phone: PHONE, desktop: DESKTOP }
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
const LONG_NAME = 'Wanjiru Kamau Nyambura Family Tea Growers of Upper Kiambu Co'
const BIG = '99,999,999.99'
/** The offline collection's date: May is "Mei" in Kiswahili, and English writes the month first. */
const DATED = '2025-05-04'

let h: WebHarness
let manager: string
/** Each walk's own collector (a device's replica and queue are its user's). */
const collectors = new Map<string, { id: string; email: string; name: string }>()
const walkKey = (w: Walk) => `${w.lang}-${w.size}`
/** Last calendar month and the month before (the reports' range), for the English phone's report. */
let period: { from_date: string; to_date: string }

function monthBefore(day: string) {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))]
  const year = m === 1 ? y - 1 : y
  const month = m === 1 ? 12 : m - 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const mm = String(month).padStart(2, '0')
  return { from_date: `${year}-${mm}-01`, to_date: `${year}-${mm}-${String(last).padStart(2, '0')}` }
}

beforeAll(async () => {
  h = await startWebHarness()
  const login = async (email: string) =>
    (await api(h.server.url, undefined, 'POST', '/api/auth/login', { email, password: PASSWORD })).token as string
  manager = await login(h.users.manager.email)
  // A product priced 99,999,999.99 a kg and a supplier with a 60-character name: what spills on a phone.
  const big = await api(h.server.url, manager, 'POST', '/api/products', {
    code: 'BIG',
    name: 'Bulk lot',
    default_unit: 'kg',
  })
  await api(h.server.url, manager, 'POST', '/api/product-rates', {
    product_id: big.id,
    unit: 'kg',
    rate: '99999999.99',
    effective_date: '2020-01-01',
  })
  const long = await api(h.server.url, manager, 'POST', '/api/suppliers', {
    code: 'SUP-LONG-NAME-01',
    name: LONG_NAME,
    phone: '+254700000099',
  })
  const today = todayIn(DEFAULT_SETTINGS.time_zone)
  for (const walk of WALKS) {
    const email = `${walk.lang}-${walk.size}@web.local`
    const user = await createUser(h.db.handle.db, {
      name: `Collector ${walk.lang.toUpperCase()} ${walk.size}`,
      email,
      password: PASSWORD,
      role: 'collector',
    })
    collectors.set(walkKey(walk), { id: user.id, email, name: user.name })
    // Today's collection of their own: 1 kg at 99,999,999.99 from the supplier with the long name.
    await api(h.server.url, await login(email), 'POST', '/api/collections', {
      supplier_id: long.id,
      product_id: big.id,
      collection_date: today,
      quantity: '1',
      unit: 'kg',
    })
    if (walk.doomed) {
      const { code, name, phone } = walk.doomed
      await api(h.server.url, manager, 'POST', '/api/suppliers', { code, name, phone })
    }
  }
  // The English phone's report over last month: Opening Farm owed 1,000.00 before it (1,200.00
  // collected, 200.00 paid the month before) and collected 300.00 in it; Ahead Estate was paid
  // 300.00 in advance the month before: in credit.
  period = monthBefore(today)
  const before = monthBefore(period.from_date).from_date.slice(0, 8)
  const opening = await api(h.server.url, manager, 'POST', '/api/suppliers', { code: 'RPT-1', name: 'Opening Farm' })
  const ahead = await api(h.server.url, manager, 'POST', '/api/suppliers', { code: 'RPT-2', name: 'Ahead Estate' })
  const collect = (collection_date: string, quantity: string) =>
    api(h.server.url, manager, 'POST', '/api/collections', {
      supplier_id: opening.id,
      product_id: h.data.productId,
      collection_date,
      quantity,
      unit: 'kg',
    })
  const pay = (supplier_id: string, payment_date: string, amount: string, payment_type: string) =>
    api(h.server.url, manager, 'POST', '/api/payments', { supplier_id, payment_date, amount, payment_type })
  await collect(`${before}05`, '10')
  await pay(opening.id, `${before}20`, '200.00', 'partial')
  await collect(`${period.from_date.slice(0, 8)}10`, '2.5')
  await pay(ahead.id, `${before}15`, '300.00', 'advance')
})
afterAll(() => h?.close())

/** axe on the page as it is now; a violation is added to `found` with where it was. */
async function axe(page: Page, where: string, found: string[]) {
  const violations = await seriousViolations(page)
  if (violations.length) found.push(summarize(where, violations))
}

/** The number of changes the status bar says are waiting, in the walk's language. */
async function waiting(page: Page, w: Words): Promise<number> {
  const text = await page
    .locator('.statusbar')
    .getByText(new RegExp(`^${w.pending}: \\d+$`))
    .textContent()
  return Number(text?.replace(/\D/g, ''))
}

/** On a phone: nothing wider than the screen, every target of the main content 44 px or more. */
async function fitsPhone(page: Page, where: string) {
  const o = await overflow(page)
  expect({ where, ...o }).toEqual({ where, scrollWidth: expect.any(Number), sticking: [] })
  expect(o.scrollWidth, where).toBeLessThanOrEqual(PHONE.width)
  expect({ where, small: await smallTargets(page) }).toEqual({ where, small: [] })
}

/** The navigation: a bottom tab bar with whole labels on a phone; the top bar, every link in the window, on a desktop. */
async function navigationFits(page: Page, w: Words, size: Size) {
  const nav = page.getByRole('navigation', { name: w.nav.main })
  const box = await nav.boundingBox()
  if (!box) throw new Error('no main navigation')
  const more = nav.getByRole('button', { name: new RegExp(`^${w.nav.more}`) })
  if (size === 'phone') {
    expect(box.height).toBeLessThanOrEqual(64)
    expect(box.y + box.height).toBeCloseTo(PHONE.height, 0)
    expect(box.width).toBe(PHONE.width)
    expect(await more.isVisible()).toBe(true)
    const tabs = await nav
      .locator('.mainnav-tab')
      .evaluateAll((els) =>
        els
          .filter((el) => el.getBoundingClientRect().width > 0)
          .map((el) => ({ text: el.textContent, height: el.getBoundingClientRect().height })),
      )
    expect(tabs.length).toBeGreaterThanOrEqual(4)
    for (const tab of tabs) expect(tab.height, tab.text ?? '').toBeGreaterThanOrEqual(44)
  } else {
    expect(await more.isVisible()).toBe(false)
    const links = await nav.locator('a').evaluateAll((els) =>
      els
        .map((el) => ({ text: el.textContent, box: el.getBoundingClientRect() }))
        .filter((l) => l.box.width > 0)
        .map((l) => ({ text: l.text, top: l.box.top, right: l.box.right, height: l.box.height })),
    )
    expect(links.length).toBeGreaterThanOrEqual(4)
    for (const link of links) {
      expect(link.top, link.text ?? '').toBeLessThan(120)
      expect(link.right, link.text ?? '').toBeLessThanOrEqual(DESKTOP.width)
      expect(link.height, link.text ?? '').toBeGreaterThanOrEqual(44)
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(DESKTOP.width)
  }
  expect(await clippedLabels(page)).toEqual([])
}

/** Answers the sign-out prompt (accepts it) and returns what it said. */
async function signOut(page: Page, w: Words): Promise<string> {
  let said = ''
  page.once('dialog', (dialog) => {
    said = dialog.message()
    void dialog.accept()
  })
  await page.getByRole('button', { name: w.signOut, exact: true }).click()
  await page.getByRole('heading', { name: w.signInTitle }).waitFor()
  return said
}

for (const walk of WALKS) {
  const { lang, size } = walk
  const steps = [
    'language',
    'offline unlock',
    walk.picker && 'picker',
    walk.banner && 'session banner',
    walk.fix && 'failed-change editor',
    walk.layout && 'layout',
  ].filter(Boolean)
  test(`${lang}, ${size}: a collector's field day (${steps.join(', ')})`, async () => {
    const w = WORDS[lang]
    const me = collectors.get(walkKey(walk))
    if (!me) throw new Error('no collector')
    const found: string[] = []
    const where = (screen: string) => `${lang} ${size} ${screen}`
    const context = await h.newContext(VIEWPORT[size])
    const requests: string[] = []
    context.on('request', (r) => requests.push(`${r.url()} ${JSON.stringify(r.headers())} ${r.postData() ?? ''}`))
    const page = await context.newPage()
    const nav = page.getByRole('navigation', { name: w.nav.main })
    const htmlLang = () => page.locator('html').getAttribute('lang')

    // The language, picked on the sign-in screen (English after trying Kiswahili: the last choice holds).
    await page.goto('/')
    await page.getByLabel('Language').selectOption('sw')
    await page.getByRole('heading', { name: WORDS.sw.signInTitle }).waitFor()
    if (lang === 'en') await page.getByLabel(WORDS.sw.language).selectOption('en')
    await page.getByRole('heading', { name: w.signInTitle }).waitFor()
    expect(await htmlLang()).toBe(lang)
    if (lang === 'sw') await axe(page, where('sign-in'), found)
    await page.getByLabel(w.email).fill(me.email)
    await page.getByLabel(w.password).fill(PASSWORD)
    await page.getByRole('button', { name: w.signIn, exact: true }).click()
    await nav.waitFor()
    await waitForServiceWorker(page)
    // The first sync brought the suppliers (the picker reads the device's replica).
    await goToScreen(page, w.suppliers, w.nav)
    await page.getByRole('link', { name: walk.doomed?.name ?? 'Kamau Farm' }).waitFor()

    // Offline: a collection dated 4 May 2025, for the supplier the office is about to delete (or Kamau Farm).
    await context.setOffline(true)
    await page.locator('.offline-banner').waitFor()
    await page.goto('/collections/new').catch(() => {}) // the service worker serves the app
    await page.getByRole('heading', { name: w.newCollection, level: 1 }).waitFor()
    const picker = page.getByRole('combobox', { name: w.supplier, exact: true }).and(page.locator('input'))
    const options = page.getByRole('listbox', { name: w.supplier, exact: true }).getByRole('option')
    if (walk.picker && walk.doomed) {
      await picker.fill('zzz')
      await page.getByText(w.noMatch).waitFor()
      // Part of the phone, typed as a local number: "+254 733 111 201".
      await picker.fill(walk.doomed.typed)
      await waitFor(async () => (await options.count()) === 1, 'one supplier by its phone')
      expect(await options.first().textContent()).toContain(walk.doomed.name)
      await options.first().click()
      expect(await picker.inputValue()).toBe(`${walk.doomed.name} (${walk.doomed.code})`)
    } else await pickSupplier(page, 'Kamau', 'Kamau Farm', w.supplier)
    await choose(page.getByLabel(w.product, { exact: true }), 'Green tea leaf')
    await page.getByLabel(w.gross).fill('5')
    await page.getByLabel(w.date, { exact: true }).fill(DATED)
    await page.getByRole('button', { name: w.save }).click()
    await page.getByRole('heading', { name: w.receipt, level: 1 }).waitFor()
    await page.getByText(w.notSynced, { exact: false }).first().waitFor()
    // The date as the language writes it.
    expect(await page.locator('.rc-receipt').textContent()).toContain(w.receiptDate)
    if (walk.picker && walk.doomed) {
      // The next collection: the supplier picked last comes first, marked recent, before anything is typed.
      await page.goto('/collections/new').catch(() => {})
      await picker.click()
      await options.first().waitFor()
      expect(await options.first().textContent()).toMatch(new RegExp(`^${walk.doomed.name}.*${w.recent}`))
      await page.keyboard.press('Escape')
    }

    // Signed out without signal: the prompt says offline sign-in will work; the sign-in screen offers it.
    expect(await signOut(page, w)).toBe(w.prompt)
    await page.getByText(w.offlineNote).waitFor()
    // A reload without signal: the sign-in screen, in the language chosen.
    await page.reload()
    await page.getByRole('heading', { name: w.signInTitle }).waitFor()
    expect(await htmlLang()).toBe(lang)
    const submit = page.getByRole('button', { name: w.signInOffline, exact: true })
    await page.getByLabel(w.email).fill(me.email)
    await page.getByLabel(w.password).fill('not-the-password')
    await submit.click()
    await page.getByRole('alert').getByText(w.wrong).waitFor()
    expect(await nav.count()).toBe(0)
    await page.getByLabel(w.password).fill(PASSWORD)
    await submit.click()
    await nav.waitFor()
    // Another reload without signal: still signed in, the change still waiting.
    await page.reload()
    await nav.waitFor()
    expect(await htmlLang()).toBe(lang)
    await waitFor(async () => (await waiting(page, w)) === 1, 'the change waiting after the reload')

    const doomedId = walk.doomed
      ? (
          await h.db.handle.db
            .selectFrom('suppliers')
            .select('id')
            .where('code', '=', walk.doomed.code)
            .executeTakeFirstOrThrow()
        ).id
      : undefined
    if (walk.banner) {
      // Meanwhile the server ends every session of this collector, and the office deletes the supplier.
      await h.db.handle.db
        .updateTable('auth_tokens')
        .set({ revoked_at: new Date().toISOString() })
        .where('user_id', '=', me.id)
        .where('revoked_at', 'is', null)
        .execute()
      if (doomedId) {
        const deleted = await fetch(`${h.server.url}/api/suppliers/${doomedId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${manager}` },
        })
        expect(deleted.status).toBe(200)
      }
      await context.setOffline(false)
      const banner = page.locator('.session-banner')
      await banner.getByText(w.banner).waitFor({ timeout: 30_000 })
      await axe(page, where('banner'), found)
      // On every main screen, until the password is given.
      for (const [screen, ready] of [
        [w.home, () => page.getByTestId('today-amount').filter({ hasText: BIG })],
        [w.suppliers, () => page.getByRole('link', { name: LONG_NAME })],
        [w.collections, () => page.getByRole('cell', { name: new RegExp(LONG_NAME) }).first()],
        [w.sync, () => page.locator('.queue-table tbody tr').first()],
      ] as const) {
        await goToScreen(page, screen, w.nav)
        await page.locator('main h1').first().waitFor()
        await ready().waitFor()
        await banner.getByText(w.banner).waitFor()
        if (walk.layout && size === 'phone') await fitsPhone(page, where(screen))
        if (walk.layout && size === 'desktop')
          expect(await page.evaluate(() => document.documentElement.scrollWidth), where(screen)).toBeLessThanOrEqual(
            DESKTOP.width,
          )
      }
      if (walk.layout) {
        await navigationFits(page, w, size)
        if (size === 'phone') {
          // The sync queue on a phone: stacked rows, the item's name the row's width, not a narrow column.
          const row = page.locator('.queue-table tbody tr').first()
          expect(await row.evaluate((tr) => getComputedStyle(tr).display)).toBe('grid')
          // Its state ("Halijasawazishwa") is wider than English's, so the item has less room: still no word broken.
          expect(await brokenWords(row)).toEqual([])
          const [subject, whole] = [await row.locator('.queue-subject').boundingBox(), await row.boundingBox()]
          expect(subject?.width).toBeGreaterThan((whole?.width ?? 0) / 2)
        }
      }
      expect(
        await h.db.handle.db.selectFrom('collections').select('id').where('user_id', '=', me.id).execute(),
      ).toHaveLength(1) // only today's, made in beforeAll: nothing sent
      await banner.getByRole('button', { name: w.signInAgain }).click()
      const password = banner.getByLabel(w.bannerPassword(me.email))
      await password.fill('not-the-password')
      await banner.getByRole('button', { name: w.signInSend }).click()
      await banner.getByRole('alert').getByText(w.wrong).waitFor()
      await password.fill(PASSWORD)
      await banner.getByRole('button', { name: w.signInSend }).click()
      await banner.waitFor({ state: 'detached' })
    } else {
      // The session signing out could not revoke is resumed: the change goes when the network returns.
      await context.setOffline(false)
    }

    const sent = () =>
      h.db.handle.db
        .selectFrom('collections')
        .select(['supplier_id', 'collection_date'])
        .where('user_id', '=', me.id)
        .where('quantity_milli', '=', 5000)
        .execute()
    if (walk.fix && walk.doomed) {
      // Refused on sync (the supplier is gone): the sync center names it, and its Edit form uses the normal pickers.
      const { code, name } = walk.doomed
      await goToScreen(page, w.sync, w.nav)
      await page.getByRole('heading', { name: w.syncTitle, level: 1 }).waitFor()
      const card = page.locator('section.sc-failed')
      await card.waitFor({ timeout: 30_000 })
      const named = new RegExp(`${name} \\(${w.deleted}\\): 5\\.000 kg Green tea leaf`)
      await waitFor(
        async () => named.test((await card.getByRole('heading').textContent()) ?? ''),
        'the card to name it',
      )
      expect(await card.textContent()).not.toMatch(UUID)
      await card.getByRole('button', { name: w.edit, exact: true }).click()
      const form = card.getByRole('form')
      const supplier = form.getByRole('combobox', { name: w.supplier, exact: true }).and(page.locator('input'))
      // The pickers fill in once the device's suppliers and products are read (a query, not at once).
      await waitFor(async () => (await supplier.inputValue()) === `${name} (${code})`, 'the supplier picker filled')
      const product = form.getByRole('combobox', { name: w.product, exact: true })
      await waitFor(
        async () => (await product.locator('option:checked').textContent()) === 'Green tea leaf',
        'the product picker filled',
      )
      expect(await form.getByTestId('edit-collector').textContent()).toBe(me.name)
      expect(await form.getByLabel(/ id$/i).count()).toBe(0)
      const shown = await form.evaluate((el) =>
        [...el.querySelectorAll('input, select')].map((c) =>
          c instanceof HTMLSelectElement ? c.selectedOptions[0]?.text : (c as HTMLInputElement).value,
        ),
      )
      expect(shown.join(' ')).not.toMatch(UUID)
      expect(await card.textContent()).not.toMatch(UUID)
      await axe(page, where('sync center, editing a failed change'), found)
      await pickSupplier(page, 'Kamau', 'Kamau Farm', w.supplier)
      await form.getByRole('button', { name: w.saveRetry }).click()
      await waitFor(
        async () => (await page.locator('section.sc-failed').count()) === 0,
        'the failed card to go',
        30_000,
      )
    }
    await waitFor(async () => (await sent()).length === 1, 'the collection on the server', 30_000)
    expect(await sent()).toEqual([{ supplier_id: h.data.supplierId, collection_date: DATED }])
    await waitFor(async () => (await waiting(page, w)) === 0, 'the queue to drain', 30_000)

    // The device keeps a verifier, not the password, and never sends the verifier.
    const stored = await deviceStorage(page)
    expect(JSON.stringify(stored)).not.toContain(PASSWORD)
    const unlock = stored.find((row) => row.key === `unlock/${me.id}`)?.value as {
      verifier: { salt: string; hash: string }
    }
    expect(unlock.verifier.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(requests.length).toBeGreaterThan(5)
    expect(requests.filter((r) => r.includes(unlock.verifier.hash) || r.includes(unlock.verifier.salt))).toEqual([])
    expect(found.join('\n')).toBe('')
    await context.close()
  })
}

test("a manager on a phone: the reports' opening balance over a range, credit in words, a negative payment flagged (English); the navigation in Kiswahili on a phone and a desktop", async () => {
  const context = await h.newContext(PHONE)
  const page = await context.newPage()
  await h.signIn(page, 'manager')
  await goToScreen(page, 'Reports')
  const reportPeriod = page.getByRole('form', { name: 'Report period' })
  await reportPeriod.getByLabel('From', { exact: true }).fill(period.from_date)
  await reportPeriod.getByLabel('To', { exact: true }).fill(period.to_date)
  const table = page.getByRole('table', { name: /^Supplier balances/ })
  const opening = table.locator('tbody tr', { hasText: 'Opening Farm' })
  await waitFor(async () => (await opening.locator('td.num').allTextContents()).includes('1,300.00'), 'the closing')
  // Opening 1,000.00 (before the range), 300.00 collected in it, nothing paid, closing 1,300.00.
  expect(await opening.locator('td.num').allTextContents()).toEqual(['1,000.00', '300.00', '0.00', '1,300.00'])
  const ahead = table.locator('tbody tr', { hasText: 'Ahead Estate' })
  expect(await ahead.locator('td.num').allTextContents()).toEqual([
    'In credit: 300.00',
    '0.00',
    '0.00',
    'In credit: 300.00',
  ])
  expect(await table.textContent()).not.toMatch(/-\s*300\.00/)
  // The table scrolls in its own frame; the page is no wider than the phone.
  const frame = await page
    .locator('.report-section .table-wrap')
    .last()
    .evaluate((el) => ({ overflowX: getComputedStyle(el).overflowX, right: el.getBoundingClientRect().right }))
  expect(frame).toEqual({ overflowX: 'auto', right: expect.any(Number) })
  expect(frame.right).toBeLessThanOrEqual(PHONE.width)
  await fitsPhone(page, 'en phone reports')

  // A payment: "12abc" is no number and a negative amount is flagged as the field is left; nothing is saved.
  await page.goto('/payments/new')
  await pickSupplier(page, 'RPT-1', 'Opening Farm')
  const amount = page.getByLabel('Amount')
  await amount.fill('12abc')
  await amount.blur()
  await page.getByText('Amount is not a number').waitFor()
  expect(await page.getByText(/decimal places/).count()).toBe(0)
  await amount.fill('-50')
  await amount.blur()
  await page.getByText('Amount must be greater than zero').waitFor()
  expect(await amount.getAttribute('aria-invalid')).toBe('true')
  await fitsPhone(page, 'en phone payment form, flagged')
  await page.getByRole('button', { name: 'Save payment' }).click()
  await page.getByText('Amount must be greater than zero').waitFor()
  expect(page.url()).toMatch(/\/payments\/new$/)
  expect(await pendingCount(page)).toBe(0)

  // Kiswahili, picked in the top bar: the tab bar's labels are longer, and each still shows whole.
  const w = WORDS.sw
  await page.getByRole('combobox', { name: 'Language' }).selectOption('sw')
  const nav = page.getByRole('navigation', { name: w.nav.main })
  await nav.waitFor()
  await navigationFits(page, w, 'phone')
  // "Zaidi" (More) opens the rest, each a thumb-sized row within the screen.
  await nav.getByRole('button', { name: /^Zaidi/ }).click()
  for (const name of ['Ripoti', 'Hesabu za malipo', 'Bidhaa', 'Sawazisha']) {
    const box = await nav.getByRole('link', { name, exact: name !== 'Sawazisha' }).boundingBox()
    expect(box?.height, name).toBeGreaterThanOrEqual(44)
    expect((box?.x ?? 0) + (box?.width ?? 0), name).toBeLessThanOrEqual(PHONE.width)
  }
  await page.keyboard.press('Escape')
  // The checks can fail: a tab squeezed to 30 px cuts its label, a heading 40 px wide breaks its words
  // (set through the CSSOM: the app's Content-Security-Policy refuses a <style> added to the page).
  const squeeze = (on: boolean) =>
    page.evaluate((on) => {
      const tab = document.querySelector<HTMLElement>('.mainnav-tab')
      const heading = document.querySelector<HTMLElement>('main h1')
      for (const [el, prop, value] of [
        [tab, 'flex', '0 0 30px'],
        [heading, 'width', '40px'],
        [heading, 'overflow-wrap', 'anywhere'],
      ] as const) {
        if (on) el?.style.setProperty(prop, value, 'important')
        else el?.style.removeProperty(prop)
      }
    }, on)
  await squeeze(true)
  expect(await clippedLabels(page)).toEqual([expect.stringMatching(/^"Mwanzo" \d+px in \d+px$/)])
  expect(await brokenWords(page.locator('main h1').first())).not.toEqual([])
  await squeeze(false)

  // The same page on a desktop: every screen a link in the top bar, in the usual order, none cut.
  await page.setViewportSize(DESKTOP)
  await navigationFits(page, w, 'desktop')
  const labels = await nav.locator('a .mainnav-label').evaluateAll((els) =>
    els
      .filter((el) => el.getBoundingClientRect().width > 0)
      .sort((a, b) => a.getBoundingClientRect().x - b.getBoundingClientRect().x)
      .map((el) => el.textContent),
  )
  expect(labels).toEqual([
    'Mwanzo',
    'Wasambazaji',
    'Njia',
    'Bidhaa',
    'Makusanyo',
    'Malipo',
    'Hesabu za malipo',
    'Ripoti',
    'Sawazisha',
  ])
  await context.close()
})
