/** Display helpers. Amounts stay decimal strings end to end; nothing here parses money into floats. */
import { addDays, todayIn } from '@trackvault/core'

/** "6060.00" -> "6,060.00" (grouping only; the digits are the server's). */
export function money(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const [whole, fraction] = value.split('.')
  const negative = whole.startsWith('-')
  const digits = negative ? whole.slice(1) : whole
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`
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

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return 'never'
  return new Date(iso).toLocaleString()
}

/** A readable message from any thrown error (AppError, ApiError, other). */
export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: string }).message)
  return String(err)
}

/** True for the client's error when the server could not be reached (nothing was sent or answered). */
export function isOffline(err: unknown): boolean {
  return Boolean((err as { offline?: boolean } | null)?.offline)
}

/** Per-field messages of a VALIDATION_FAILED error, if any. */
export function fieldErrors(err: unknown): Record<string, string> {
  const fields = (err as { details?: { fields?: Record<string, string[]> } })?.details?.fields
  if (!fields) return {}
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.join('; ')]))
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
    form: whole ?? (Object.keys(perField).length ? 'Please correct the marked fields.' : errorMessage(err)),
  }
}

/** Per-field messages of a supplier or product save: a DUPLICATE naming no field is the code's ("already used"). */
export function codeFieldErrors(err: unknown): Record<string, string> {
  const fields = fieldErrors(err)
  if ((err as { code?: string }).code === 'DUPLICATE' && Object.keys(fields).length === 0) fields.code = 'already used'
  return fields
}
