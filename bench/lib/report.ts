/** What a workload reports: one row per figure, its baseline from the same run, medians over repetitions. */
import { fmt, median } from './stats'

export interface Rep {
  value: number
  baseline: number
  /** value / baseline for this repetition (so noise common to both cancels). */
  ratio: number
}

export interface Target {
  /** As the issue states it, e.g. ">= 15,000 ops/s". */
  text: string
  /** null: not judged, because this run used a smaller size than the target is stated for. */
  met: boolean | null
}

export interface Figure {
  /** Issue numbering: 1 push, 3 drain/storm, 5 propagation, 6 local write. */
  workload: number
  name: string
  db: string
  case: string
  metric: string
  unit: string
  /** Median over repetitions. */
  value: number
  baseline: number
  baselineWhat: string
  /** Median of the per-repetition ratios. */
  ratio: number
  reps: Rep[]
  targets: Target[]
  /** Anything the reader needs: errors, losses, extra timings. */
  notes: string[]
  extra?: Record<string, number | string>
}

/** Folds repetitions into a figure (medians). */
export function figure(
  base: Omit<Figure, 'value' | 'baseline' | 'ratio' | 'reps' | 'targets' | 'notes'>,
  reps: Rep[],
  targets: (value: number, ratio: number) => Target[] = () => [],
  notes: string[] = [],
): Figure {
  const value = median(reps.map((r) => r.value))
  const ratio = median(reps.map((r) => r.ratio))
  return {
    ...base,
    value,
    baseline: median(reps.map((r) => r.baseline)),
    ratio,
    reps,
    targets: targets(value, ratio),
    notes,
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length))
const padL = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s)

/** The figures as a plain-text table (also pasted into BENCHMARKS.md). */
export function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    String(f.workload),
    f.name,
    f.db,
    f.case,
    `${fmt(f.value)} ${f.unit}`,
    `${fmt(f.baseline)} ${f.unit}`,
    `${fmt(f.ratio)}x`,
    f.baselineWhat,
    f.targets.map((t) => `${t.met === null ? 'n/a' : t.met ? 'MET' : 'NOT MET'} ${t.text}`).join('; '),
  ])
  const head = ['#', 'workload', 'db', 'case', 'median', 'baseline', 'ratio', 'baseline is', 'target']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const right = new Set([4, 5, 6])
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right.has(i) ? padL(c, widths[i]) : pad(c, widths[i]))).join(' | ')} |`
  return [
    line(head),
    `|${widths.map((w, i) => (right.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
  ]
    .concat(rows.map(line))
    .join('\n')
}
