/**
 * Display helpers. Amounts stay decimal strings end to end; nothing here parses money into floats.
 * `money`, `moneyIn` and `dateOnly` take a `lang` to write in another language than the screen's
 * (a receipt printer's English, devices/receipt-print.ts), still in the business's country.
 */
import { addDays, fieldProblem, todayIn } from '@trackvault/core'
import { CORRECT_FIELDS, errorText, problemText } from './messages'

const DECIMAL = /^-?\d+(\.\d+)?$/

let language = 'en'
let businessLocale = 'en'

/**
 * The locale screens format with: the language the person chose
 * (i18n/index.ts) in the business's country, the region of its locale
 * setting ("sw" + "en-KE" -> "sw-KE"; "ta" + "si-LK" -> "ta-LK"), or the
 * language alone when the setting names no region or the runtime lacks the
 * pair.
 */
export function displayLocale(lang = language, business = businessLocale): string {
  let region: string | undefined
  try {
    region = new Intl.Locale(business).region
  } catch {}
  const pair = region ? `${lang}-${region}` : lang
  try {
    if (Intl.NumberFormat.supportedLocalesOf([pair]).length > 0) return pair
  } catch {}
  return lang
}

/** Set by i18n (the chosen language) and settings.ts (the business's locale). */
export function setDisplayLocale(next: { language?: string; businessLocale?: string }): void {
  if (next.language) language = next.language
  if (next.businessLocale) businessLocale = next.businessLocale
}

const formatters = new Map<string, Intl.NumberFormat>()
function numberFormat(locale: string, digits: number, currency?: string): Intl.NumberFormat {
  const key = `${locale}|${digits}|${currency ?? ''}`
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      ...(currency ? { style: 'currency', currency, currencyDisplay: 'code' } : {}),
    })
    formatters.set(key, f)
  }
  return f
}

/** Intl formats a decimal string as the exact decimal it is (no float), with the string's own places. */
function formatDecimal(value: string, currency?: string, lang?: string): string {
  const digits = value.split('.')[1]?.length ?? 0
  // A no-break space keeps "KES" with its digits; a plain one reads (and tests) the same.
  return numberFormat(displayLocale(lang), digits, currency)
    .format(value as Intl.StringNumericLiteral)
    .replace(/[\u00a0\u202f]/g, ' ')
}

/**
 * "6060.00" -> "6,060.00" in English, grouped and punctuated as the display
 * locale writes numbers (ta-IN: "1,00,000.00"). The digits are the string's:
 * Intl reads a decimal string exactly, nothing is parsed into a float.
 */
export function money(value: string | null | undefined, lang?: string): string {
  if (value === null || value === undefined) return '—'
  if (!DECIMAL.test(value)) return value
  return formatDecimal(value, undefined, lang)
}

/** "6060.00", "KES" -> "KES 6,060.00" as the display locale places a currency code. */
export function moneyIn(value: string | null | undefined, currency: string, lang?: string): string {
  if (value === null || value === undefined) return '—'
  if (!DECIMAL.test(value)) return `${currency} ${value}`
  try {
    return formatDecimal(value, currency, lang)
  } catch {
    return `${currency} ${money(value, lang)}` // a code this runtime does not know
  }
}

/** A business date (YYYY-MM-DD) as the display locale writes it ("6 Dec 2026", "6 Des 2026"). */
export function dateOnly(ymd: string | null | undefined, lang?: string): string {
  if (!ymd) return '—'
  const at = new Date(`${ymd}T00:00:00Z`)
  if (Number.isNaN(at.getTime())) return ymd
  return new Intl.DateTimeFormat(displayLocale(lang), { dateStyle: 'medium', timeZone: 'UTC' }).format(at)
}

/** A month (YYYY-MM), short, as the display locale writes it ("Dec 26"; "Des 26" in Kiswahili). */
export function monthShort(ym: string): string {
  const at = new Date(`${ym}-01T00:00:00Z`)
  if (Number.isNaN(at.getTime())) return ym
  return new Intl.DateTimeFormat(displayLocale(), { month: 'short', year: '2-digit', timeZone: 'UTC' }).format(at)
}

const TIME_ZONE_KEY = 'trackvault:time-zone'

/** The time zone last known on this device (kept across reloads), UTC before any. */
function storedTimeZone(): string {
  try {
    const zone = globalThis.localStorage?.getItem(TIME_ZONE_KEY)
    if (zone) {
      todayIn(zone) // throws for a zone this browser does not know
      return zone
    }
  } catch {}
  return 'UTC'
}

let timeZone = storedTimeZone()

/** The business's time zone, for "today" on every screen (settings.ts keeps it current). */
export function setBusinessTimeZone(zone: string): void {
  timeZone = zone
  try {
    globalThis.localStorage?.setItem(TIME_ZONE_KEY, zone)
  } catch {}
}

/** Today in the business's time zone (YYYY-MM-DD): list filters, statements, reports. */
export function today(): string {
  return todayIn(timeZone)
}

export function daysAgo(n: number): string {
  return addDays(today(), -n)
}

/** A moment in the display locale, or `never` (the caller's words for it) when there is none. */
export function dateTime(iso: string | null | undefined, never = 'never'): string {
  if (!iso) return never
  return new Date(iso).toLocaleString(displayLocale())
}

/** A readable message from any thrown error (AppError, ApiError, other), in the chosen language (lib/messages.ts). */
export function errorMessage(err: unknown): string {
  return errorText(err)
}

/** True for the client's error when the server could not be reached (nothing was sent or answered). */
export function isOffline(err: unknown): boolean {
  return Boolean((err as { offline?: boolean } | null)?.offline)
}

/** Per-field messages of a VALIDATION_FAILED error, if any, in the chosen language (lib/messages.ts). */
export function fieldErrors(err: unknown): Record<string, string> {
  const fields = (err as { details?: { fields?: Record<string, string[]> } })?.details?.fields
  if (!fields) return {}
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.map(problemText).join('; ')]))
}

/**
 * A failed save's messages for a form: per field (`fields`, by default the
 * error's own), and one for the whole form: the error's `_` message, else
 * "Please correct the marked fields." when a field is marked, else the
 * error's message.
 */
export function saveErrors(
  err: unknown,
  fields: Record<string, string> = fieldErrors(err),
): { fields: Record<string, string>; form: string } {
  const { _: whole, ...perField } = fields
  return {
    fields: perField,
    form: whole ?? (Object.keys(perField).length ? CORRECT_FIELDS() : errorMessage(err)),
  }
}

/** Per-field messages of a supplier or product save: a DUPLICATE naming no field is the code's ("already used"). */
export function codeFieldErrors(err: unknown): Record<string, string> {
  const fields = fieldErrors(err)
  if ((err as { code?: string }).code === 'DUPLICATE' && Object.keys(fields).length === 0)
    fields.code = problemText(fieldProblem('already_used'))
  return fields
}
