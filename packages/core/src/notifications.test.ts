import { describe, expect, it } from 'vitest'
import { LANGUAGE_CODES, type LanguageCode } from './languages'
import {
  type CollectionRecordedFacts,
  collectionMessageId,
  MESSAGE_TEMPLATES,
  messageLanguage,
  renderMessage,
  type SettlementPaidFacts,
  settlementMessageId,
  smsMoney,
  smsNumber,
  smsQuantity,
} from './notifications'
import { smsSegments } from './sms-text'

const business = { business_name: 'Kanyenyaini Dairy', currency: 'KES' }
const priced: CollectionRecordedFacts = {
  kind: 'collection_recorded',
  receipt_number: 'A-12',
  collection_date: '2026-03-02',
  product: 'Milk',
  net_quantity: '50.500',
  unit: 'l',
  amount: '6060.00',
}
const unpriced: CollectionRecordedFacts = {
  ...priced,
  receipt_number: 'S-7',
  product: 'Green leaf',
  net_quantity: '1250.000',
  unit: 'kg',
  amount: null,
}
const paid: SettlementPaidFacts = {
  kind: 'settlement_paid',
  period_from: '2026-05-01',
  period_to: '2026-05-31',
  payout: '12500.50',
}

/** Every template in every language, word for word, with its encoding and segments on the air. */
const GOLDEN: Record<LanguageCode, [string, string, number][]> = {
  en: [
    ['Kanyenyaini Dairy: receipt A-12, 2026-03-02. Milk 50.5 l: KES 6,060.00.', 'GSM-7', 1],
    ['Kanyenyaini Dairy: receipt S-7, 2026-03-02. Green leaf 1,250 kg: price pending.', 'GSM-7', 1],
    ['Kanyenyaini Dairy: payment of KES 12,500.50 approved for 2026-05-01 to 2026-05-31.', 'GSM-7', 1],
  ],
  sw: [
    ['Kanyenyaini Dairy: risiti A-12, 2026-03-02. Milk 50.5 l: KES 6,060.00.', 'GSM-7', 1],
    ['Kanyenyaini Dairy: risiti S-7, 2026-03-02. Green leaf 1,250 kg: bei inasubiriwa.', 'GSM-7', 1],
    ['Kanyenyaini Dairy: malipo ya KES 12,500.50 yameidhinishwa kwa 2026-05-01 hadi 2026-05-31.', 'GSM-7', 1],
  ],
  si: [
    ['Kanyenyaini Dairy: රිසිට්පත A-12, 2026-03-02. Milk 50.5 l: KES 6,060.00.', 'UCS-2', 2],
    ['Kanyenyaini Dairy: රිසිට්පත S-7, 2026-03-02. Green leaf 1,250 kg: මිල රැඳී ඇත.', 'UCS-2', 2],
    ['Kanyenyaini Dairy: 2026-05-01 සිට 2026-05-31 දක්වා KES 12,500.50 ගෙවීම අනුමතයි.', 'UCS-2', 2],
  ],
  ta: [
    ['Kanyenyaini Dairy: ரசீது A-12, 2026-03-02. Milk 50.5 l: KES 6,060.00.', 'UCS-2', 1],
    ['Kanyenyaini Dairy: ரசீது S-7, 2026-03-02. Green leaf 1,250 kg: விலை நிலுவையில்.', 'UCS-2', 2],
    ['Kanyenyaini Dairy: 2026-05-01 முதல் 2026-05-31 வரை KES 12,500.50 கொடுப்பனவு அங்கீகரிக்கப்பட்டது.', 'UCS-2', 2],
  ],
}

describe('SMS templates', () => {
  it('has every kind in every language', () => {
    expect(Object.keys(MESSAGE_TEMPLATES).sort()).toEqual([...LANGUAGE_CODES].sort())
    for (const language of LANGUAGE_CODES) {
      expect(Object.keys(MESSAGE_TEMPLATES[language]).sort(), language).toEqual(
        Object.keys(MESSAGE_TEMPLATES.en).sort(),
      )
    }
  })

  it.each(LANGUAGE_CODES)('%s: each message word for word, and its length on the air', (language) => {
    const texts = [priced, unpriced, paid].map((facts) => renderMessage(facts, language, business))
    expect(texts).toEqual(GOLDEN[language].map(([text]) => text))
    for (const [i, text] of texts.entries()) {
      const { encoding, segments } = smsSegments(text)
      expect([encoding, segments], text).toEqual(GOLDEN[language][i].slice(1))
    }
  })

  it("uses the business's currency and cuts long names", () => {
    const long = { business_name: 'The Kanyenyaini Farmers Co-operative Society', currency: 'LKR' }
    expect(renderMessage({ ...priced, product: 'Green tea leaf, best grade, hand-plucked' }, 'en', long)).toBe(
      'The Kanyenyaini Farmers Co-ope: receipt A-12, 2026-03-02. Green tea leaf, best grade, ha 50.5 l: LKR 6,060.00.',
    )
  })

  it('fills each placeholder once: a name with braces is not read again', () => {
    expect(renderMessage({ ...priced, product: '{amount}' }, 'en', business)).toBe(
      'Kanyenyaini Dairy: receipt A-12, 2026-03-02. {amount} 50.5 l: KES 6,060.00.',
    )
  })

  it('writes money and quantities exactly, grouped by thousands', () => {
    expect(smsMoney('0.10', 'KES')).toBe('KES 0.10')
    expect(smsMoney('1234567.5', 'KES')).toBe('KES 1,234,567.50')
    expect(smsMoney('999999999999999.99', 'USD')).toBe('USD 999,999,999,999,999.99')
    expect(smsMoney('-300.00', 'KES')).toBe('KES -300.00')
    expect(() => smsMoney('1.234', 'KES')).toThrow()
    expect(smsQuantity('50.500')).toBe('50.5')
    expect(smsQuantity('12.000')).toBe('12')
    expect(smsQuantity('0.005')).toBe('0.005')
    expect(smsQuantity('100.000')).toBe('100')
    expect(smsQuantity('1000')).toBe('1,000')
  })

  it("speaks the supplier's language, else the business's", () => {
    expect(messageLanguage('ta', 'en-KE')).toBe('ta')
    expect(messageLanguage(null, 'sw-KE')).toBe('sw')
    expect(messageLanguage(null, 'si-LK')).toBe('si')
    expect(messageLanguage(null, 'fr-FR')).toBe('en')
    expect(messageLanguage('xx', 'sw')).toBe('sw')
  })

  it('sends to international numbers only', () => {
    expect(smsNumber('+254 712 345-678')).toBe('+254712345678')
    expect(smsNumber('00254712345678')).toBe('+254712345678')
    expect(smsNumber('(+94) 71.234.5678')).toBe('+94712345678')
    expect(smsNumber('0712 345 678')).toBeNull()
    expect(smsNumber('+0712345678')).toBeNull()
    expect(smsNumber('+1234')).toBeNull()
    expect(smsNumber('+2547123456789012')).toBeNull()
    expect(smsNumber('')).toBeNull()
    expect(smsNumber(null)).toBeNull()
  })

  it('names a message by the event it tells of', () => {
    expect(collectionMessageId('c1')).toBe('collection:c1')
    expect(settlementMessageId('r1', 's1')).toBe('settlement:r1:s1')
  })
})

describe('SMS segments', () => {
  it('counts GSM-7 septets: 160 in one segment, 153 a part after that', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 })
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 })
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 })
    expect(smsSegments('a'.repeat(306)).segments).toBe(2)
    expect(smsSegments('a'.repeat(307)).segments).toBe(3)
    expect(smsSegments('£$¥èé@_ÄÖÑÜ§¿äöñüà').encoding).toBe('GSM-7')
  })

  it('counts an extension character as two, and never splits one across parts', () => {
    expect(smsSegments('€')).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 })
    expect(smsSegments(`${'a'.repeat(158)}[`)).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 })
    expect(smsSegments(`${'a'.repeat(159)}[`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 })
    // 152 septets, then an escaped pair that does not fit the first part's 153: it opens the second,
    // so 306 septets take three parts here, and two when the pair ends the first part exactly.
    expect(smsSegments(`${'a'.repeat(152)}{${'a'.repeat(152)}`)).toEqual({
      encoding: 'GSM-7',
      units: 306,
      segments: 3,
    })
    expect(smsSegments(`${'a'.repeat(151)}{${'a'.repeat(153)}`)).toEqual({
      encoding: 'GSM-7',
      units: 306,
      segments: 2,
    })
  })

  it('sends a text with any other character as UCS-2: 70 units, 67 a part', () => {
    expect(smsSegments('’')).toEqual({ encoding: 'UCS-2', units: 1, segments: 1 })
    expect(smsSegments('ක'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 })
    expect(smsSegments('க'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 })
    expect(smsSegments(`${'a'.repeat(134)}ක`).segments).toBe(3)
    expect(smsSegments(`${'a'.repeat(133)}ක`).segments).toBe(2)
  })

  it('counts an emoji as two units and keeps its pair in one part', () => {
    expect(smsSegments('🐄')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1 })
    expect(smsSegments(`${'a'.repeat(66)}🐄`)).toEqual({ encoding: 'UCS-2', units: 68, segments: 1 })
    expect(smsSegments(`${'a'.repeat(66)}🐄${'a'.repeat(3)}`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 })
    // 66 units, then a pair that would straddle the first part's 67: both halves go in the second.
    expect(smsSegments(`${'a'.repeat(66)}🐄${'a'.repeat(65)}`).segments).toBe(2)
    expect(smsSegments(`${'a'.repeat(66)}🐄${'a'.repeat(66)}`).segments).toBe(3)
  })
})
