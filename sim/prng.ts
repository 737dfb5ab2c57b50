/**
 * A small deterministic PRNG (mulberry32) and the helpers the simulation
 * draws every choice from. Independent streams are forked by label, so one
 * device's faults never depend on how often another device drew a number.
 */

/** 32-bit string hash (FNV-1a), used to derive stream seeds from labels. */
function hash32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export class Rng {
  private state: number

  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]
  }

  /** A key chosen with the given weights (weights <= 0 are never chosen). */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K {
    const entries = (Object.entries(weights) as Array<[K, number]>).filter(([, w]) => w > 0)
    const total = entries.reduce((s, [, w]) => s + w, 0)
    if (entries.length === 0) throw new Error('no positive weight')
    let r = this.next() * total
    for (const [k, w] of entries) {
      r -= w
      if (r < 0) return k
    }
    return entries[entries.length - 1][0]
  }

  /** An independent stream, determined by this stream's seed and `label` only. */
  fork(label: string): Rng {
    return new Rng(hash32(`${this.seed}:${label}`))
  }
}
