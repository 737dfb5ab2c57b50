/**
 * Two browsers edit the same supplier offline: the second to sync sees the
 * conflict side by side in the sync center, and each resolution works.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DESKTOP, pendingCount as pending, startWebHarness, type WebHarness } from './harness'

let h: WebHarness
let a: { context: BrowserContext; page: Page }
let b: { context: BrowserContext; page: Page }

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function syncNow(page: Page) {
  await page.goto('/sync')
  await page.getByRole('button', { name: 'Sync now' }).click()
  await until(
    async () => (await page.getByRole('button', { name: 'Sync now' }).isEnabled()) && (await pending(page)) === 0,
    'a sync',
  )
}

async function editSupplier(page: Page, id: string, fields: Record<string, string>) {
  await page.goto(`/suppliers/${id}/edit`)
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value)
  await page.getByRole('button', { name: 'Save changes' }).click()
  await page.getByRole('link', { name: 'Edit' }).waitFor()
}

async function serverSupplier(id: string) {
  return h.db.handle.db.selectFrom('suppliers').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** A new supplier both browsers know, then edited offline in both; A syncs first, B meets the conflict. */
async function conflict(name: string, aFields: Record<string, string>, bFields: Record<string, string>) {
  const login = await fetch(`${h.server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: h.users.manager.email, password: 'web-e2e-password' }),
  }).then((r) => r.json())
  const created = await fetch(`${h.server.url}/api/suppliers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
    body: JSON.stringify({ code: name.toUpperCase().replace(/\W/g, '-'), name, phone: '000' }),
  }).then((r) => r.json())
  for (const x of [a, b]) await syncNow(x.page)
  await a.context.setOffline(true)
  await b.context.setOffline(true)
  await editSupplier(a.page, created.id, aFields)
  await editSupplier(b.page, created.id, bFields)
  await a.context.setOffline(false)
  await until(async () => (await pending(a.page)) === 0, 'A to sync')
  await b.context.setOffline(false)
  await b.page.goto('/sync')
  const block = b.page.getByRole('region', { name: `Conflict on supplier ${name}` })
  await block.waitFor({ timeout: 30_000 })
  return { id: created.id as string, block }
}

beforeAll(async () => {
  h = await startWebHarness()
  for (const [role, slot] of [
    ['manager', 'a'],
    ['admin', 'b'],
  ] as const) {
    const context = await h.newContext(DESKTOP)
    const page = await context.newPage()
    await h.signIn(page, role)
    if (slot === 'a') a = { context, page }
    else b = { context, page }
  }
})
afterAll(() => h?.close())

test('"Use server data" drops my change', async () => {
  const { id, block } = await conflict('Conflict One', { Phone: '111-A' }, { Phone: '111-B' })
  expect(await block.getByText('Base').count()).toBeGreaterThan(0)
  expect(await block.getByText('111-A').count()).toBeGreaterThan(0)
  expect(await block.getByText('111-B').count()).toBeGreaterThan(0)
  await block.getByRole('button', { name: 'Use server data' }).click()
  await block.waitFor({ state: 'detached' })
  expect((await serverSupplier(id)).phone).toBe('111-A')
  await b.page.goto(`/suppliers/${id}`)
  await b.page.getByText('111-A').first().waitFor()
})

test('"Force update" puts my change on top', async () => {
  const { id, block } = await conflict('Conflict Two', { Phone: '222-A' }, { Phone: '222-B' })
  await block.getByRole('button', { name: 'Force update' }).click()
  await block.waitFor({ state: 'detached' })
  await until(async () => (await serverSupplier(id)).phone === '222-B', 'the forced value on the server')
  expect(Number((await serverSupplier(id)).version)).toBe(3)
})

test('"Merge" takes the chosen value of each field', async () => {
  const { id, block } = await conflict(
    'Conflict Three',
    { Name: 'Conflict Three A', Phone: '333-A' },
    { Name: 'Conflict Three B', Phone: '333-B' },
  )
  const merge = block.getByRole('form')
  await merge
    .getByRole('group', { name: 'Name' })
    .getByLabel(/Server/)
    .check()
  await merge.getByRole('group', { name: 'Phone' }).getByLabel(/Yours/).check()
  await merge.getByRole('button', { name: 'Merge' }).click()
  await block.waitFor({ state: 'detached' })
  await until(async () => (await serverSupplier(id)).phone === '333-B', 'the merged row')
  expect((await serverSupplier(id)).name).toBe('Conflict Three A')
})

test('"Review later" keeps my change parked until I decide', async () => {
  const { id, block } = await conflict('Conflict Four', { Phone: '444-A' }, { Phone: '444-B' })
  await block.getByRole('button', { name: 'Review later' }).click()
  await b.page.reload()
  const parked = b.page.getByRole('region', { name: 'Conflict on supplier Conflict Four' })
  await parked.waitFor()
  expect((await serverSupplier(id)).phone).toBe('444-A')
  await parked.getByRole('button', { name: 'Use server data' }).click()
  await parked.waitFor({ state: 'detached' })
})
