/**
 * How long a text message is on the air: its encoding and how many segments
 * (parts billed and sent separately) it takes. A text wholly in the GSM 03.38
 * 7-bit alphabet goes as GSM-7, 160 characters in one segment or 153 per part
 * of a longer one, with `^{}\[~]|€` and form feed taking two (an escape and the
 * character); anything else (Sinhala, Tamil, curly quotes, emoji) sends the
 * whole text as UCS-2, 70 UTF-16 units in one segment or 67 per part. A part
 * never splits an escaped character or a surrogate pair, as phones do.
 *
 * @example
 *   smsSegments('Receipt A-1')     // { encoding: 'GSM-7', units: 11, segments: 1 }
 *   smsSegments('රිසිට්පත A-1')   // { encoding: 'UCS-2', units: 12, segments: 1 }
 */

/** The GSM 03.38 basic character set (the escape, 0x1B, left out: it is not a character). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
)
/** The extension table: each is sent as the escape and itself, two septets. */
const GSM_EXTENSION = new Set('^{}\\[~]|€\f')

export type SmsEncoding = 'GSM-7' | 'UCS-2'

export interface SmsLength {
  encoding: SmsEncoding
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text. */
  units: number
  /** Segments the text is sent in (0 for an empty text). */
  segments: number
}

/** What one segment holds: alone, and as one part of a longer message (the rest is its header). */
const CAPACITY: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
}

/** Whether every character of `text` is in the GSM-7 alphabet (basic or extension). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM_BASIC.has(ch) && !GSM_EXTENSION.has(ch)) return false
  return true
}

/** The encoding, length and segment count of `text` as an SMS. */
export function smsSegments(text: string): SmsLength {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2'
  // Each character's width in units: escaped GSM characters and astral characters take two.
  const widths: number[] = []
  for (const ch of text) {
    widths.push(encoding === 'GSM-7' ? (GSM_EXTENSION.has(ch) ? 2 : 1) : ch.length)
  }
  const units = widths.reduce((a, b) => a + b, 0)
  const { single, part } = CAPACITY[encoding]
  if (units === 0) return { encoding, units, segments: 0 }
  if (units <= single) return { encoding, units, segments: 1 }
  let segments = 1
  let used = 0
  for (const w of widths) {
    if (used + w > part) {
      segments++
      used = 0
    }
    used += w
  }
  return { encoding, units, segments }
}
