import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { deductionErrors } from './deductions'
import { collectionInput, paymentInput, supplierInput } from './entities'
import { dateField, gradeField, receiptNumberField, unitField, weightField } from './fields'
import { totalTooLarge } from './money'
import { netQuantity, pricingModeErrors } from './pricing'
import { FIELD_PROBLEMS, type FieldProblemKind, fieldProblem, readFieldProblem } from './problems'
import { repriceScope } from './reprice'
import { businessSettingsSchema, DEFAULT_SETTINGS, settingsErrors } from './settings'

/** The messages `schema` gives `input` (fails the test if it passes). */
function messages(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input)
  expect(result.success, `expected ${JSON.stringify(input)} to be refused`).toBe(false)
  return result.success ? [] : result.error.issues.map((i) => i.message)
}

describe('the catalogue of field problems', () => {
  it('reads back the kind and values of every message it writes', () => {
    for (const kind of Object.keys(FIELD_PROBLEMS) as FieldProblemKind[]) {
      const names = [...FIELD_PROBLEMS[kind].matchAll(/{{(\w+)}}/g)].map((m) => m[1])
      const params = Object.fromEntries(names.map((name, i) => [name, `${name} ${i + 1}.5, x`]))
      expect(readFieldProblem(fieldProblem(kind, params)), kind).toEqual({ kind, params })
    }
  })

  it('keeps the English words the server and screens have always shown', () => {
    expect(fieldProblem('decimal_places', { places: 2 })).toBe('must have at most 2 decimal places')
    expect(fieldProblem('date_too_late', { latest: '2026-03-03', zone: 'Africa/Nairobi' })).toBe(
      'must not be after 2026-03-03 (today in Africa/Nairobi)',
    )
    expect(readFieldProblem('must be at most 100000000')).toEqual({ kind: 'at_most', params: { max: '100000000' } })
  })

  it('reads nothing from words that are not its own', () => {
    expect(readFieldProblem('is odd')).toBeUndefined()
    expect(readFieldProblem('Amount is not a number')).toBeUndefined() // a label before it: not core's message
    expect(readFieldProblem('')).toBeUndefined()
  })
})

describe("every message core's schemas and rules write is in the catalogue", () => {
  const read = (message: string) => expect(readFieldProblem(message), message).toBeDefined()

  it('decimals, dates and texts of a shape', () => {
    const amount = paymentInput.shape.amount
    const cases: Array<[z.ZodType, unknown, FieldProblemKind]> = [
      [amount, '12abc', 'not_a_number'],
      [amount, '12,5', 'decimal_comma'],
      [amount, '1.234', 'decimal_places'],
      [amount, '-5', 'greater_than_zero'],
      [amount, '0', 'greater_than_zero'],
      [amount, '1000000000000000000', 'too_large'],
      [amount, '100000000.01', 'at_most'],
      [amount, true, 'not_a_number'],
      [weightField(), '-1', 'not_negative'],
      [collectionInput.shape.containers, 1.5, 'whole_number_up_to'],
      [collectionInput.shape.containers, '2', 'whole_number_up_to'],
      [receiptNumberField(), 'K1042', 'receipt_number'],
      [gradeField(), '!', 'grade_name'],
      [dateField(), '1/2/2026', 'date_format'],
      [dateField(), '2026-02-30', 'real_date'],
      [unitField(), '9kg', 'unit_name'],
      [supplierInput.shape.code, 'a b', 'code_chars'],
      [supplierInput.shape.bank_account, '#12', 'bank_account'],
      [supplierInput.shape.mobile_money_number, '07x', 'phone_number'],
      [businessSettingsSchema.shape.time_zone, 'Mars/Base', 'time_zone'],
      [businessSettingsSchema.shape.locale, 'x_y_z', 'locale'],
      [businessSettingsSchema.shape.currency, 'KE', 'currency_code'],
      [
        repriceScope,
        { product_id: '0190a0b0-0000-7000-8000-000000000000', from: '2026-02-02', to: '2026-02-01' },
        'not_before',
      ],
    ]
    for (const [schema, input, kind] of cases) {
      const said = messages(schema, input).map((m) => readFieldProblem(m)?.kind)
      expect(said, `${JSON.stringify(input)}`).toContain(kind)
    }
  })

  it("the weighing, a product's pricing mode, a deduction and the business's settings", () => {
    const tare = netQuantity({ quantity: '1.000', tare_per_container: '1.000', containers: 2 })
    const all = netQuantity({ quantity: '1.000', deduction_percent: '100.00' })
    for (const out of [tare, all]) read(out.ok ? '' : out.message)
    expect(readFieldProblem(totalTooLarge('120.00'))?.params).toEqual({ rate: '120.00', max: '100000000.00' })
    const modes = [
      pricingModeErrors('collection', { grade: null }, { pricing: 'graded', grades: ['A', 'B'] }),
      pricingModeErrors('collection', { grade: 'C' }, { pricing: 'graded', grades: ['A', 'B'] }),
      pricingModeErrors('collection', { grade: 'A', fat_percent: null }, { pricing: 'quality' }),
      pricingModeErrors('product_rate', { grade: null, fat_rate: '1.00' }, { pricing: 'flat' }),
    ]
    const deductions = [
      deductionErrors({ kind: 'charge', amount: null, rate: '1.00' }),
      deductionErrors({ kind: 'adjustment', amount: '0.00', effective_date: '2026-01-01' }),
      deductionErrors({ kind: 'charge', amount: '-1.00', effective_date: '2026-01-01' }),
      deductionErrors({
        kind: 'credit',
        purpose: 'loan',
        principal: '10.00',
        instalment: '20.00',
        effective_date: '2026-02-01',
      }),
      deductionErrors({ kind: 'per_period', amount: '1.00', effective_date: '2026-02-01', end_date: '2026-01-01' }),
    ]
    const settings = { ...DEFAULT_SETTINGS, large_quantity: '10.000', large_payment: '10.00' }
    const at = new Date('2026-03-01T12:00:00Z')
    const entries = [
      settingsErrors('collection', { collection_date: '2027-01-01', quantity: '20.000' }, settings, at),
      settingsErrors('payment', { payment_date: '2026-03-01', amount: '20.00' }, settings, at),
    ]
    const found = [...modes, ...deductions, ...entries].flatMap((errors) => Object.values(errors ?? {}).flat())
    expect(found.length).toBeGreaterThanOrEqual(12)
    for (const message of found) read(message)
  })
})
