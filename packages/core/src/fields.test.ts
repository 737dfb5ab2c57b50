import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import {
  codeField,
  dateField,
  decimalField,
  idField,
  MAX_DECIMAL_WHOLE,
  moneyField,
  nameField,
  quantityField,
  rateField,
  textField,
  timestampField,
  unitField,
} from './fields'
import { newId } from './ids'
import {
  formatDecimal,
  MAX_AMOUNT_MINOR,
  MAX_QUANTITY_MILLI,
  MAX_RATE_MINOR,
  MONEY_SCALE,
  parseDecimal,
  QUANTITY_SCALE,
} from './money'

/** The messages of a failed parse (fails the test if the parse succeeded). */
function messages(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input)
  expect(result.success, `expected ${JSON.stringify(input)} to be rejected`).toBe(false)
  return result.success ? [] : result.error.issues.map((i) => i.message)
}

describe('decimalField', () => {
  it('normalises decimal strings to exactly `scale` places', () => {
    expect(decimalField(3).parse('50.5')).toBe('50.500')
    expect(decimalField(3).parse('50')).toBe('50.000')
    expect(decimalField(2).parse('0.1')).toBe('0.10')
    expect(decimalField(2).parse('007.50')).toBe('7.50')
    expect(decimalField(2).parse(' 12 ')).toBe('12.00')
  })

  it('accepts numbers from older clients and returns a string', () => {
    expect(decimalField(3).parse(50.5)).toBe('50.500')
    expect(decimalField(2).parse(120)).toBe('120.00')
    expect(typeof decimalField(2).parse(1)).toBe('string')
  })

  it('allows zero and negatives unless positive is asked for', () => {
    expect(decimalField(2).parse('0')).toBe('0.00')
    expect(decimalField(2).parse('-5.5')).toBe('-5.50')
    expect(decimalField(2).parse(-3)).toBe('-3.00')
  })

  it('with positive, rejects zero and negatives (strings and numbers)', () => {
    const field = decimalField(2, { positive: true })
    for (const bad of ['0', '0.00', '-0', '-0.01', '-5', 0, -1, -0.5]) {
      expect(messages(field, bad)).toEqual(['must be greater than zero'])
    }
    expect(field.parse('0.01')).toBe('0.01')
  })

  it('rejects too many decimals with a clear message', () => {
    expect(messages(decimalField(2), '1.001')).toEqual(['must have at most 2 decimal places'])
    expect(messages(decimalField(3), 1.0005)).toEqual(['must have at most 3 decimal places'])
  })

  it('says "is not a number" for text that is no number, not something about decimal places', () => {
    for (const bad of ['12abc', 'abc', '1e3', '', ' ', '+1', '.5', '12.', Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(messages(decimalField(2), bad), String(bad)).toEqual(['is not a number'])
    }
    expect(messages(moneyField(), '12abc')).toEqual(['is not a number'])
    expect(messages(quantityField(), '12abc')).toEqual(['is not a number'])
    // A decimal comma (as many locales write it) gets a hint.
    expect(messages(moneyField(), '12,5')).toEqual(['is not a number: use a point for decimals, like 12.5'])
  })

  it('rejects exponent notation, garbage and non-decimal types', () => {
    for (const bad of ['1e3', '1E3', 'abc', '', '1,5', '+1', '.5', 1e21, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(decimalField(2).safeParse(bad).success, String(bad)).toBe(false)
    }
    for (const bad of [null, undefined, true, {}, [], ['1']]) {
      expect(decimalField(2).safeParse(bad).success, JSON.stringify(bad)).toBe(false)
    }
  })

  it('rejects strings longer than 40 characters before parsing them', () => {
    const long = `1.${'0'.repeat(39)}` // 41 chars
    expect(decimalField(2).safeParse(long).success).toBe(false)
  })

  it('accepts up to MAX_DECIMAL_WHOLE inclusive, in both directions', () => {
    expect(MAX_DECIMAL_WHOLE).toBe(1_000_000_000)
    expect(decimalField(2).parse('1000000000')).toBe('1000000000.00')
    expect(decimalField(2).parse('-1000000000.00')).toBe('-1000000000.00')
    expect(messages(decimalField(2), '1000000000.01')).toEqual(['must be at most 1000000000'])
    expect(messages(decimalField(2), '-1000000000.01')).toEqual(['must be at most 1000000000'])
    expect(messages(decimalField(3), 1e12)).toEqual(['must be at most 1000000000'])
    expect(decimalField(3).parse('999999999.999')).toBe('999999999.999')
  })

  it('rejects numbers too large to parse (more than 15 whole digits)', () => {
    expect(messages(decimalField(2), '1234567890123456')).toEqual(['is too large'])
  })

  it('output is always canonical: re-parsing it gives the same string (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: -999_999_999, max: 999_999_999 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
        (scale, whole, fracDigits) => {
          const frac = fracDigits.slice(0, scale).join('')
          const field = decimalField(scale)
          const once = field.parse(frac ? `${whole}.${frac}` : String(whole))
          expect(field.parse(once)).toBe(once)
          expect(once.split('.')[1]?.length ?? 0).toBe(scale)
          expect(once.startsWith(String(whole))).toBe(true)
        },
      ),
    )
  })
})

describe('moneyField and quantityField', () => {
  it('moneyField has 2 places and must be positive', () => {
    expect(moneyField().parse('6060')).toBe('6060.00')
    expect(moneyField().parse(99.9)).toBe('99.90')
    expect(messages(moneyField(), '0')).toEqual(['must be greater than zero'])
    expect(messages(moneyField(), -10)).toEqual(['must be greater than zero'])
    expect(messages(moneyField(), '1.005')).toEqual(['must have at most 2 decimal places'])
  })

  it('quantityField has 3 places and must be positive', () => {
    expect(quantityField().parse('50.5')).toBe('50.500')
    expect(quantityField().parse(50.5)).toBe('50.500')
    expect(quantityField().parse('0.001')).toBe('0.001')
    expect(messages(quantityField(), '0.000')).toEqual(['must be greater than zero'])
    expect(messages(quantityField(), '-0.001')).toEqual(['must be greater than zero'])
    expect(messages(quantityField(), '0.0001')).toEqual(['must have at most 3 decimal places'])
  })
})

describe('the bounds of money, rates and quantities (money.ts)', () => {
  it('a payment is at most 100000000.00, a rate and a quantity at most 1000000000', () => {
    expect(moneyField().parse('100000000')).toBe('100000000.00')
    expect(messages(moneyField(), '100000000.01')).toEqual(['must be at most 100000000'])
    expect(rateField().parse('1000000000')).toBe('1000000000.00')
    expect(messages(rateField(), '1000000000.01')).toEqual(['must be at most 1000000000'])
    expect(quantityField().parse('1000000000')).toBe('1000000000.000')
    expect(messages(quantityField(), '1000000000.001')).toEqual(['must be at most 1000000000'])
  })

  it('whatever a field accepts is within its bound (property)', () => {
    const cases = [
      [moneyField(), MONEY_SCALE, MAX_AMOUNT_MINOR],
      [rateField(), MONEY_SCALE, MAX_RATE_MINOR],
      [quantityField(), QUANTITY_SCALE, MAX_QUANTITY_MILLI],
    ] as const
    // Every order of magnitude up to 10^15 equally likely: both sides of each bound are well covered.
    const minorArb = fc.integer({ min: 1, max: 15 }).chain((d) => fc.bigInt({ min: 1n, max: 10n ** BigInt(d) }))
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), minorArb, (which, minor) => {
        const [field, scale, max] = cases[which]
        const text = formatDecimal(minor, scale)
        const parsed = field.safeParse(text)
        expect(parsed.success).toBe(minor <= max)
        if (parsed.success) expect(parseDecimal(parsed.data, scale)).toBe(minor)
      }),
      { numRuns: 3000 },
    )
  })
})

describe('dateField', () => {
  it.each(['2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '2026-02-28'])('accepts %s', (date) => {
    expect(dateField().parse(date)).toBe(date)
  })

  it.each([
    ['2026-02-30', 'is not a real date'],
    ['2025-02-29', 'is not a real date'],
    ['1900-02-29', 'is not a real date'],
    ['2026-04-31', 'is not a real date'],
    ['2026-13-01', 'is not a real date'],
    ['2026-00-10', 'is not a real date'],
    ['2026-01-00', 'is not a real date'],
    ['2026-1-01', 'must be a date YYYY-MM-DD'],
    ['26-01-01', 'must be a date YYYY-MM-DD'],
    ['2026-01-01T00:00:00Z', 'must be a date YYYY-MM-DD'],
    ['2026/01/01', 'must be a date YYYY-MM-DD'],
    [' 2026-01-01', 'must be a date YYYY-MM-DD'],
  ])('rejects %s', (date, message) => {
    expect(messages(dateField(), date)).toContain(message)
  })

  it('rejects non-strings', () => {
    expect(dateField().safeParse(20260101).success).toBe(false)
    expect(dateField().safeParse(new Date()).success).toBe(false)
  })

  it('accepts exactly the days that exist in the calendar (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (y, m, d) => {
          const text = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
          const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate() // day 0 of next month
          expect(dateField().safeParse(text).success).toBe(d <= daysInMonth)
        },
      ),
    )
  })
})

describe('unitField', () => {
  it('trims and lowercases', () => {
    expect(unitField().parse('KG')).toBe('kg')
    expect(unitField().parse('  Litre ')).toBe('litre')
    expect(unitField().parse('Bundle_10')).toBe('bundle_10')
    expect(unitField().parse('l')).toBe('l')
  })

  it.each(['', '   ', '1kg', '_kg', 'kg/l', 'k g', 'a'.repeat(21), 'kg.'])('rejects %j', (unit) => {
    expect(unitField().safeParse(unit).success).toBe(false)
  })

  it('accepts 20 characters', () => {
    expect(unitField().parse('A'.repeat(20))).toBe('a'.repeat(20))
  })
})

describe('other fields', () => {
  it('codeField trims and allows letters, digits, dot, dash and underscore', () => {
    expect(codeField().parse(' SUP-001_a.b ')).toBe('SUP-001_a.b')
    expect(codeField().safeParse('').success).toBe(false)
    expect(codeField().safeParse('   ').success).toBe(false)
    expect(codeField().safeParse('A B').success).toBe(false)
    expect(codeField().safeParse('x'.repeat(41)).success).toBe(false)
    expect(codeField().parse('x'.repeat(40))).toBe('x'.repeat(40))
  })

  it('nameField trims and requires text', () => {
    expect(nameField().parse('  Jane  ')).toBe('Jane')
    expect(nameField().safeParse('  ').success).toBe(false)
    expect(nameField().safeParse('x'.repeat(201)).success).toBe(false)
  })

  it('textField is nullable and limited', () => {
    expect(textField().parse(null)).toBeNull()
    expect(textField().parse(' note ')).toBe('note')
    expect(textField(5).safeParse('123456').success).toBe(false)
    expect(textField(5).parse('12345')).toBe('12345')
  })

  it('timestampField wants an RFC 3339 timestamp with offset', () => {
    expect(timestampField().parse('2026-11-24T10:00:00Z')).toBe('2026-11-24T10:00:00Z')
    expect(timestampField().parse('2026-11-24T10:00:00.123+05:30')).toBe('2026-11-24T10:00:00.123+05:30')
    expect(timestampField().safeParse('2026-11-24').success).toBe(false)
    expect(timestampField().safeParse('yesterday').success).toBe(false)
  })

  it('idField accepts UUIDs, including the v7 ids clients make', () => {
    const id = newId()
    expect(idField().parse(id)).toBe(id)
    expect(idField().parse('123e4567-e89b-42d3-a456-426614174000')).toBe('123e4567-e89b-42d3-a456-426614174000')
    expect(idField().safeParse('not-a-uuid').success).toBe(false)
    expect(idField().safeParse(-1).success).toBe(false) // the original app's negative temporary ids
  })
})
