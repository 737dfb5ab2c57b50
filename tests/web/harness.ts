/**
 * Browser end-to-end harness: a real TrackVault server process (SQLite file,
 * built web app), users per role, master data, and Debian's Chromium driven
 * by playwright-core.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Role } from '@trackvault/core'
import {
  createTestDb,
  createUser,
  type ServerProcess,
  startServerProcess,
  type TestDb,
} from '@trackvault/server/testing'
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SCREENSHOTS = join(root, 'docs', 'screenshots')
export const PASSWORD = 'web-e2e-password'
export const PHONE = { width: 360, height: 740 }
export const DESKTOP = { width: 1280, height: 800 }

export interface WebHarness {
  server: ServerProcess
  db: TestDb
  browser: Browser
  users: Record<Role, { id: string; email: string; name: string }>
  /** Master data made through the API: one product with a rate and one supplier. */
  data: { productId: string; supplierId: string }
  newContext(viewport?: { width: number; height: number }): Promise<BrowserContext>
  /** Stops the server process gracefully and starts it again on the same database and port (`env` added). */
  restartServer(env?: Record<string, string>): Promise<void>
  signIn(page: Page, role: Role): Promise<void>
  close(): Promise<void>
}

/** The newest modification time of the files under `dirs` (0 if none). */
function newest(dirs: string[]): number {
  let max = 0
  for (const dir of dirs) {
    if (!existsSync(dir)) continue
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) max = Math.max(max, statSync(join(entry.parentPath, entry.name)).mtimeMs)
    }
  }
  return max
}

/**
 * Builds the web app (into packages/server/web, which the server serves) unless the build there is
 * newer than every source it is made of: the web tests run one file after another, and each used to
 * build it again.
 */
function ensureWebBuilt() {
  const built = join(root, 'packages', 'server', 'web', 'index.html')
  const sources = [
    join(root, 'apps', 'web', 'src'),
    join(root, 'apps', 'web', 'public'),
    ...['core', 'client', 'react'].map((p) => join(root, 'packages', p, 'src')),
  ]
  const config = ['index.html', 'vite.config.ts', 'package.json'].map((f) => join(root, 'apps', 'web', f))
  const stale =
    !existsSync(built) ||
    statSync(built).mtimeMs < Math.max(newest(sources), ...config.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)))
  if (stale) execFileSync('npm', ['run', 'build', '-w', '@trackvault/web'], { cwd: root, stdio: 'inherit' })
}

/** A JSON request to the server; throws on an error answer. */
export async function api(url: string, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await res.json()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** `env`: more of the server process's environment (e.g. an SMS provider). */
export async function startWebHarness(opts: { env?: Record<string, string> } = {}): Promise<WebHarness> {
  ensureWebBuilt()
  mkdirSync(SCREENSHOTS, { recursive: true })
  const db = await createTestDb()
  const users = {} as WebHarness['users']
  for (const role of ['admin', 'manager', 'finance', 'collector'] as Role[]) {
    const email = `${role}@web.local`
    const name = `${role[0].toUpperCase()}${role.slice(1)} Web`
    const u = await createUser(db.handle.db, { name, email, password: PASSWORD, role })
    users[role] = { id: u.id, email, name }
  }
  const serverEnv = { ...db.env, TRACKVAULT_RATE_LIMIT: '100000', LOG_LEVEL: 'warn', ...opts.env }
  let server = await startServerProcess(serverEnv)
  const { token } = await api(server.url, undefined, 'POST', '/api/auth/login', {
    email: users.manager.email,
    password: PASSWORD,
  })
  const product = await api(server.url, token, 'POST', '/api/products', {
    code: 'TEA',
    name: 'Green tea leaf',
    default_unit: 'kg',
  })
  await api(server.url, token, 'POST', '/api/product-rates', {
    product_id: product.id,
    unit: 'kg',
    rate: '120.00',
    effective_date: '2020-01-01',
  })
  const supplier = await api(server.url, token, 'POST', '/api/suppliers', {
    code: 'SUP-001',
    name: 'Kamau Farm',
    phone: '+254700000001',
  })
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  })
  const harness: WebHarness = {
    server,
    db,
    browser,
    users,
    data: { productId: product.id, supplierId: supplier.id },
    newContext: async (viewport = DESKTOP) => {
      const context = await browser.newContext({ baseURL: server.url, viewport })
      context.setDefaultTimeout(15_000)
      return context
    },
    signIn: async (page, role) => {
      await page.goto('/')
      await page.getByLabel('Email').fill(users[role].email)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('navigation', { name: 'Main' }).waitFor()
    },
    restartServer: async (env = {}) => {
      await server.stop('SIGTERM')
      server = await startServerProcess({ ...serverEnv, ...env, PORT: new URL(server.url).port })
      harness.server = server
    },
    close: async () => {
      await browser.close()
      await server.stop('SIGKILL')
      await db.drop()
    },
  }
  return harness
}

/**
 * Waits until the service worker controls the page (the app shell is cached for offline reloads).
 * Chromium now and then leaves a page that loaded before the worker activated uncontrolled although
 * the worker claims its clients (seen: the registration active, `controller` null for 15 s); the
 * next load is controlled, as a user's next visit would be, so such a page is reloaded once.
 */
export async function waitForServiceWorker(page: Page, timeoutMs = 15_000) {
  const controlled = (ms: number) =>
    page
      .waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: ms })
      .then(
        () => true,
        () => false,
      )
  if (!(await controlled(timeoutMs / 3))) {
    const active = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state === 'activated')
    if (active) await page.reload()
    if (!(await controlled(timeoutMs))) throw new Error('the service worker does not control the page')
  }
  await page.evaluate(() => navigator.serviceWorker.ready)
}

/**
 * Selects the option of a <select> whose text starts with `text` (labels may
 * carry a code after the name), waiting for it to appear (first sync).
 */
export async function choose(select: Locator, text: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await select.evaluate(
      (el, t) => [...(el as HTMLSelectElement).options].find((o) => o.text.startsWith(t))?.value,
      text,
    )
    if (value) return select.selectOption(value)
    if (Date.now() > deadline) throw new Error(`no option starting with "${text}"`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/**
 * Picks a supplier in the supplier picker (components/supplier-picker.tsx):
 * types `text` (part of a code, name or phone) and clicks the option whose
 * name starts with `name`, waiting for it (first sync).
 */
export async function pickSupplier(page: Page, text: string, name = text, label = 'Supplier') {
  // The picker's text box, never a list page's Supplier filter (a <select> is a combobox too): waiting for
  // it also waits for the form to open (a click on New collection may still be on its way).
  await page.getByRole('combobox', { name: label, exact: true }).and(page.locator('input')).fill(text)
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  await page
    .getByRole('listbox', { name: label, exact: true })
    .getByRole('option', { name: new RegExp(`^${escaped}`) })
    .click()
}

/** The navigation's own words in the language shown (i18n `nav`): its name, "More" and the Sync link's "queued". */
export interface NavWords {
  main: string
  more: string
  queued: string
}
export const ENGLISH_NAV: NavWords = { main: 'Main', more: 'More', queued: 'queued' }

/**
 * Opens a screen from the main navigation: its link in the desktop's top bar
 * or the phone's tab bar, or, on a phone, under "More" (components/main-nav.tsx).
 */
export async function goToScreen(page: Page, name: string, words: NavWords = ENGLISH_NAV) {
  const nav = page.getByRole('navigation', { name: words.main })
  const link = nav.getByRole('link', { name: new RegExp(`^${name}( \\d+ ${words.queued})?$`) })
  if (!(await link.isVisible())) await nav.getByRole('button', { name: new RegExp(`^${words.more}`) }).click()
  await link.click()
}

/** Every key and value of the app's device storage (IndexedDB `trackvault`, Dexie table `kv`). */
export async function deviceStorage(page: Page): Promise<Array<{ key: string; value: unknown }>> {
  return page.evaluate(
    () =>
      new Promise<Array<{ key: string; value: unknown }>>((resolve, reject) => {
        const open = indexedDB.open('trackvault')
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const db = open.result
          const all = db.transaction('kv').objectStore('kv').getAll()
          all.onerror = () => reject(all.error)
          all.onsuccess = () => {
            db.close()
            resolve(all.result)
          }
        }
      }),
  )
}

/** Polls `check` every 200 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** The number of changes the status bar says are waiting to sync. */
export const pendingCount = async (page: Page) =>
  Number(
    (
      await page
        .locator('.statusbar')
        .getByText(/^Pending: \d+$/)
        .textContent()
    )?.replace(/\D/g, ''),
  )
