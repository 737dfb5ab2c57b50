/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench --
 * --profile`): where the time went, by area (our packages, each npm
 * package, Node internals, GC, idle), and the top functions by self and by
 * inclusive time.
 *
 *   npx tsx bench/profile-summary.ts bench/results/profiles/<run>/push-sqlite/CPU.*.0.*.cpuprofile [--top 25]
 *
 * (Thread 0 is the main thread; the other file of a tsx process is its module loader thread.)
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** The area a frame belongs to: an npm package, one of our packages, Node itself, or V8's pseudo-frames. */
export function areaOf(frame: CallFrame): string {
  const url = frame.url
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm) return nm[1]
  const ours = /\/(packages\/[^/]+|apps\/[^/]+|bench|tests|sim)\//.exec(url)
  if (ours) {
    const sub = /packages\/[^/]+\/src\/([^/]+)\//.exec(url)
    return sub ? `${ours[1]}/${sub[1]}` : ours[1]
  }
  if (url.startsWith('node:')) return 'node internals'
  return url
}

function summarise(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const key = (f: CallFrame) =>
    `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/work\/main\//, '')}:${f.lineNumber + 1}`

  const areas = new Map<string, number>()
  const selfByFn = new Map<string, number>()
  const inclByFn = new Map<string, number>()
  for (const [id, us] of self) {
    const node = byId.get(id)
    if (!node || node.callFrame.functionName === '(idle)') continue
    const area = areaOf(node.callFrame)
    areas.set(area, (areas.get(area) ?? 0) + us)
    const k = key(node.callFrame)
    selfByFn.set(k, (selfByFn.get(k) ?? 0) + us)
    // Inclusive: charge every distinct function on the stack once.
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fk = key((byId.get(cur) as ProfileNode).callFrame)
      if (seen.has(fk)) continue
      seen.add(fk)
      inclByFn.set(fk, (inclByFn.get(fk) ?? 0) + us)
    }
  }
  // Percentages are of busy time: the samples where the thread was not idle in the event loop.
  const idle = [...self.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, us]) => a + us, 0)
  const busy = total - idle
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`
  const ms = (us: number) =>
    `${Math.round(us / 1000)
      .toString()
      .padStart(7)} ms`
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${pct(us)} ${ms(us)}  ${k}`)
      .join('\n')
  return [
    `${file}: ${Math.round(total / 1000)} ms sampled, ${Math.round(busy / 1000)} ms busy (percentages are of busy time)`,
    'by area (self time):',
    list(areas, 30),
    `top ${top} functions by self time:`,
    list(selfByFn, top),
    `top ${top} functions by inclusive time:`,
    list(inclByFn, top),
  ].join('\n')
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
})
for (const file of positionals) process.stdout.write(`${summarise(file, Number(values.top))}\n\n`)
