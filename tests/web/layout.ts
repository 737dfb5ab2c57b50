/**
 * Layout checks of the browser tests on a 360x740 phone (issue 19): tap
 * targets of the main content at least 44 px tall, nothing wider than the
 * screen (a wide table may scroll inside its own frame), and the tab bar's
 * labels shown whole.
 */
import type { Locator, Page } from 'playwright-core'

/** Tap targets of the main content under 44 px tall: links, buttons, fields (a checkbox by its label). */
export async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = []
    const targets = document.querySelectorAll<HTMLElement>(
      'main a, main button, main summary, main select, main textarea, main input',
    )
    for (const el of targets) {
      const box = el.getBoundingClientRect()
      if (box.width === 0 && box.height === 0) continue // not shown
      if (getComputedStyle(el).visibility === 'hidden') continue
      const checkbox = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')
      const target = checkbox ? (el.closest('label') ?? el) : el
      const height = target.getBoundingClientRect().height
      if (height < 44)
        small.push(`${target.tagName.toLowerCase()} "${target.textContent?.trim().slice(0, 40)}" ${height}px`)
    }
    return small
  })
}

/** The page is no wider than the screen; if it is, what sticks out. */
export async function overflow(page: Page): Promise<{ scrollWidth: number; sticking: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const sticking: string[] = []
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const r = el.getBoundingClientRect()
      if (r.right > width + 0.5 && r.width > 0) {
        // Inside a frame that scrolls sideways is fine: the frame does not stick out.
        let inScroller = false
        for (let p = el.parentElement; p; p = p.parentElement) {
          if (getComputedStyle(p).overflowX === 'auto' && p.getBoundingClientRect().right <= width + 0.5) {
            inScroller = true
            break
          }
        }
        if (!inScroller) sticking.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`)
      }
    }
    return { scrollWidth: document.scrollingElement?.scrollWidth ?? 0, sticking: sticking.slice(0, 10) }
  })
}

/** The main navigation's labels that do not fit their tab or link (cut off with an ellipsis). */
export async function clippedLabels(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('nav .mainnav-label')]
      .filter((el) => el.getBoundingClientRect().width > 0 && el.scrollWidth > el.clientWidth)
      .map((el) => `"${el.textContent}" ${el.scrollWidth}px in ${el.clientWidth}px`),
  )
}

/** The words of an element's text that the browser broke across two lines (a column too narrow for them). */
export async function brokenWords(el: Locator): Promise<string[]> {
  return el.evaluate((root) => {
    const broken: string[] = []
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? ''
      for (const m of text.matchAll(/\S+/g)) {
        const range = document.createRange()
        range.setStart(node, m.index)
        range.setEnd(node, m.index + m[0].length)
        // One line: its boxes share a top (a word broken over lines has boxes on two).
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)))
        if (tops.size > 1) broken.push(m[0])
      }
    }
    return broken
  })
}
