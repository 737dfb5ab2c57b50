/**
 * Reusable zod field schemas: decimals that stay strings, ISO dates, codes.
 */

import { z } from 'zod'
import {
  DecimalFormatError,
  formatDecimal,
  MAX_AMOUNT_MINOR,
  MAX_QUANTITY_MILLI,
  MAX_RATE_MINOR,
  MONEY_SCALE,
  parseDecimal,
  QUANTITY_SCALE,
} from './money'
import { fieldProblem } from './problems'

/** Largest whole part a plain {@link decimalField} accepts; money, rates and quantities have their own bounds (money.ts). */
export const MAX_DECIMAL_WHOLE = 1_000_000_000

/** "100000000.00" -> "100000000", "0.50" stays: how a bound reads in a message. */
const plain = (minor: bigint, scale: number) => formatDecimal(minor, scale).replace(/\.0+$/, '')

/**
 * A decimal string (or number from older clients) normalised to exactly
 * `scale` places. `positive` rejects zero and negatives; `max` (minor units
 * of `scale`) bounds the absolute value, {@link MAX_DECIMAL_WHOLE} unless given.
 */
export function decimalField(scale: number, opts: { positive?: boolean; nonNegative?: boolean; max?: bigint } = {}) {
  const limit = opts.max ?? BigInt(MAX_DECIMAL_WHOLE) * 10n ** BigInt(scale)
  const tooLarge = fieldProblem('at_most', { max: plain(limit, scale) })
  return z.union([z.string().max(40), z.number()], { error: fieldProblem('not_a_number') }).transform((value, ctx) => {
    try {
      const minor = parseDecimal(value, scale)
      if (opts.positive && minor <= 0n) {
        ctx.addIssue({ code: 'custom', message: fieldProblem('greater_than_zero') })
        return z.NEVER
      }
      if (opts.nonNegative && minor < 0n) {
        ctx.addIssue({ code: 'custom', message: fieldProblem('not_negative') })
        return z.NEVER
      }
      if (minor > limit || minor < -limit) {
        ctx.addIssue({ code: 'custom', message: tooLarge })
        return z.NEVER
      }
      return formatDecimal(minor, scale)
    } catch (err) {
      const message = err instanceof DecimalFormatError ? err.message : fieldProblem('not_a_number')
      ctx.addIssue({ code: 'custom', message })
      return z.NEVER
    }
  })
}

/** Money amount (a payment), 2 places, > 0, at most MAX_AMOUNT_MINOR. */
export const moneyField = () => decimalField(MONEY_SCALE, { positive: true, max: MAX_AMOUNT_MINOR })
/** A rate per unit, 2 places, > 0, at most MAX_RATE_MINOR. */
export const rateField = () => decimalField(MONEY_SCALE, { positive: true, max: MAX_RATE_MINOR })
/** Quantity, 3 places, > 0, at most MAX_QUANTITY_MILLI. */
export const quantityField = () => decimalField(QUANTITY_SCALE, { positive: true, max: MAX_QUANTITY_MILLI })

/** A receipt number: a device's receipt prefix (letters) and its count, e.g. "KB-1042"; "S-17" if the server numbered it. */
export const receiptNumberField = () =>
  z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{1,4}-[1-9][0-9]{0,8}$/, fieldProblem('receipt_number'))

/** A grade of produce: "A", "Best", "Grade 2". */
export const gradeField = () =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 +._-]{0,19}$/, fieldProblem('grade_name'))

/** A money amount per unit that may be zero (a formula's rate per percentage point), 2 places. */
export const partRateField = () => decimalField(MONEY_SCALE, { nonNegative: true, max: MAX_RATE_MINOR })

/** A weight that may be zero (the tare of a container), 3 places, at most MAX_QUANTITY_MILLI. */
export const weightField = () => decimalField(QUANTITY_SCALE, { nonNegative: true, max: MAX_QUANTITY_MILLI })
/** A percentage from 0 to 100, 2 places (a deduction, a fat or SNF reading). */
export const percentField = () => decimalField(2, { nonNegative: true, max: 10_000n })

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/

/** A calendar date `YYYY-MM-DD` that exists. */
export const dateField = () =>
  z
    .string()
    .regex(DATE_RE, fieldProblem('date_format'))
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`)
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
    }, fieldProblem('real_date'))

/** An RFC 3339 timestamp. */
export const timestampField = () => z.iso.datetime({ offset: true })

/** A UUID (any version; clients make v7). */
export const idField = () => z.uuid()

/** A unit of measure: "kg", "l", "bundle". */
export const unitField = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9_-]{0,19}$/, fieldProblem('unit_name'))

/** A business code: letters, digits, dash, underscore. */
export const codeField = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9_.-]+$/, fieldProblem('code_chars'))

/** Required human text. */
export const nameField = () => z.string().trim().min(1).max(200)
/** Optional free text that may be cleared with null. */
export const textField = (max = 2000) => z.string().trim().max(max).nullable()

/** Optional text that must match `re` when given: trimmed, blank is null (a form's empty input). */
function optionalPattern(max: number, re: RegExp, message: string) {
  return z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === '' ? null : v))
    .pipe(z.string().regex(re, message).nullable())
    .nullable()
}

/** A bank account number as banks print it: letters, digits, spaces and dashes ("0123-456 789"). */
export const bankAccountField = () =>
  optionalPattern(40, /^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$/, fieldProblem('bank_account'))

/** A mobile money number: digits, an optional leading +, spaces and dashes between ("+254 712 345678"). */
export const mobileNumberField = () => optionalPattern(20, /^\+?[0-9](?:[0-9 -]*[0-9])?$/, fieldProblem('phone_number'))
