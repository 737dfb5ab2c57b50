import { type DeductionKind, deductionErrors, parseDeductionInput } from '@trackvault/core'
import { afterEach, expect, test } from 'vitest'
import { i18next } from '../i18n'
import {
  type DeductionValues,
  deductionInForce,
  deductionInputOf,
  deductionKindOptions,
  deductionPeriod,
  deductionTerms,
  emptyDeduction,
  kindLabel,
} from './deductions'

afterEach(() => i18next.changeLanguage('en'))

const supplier = '0190f0a0-0000-7000-8000-000000000001'
const product = '0190f0a0-0000-7000-8000-000000000002'
const filled: DeductionValues = {
  ...emptyDeduction('2026-05-01'),
  description: 'Transport',
  amount: '150.00',
  rate: '2.50',
  unit: ' KG ',
  product_id: product,
  purpose: 'loan',
  principal: '9000.00',
  instalment: '1500.00',
  end_date: '2026-12-31',
}

test("only the chosen kind's fields are saved, so core's check and the server see what the form showed", () => {
  const charge = deductionInputOf(supplier, { ...filled, kind: 'charge' })
  expect(charge).toMatchObject({ amount: '150.00', rate: null, unit: null, principal: null, end_date: null })
  expect(deductionErrors(charge)).toBeUndefined()
  expect(parseDeductionInput(charge).amount).toBe('150.00')

  const perKg = deductionInputOf(supplier, { ...filled, kind: 'per_quantity' })
  expect(perKg).toMatchObject({ rate: '2.50', unit: 'kg', product_id: product, end_date: '2026-12-31', amount: null })
  expect(deductionErrors(perKg)).toBeUndefined()

  const fee = deductionInputOf(supplier, { ...filled, kind: 'per_period' })
  expect(fee).toMatchObject({ amount: '150.00', end_date: '2026-12-31', rate: null, product_id: null })
  expect(deductionErrors(fee)).toBeUndefined()

  const loan = deductionInputOf(supplier, { ...filled, kind: 'credit' })
  expect(loan).toMatchObject({ purpose: 'loan', principal: '9000.00', instalment: '1500.00', amount: null })
  expect(deductionErrors(loan)).toBeUndefined()
})

test("a kind's missing field and cross-field mistakes come back from core per field", () => {
  const blank = deductionInputOf(supplier, { ...emptyDeduction('2026-05-01'), kind: 'per_period', description: 'Fee' })
  expect(Object.keys(deductionErrors(blank) ?? {})).toEqual(['amount'])
  const tooMuch = deductionInputOf(supplier, { ...filled, kind: 'credit', instalment: '9000.01' })
  expect(deductionErrors(tooMuch)?.instalment).toBeDefined()
  const backwards = deductionInputOf(supplier, { ...filled, kind: 'per_period', end_date: '2026-04-30' })
  expect(deductionErrors(backwards)?.end_date).toBeDefined()
})

test('a deduction reads as its terms, its days, and whether it is in force', () => {
  const name = (id: string) => (id === product ? 'Green tea leaf' : undefined)
  const base = {
    amount: null,
    rate: null,
    unit: null,
    product_id: null,
    purpose: null,
    principal: null,
    instalment: null,
  }
  expect(deductionTerms({ ...base, kind: 'charge', amount: '1500.00' })).toBe('1,500.00 once')
  expect(deductionTerms({ ...base, kind: 'per_quantity', rate: '2.50', unit: 'kg', product_id: product }, name)).toBe(
    '2.50 per kg of Green tea leaf',
  )
  expect(deductionTerms({ ...base, kind: 'per_period', amount: '100.00' })).toBe('100.00 each period')
  expect(
    deductionTerms({ ...base, kind: 'credit', purpose: 'loan', principal: '9000.00', instalment: '1500.00' }),
  ).toBe('Loan of 9,000.00 at 1,500.00 a period')
  // A correction of a settled period (core's kind `adjustment`): a signed one-off amount.
  const adjustment = 'adjustment' as DeductionKind
  expect(deductionTerms({ ...base, kind: adjustment, amount: '-250.00' })).toBe('250.00 owed to the supplier, once')
  expect(deductionTerms({ ...base, kind: adjustment, amount: '80.00' })).toBe('80.00 taken once')
  expect(deductionPeriod({ kind: adjustment, effective_date: '2026-06-02', end_date: null })).toBe('on 2026-06-02')
  const adj = deductionInputOf(supplier, { ...filled, kind: adjustment, amount: '-250.00' })
  expect(adj).toMatchObject({ amount: '-250.00', rate: null, end_date: null, principal: null })
  expect(deductionPeriod({ kind: 'per_period', effective_date: '2026-05-01', end_date: null })).toBe('from 2026-05-01')
  expect(deductionPeriod({ kind: 'charge', effective_date: '2026-05-03', end_date: null })).toBe('on 2026-05-03')

  const fee = { kind: 'per_period' as const, effective_date: '2026-05-01', end_date: '2026-05-31', is_active: true }
  const live = { ...fee, deleted_at: null }
  expect(deductionInForce(live, '2026-05-31')).toBe(true)
  expect(deductionInForce(live, '2026-06-01')).toBe(false)
  expect(deductionInForce(live, '2026-04-30')).toBe(false)
  expect(deductionInForce({ ...live, is_active: false }, '2026-05-15')).toBe(false)
  expect(deductionInForce({ ...live, kind: 'credit', end_date: null }, '2030-01-01')).toBe(true)
})

test('kinds, terms and days read in the language the person chose', async () => {
  const base = { amount: null, rate: null, unit: null, purpose: null, principal: null, instalment: null }
  await i18next.changeLanguage('sw')
  expect(kindLabel('charge')).toBe('Tozo la mara moja')
  expect(deductionKindOptions().find((o) => o.value === 'per_quantity')?.label).toBe('Kwa kiasi kilicholetwa')
  expect(
    deductionTerms({ ...base, kind: 'per_quantity', rate: '2.50', unit: 'kg', product_id: product }, () => 'Chai'),
  ).toBe('2.50 kwa kg ya Chai')
  expect(deductionPeriod({ kind: 'per_period', effective_date: '2026-05-01', end_date: '2026-05-31' })).toBe(
    '2026-05-01 hadi 2026-05-31',
  )
  await i18next.changeLanguage('ta')
  expect(deductionPeriod({ kind: 'charge', effective_date: '2026-05-03', end_date: null })).toBe('2026-05-03 அன்று')
  // An unknown kind (a newer server's) shows as it is.
  expect(kindLabel('bonus')).toBe('bonus')
})
