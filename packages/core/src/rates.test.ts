import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isInForce, overlappingRates, periodsOverlap, type RatePeriod, resolveRate } from './rates'

const P1 = 'product-1'
const P2 = 'product-2'

let nextId = 0
function rate(over: Partial<RatePeriod> = {}): RatePeriod {
  nextId += 1
  return {
    id: `rate-${nextId}`,
    product_id: P1,
    unit: 'kg',
    rate: '100.00',
    effective_date: '2026-01-01',
    end_date: '2026-01-31',
    is_active: true,
    deleted_at: null,
    ...over,
  }
}

/** `YYYY-MM-DD` of day `n` after 2026-01-01. */
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10)

describe('isInForce / resolveRate', () => {
  const january = rate({ effective_date: '2026-01-01', end_date: '2026-01-31' })

  it('is in force on both boundary days (inclusive)', () => {
    expect(isInForce(january, '2026-01-01')).toBe(true)
    expect(isInForce(january, '2026-01-31')).toBe(true)
    expect(resolveRate([january], P1, 'kg', '2026-01-01')).toBe(january)
    expect(resolveRate([january], P1, 'kg', '2026-01-15')).toBe(january)
    expect(resolveRate([january], P1, 'kg', '2026-01-31')).toBe(january)
  })

  it('is not in force the day before it starts or the day after it ends', () => {
    expect(resolveRate([january], P1, 'kg', '2025-12-31')).toBeUndefined()
    expect(resolveRate([january], P1, 'kg', '2026-02-01')).toBeUndefined()
  })

  it('an open end (null) runs forever', () => {
    const open = rate({ effective_date: '2026-02-01', end_date: null })
    expect(resolveRate([january, open], P1, 'kg', '2026-02-01')).toBe(open)
    expect(resolveRate([january, open], P1, 'kg', '2099-12-31')).toBe(open)
    expect(resolveRate([january, open], P1, 'kg', '2026-01-31')).toBe(january)
    expect(resolveRate([open], P1, 'kg', '2026-01-31')).toBeUndefined()
  })

  it('ignores inactive and deleted rates', () => {
    const inactive = rate({ is_active: false })
    const deleted = rate({ deleted_at: '2026-01-10T00:00:00Z' })
    expect(isInForce(inactive, '2026-01-10')).toBe(false)
    expect(isInForce(deleted, '2026-01-10')).toBe(false)
    expect(resolveRate([inactive, deleted], P1, 'kg', '2026-01-10')).toBeUndefined()
    const live = rate()
    expect(resolveRate([inactive, live, deleted], P1, 'kg', '2026-01-10')).toBe(live)
  })

  it('treats a missing deleted_at like null', () => {
    const { deleted_at: _, ...noDeletedAt } = rate()
    expect(resolveRate([noDeletedAt], P1, 'kg', '2026-01-10')).toBe(noDeletedAt)
  })

  it('matches product and unit exactly', () => {
    const kg = rate({ unit: 'kg' })
    const litre = rate({ unit: 'l' })
    const other = rate({ product_id: P2 })
    expect(resolveRate([kg, litre, other], P1, 'l', '2026-01-10')).toBe(litre)
    expect(resolveRate([kg, litre, other], P2, 'kg', '2026-01-10')).toBe(other)
    expect(resolveRate([kg, litre, other], P2, 'l', '2026-01-10')).toBeUndefined()
    expect(resolveRate([kg], P1, 'KG', '2026-01-10')).toBeUndefined()
  })

  it('returns undefined for no rates at all', () => {
    expect(resolveRate([], P1, 'kg', '2026-01-10')).toBeUndefined()
  })

  it('accepts any iterable', () => {
    const r = rate()
    function* gen() {
      yield r
    }
    expect(resolveRate(new Set([r]), P1, 'kg', '2026-01-10')).toBe(r)
    expect(resolveRate(gen(), P1, 'kg', '2026-01-10')).toBe(r)
  })

  it('on inconsistent (overlapping) data the latest effective_date wins, whatever the order', () => {
    const older = rate({ effective_date: '2025-06-01', end_date: null })
    const newer = rate({ effective_date: '2026-01-05', end_date: null })
    const middle = rate({ effective_date: '2025-12-01', end_date: '2026-03-01' })
    fc.assert(
      fc.property(fc.shuffledSubarray([older, newer, middle], { minLength: 3, maxLength: 3 }), (rates) => {
        expect(resolveRate(rates, P1, 'kg', '2026-01-10')).toBe(newer)
        expect(resolveRate(rates, P1, 'kg', '2026-01-04')).toBe(middle)
        expect(resolveRate(rates, P1, 'kg', '2025-11-30')).toBe(older)
      }),
    )
  })

  it('finds the rate whose period holds the date, among back-to-back rates (property)', () => {
    // Consecutive non-overlapping periods; the last one open.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: -10, max: 400 }),
        (lengths, target) => {
          const rates: RatePeriod[] = []
          let start = 0
          lengths.forEach((len, i) => {
            const last = i === lengths.length - 1
            rates.push(rate({ effective_date: day(start), end_date: last ? null : day(start + len - 1) }))
            start += len
          })
          const found = resolveRate(rates, P1, 'kg', day(target))
          if (target < 0) {
            expect(found).toBeUndefined()
          } else {
            let expectedIndex = 0
            let s = 0
            for (let i = 0; i < lengths.length - 1; i++) {
              if (target >= s + lengths[i]) expectedIndex = i + 1
              s += lengths[i]
            }
            expect(found).toBe(rates[expectedIndex])
          }
        },
      ),
    )
  })
})

describe('periodsOverlap', () => {
  const p = (effective_date: string, end_date: string | null) => ({ effective_date, end_date })

  it.each([
    [p('2026-01-01', '2026-01-31'), p('2026-01-31', '2026-02-28'), true], // share one day
    [p('2026-01-01', '2026-01-31'), p('2026-02-01', '2026-02-28'), false], // back to back
    [p('2026-01-01', '2026-01-31'), p('2026-01-10', '2026-01-20'), true], // contained
    [p('2026-01-01', null), p('2030-01-01', '2030-01-01'), true], // open end reaches it
    [p('2026-02-01', null), p('2026-01-01', '2026-01-31'), false],
    [p('2026-01-01', null), p('2027-01-01', null), true], // two open ends always meet
    [p('2026-01-05', '2026-01-05'), p('2026-01-05', '2026-01-05'), true], // same single day
    [p('2026-01-05', '2026-01-05'), p('2026-01-06', '2026-01-06'), false],
  ])('%o vs %o -> %s', (a, b, expected) => {
    expect(periodsOverlap(a, b)).toBe(expected)
    expect(periodsOverlap(b, a)).toBe(expected)
  })

  const periodArb = fc
    .record({ start: fc.integer({ min: 0, max: 60 }), length: fc.option(fc.integer({ min: 0, max: 30 })) })
    .map(({ start, length }) => ({
      start,
      end: length === null ? null : start + length,
      period: p(day(start), length === null ? null : day(start + length)),
    }))

  it('is symmetric and agrees with "some day lies in both" (property)', () => {
    fc.assert(
      fc.property(periodArb, periodArb, (a, b) => {
        const result = periodsOverlap(a.period, b.period)
        expect(periodsOverlap(b.period, a.period)).toBe(result)
        const lastStart = Math.max(a.start, b.start)
        const firstEnd = Math.min(a.end ?? Number.POSITIVE_INFINITY, b.end ?? Number.POSITIVE_INFINITY)
        expect(result).toBe(lastStart <= firstEnd)
      }),
      { numRuns: 1000 },
    )
  })

  it('every period overlaps itself', () => {
    fc.assert(
      fc.property(periodArb, (a) => {
        expect(periodsOverlap(a.period, a.period)).toBe(true)
      }),
    )
  })
})

describe('overlappingRates', () => {
  it('finds active rates of the same product and unit that overlap', () => {
    const candidate = rate({ effective_date: '2026-01-15', end_date: null })
    const january = rate({ effective_date: '2026-01-01', end_date: '2026-01-31' })
    const december = rate({ effective_date: '2025-12-01', end_date: '2025-12-31' })
    const otherProduct = rate({ product_id: P2 })
    const otherUnit = rate({ unit: 'l' })
    const inactive = rate({ is_active: false })
    const deleted = rate({ deleted_at: '2026-01-02T00:00:00Z' })
    const hits = overlappingRates(candidate, [january, december, otherProduct, otherUnit, inactive, deleted])
    expect(hits).toEqual([january])
  })

  it('ignores the candidate itself (an update of a stored rate)', () => {
    const stored = rate()
    const edited = { ...stored, end_date: null }
    expect(overlappingRates(edited, [stored])).toEqual([])
    expect(overlappingRates(edited, [stored, rate()])).toHaveLength(1)
  })

  it('an inactive or deleted candidate overlaps nothing', () => {
    const others = [rate(), rate()]
    expect(overlappingRates(rate({ is_active: false }), others)).toEqual([])
    expect(overlappingRates(rate({ deleted_at: '2026-01-01T00:00:00Z' }), others)).toEqual([])
    expect(overlappingRates(rate(), others)).toHaveLength(2)
  })

  it('touching boundaries overlap, back-to-back periods do not', () => {
    const jan = rate({ effective_date: '2026-01-01', end_date: '2026-01-31' })
    expect(overlappingRates(rate({ effective_date: '2026-01-31', end_date: null }), [jan])).toEqual([jan])
    expect(overlappingRates(rate({ effective_date: '2026-02-01', end_date: null }), [jan])).toEqual([])
  })

  const rateArb = fc
    .record({
      id: fc.constantFrom('a', 'b', 'c'),
      product_id: fc.constantFrom(P1, P2),
      unit: fc.constantFrom('kg', 'l'),
      start: fc.integer({ min: 0, max: 60 }),
      length: fc.option(fc.integer({ min: 0, max: 30 })),
      is_active: fc.boolean(),
      deleted: fc.boolean(),
    })
    .map(
      (r): RatePeriod => ({
        id: r.id,
        product_id: r.product_id,
        unit: r.unit,
        rate: '1.00',
        effective_date: day(r.start),
        end_date: r.length === null ? null : day(r.start + r.length),
        is_active: r.is_active,
        deleted_at: r.deleted ? '2026-01-01T00:00:00Z' : null,
      }),
    )

  it('overlap is symmetric: b conflicts with a exactly when a conflicts with b (property)', () => {
    fc.assert(
      fc.property(rateArb, rateArb, (a, b) => {
        const ab = overlappingRates(a, [b]).length === 1
        const ba = overlappingRates(b, [a]).length === 1
        expect(ab).toBe(ba)
        const live = (r: RatePeriod) => r.is_active && !r.deleted_at
        const expected =
          a.id !== b.id &&
          a.product_id === b.product_id &&
          a.unit === b.unit &&
          live(a) &&
          live(b) &&
          periodsOverlap(a, b)
        expect(ab).toBe(expected)
      }),
      { numRuns: 1000 },
    )
  })

  it('returns a subset of `others`, in their order (property)', () => {
    fc.assert(
      fc.property(rateArb, fc.array(rateArb, { maxLength: 10 }), (candidate, others) => {
        const hits = overlappingRates(candidate, others)
        const positions = hits.map((h) => others.indexOf(h))
        expect(positions.every((i) => i >= 0)).toBe(true)
        expect([...positions].sort((x, y) => x - y)).toEqual(positions)
      }),
    )
  })
})
