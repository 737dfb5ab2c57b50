/**
 * Money at the edges of a screen or a report, exact: decimal strings in and out, BigInt minor
 * units in between (parseDecimal / formatDecimal / sumMinor), never floats. Server reports, the
 * client's previews and the web app use these, so an amount reads the same everywhere.
 *
 * @example
 *   toMinor('60.60')          // 6060n (throws on a malformed amount)
 *   moneyMinor('1.234')       // null (typed or untrusted text)
 *   moneyOf(6060n)            // "60.60"
 *   sumMoney(['0.10', null])  // { total: "0.10", missing: 1 }
 */
import { formatDecimal, MONEY_SCALE, parseDecimal, sumMinor } from './money'

/** Minor units of a decimal of `scale`, or undefined when it is missing, blank or not a valid decimal of that scale. */
export function tryParseDecimal(value: unknown, scale: number): bigint | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  try {
    return parseDecimal(value, scale)
  } catch {
    return undefined
  }
}

/** A money string into cents (throws if it is not one). */
export const toMinor = (value: string): bigint => parseDecimal(value, MONEY_SCALE)

/** Cents of a money amount; null for a missing or malformed value. */
export const moneyMinor = (value: unknown): bigint | null => tryParseDecimal(value, MONEY_SCALE) ?? null

/** Cents (or a driver's integer) into a money string with two places. */
export const moneyOf = (minor: bigint | number | string): string => formatDecimal(minor, MONEY_SCALE)

/** Exact sum of money strings; null/undefined entries are counted as `missing`, not added. */
export function sumMoney(values: Iterable<string | null | undefined>): { total: string; missing: number } {
  let missing = 0
  const minors: bigint[] = []
  for (const v of values) {
    const minor = moneyMinor(v)
    if (minor === null) missing++
    else minors.push(minor)
  }
  return { total: moneyOf(sumMinor(minors)), missing }
}
