import { describe, expect, it } from 'vitest'
import type { ScaleReading } from './scale-readings'
import { StableWeight } from './stable-weight'

const w = (grams: number, stable?: boolean): ScaleReading => ({
  kind: 'weight',
  grams: BigInt(grams),
  ...(stable === undefined ? {} : { stable }),
})

/** Pushes readings 250 ms apart from `start`; whether each was stable. */
function run(detector: StableWeight, readings: ScaleReading[], start = 0, every = 250): boolean[] {
  return readings.map((r, i) => detector.push(r, start + i * every))
}

describe('stable weight', () => {
  it('a scale that says nothing: stable once 3 readings over a second agree within 10 g', () => {
    const detector = new StableWeight()
    // Settling: 11.2, 12.0, 12.4 kg, then 12.340..12.345 for five readings (1 s).
    expect(run(detector, [w(11200), w(12000), w(12400), w(12340), w(12345), w(12342), w(12345), w(12344)])).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ])
  })

  it('needs both the readings and the time', () => {
    // Four readings in 300 ms agree, but do not span the second.
    expect(run(new StableWeight(), [w(5000), w(5000), w(5000), w(5000)], 0, 100)).toEqual([false, false, false, false])
    // Two readings 1.5 s apart agree, but are too few.
    expect(run(new StableWeight(), [w(5000), w(5000)], 0, 1500)).toEqual([false, false])
    expect(run(new StableWeight({ readings: 2 }), [w(5000), w(5000)], 0, 1500)).toEqual([false, true])
  })

  it('a reading that moves beyond the tolerance starts the count again from the readings that still agree', () => {
    const detector = new StableWeight({ readings: 3, windowMs: 500, tolerance: 10n })
    expect(run(detector, [w(5000), w(5005), w(5010), w(5021)])).toEqual([false, false, true, false])
    // 5021 is 11 g from 5010: the run is 5021 alone, and grows again from it.
    expect(detector.push(w(5015), 1000)).toBe(false) // 5021, 5015: two readings
    expect(detector.push(w(5018), 1250)).toBe(true) // 5021, 5015, 5018 over 500 ms
    expect(detector.push(w(5030), 1500)).toBe(false) // 12 g from 5018
  })

  it('trusts the scale that says: ST at once, US never', () => {
    const detector = new StableWeight()
    expect(detector.push(w(12345, true), 0)).toBe(true)
    expect(
      run(detector, [w(12345, false), w(12345, false), w(12345, false), w(12345, false), w(12345, false)]),
    ).toEqual([false, false, false, false, false])
  })

  it('is never stable on zero, a negative weight, an overload or a fault, and each starts the count again', () => {
    const detector = new StableWeight({ readings: 2, windowMs: 200 })
    expect(run(detector, [w(0), w(0), w(0)])).toEqual([false, false, false])
    expect(run(detector, [w(-20, true), w(-20), w(-20)])).toEqual([false, false, false])
    expect(detector.push({ kind: 'overload' }, 0)).toBe(false)
    expect(detector.push({ kind: 'fault' }, 0)).toBe(false)
    expect(detector.push(w(0, true), 0)).toBe(false)
    expect(run(detector, [w(800), w(800), { kind: 'overload' }, w(800), w(800)])).toEqual([
      false,
      true,
      false,
      false,
      true,
    ])
  })

  it('reset forgets what came before', () => {
    const detector = new StableWeight({ readings: 2, windowMs: 200 })
    expect(detector.push(w(800), 0)).toBe(false)
    detector.reset()
    expect(detector.push(w(800), 250)).toBe(false)
    expect(detector.push(w(800), 500)).toBe(true)
  })
})
