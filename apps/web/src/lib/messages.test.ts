import { AppError, FIELD_PROBLEMS, fieldProblem, paymentInput } from '@trackvault/core'
import { afterEach, describe, expect, it } from 'vitest'
import { i18next } from '../i18n'
import { sw } from '../i18n/sw'
import { labelled, typedProblem } from './field-check'
import { fieldErrors, saveErrors } from './format'
import { confirmText, errorText, problemText } from './messages'

afterEach(() => i18next.changeLanguage('en'))

describe("core's field problems in the chosen language", () => {
  it('English keeps core’s words exactly; Kiswahili says each kind with its values', async () => {
    const places = fieldProblem('decimal_places', { places: 2 })
    expect(problemText(places)).toBe('must have at most 2 decimal places')
    await i18next.changeLanguage('sw')
    expect(problemText(places)).toBe('lazima iwe na nafasi 2 za desimali au chache zaidi')
    expect(problemText('is odd')).toBe('is odd') // not core's words: as written
    // Every kind has its own Swahili words (resources.test.ts checks the placeholders).
    for (const kind of Object.keys(FIELD_PROBLEMS) as Array<keyof typeof FIELD_PROBLEMS>)
      expect(sw.fieldErrors[kind], kind).not.toBe(FIELD_PROBLEMS[kind])
  })

  it('names a field a problem mentions by its label', async () => {
    await i18next.changeLanguage('sw')
    expect(problemText(fieldProblem('not_before', { other: 'effective_date' }))).toBe(
      'haipaswi kuwa kabla ya tarehe ya kuanza',
    )
  })

  it('an inline check: "12abc" and a negative amount, labelled', async () => {
    const amount = paymentInput.shape.amount
    expect(labelled('Amount', typedProblem(amount, '-5'))).toBe('Amount must be greater than zero')
    await i18next.changeLanguage('sw')
    expect(labelled('Kiasi', typedProblem(amount, '12abc'))).toBe('Kiasi si namba')
    expect(labelled('Kiasi', typedProblem(amount, '-5'))).toBe('Kiasi lazima iwe zaidi ya sifuri')
  })

  it("a save's field messages and the form's", async () => {
    const err = new AppError('VALIDATION_FAILED', undefined, {
      fields: { amount: [fieldProblem('greater_than_zero')], code: [fieldProblem('already_used')] },
    })
    expect(saveErrors(err).form).toBe('Please correct the marked fields.')
    await i18next.changeLanguage('sw')
    expect(fieldErrors(err)).toEqual({ amount: 'lazima iwe zaidi ya sifuri', code: 'tayari imetumika' })
    expect(saveErrors(err).form).toBe('Tafadhali sahihisha sehemu zilizowekwa alama.')
  })
})

describe('errors by their code', () => {
  it("English shows the server's own words; Kiswahili the code's", async () => {
    const custom = new AppError('DUPLICATE', 'code S-1 is already used')
    expect(errorText(custom)).toBe('code S-1 is already used')
    await i18next.changeLanguage('sw')
    expect(errorText(custom)).toBe('Rekodi yenye thamani hii tayari ipo')
    expect(errorText(new AppError('LAST_ADMIN'))).toBe('Hii ingeacha bila msimamizi yeyote aliye hai')
    expect(errorText({ code: 'HTTP_502', message: 'Bad Gateway' })).toBe('Seva ilijibu kwa hitilafu (HTTP 502).')
    const wait = {
      code: 'RATE_LIMITED',
      message: 'Too many wrong passwords. Wait 30 s',
      details: { retry_after_seconds: 30 },
    }
    expect(errorText(wait)).toBe('Majaribio mengi mno. Subiri sekunde 30 kabla ya kujaribu tena.')
    expect(errorText(new Error('something else'))).toBe('something else')
  })
})

describe('"Are you sure?"', () => {
  it("says core's reasons without their last words, in the chosen language", async () => {
    const large = [fieldProblem('large_amount', { limit: '500.00' }), 'it pays 20.00 more than the balance owed']
    expect(confirmText(large)).toBe(
      'Are you sure? The amount is over 500.00; and it pays 20.00 more than the balance owed.',
    )
    await i18next.changeLanguage('sw')
    expect(confirmText([large[0]])).toBe('Una uhakika? Kiasi cha pesa kinazidi 500.00.')
  })
})
