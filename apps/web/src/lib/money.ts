/**
 * Money and quantities on the screens, exact: decimal strings at the edges,
 * BigInt minor units in between (core's parseDecimal / formatDecimal /
 * sumMinor), never floats. One helper per conversion:
 *
 *   toMinor('60.60')          // 6060n (throws on a malformed amount)
 *   moneyMinor('1.234')       // null (typed or untrusted text)
 *   moneyOf(6060n)            // "60.60"
 *   sumMoney(['0.10', null])  // { total: "0.10", missing: 1 }
 */
import { formatDecimal, MONEY_SCALE, parseDecimal, sumMinor } from '@trackvault/core'

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

/** Cents into a money string with two places. */
export const moneyOf = (minor: bigint): string => formatDecimal(minor, MONEY_SCALE)

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
