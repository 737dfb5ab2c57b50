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
import { fieldProblem } from './problems'

/** Decimal places of money amounts and rates on the wire. */
export const MONEY_SCALE = 2
/** Decimal places of quantities on the wire. */
export const QUANTITY_SCALE = 3

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/
/** "12,5": a decimal written with a comma, as many locales do. */
const DECIMAL_COMMA_RE = /^-?\d+,\d+$/
/** The message of text that is no number at all ("12abc", "1e3", ""). */
const NOT_A_NUMBER = fieldProblem('not_a_number')

/**
 * Thrown by {@link parseDecimal} for input that is not an exact decimal of the
 * given scale. Its message is what a person reads beside the field, after the
 * field's name ("Amount is not a number"): the server's VALIDATION_FAILED
 * details and the screens' inline checks both show it, so it says what is
 * wrong with what was typed.
 */
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
    if (!Number.isFinite(value)) throw new DecimalFormatError(NOT_A_NUMBER)
    // Shortest round-trip representation; exponent forms are rejected below.
    text = String(value)
  } else {
    text = value.trim()
  }
  const match = DECIMAL_RE.exec(text)
  if (!match) throw new DecimalFormatError(DECIMAL_COMMA_RE.test(text) ? fieldProblem('decimal_comma') : NOT_A_NUMBER)
  const [, sign, whole, fraction = ''] = match
  if (fraction.length > scale) {
    throw new DecimalFormatError(
      scale === 0 ? fieldProblem('whole_number') : fieldProblem('decimal_places', { places: scale }),
    )
  }
  if (whole.length > 15) throw new DecimalFormatError(fieldProblem('too_large'))
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

// ---------------------------------------------------------------- bounds

/**
 * The largest values a row may hold, and why no sum the server computes can
 * come out wrong. One home for these numbers: the field schemas (fields.ts),
 * the server's pricing and the clients' price previews all read them here.
 *
 * Per row, checked at validation:
 *
 * | value                            | at most              | minor units |
 * | -------------------------------- | -------------------- | ----------- |
 * | quantity                         | 1,000,000,000.000    | 10^12       |
 * | rate                             | 1,000,000,000.00     | 10^11       |
 * | amount: a payment, and a         | 100,000,000.00       | 10^10       |
 * | collection's round(quantity x rate) |                   |             |
 *
 * quantity x rate reaches 10^23 before rounding, but it is only ever formed
 * as a BigInt ({@link amountFor}); a total over the bound is refused
 * (VALIDATION_FAILED on `quantity`, {@link collectionTotal}), never rounded,
 * truncated or overflowed. 100 million is above any single delivery or
 * payment of the businesses TrackVault serves, also in the currency with the
 * most units to the dollar among them (100,000,000 UGX is about 27,000 USD;
 * in LKR about 330,000 USD, in KES about 770,000 USD). Every stored value is
 * below 2^53, so a driver that returns a JS number (better-sqlite3) returns
 * it exactly, and below 2^63 (PostgreSQL bigint, SQLite integer).
 *
 * Sums (a supplier's balance, the balances report and its grand totals, a
 * statement's opening and running balance) are at most rows x 10^10:
 *
 * - they stay within 2^53 - 1 (exact as a double) for 900,719 rows at the
 *   maximum amount, or 900 million rows of 10,000.00 (a 50 kg delivery at
 *   200 a kg; ten years of 50,000 suppliers delivering daily is 180 million
 *   rows);
 * - and they are exact beyond that, because no sum passes through a JS
 *   number: the server sums in SQL and reads the sum as text into a BigInt.
 *   PostgreSQL sums bigint into numeric, which does not overflow. SQLite's
 *   sum() is a 64-bit integer that fails past 2^63 - 1 (922 million rows at
 *   the maximum amount), so each column is summed in two parts,
 *   `value / SUM_SPLIT` and `value % SUM_SPLIT`: the parts of a row are
 *   below 10 and 10^9, so their sums stay below 2^63 for 9.2 x 10^17 and
 *   9.2 x 10^9 rows, and {@link joinSplitSum} joins them exactly.
 */
export const MAX_QUANTITY_MILLI = 10n ** 12n
/** See {@link MAX_QUANTITY_MILLI}: the largest rate, in minor units. */
export const MAX_RATE_MINOR = 10n ** 11n
/** See {@link MAX_QUANTITY_MILLI}: the largest payment or collection total, in minor units. */
export const MAX_AMOUNT_MINOR = 10n ** 10n
/** {@link MAX_AMOUNT_MINOR} as a money string: "100000000.00". */
export const MAX_AMOUNT = formatDecimal(MAX_AMOUNT_MINOR, MONEY_SCALE)
/** The divisor SQL sums split each value by (see {@link MAX_QUANTITY_MILLI}). */
export const SUM_SPLIT = 10n ** 9n

/**
 * The amount of a collection, round_half_up(quantity x rate, 2), or
 * undefined when it is over {@link MAX_AMOUNT_MINOR}: such a collection is
 * refused, with {@link totalTooLarge} as the message on `quantity`.
 */
export function collectionTotal(quantityMilli: bigint, rateMinor: bigint): bigint | undefined {
  const total = amountFor(quantityMilli, rateMinor)
  return total <= MAX_AMOUNT_MINOR ? total : undefined
}

/** The message on `quantity` of a collection whose quantity x `rate` is over the maximum amount. */
export function totalTooLarge(rate: string): string {
  return fieldProblem('total_too_large', { rate, max: MAX_AMOUNT })
}

/** Joins the two partial sums of a split SQL sum (see {@link MAX_QUANTITY_MILLI}) into the exact sum. */
export function joinSplitSum(
  quotients: bigint | number | string | null | undefined,
  remainders: bigint | number | string | null | undefined,
): bigint {
  return BigInt(quotients ?? 0) * SUM_SPLIT + BigInt(remainders ?? 0)
}

/** Convenience: `"50.5" x "120"` as a money string, exactly. */
export function priceString(quantity: string, rate: string): string {
  return formatDecimal(amountFor(parseDecimal(quantity, QUANTITY_SCALE), parseDecimal(rate, MONEY_SCALE)), MONEY_SCALE)
}
