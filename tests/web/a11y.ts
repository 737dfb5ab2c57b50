/**
 * axe-core in the browser tests: injects the pinned axe-core into a page and
 * answers the serious and critical violations, with a readable summary (rule,
 * impact, the elements and what to fix) for a failing assertion.
 */
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const require = createRequire(import.meta.url)
const axeSource: string = require('axe-core').source

export interface A11yViolation {
  id: string
  impact: string
  help: string
  nodes: { target: string; summary: string }[]
}

/** Runs axe on the page (WCAG 2 A/AA and best practice); answers only serious and critical violations. */
export async function seriousViolations(page: Page): Promise<A11yViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined')
  // Evaluated through the DevTools protocol: the app's Content-Security-Policy (script-src 'self') stays on.
  if (!loaded) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected as a page global
    const axe = (window as any).axe
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    })
    // biome-ignore lint/suspicious/noExplicitAny: axe's result shape
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      // biome-ignore lint/suspicious/noExplicitAny: axe's node shape
      nodes: v.nodes.map((n: any) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
    }))
  })
  return (violations as A11yViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/** One line per violation and element: "rule (impact): help — target: how to fix". */
export function summarize(where: string, violations: A11yViolation[]): string {
  return violations
    .flatMap((v) =>
      v.nodes.map((n) => `${where}: ${v.id} (${v.impact}) ${v.help} - ${n.target}: ${n.summary.replace(/\s+/g, ' ')}`),
    )
    .join('\n')
}
