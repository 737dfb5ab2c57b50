/**
 * The text messages TrackVault sends suppliers (issue 20; docs/collection-point.md, "SMS"): what
 * each kind says, in each language, and what makes one message one. The server queues them in
 * the write that records what they tell (its outbox) and sends them later; this file is only the
 * words.
 *
 * - `collection_recorded`: a collection was recorded (receipt number, date, product, net quantity
 *   and unit, and its amount, or "price pending" while no rate covers it).
 * - `settlement_paid`: an approved settlement run pays the supplier (its line's payout > 0): the
 *   period and the payout.
 *
 * The English words are the source. The Kiswahili, Sinhala and Tamil templates are MACHINE DRAFTS,
 * taken from the web app's own drafts where it has the word (receipt, price pending, payment,
 * approved): a speaker should read them before a business relies on them.
 *
 * Numbers are written one way in every language, from their decimal strings (never a float):
 * "KES 6,060.00", "50.5 kg", dates as YYYY-MM-DD. Not through Intl: the text must be the same on
 * every runtime (a golden test holds it), and stay in the GSM-7 alphabet where the language
 * allows (Intl puts no-break spaces in some locales, which makes a message UCS-2: 70 characters a
 * segment instead of 160; sms-text.ts counts them).
 */
import { isLanguageCode, type LanguageCode, languageOfLocale } from './languages'
import { formatDecimal, MONEY_SCALE, parseDecimal, QUANTITY_SCALE } from './money'

export const MESSAGE_KINDS = ['collection_recorded', 'settlement_paid'] as const
export type MessageKind = (typeof MESSAGE_KINDS)[number]

/** What a `collection_recorded` message tells: the collection as the write recorded it. */
export interface CollectionRecordedFacts {
  kind: 'collection_recorded'
  receipt_number: string
  /** YYYY-MM-DD. */
  collection_date: string
  /** The product's name. */
  product: string
  /** Net quantity, 3 places ("50.500"). */
  net_quantity: string
  unit: string
  /** Total, 2 places; null while no rate covers the collection (unpriced). */
  amount: string | null
}

/** What a `settlement_paid` message tells: one supplier's line of an approved run. */
export interface SettlementPaidFacts {
  kind: 'settlement_paid'
  period_from: string
  period_to: string
  /** The line's payout, 2 places, more than zero. */
  payout: string
}

export type MessageFacts = CollectionRecordedFacts | SettlementPaidFacts

/** The business's settings a message is worded with. */
export interface MessageBusiness {
  business_name: string
  /** ISO 4217 code. */
  currency: string
}

interface Words {
  collection_recorded: string
  settlement_paid: string
  price_pending: string
}

/**
 * The templates: `{name}` is filled in, once (a value that contains braces is not read again).
 * en is the source; sw, si and ta are machine drafts (see the top of this file).
 */
export const MESSAGE_TEMPLATES: Record<LanguageCode, Words> = {
  en: {
    collection_recorded: '{business}: receipt {receipt}, {date}. {product} {quantity} {unit}: {amount}.',
    settlement_paid: '{business}: payment of {amount} approved for {from} to {to}.',
    price_pending: 'price pending',
  },
  // Machine draft.
  sw: {
    collection_recorded: '{business}: risiti {receipt}, {date}. {product} {quantity} {unit}: {amount}.',
    settlement_paid: '{business}: malipo ya {amount} yameidhinishwa kwa {from} hadi {to}.',
    price_pending: 'bei inasubiriwa',
  },
  // Machine draft.
  si: {
    collection_recorded: '{business}: රිසිට්පත {receipt}, {date}. {product} {quantity} {unit}: {amount}.',
    settlement_paid: '{business}: {from} සිට {to} දක්වා {amount} ගෙවීම අනුමතයි.',
    price_pending: 'මිල රැඳී ඇත',
  },
  // Machine draft.
  ta: {
    collection_recorded: '{business}: ரசீது {receipt}, {date}. {product} {quantity} {unit}: {amount}.',
    settlement_paid: '{business}: {from} முதல் {to} வரை {amount} கொடுப்பனவு அங்கீகரிக்கப்பட்டது.',
    price_pending: 'விலை நிலுவையில்',
  },
}

/** Names longer than this are cut in a message (a business or product name may be 200 characters). */
export const MESSAGE_NAME_MAX = 30

/** `name` cut to `max` characters (code points, so a letter is never halved), trimmed. */
function shortName(name: string, max = MESSAGE_NAME_MAX): string {
  const chars = Array.from(name.trim())
  return chars.length <= max ? chars.join('') : chars.slice(0, max).join('').trimEnd()
}

/** "-1234567.50" -> "-1,234,567.50": digits grouped by three, the decimal point kept. */
function grouped(decimal: string): string {
  const [whole, fraction] = decimal.split('.')
  const sign = whole.startsWith('-') ? '-' : ''
  const digits = sign ? whole.slice(1) : whole
  const groups = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${groups}${fraction !== undefined ? `.${fraction}` : ''}`
}

/** "6060.00", "KES" -> "KES 6,060.00" (exact: the string's digits, checked to be money). */
export function smsMoney(amount: string, currency: string): string {
  return `${currency} ${grouped(formatDecimal(parseDecimal(amount, MONEY_SCALE), MONEY_SCALE))}`
}

/** "1250.500" -> "1,250.5"; "12.000" -> "12": a quantity without the zeros its scale pads it with. */
export function smsQuantity(quantity: string): string {
  const exact = formatDecimal(parseDecimal(quantity, QUANTITY_SCALE), QUANTITY_SCALE)
  return grouped(exact.replace(/\.?0+$/, ''))
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)
}

/** The text of a message in `language`, worded with the business's name and currency. */
export function renderMessage(facts: MessageFacts, language: LanguageCode, business: MessageBusiness): string {
  const words = MESSAGE_TEMPLATES[language]
  const common = { business: shortName(business.business_name) }
  if (facts.kind === 'collection_recorded') {
    return fill(words.collection_recorded, {
      ...common,
      receipt: facts.receipt_number,
      date: facts.collection_date,
      product: shortName(facts.product),
      quantity: smsQuantity(facts.net_quantity),
      unit: facts.unit,
      amount: facts.amount === null ? words.price_pending : smsMoney(facts.amount, business.currency),
    })
  }
  return fill(words.settlement_paid, {
    ...common,
    from: facts.period_from,
    to: facts.period_to,
    amount: smsMoney(facts.payout, business.currency),
  })
}

/** The language of a supplier's messages: its own if it chose one, else the business's (its locale's). */
export function messageLanguage(supplierLanguage: string | null | undefined, businessLocale: string): LanguageCode {
  return isLanguageCode(supplierLanguage) ? supplierLanguage : languageOfLocale(businessLocale)
}

/**
 * A phone number as the providers take it (E.164: "+254712345678"), or null when it is not written
 * internationally. Spaces, dashes, dots and brackets are dropped and a leading 00 read as +; a
 * local number ("0712 345 678") is null: its country cannot be told from it.
 */
export function smsNumber(phone: string | null | undefined): string | null {
  if (!phone) return null
  let n = phone.replace(/[\s\-.()]/g, '')
  if (n.startsWith('00')) n = `+${n.slice(2)}`
  return /^\+[1-9]\d{6,14}$/.test(n) ? n : null
}

/**
 * What makes a message one (the outbox's unique `message_id`): the event it tells of, so that a
 * write retried (a sync operation pushed again) never queues a second.
 */
export const collectionMessageId = (collectionId: string) => `collection:${collectionId}`
export const settlementMessageId = (runId: string, supplierId: string) => `settlement:${runId}:${supplierId}`
