import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { i18next } from '../../i18n'
import { failedFields, failedText, restoreText, summaryText } from './wording'

describe('sync center wording after a restore', () => {
  test('says the server was restored and how many changes are still being re-sent', () => {
    expect(restoreText({ total: 40, sent: 15 })).toBe(
      'The server was restored from a backup; re-sending 25 changes (15 of 40 done).',
    )
    expect(restoreText({ total: 1, sent: 0 })).toContain('re-sending 1 change ')
  })

  test("a sync's summary tells what the restore re-sent and what needs a decision", () => {
    const base = { successful: 2, failed: 1, conflicts: 1, pulled: 5 }
    expect(summaryText({ ...base, restored: { resent: 30, conflicts: 1, failed: 1 } })).toBe(
      'Sync finished: 2 sent, 5 received, 1 failed, 1 in conflict. The server had been restored from a backup: 30 confirmed changes re-sent, 2 need your decision below.',
    )
    expect(summaryText(base)).toBe('Sync finished: 2 sent, 5 received, 1 failed, 1 in conflict.')
  })
})

describe("a failed change in the screens' words", () => {
  test('a record that is gone says what to do, naming no field by its id', () => {
    const gone = { code: 'REFERENCE_NOT_FOUND', message: 'supplier_id does not name an existing supplier' }
    expect(failedText(gone, ['supplier_id'])).toBe(
      'The supplier it names is not on the server any more: edit it to choose another, or discard it.',
    )
    expect(failedText(gone, [])).toBe('supplier does not name an existing supplier')
    expect(failedText({ code: 'VALIDATION_FAILED', message: 'quantity: is not a number' }, ['quantity'])).toBe(
      'quantity: is not a number',
    )
    expect(failedText(undefined, [])).toBe('The server refused this change.')
  })
})

describe('the fields a failed change names', () => {
  test("the server's details, else the field a REFERENCE_NOT_FOUND message starts with", () => {
    const details = { fields: { quantity: ['is not a number'] } }
    expect(failedFields({ code: 'VALIDATION_FAILED', message: 'x', details })).toEqual({ quantity: 'is not a number' })
    const gone = { code: 'REFERENCE_NOT_FOUND', message: 'supplier_id does not name an existing supplier' }
    expect(failedFields(gone)).toEqual({ supplier_id: 'not found' })
    expect(failedFields({ code: 'REFERENCE_NOT_FOUND', message: 'user_id does not name a user' })).toEqual({
      user_id: 'not found',
    })
    expect(failedFields({ code: 'VALIDATION_FAILED', message: 'supplier_id does not name' })).toEqual({})
    expect(failedFields(undefined)).toEqual({})
  })
})

describe('the sync center in Kiswahili', () => {
  beforeAll(() => i18next.changeLanguage('sw'))
  afterAll(() => i18next.changeLanguage('en'))

  test("a sync's summary, a failed change and its fields, no English left", () => {
    const summary = summaryText({ successful: 2, failed: 1, conflicts: 1, pulled: 5 })
    expect(summary).toBe('Usawazishaji umekamilika: 2 yametumwa, 5 yamepokelewa, 1 yameshindikana, 1 yana mgongano.')
    const gone = { code: 'REFERENCE_NOT_FOUND', message: 'supplier_id does not name an existing supplier' }
    expect(failedText(gone, ['supplier_id'])).toBe(
      'Rekodi ya msambazaji inayotajwa haipo tena kwenye seva: hariri ili kuchagua nyingine, au tupa badiliko hili.',
    )
    expect(failedFields(gone)).toEqual({ supplier_id: 'haipatikani' })
    // The server's code, not its English words; its field messages by their kind.
    const refused = { code: 'VALIDATION_FAILED', message: 'The request is not valid' }
    expect(failedText(refused, ['quantity'])).toBe('Ombi si sahihi')
    const details = { fields: { quantity: ['must have at most 3 decimal places', 'is odd'] } }
    expect(failedFields({ ...refused, details })).toEqual({
      quantity: 'lazima iwe na nafasi 3 za desimali au chache zaidi; is odd',
    })
    expect(restoreText({ total: 40, sent: 15 })).toContain('mabadiliko 25')
  })
})
