/**
 * The business's settings (admins set them): its name and receipt header,
 * currency, time zone and locale, and the sanity rules for what is entered.
 * The server enforces the rules; devices cache the settings, so the same rules
 * hold (and "today" is the business's today) offline.
 *
 * @example
 *   todayIn('Africa/Nairobi', new Date('2026-03-01T22:30:00Z')) // "2026-03-02"
 */

import { z } from 'zod'
import { decimalField, quantityField } from './fields'
import { MAX_AMOUNT_MINOR, MONEY_SCALE, parseDecimal } from './money'
import { netQuantity, type Weighing } from './pricing'
import { fieldProblem } from './problems'

/** A time zone the runtime knows (IANA name, e.g. Africa/Nairobi). */
const timeZoneField = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(60)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz })
        return true
      } catch {
        return false
      }
    }, fieldProblem('time_zone'))

/** A locale tag the runtime knows (BCP 47, e.g. en-KE, si-LK, sw). */
const localeField = () =>
  z
    .string()
    .trim()
    .min(2)
    .max(35)
    .refine((tag) => {
      try {
        return Intl.getCanonicalLocales(tag).length === 1
      } catch {
        return false
      }
    }, fieldProblem('locale'))

const MAX_DAYS_AHEAD = fieldProblem('whole_number_up_to', { max: 31 })

export const businessSettingsSchema = z.object({
  business_name: z.string().trim().min(1, fieldProblem('required')).max(200).default('TrackVault'),
  /** Printed at the top of every receipt (address, phone, registration). */
  receipt_header: z.string().trim().max(500).default(''),
  /** ISO 4217 code. Amounts are kept to 2 places; screens show the currency's own. */
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, fieldProblem('currency_code'))
    .default('KES'),
  time_zone: timeZoneField().default('UTC'),
  locale: localeField().default('en'),
  /** A collection or payment may be dated at most this many days after the business's today. */
  future_tolerance_days: z
    .number({ error: MAX_DAYS_AHEAD })
    .int(MAX_DAYS_AHEAD)
    .min(0, MAX_DAYS_AHEAD)
    .max(31, MAX_DAYS_AHEAD)
    .default(1),
  /** A collection's net quantity above this needs an explicit confirmation (null: no limit). */
  large_quantity: quantityField().nullable().default(null),
  /** A payment's amount above this needs an explicit confirmation (null: no limit). */
  large_payment: decimalField(MONEY_SCALE, { positive: true, max: MAX_AMOUNT_MINOR }).nullable().default(null),
  /**
   * Settlement: what deductions must leave each supplier of a run (settlement.ts, the floor); "0.00": they may
   * take everything owed. A run keeps the floor it was computed with.
   */
  settlement_floor: decimalField(MONEY_SCALE, { nonNegative: true, max: MAX_AMOUNT_MINOR }).default('0.00'),
  /**
   * How many days of their own collections a collector's device is sent when it pulls its scope
   * afresh (scope.ts; null: all of them). A large business sets it so a new phone starts light.
   */
  sync_window_days: z.number().int().min(1).max(3660).nullable().default(null),
})

export type BusinessSettings = z.output<typeof businessSettingsSchema>

/** The settings of a business that has set none. */
export const DEFAULT_SETTINGS: BusinessSettings = businessSettingsSchema.parse({})

/**
 * One date formatter per time zone: making an Intl.DateTimeFormat costs about
 * 0.3 ms, formatting with one a few microseconds, and every collection or
 * payment a device writes asks for today (a zone the runtime does not know
 * throws here and is not kept).
 */
const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** The date (YYYY-MM-DD) it is in `timeZone` at `at`. */
export function todayIn(timeZone: string, at: Date = new Date()): string {
  let format = dayFormats.get(timeZone)
  if (!format) {
    if (dayFormats.size >= 64) dayFormats.clear() // zone names are few; spellings of them need not be
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, format)
  }
  return format.format(at)
}

/** `date` + `days` (calendar days), as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** The rules what is entered keeps with the business's settings: field -> messages, or undefined. */
export function settingsErrors(
  type: 'collection' | 'payment',
  fields: Record<string, unknown>,
  settings: BusinessSettings,
  at: Date = new Date(),
): Record<string, string[]> | undefined {
  const errors: Record<string, string[]> = {}
  const dateField = type === 'collection' ? 'collection_date' : 'payment_date'
  const latest = addDays(todayIn(settings.time_zone, at), settings.future_tolerance_days)
  if (typeof fields[dateField] === 'string' && (fields[dateField] as string) > latest) {
    errors[dateField] = [fieldProblem('date_too_late', { latest, zone: settings.time_zone })]
  }
  const [field, limit, scale] =
    type === 'collection'
      ? (['net_quantity', settings.large_quantity, 3] as const)
      : (['amount', settings.large_payment, MONEY_SCALE] as const)
  // A collection's limit is on its net quantity: computed here if the fields are an input (a device's).
  const weighed =
    type === 'collection' && fields.net_quantity === undefined ? netQuantity(fields as unknown as Weighing) : undefined
  const value = weighed ? (weighed.ok ? weighed.net : undefined) : fields[field]
  if (limit !== null && typeof value === 'string' && !fields.confirmed_large) {
    if (parseDecimal(value, scale) > parseDecimal(limit, scale)) {
      errors.confirmed_large = [fieldProblem(type === 'collection' ? 'large_quantity' : 'large_amount', { limit })]
    }
  }
  return Object.keys(errors).length > 0 ? errors : undefined
}

/** Letters a receipt prefix is made of: no I, O or S (read as 1, 0 and the server's own S). */
const PREFIX_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ'

/** The `n`th receipt prefix (0 -> "A", 22 -> "Z", 23 -> "AA", ...): the server gives each device and user one. */
export function receiptPrefix(n: number): string {
  let out = ''
  let rest = n
  do {
    out = PREFIX_LETTERS[rest % PREFIX_LETTERS.length] + out
    rest = Math.floor(rest / PREFIX_LETTERS.length) - 1
  } while (rest >= 0)
  return out
}

/** The receipt number of a device's `count`th collection. */
export function receiptNumber(prefix: string, count: number): string {
  return `${prefix}-${count}`
}
