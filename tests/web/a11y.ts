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

/**
 * Non-text contrast (WCAG 1.4.11), which axe does not check: every visible text box, select and text area
 * must show its boundary at 3:1 or more against what is behind it. Answers one line per control that does not.
 */
export async function faintControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number)
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      }
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    }
    const ratio = (a: number[], b: number[]) => {
      const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p)
      return (x + 0.05) / (y + 0.05)
    }
    const behind = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor)
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3)
      }
      return [255, 255, 255]
    }
    const out: string[] = []
    const controls = document.querySelectorAll<HTMLElement>(
      'input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea',
    )
    for (const el of controls) {
      if (!el.offsetParent || (el as HTMLInputElement).disabled) continue
      const style = getComputedStyle(el)
      const border = Number.parseFloat(style.borderBottomWidth) > 0 ? rgb(style.borderBottomColor).slice(0, 3) : null
      const outside = behind(el.parentElement)
      const inside = rgb(style.backgroundColor)
      const fill = inside.length === 3 || (inside.length === 4 && inside[3] > 0) ? inside.slice(0, 3) : outside
      // The boundary is visible if the border, or the control's own fill, stands out from what surrounds it.
      const best = Math.max(border ? ratio(border, outside) : 1, ratio(fill, outside))
      if (best < 3) {
        const name = el.getAttribute('aria-label') ?? (el as HTMLInputElement).labels?.[0]?.textContent?.trim() ?? ''
        out.push(
          `${el.tagName.toLowerCase()} "${name}": boundary ${best.toFixed(2)}:1 (border ${style.borderBottomColor})`,
        )
      }
    }
    return out
  })
}
