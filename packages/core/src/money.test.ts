import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  amountFor,
  collectionTotal,
  DecimalFormatError,
  divRoundHalfUp,
  formatDecimal,
  joinSplitSum,
  MAX_AMOUNT,
  MAX_AMOUNT_MINOR,
  MAX_QUANTITY_MILLI,
  MAX_RATE_MINOR,
  MONEY_SCALE,
  parseDecimal,
  priceString,
  QUANTITY_SCALE,
  SUM_SPLIT,
  sumMinor,
  totalTooLarge,
} from './money'

/**
 * Independent oracle: round_half_up(quantity x rate, 2) straight from the
 * decimal strings, with its own denominators (10^(decimals actually written))
 * and its own formatting. Shares no code with money.ts.
 */
function exactPrice(quantity: string, rate: string): { cents: bigint; text: string } {
  const [qWhole, qFrac = ''] = quantity.split('.')
  const [rWhole, rFrac = ''] = rate.split('.')
  const numerator = BigInt(qWhole + qFrac) * BigInt(rWhole + rFrac) * 100n
  const divisor = 10n ** BigInt(qFrac.length + rFrac.length)
  let cents = numerator / divisor
  if ((numerator % divisor) * 2n >= divisor) cents += 1n
  const padded = cents.toString().padStart(3, '0')
  return { cents, text: `${padded.slice(0, -2)}.${padded.slice(-2)}` }
}

const digitString = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { maxLength }).map((ds) => ds.join(''))

/** Decimal strings in (0, maxWhole] with up to `decimals` fractional digits, as a client might type them. */
function positiveDecimal(maxWhole: number, decimals: number) {
  return fc
    .record({ whole: fc.integer({ min: 0, max: maxWhole }), frac: digitString(decimals) })
    .map(({ whole, frac }) => (whole === maxWhole ? { whole, frac: frac.replace(/\d/g, '0') } : { whole, frac }))
    .filter(({ whole, frac }) => whole > 0 || /[1-9]/.test(frac))
    .map(({ whole, frac }) => (frac === '' ? String(whole) : `${whole}.${frac}`))
}

/** Quantities 0.001..1e6 with up to 3 decimals. */
const quantityArb = positiveDecimal(1_000_000, 3)
/** Rates 0.01..1e6 with up to 2 decimals. */
const rateArb = positiveDecimal(1_000_000, 2)

describe('priceString / amountFor', () => {
  it('equals round_half_up(quantity x rate, 2) computed independently with BigInt', () => {
    fc.assert(
      fc.property(quantityArb, rateArb, (q, r) => {
        const expected = exactPrice(q, r)
        expect(priceString(q, r)).toBe(expected.text)
        expect(amountFor(parseDecimal(q, QUANTITY_SCALE), parseDecimal(r, MONEY_SCALE))).toBe(expected.cents)
      }),
      { numRuns: 2000 },
    )
  })

  it('rounds exact half cents up (quantity ending in 5 thousandths x odd whole rate)', () => {
    const halfQuantity = fc
      .record({ whole: fc.integer({ min: 0, max: 999_999 }), frac: digitString(2) })
      .map(({ whole, frac }) => `${whole}.${frac.padEnd(2, '0')}5`)
    const oddRate = fc.integer({ min: 0, max: 499_999 }).map((k) => String(2 * k + 1))
    fc.assert(
      fc.property(halfQuantity, oddRate, (q, r) => {
        const milliTimesRate = BigInt(q.replace('.', '')) * BigInt(r) // thousandths of a unit of money
        expect(milliTimesRate % 10n).toBe(5n) // really a half cent
        const roundedUp = (milliTimesRate + 5n) / 10n
        expect(amountFor(parseDecimal(q, QUANTITY_SCALE), parseDecimal(r, MONEY_SCALE))).toBe(roundedUp)
        expect(priceString(q, r)).toBe(exactPrice(q, r).text)
      }),
    )
  })

  it.each([
    ['50.5', '120', '6060.00'],
    ['50.500', '120.00', '6060.00'],
    ['1.005', '1', '1.01'], // Math.round(1.005 * 100) / 100 === 1 with floats
    ['0.005', '1', '0.01'],
    ['0.004', '1', '0.00'],
    ['0.001', '0.01', '0.00'],
    ['0.001', '5', '0.01'], // 0.005 exactly -> up
    ['2.345', '1', '2.35'],
    ['1000000', '1000000', '1000000000000.00'],
    ['12.345', '67.89', '838.10'], // 838.10205
    ['0.1', '0.3', '0.03'],
  ])('%s x %s = %s', (q, r, expected) => {
    expect(priceString(q, r)).toBe(expected)
    expect(exactPrice(q, r).text).toBe(expected) // keeps the oracle honest
  })

  it('rejects a quantity with more than 3 decimals or a rate with more than 2', () => {
    expect(() => priceString('1.0001', '1')).toThrow(DecimalFormatError)
    expect(() => priceString('1', '1.001')).toThrow(DecimalFormatError)
  })
})

describe('parseDecimal', () => {
  it('parses into integer minor units of the scale', () => {
    expect(parseDecimal('50.5', QUANTITY_SCALE)).toBe(50500n)
    expect(parseDecimal('120', MONEY_SCALE)).toBe(12000n)
    expect(parseDecimal('0.01', MONEY_SCALE)).toBe(1n)
    expect(parseDecimal('007.5', MONEY_SCALE)).toBe(750n)
    expect(parseDecimal('  12.3  ', MONEY_SCALE)).toBe(1230n)
    expect(parseDecimal('42', 0)).toBe(42n)
  })

  it('parses negative numbers', () => {
    expect(parseDecimal('-1.5', QUANTITY_SCALE)).toBe(-1500n)
    expect(parseDecimal('-0.001', QUANTITY_SCALE)).toBe(-1n)
    expect(parseDecimal(-12.25, MONEY_SCALE)).toBe(-1225n)
    expect(parseDecimal('-0', MONEY_SCALE)).toBe(0n)
  })

  it('accepts JSON numbers from older clients', () => {
    expect(parseDecimal(50.5, QUANTITY_SCALE)).toBe(50500n)
    expect(parseDecimal(120, MONEY_SCALE)).toBe(12000n)
    expect(parseDecimal(0.1, MONEY_SCALE)).toBe(10n)
    expect(parseDecimal(-0, MONEY_SCALE)).toBe(0n)
  })

  it('rejects more decimals than the scale instead of rounding', () => {
    expect(() => parseDecimal('1.001', MONEY_SCALE)).toThrow(/must have at most 2 decimal places/)
    expect(() => parseDecimal('1.0000', QUANTITY_SCALE)).toThrow(/must have at most 3 decimal places/)
    expect(() => parseDecimal('1.5', 0)).toThrow(DecimalFormatError)
    // a float sum that is not the decimal it looks like
    expect(() => parseDecimal(0.1 + 0.2, MONEY_SCALE)).toThrow(DecimalFormatError)
  })

  it.each([
    '1e5',
    '1E5',
    '1.5e2',
    '1e-2',
    '',
    ' ',
    'abc',
    '12abc',
    '1.2.3',
    '+1',
    '.5',
    '5.',
    '1,5',
    '1 000',
    '0x10',
    '- 1',
    '--1',
    'NaN',
    'Infinity',
    '١٢',
  ])('rejects %j', (text) => {
    expect(() => parseDecimal(text, MONEY_SCALE)).toThrow(DecimalFormatError)
  })

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 1e-7])(
    'rejects the number %s',
    (value) => {
      expect(() => parseDecimal(value, MONEY_SCALE)).toThrow(DecimalFormatError)
    },
  )

  it('rejects huge numbers (more than 15 whole digits)', () => {
    expect(parseDecimal('999999999999999', MONEY_SCALE)).toBe(99999999999999900n)
    expect(() => parseDecimal('1000000000000000', MONEY_SCALE)).toThrow(/too large/)
    expect(() => parseDecimal('-1000000000000000', MONEY_SCALE)).toThrow(/too large/)
    expect(() => parseDecimal('9'.repeat(400), MONEY_SCALE)).toThrow(DecimalFormatError)
    expect(() => parseDecimal(1e16, MONEY_SCALE)).toThrow(DecimalFormatError)
  })

  it('throws DecimalFormatError with its name set, and truncates long input in the message', () => {
    try {
      parseDecimal(`x${'y'.repeat(100)}`, MONEY_SCALE)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(DecimalFormatError)
      expect((err as Error).name).toBe('DecimalFormatError')
      expect((err as Error).message.length).toBeLessThan(80)
    }
  })
})

describe('formatDecimal', () => {
  it.each([
    [606000n, 2, '6060.00'],
    [50500n, 3, '50.500'],
    [5n, 2, '0.05'],
    [-5n, 2, '-0.05'],
    [-150n, 2, '-1.50'],
    [0n, 3, '0.000'],
    [1n, 3, '0.001'],
    [123n, 0, '123'],
    [-123n, 0, '-123'],
  ] as const)('formats %s at scale %i as %s', (minor, scale, expected) => {
    expect(formatDecimal(minor, scale)).toBe(expected)
  })

  it('accepts the number and string shapes database drivers return', () => {
    expect(formatDecimal(606000, 2)).toBe('6060.00')
    expect(formatDecimal('606000', 2)).toBe('6060.00')
    expect(formatDecimal('-7', 2)).toBe('-0.07')
  })

  it('refuses a non-integer number rather than formatting a float', () => {
    expect(() => formatDecimal(1.5, 2)).toThrow()
  })
})

describe('parseDecimal / formatDecimal round trips', () => {
  const scaleArb = fc.integer({ min: 0, max: 6 })

  it('parse(format(minor)) === minor for every minor value within 15 whole digits', () => {
    fc.assert(
      fc.property(
        scaleArb.chain((scale) =>
          fc.tuple(
            fc.constant(scale),
            fc.bigInt({ min: -(10n ** BigInt(15 + scale)) + 1n, max: 10n ** BigInt(15 + scale) - 1n }),
          ),
        ),
        ([scale, minor]) => {
          expect(parseDecimal(formatDecimal(minor, scale), scale)).toBe(minor)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('format(parse(text)) pads to exactly `scale` places and keeps the value', () => {
    fc.assert(
      fc.property(
        scaleArb.chain((scale) =>
          fc.tuple(fc.constant(scale), fc.boolean(), fc.integer({ min: 0, max: 999_999_999 }), digitString(scale)),
        ),
        ([scale, negative, whole, frac]) => {
          const text = `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`
          const formatted = formatDecimal(parseDecimal(text, scale), scale)
          const isZero = whole === 0 && !/[1-9]/.test(frac)
          const expected = `${negative && !isZero ? '-' : ''}${whole}${scale > 0 ? `.${frac.padEnd(scale, '0')}` : ''}`
          expect(formatted).toBe(expected)
          // and the canonical form is a fixed point
          expect(formatDecimal(parseDecimal(formatted, scale), scale)).toBe(formatted)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('a finite JS number with at most `scale` decimals parses to the same value as its string', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), (cents) => {
        const asNumber = cents / 100
        expect(parseDecimal(asNumber, MONEY_SCALE)).toBe(BigInt(cents))
      }),
    )
  })
})

describe('divRoundHalfUp', () => {
  it.each([
    [1n, 2n, 1n],
    [3n, 2n, 2n],
    [5n, 2n, 3n],
    [-1n, 2n, -1n],
    [-3n, 2n, -2n],
    [5n, 10n, 1n],
    [4n, 10n, 0n],
    [6n, 10n, 1n],
    [15n, 10n, 2n],
    [25n, 10n, 3n],
    [-25n, 10n, -3n],
    [-24n, 10n, -2n],
    [-26n, 10n, -3n],
    [1n, 3n, 0n],
    [2n, 3n, 1n],
    [0n, 7n, 0n],
    [10n, 5n, 2n],
    [500n, 1000n, 1n],
    [499n, 1000n, 0n],
  ])('%s / %s -> %s', (n, d, expected) => {
    expect(divRoundHalfUp(n, d)).toBe(expected)
  })

  it('throws for a zero or negative denominator', () => {
    expect(() => divRoundHalfUp(1n, 0n)).toThrow(RangeError)
    expect(() => divRoundHalfUp(1n, -2n)).toThrow(RangeError)
  })

  it('is the nearest integer, ties away from zero (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        (n, d) => {
          const r = divRoundHalfUp(n, d)
          // |n/d - r| <= 1/2  <=>  |2n - 2rd| <= d
          const diff = 2n * n - 2n * r * d
          expect(diff <= d && diff >= -d).toBe(true)
          if (diff === d || diff === -d) {
            // a tie: the result is the one further from zero
            expect(r * d * (n < 0n ? -1n : 1n) > n * (n < 0n ? -1n : 1n)).toBe(true)
          }
          expect(divRoundHalfUp(-n, d)).toBe(-r) // symmetric around zero
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('sumMinor', () => {
  it('sums bigints, numbers and strings exactly and skips null/undefined', () => {
    expect(sumMinor([1n, 2, '3', null, undefined, -4n])).toBe(2n)
    expect(sumMinor(['1', '2'])).toBe(3n) // not "12"
    expect(sumMinor([])).toBe(0n)
    expect(sumMinor(['9007199254740993', 1])).toBe(9007199254740994n) // past 2^53
  })

  it('accepts any iterable', () => {
    function* values() {
      yield '100'
      yield 250n
    }
    expect(sumMinor(values())).toBe(350n)
  })

  it('refuses fractional numbers instead of summing floats', () => {
    expect(() => sumMinor([1.5])).toThrow()
  })
})

describe('bounds', () => {
  const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER) // 2^53 - 1
  const INT64_MAX = 2n ** 63n - 1n
  /** Minor units in 1..max, every order of magnitude equally likely (so both ends are well covered). */
  const upTo = (max: bigint) =>
    fc
      .integer({ min: 1, max: max.toString().length })
      .chain((digits) => fc.bigInt({ min: 1n, max: 10n ** BigInt(digits) < max ? 10n ** BigInt(digits) : max }))

  it('the arithmetic of the doc comment holds', () => {
    expect(MAX_AMOUNT).toBe('100000000.00')
    // Every stored value is exact as a double and fits a 64-bit integer.
    for (const max of [MAX_QUANTITY_MILLI, MAX_RATE_MINOR, MAX_AMOUNT_MINOR]) expect(max).toBeLessThan(MAX_SAFE)
    // Sums stay within 2^53 - 1 for 900,719 rows at the maximum amount, and 900 million of 10,000.00.
    expect(MAX_AMOUNT_MINOR * 900_719n).toBeLessThanOrEqual(MAX_SAFE)
    expect(MAX_AMOUNT_MINOR * 900_720n).toBeGreaterThan(MAX_SAFE)
    expect(1_000_000n * 900_000_000n).toBeLessThanOrEqual(MAX_SAFE)
    // A plain 64-bit sum would fail after 922 million rows at the maximum; the split parts do not.
    expect(MAX_AMOUNT_MINOR * 922_337_204n).toBeGreaterThan(INT64_MAX)
    expect((MAX_AMOUNT_MINOR / SUM_SPLIT) * 9n * 10n ** 17n).toBeLessThan(INT64_MAX)
    expect((SUM_SPLIT - 1n) * 9_200_000_000n).toBeLessThan(INT64_MAX)
  })

  it('collectionTotal is amountFor within the maximum amount and undefined exactly beyond it', () => {
    fc.assert(
      fc.property(upTo(MAX_QUANTITY_MILLI), upTo(MAX_RATE_MINOR), (q, r) => {
        const exact = amountFor(q, r)
        const total = collectionTotal(q, r)
        if (exact <= MAX_AMOUNT_MINOR) expect(total).toBe(exact)
        else expect(total).toBeUndefined()
        // A total that is accepted is exact as a double, so every driver reads it back unchanged.
        if (total !== undefined) expect(BigInt(Number(total))).toBe(total)
      }),
      { numRuns: 5000 },
    )
  })

  it('the maximum is reached exactly, rounding included, and one cent more is refused', () => {
    expect(collectionTotal(100_000_000n, 100_000n)).toBe(MAX_AMOUNT_MINOR) // 100000 x 1000.00
    expect(collectionTotal(100_000_001n, 100_000n)).toBeUndefined() // 100000.001 x 1000.00
    expect(collectionTotal(33_333_333_334n, 300n)).toBe(MAX_AMOUNT_MINOR) // 100000000.002 rounds down
    expect(collectionTotal(33_333_333_335n, 300n)).toBeUndefined() // 100000000.005 rounds up
    expect(collectionTotal(MAX_QUANTITY_MILLI, MAX_RATE_MINOR)).toBeUndefined()
    expect(totalTooLarge('3.00')).toBe('times the rate 3.00 must be at most 100000000.00')
  })

  it('split sums join to the exact sum, past 2^53 and 2^63', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: INT64_MAX }), { maxLength: 50 }), (values) => {
        const quotients = values.reduce((a, v) => a + v / SUM_SPLIT, 0n)
        const remainders = values.reduce((a, v) => a + (v % SUM_SPLIT), 0n)
        expect(joinSplitSum(quotients.toString(), remainders.toString())).toBe(sumMinor(values))
      }),
    )
    expect(joinSplitSum(null, undefined)).toBe(0n)
    expect(joinSplitSum('13835058054', 1282163712)).toBe(3n * 2n ** 62n)
  })

  it('every sum of at most 900,719 accepted amounts is exact as a double', () => {
    fc.assert(
      fc.property(upTo(MAX_AMOUNT_MINOR), fc.integer({ min: 1, max: 900_719 }), (amount, rows) => {
        const sum = amount * BigInt(rows)
        expect(sum).toBeLessThanOrEqual(MAX_SAFE)
        expect(Number.isSafeInteger(Number(sum))).toBe(true)
      }),
    )
  })
})
