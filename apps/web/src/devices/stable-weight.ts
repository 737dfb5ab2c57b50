/**
 * When a scale's reading is a weight to record. A scale that says so decides
 * (ST, MT-SICS `S S`: stable; US, `S D`: moving). A scale that says nothing
 * (Bluetooth's Weight Measurement, a bare weight) is stable once `readings`
 * readings in a row, spanning at least `windowMs`, stay within `tolerance`
 * grams of each other. Never stable on zero or less (an empty pan, a tare
 * taken off), an overload or a fault: each of them starts the count again.
 *
 * Time is given, never read (`push(reading, at)`), so the rule is tested
 * without waiting.
 */
import type { ScaleReading } from './scale-readings'

export interface StableOptions {
  /** Readings in a row that must agree (N). */
  readings: number
  /** The least time they must span, in ms (T). */
  windowMs: number
  /** How far apart (max − min) they may be, in grams. */
  tolerance: bigint
}

/** Three readings over a second within 10 g: a bag settling on a platform scale reads the same by then. */
export const DEFAULT_STABLE: StableOptions = { readings: 3, windowMs: 1000, tolerance: 10n }

/** Readings kept at most (the window needs only those spanning `windowMs`; this bounds a fast scale's). */
const KEEP = 100

export class StableWeight {
  private recent: Array<{ grams: bigint; at: number }> = []
  private readonly options: StableOptions

  constructor(options: Partial<StableOptions> = {}) {
    this.options = { ...DEFAULT_STABLE, ...options }
  }

  /** Takes the reading made at `at` (ms); whether it is a stable weight. */
  push(reading: ScaleReading, at: number): boolean {
    if (reading.kind !== 'weight' || reading.grams <= 0n || reading.stable === false) {
      this.recent = []
      return false
    }
    if (reading.stable === true) {
      this.recent = [{ grams: reading.grams, at }]
      return true
    }
    this.recent.push({ grams: reading.grams, at })
    // Keep the longest run of readings, ending with this one, that agree within the tolerance.
    let min = reading.grams
    let max = reading.grams
    let start = this.recent.length - 1
    while (start > 0) {
      const g = this.recent[start - 1].grams
      const spread = g > max ? g - min : g < min ? max - g : max - min
      if (spread > this.options.tolerance) break
      if (g < min) min = g
      else if (g > max) max = g
      start--
    }
    this.recent = this.recent.slice(Math.max(start, this.recent.length - KEEP))
    const first = this.recent[0]
    return this.recent.length >= this.options.readings && at - first.at >= this.options.windowMs
  }

  /** Forgets the readings so far (a new scale, a reconnect). */
  reset(): void {
    this.recent = []
  }
}
