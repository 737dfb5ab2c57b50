/**
 * The web app and the Swagger UI work under the server's security headers
 * (packages/server/src/plugins/security-headers.ts): in Chromium, nothing is
 * refused by the Content-Security-Policy, the service worker takes control,
 * sign-in talks to the API, and the docs render the API document.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DESKTOP, startWebHarness, type WebHarness, waitForServiceWorker } from './harness'

let h: WebHarness
beforeAll(async () => {
  h = await startWebHarness()
})
afterAll(() => h?.close())

/** Collects the page's CSP violations (reported as console errors and as securitypolicyviolation events). */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text())
  })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `Refused to load (CSP ${e.violatedDirective}): ${e.blockedURI} from ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`,
      )
    })
  })
  return seen
}

test('the web app signs in, registers its service worker and works with no CSP violation', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  const violations = await watchViolations(page)
  const response = await page.goto('/')
  const csp = response?.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("script-src 'self'")
  expect(csp).toContain("frame-ancestors 'none'")
  await h.signIn(page, 'manager')
  await waitForServiceWorker(page)
  await page.getByRole('link', { name: 'Suppliers', exact: true }).click()
  await page.getByRole('link', { name: 'Kamau Farm' }).waitFor()
  // A reload is served through the service worker, still under the policy.
  await page.reload()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
  expect(violations).toEqual([])
  await context.close()
})

test('the Swagger UI at /api/docs renders the API document with no CSP violation', async () => {
  const context = await h.newContext(DESKTOP)
  const page = await context.newPage()
  const violations = await watchViolations(page)
  await page.goto('/api/docs')
  await page.locator('.swagger-ui .info .title').filter({ hasText: 'TrackVault API' }).waitFor()
  await page.locator('.opblock-summary-path').first().waitFor()
  expect(await page.locator('.opblock').count()).toBeGreaterThan(40)
  expect(violations).toEqual([])
  await context.close()
})
