import { describe, expect, it } from 'vitest'
import {
  collectionInput,
  ENTITY_INPUTS,
  ENTITY_TYPES,
  paymentInput,
  productRateInput,
  supplierInput,
  writableFields,
} from './entities'
import { parseEntityInput } from './entity-spec'
import type { AppError } from './errors'
import { fieldProblem } from './problems'

const ID1 = '0190a0e4-0000-7000-8000-000000000001'
const ID2 = '0190a0e4-0000-7000-8000-000000000002'

describe('input schemas', () => {
  it('every entity type has an input schema', () => {
    expect(Object.keys(ENTITY_INPUTS).sort()).toEqual([...ENTITY_TYPES].sort())
  })

  it('server-owned fields are not writable (no mass assignment)', () => {
    const serverOwned = [
      'id',
      'version',
      'created_at',
      'updated_at',
      'deleted_at',
      'created_by',
      'updated_by',
      'device_id',
      'sync_metadata',
    ]
    for (const type of ENTITY_TYPES) {
      for (const field of serverOwned) expect(writableFields(type)).not.toContain(field)
    }
    for (const field of ['product_rate_id', 'rate_applied', 'total_amount']) {
      expect(writableFields('collection')).not.toContain(field)
    }
  })

  it('strips server-owned fields a client tries to send', () => {
    const parsed = collectionInput.parse({
      supplier_id: ID1,
      product_id: ID2,
      collection_date: '2026-01-15',
      quantity: 10,
      unit: 'kg',
      total_amount: '999999.00',
      rate_applied: '1.00',
      version: 99,
    })
    expect(parsed).not.toHaveProperty('total_amount')
    expect(parsed).not.toHaveProperty('rate_applied')
    expect(parsed).not.toHaveProperty('version')
    expect(parsed.quantity).toBe('10.000')
  })

  it('supplier defaults', () => {
    expect(supplierInput.parse({ code: 'S1', name: 'Jane' })).toEqual({
      code: 'S1',
      name: 'Jane',
      phone: null,
      email: null,
      address: null,
      is_active: true,
      payout_method: 'cash',
      bank_name: null,
      bank_account: null,
      mobile_money_number: null,
      route_id: null,
      sms_opt_out: false,
      language: null,
    })
    expect(supplierInput.safeParse({ code: 'S1', name: 'Jane', email: 'nope' }).success).toBe(false)
    expect(supplierInput.safeParse({ code: 'S1', name: 'Jane', language: 'fr' }).success).toBe(false)
    expect(supplierInput.parse({ code: 'S1', name: 'Jane', language: 'sw', sms_opt_out: true })).toMatchObject({
      language: 'sw',
      sms_opt_out: true,
    })
  })

  it('product rate: 2-place positive rate, real dates, open end by default', () => {
    expect(productRateInput.parse({ product_id: ID1, unit: 'KG', rate: 120, effective_date: '2026-01-01' })).toEqual({
      product_id: ID1,
      unit: 'kg',
      rate: '120.00',
      effective_date: '2026-01-01',
      end_date: null,
      is_active: true,
      grade: null,
      fat_rate: null,
      snf_rate: null,
    })
    expect(
      productRateInput.safeParse({ product_id: ID1, unit: 'kg', rate: '0', effective_date: '2026-01-01' }).success,
    ).toBe(false)
    expect(
      productRateInput.safeParse({ product_id: ID1, unit: 'kg', rate: '1.001', effective_date: '2026-01-01' }).success,
    ).toBe(false)
  })

  it('payment: enums and defaults', () => {
    const base = { supplier_id: ID1, payment_date: '2026-01-20', amount: '500', payment_type: 'advance' }
    expect(paymentInput.parse(base)).toMatchObject({ amount: '500.00', payment_method: 'cash', reference_number: null })
    expect(paymentInput.safeParse({ ...base, payment_type: 'loan' }).success).toBe(false)
    expect(paymentInput.safeParse({ ...base, payment_method: 'bitcoin' }).success).toBe(false)
    expect(paymentInput.safeParse({ ...base, amount: '-5' }).success).toBe(false)
  })
})

describe('supplier payout details', () => {
  const parse = (fields: Record<string, unknown>) => supplierInput.safeParse({ code: 'S1', name: 'Farmer', ...fields })

  it('cash by default, no bank or mobile details', () => {
    expect(parse({}).data).toMatchObject({
      payout_method: 'cash',
      bank_name: null,
      bank_account: null,
      mobile_money_number: null,
    })
  })

  it('trims, keeps spaces and dashes in an account, reads a blank as null', () => {
    const r = parse({
      payout_method: 'bank_transfer',
      bank_name: ' BOC ',
      bank_account: ' 0123-456 789 ',
      mobile_money_number: '  ',
    })
    expect(r.data).toMatchObject({ bank_name: 'BOC', bank_account: '0123-456 789', mobile_money_number: null })
    expect(parse({ mobile_money_number: '+254 712-345678' }).data?.mobile_money_number).toBe('+254 712-345678')
  })

  it('refuses other methods, formulas, letters in a phone and overlong values', () => {
    const fieldsOf = (r: ReturnType<typeof parse>) => r.error?.issues.map((i) => i.path.join('.'))
    expect(fieldsOf(parse({ payout_method: 'cheque' }))).toEqual(['payout_method'])
    expect(fieldsOf(parse({ bank_account: '=1+2' }))).toEqual(['bank_account'])
    expect(fieldsOf(parse({ bank_account: '1'.repeat(41) }))).toEqual(['bank_account'])
    expect(fieldsOf(parse({ bank_name: 'b'.repeat(101) }))).toEqual(['bank_name'])
    expect(fieldsOf(parse({ mobile_money_number: '07x 123' }))).toEqual(['mobile_money_number'])
    expect(fieldsOf(parse({ mobile_money_number: '1'.repeat(21) }))).toEqual(['mobile_money_number'])
  })
})

describe('where a collection weight came from', () => {
  const base = {
    supplier_id: '00000000-0000-4000-8000-000000000001',
    product_id: '00000000-0000-4000-8000-000000000002',
    collection_date: '2026-01-15',
    quantity: '12.345',
    unit: 'kg',
  }
  const errorsOf = (input: Record<string, unknown>) => {
    try {
      parseEntityInput('collection', input)
      return undefined
    } catch (err) {
      return ((err as AppError).details as { fields: Record<string, string[]> }).fields
    }
  }

  it('is typed by default, with no scale', () => {
    expect(parseEntityInput('collection', base)).toMatchObject({ weight_source: 'typed', scale_id: null })
  })

  it('a reading from a scale names the scale; a typed weight names none', () => {
    expect(parseEntityInput('collection', { ...base, weight_source: 'scale', scale_id: 'ble:AA:BB' })).toMatchObject({
      weight_source: 'scale',
      scale_id: 'ble:AA:BB',
    })
    expect(errorsOf({ ...base, weight_source: 'scale' })).toEqual({ scale_id: [fieldProblem('scale_required')] })
    expect(errorsOf({ ...base, scale_id: 'ble:AA:BB' })).toEqual({ scale_id: [fieldProblem('typed_no_scale')] })
    expect(errorsOf({ ...base, weight_source: 'guessed' })).toHaveProperty('weight_source')
  })
})
