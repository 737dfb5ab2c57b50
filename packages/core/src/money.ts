/**
 * Exact decimal arithmetic for money, rates and quantities.
 *
 * Values travel as decimal strings with a fixed scale ("6060.00", "50.500")
 * and are stored as integer minor units (cents, thousandths). Nothing here
 * ever touches a float, so `"0.1" + "0.2"` style mistakes cannot happen.
 *
 * @example
 * const q = parseDecimal('50.5', QUANTITY_SCALE) // 50500n
 * const r = parseDecimal('120', MONEY_SCALE)     // 12000n
 * formatDecimal(amountFor(q, r), MONEY_SCALE)     // "6060.00"
 */

/** Decimal places of money amounts and rates on the wire. */
export const MONEY_SCALE = 2
/** Decimal places of quantities on the wire. */
export const QUANTITY_SCALE = 3

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/

/** Thrown by {@link parseDecimal} for input that is not an exact decimal of the given scale. */
export class DecimalFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DecimalFormatError'
  }
}

/**
 * Parses a decimal string (or a JSON number, for older clients) into integer
 * minor units of `scale`. More fractional digits than `scale` is an error,
 * never a silent rounding.
 */
export function parseDecimal(value: string | number, scale: number): bigint {
  let text: string
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DecimalFormatError('not a finite number')
    // Shortest round-trip representation; exponent forms are rejected below.
    text = String(value)
  } else {
    text = value.trim()
  }
  const match = DECIMAL_RE.exec(text)
  if (!match) throw new DecimalFormatError(`"${text.slice(0, 40)}" is not a decimal number`)
  const [, sign, whole, fraction = ''] = match
  if (fraction.length > scale) {
    throw new DecimalFormatError(`at most ${scale} decimal places allowed`)
  }
  if (whole.length > 15) throw new DecimalFormatError('number too large')
  const digits = BigInt(whole + fraction.padEnd(scale, '0'))
  return sign ? -digits : digits
}

/** Formats integer minor units as a decimal string with exactly `scale` places. */
export function formatDecimal(minor: bigint | number | string, scale: number): string {
  const value = BigInt(minor)
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''
  return `${negative ? '-' : ''}${whole}${fraction}`
}

/** Divides and rounds half away from zero (commercial rounding). */
export function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive')
  const negative = numerator < 0n
  const abs = negative ? -numerator : numerator
  const rounded = (abs * 2n + denominator) / (denominator * 2n)
  return negative ? -rounded : rounded
}

/**
 * The amount of a collection in money minor units:
 * round_half_up(quantity x rate, 2), with quantity in thousandths and rate in cents.
 */
export function amountFor(quantityMilli: bigint, rateMinor: bigint): bigint {
  return divRoundHalfUp(quantityMilli * rateMinor, 10n ** BigInt(QUANTITY_SCALE))
}

/** Sums minor-unit values exactly; accepts the shapes database drivers return. */
export function sumMinor(values: Iterable<bigint | number | string | null | undefined>): bigint {
  let total = 0n
  for (const v of values) if (v !== null && v !== undefined) total += BigInt(v)
  return total
}

/** Convenience: `"50.5" x "120"` as a money string, exactly. */
export function priceString(quantity: string, rate: string): string {
  return formatDecimal(amountFor(parseDecimal(quantity, QUANTITY_SCALE), parseDecimal(rate, MONEY_SCALE)), MONEY_SCALE)
}
