import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { collectionInput } from './entities'
import { AppError } from './errors'
import { fieldErrors, parseOrThrow } from './validation'

/** Runs `fn`, which must throw, and returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

const SUPPLIER = '0190a0e4-0000-7000-8000-000000000001'
const PRODUCT = '0190a0e4-0000-7000-8000-000000000002'

const validCollection = {
  supplier_id: SUPPLIER,
  product_id: PRODUCT,
  collection_date: '2026-01-15',
  quantity: '50.5',
  unit: 'KG',
}

describe('parseOrThrow', () => {
  it('returns the parsed, normalised value on success', () => {
    expect(parseOrThrow(collectionInput, validCollection)).toEqual({
      supplier_id: SUPPLIER,
      product_id: PRODUCT,
      collection_date: '2026-01-15',
      quantity: '50.500',
      unit: 'kg',
      notes: null,
      tare_per_container: '0.000',
      containers: 0,
      deduction_percent: '0.00',
      grade: null,
      fat_percent: null,
      snf_percent: null,
      confirmed_large: false,
      receipt_number: null,
      weight_source: 'typed',
      scale_id: null,
    })
  })

  it('throws AppError VALIDATION_FAILED (422) with messages keyed by field', () => {
    const err = thrown(() =>
      parseOrThrow(collectionInput, { ...validCollection, quantity: '0', collection_date: '2026-02-30' }),
    )
    expect(err).toBeInstanceOf(AppError)
    const app = err as AppError
    expect(app.code).toBe('VALIDATION_FAILED')
    expect(app.status).toBe(422)
    expect(app.message).toBe('The request is not valid')
    expect(app.details).toEqual({
      fields: {
        quantity: ['must be greater than zero'],
        collection_date: ['is not a real date'],
      },
    })
  })

  it('reports missing required fields under their own names', () => {
    const err = thrown(() => parseOrThrow(collectionInput, {})) as AppError
    const fields = (err.details as { fields: Record<string, string[]> }).fields
    expect(Object.keys(fields).sort()).toEqual(['collection_date', 'product_id', 'quantity', 'supplier_id', 'unit'])
    for (const messages of Object.values(fields)) expect(messages.length).toBeGreaterThan(0)
  })

  it('keys nested issues by dotted path, including array indexes', () => {
    const schema = z.object({
      supplier: z.object({ name: z.string().min(1) }),
      lines: z.array(z.object({ quantity: z.number().positive() })),
    })
    const err = thrown(() =>
      parseOrThrow(schema, { supplier: { name: '' }, lines: [{ quantity: 1 }, { quantity: -1 }] }),
    ) as AppError
    const fields = (err.details as { fields: Record<string, string[]> }).fields
    expect(Object.keys(fields).sort()).toEqual(['lines.1.quantity', 'supplier.name'])
  })

  it('puts whole-object issues under "_"', () => {
    const err = thrown(() => parseOrThrow(collectionInput, 'not an object')) as AppError
    expect(Object.keys((err.details as { fields: object }).fields)).toEqual(['_'])
  })

  it('collects several messages for one field', () => {
    const schema = z.object({
      code: z
        .string()
        .min(3)
        .regex(/^[A-Z]+$/),
    })
    const err = thrown(() => parseOrThrow(schema, { code: 'a' })) as AppError
    expect((err.details as { fields: Record<string, string[]> }).fields.code).toHaveLength(2)
  })

  it('the error body carries the details to the client', () => {
    const err = thrown(() => parseOrThrow(collectionInput, { ...validCollection, unit: '1kg' })) as AppError
    expect(err.toBody()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'The request is not valid',
        details: { fields: { unit: ['must be a short unit name like kg or l'] } },
      },
    })
  })
})

describe('fieldErrors', () => {
  const issues = [
    { code: 'custom', message: 'bad quantity', path: ['quantity'], input: undefined },
    { code: 'custom', message: 'bad row', path: [], input: undefined },
    { code: 'custom', message: 'bad line', path: ['lines', 0], input: undefined },
  ] as unknown as z.core.$ZodIssue[]

  it('groups by path; the root is "_"', () => {
    expect(fieldErrors(issues)).toEqual({ quantity: ['bad quantity'], _: ['bad row'], 'lines.0': ['bad line'] })
  })

  it('prefixes paths, and the root becomes the prefix itself', () => {
    expect(fieldErrors(issues, 'payload')).toEqual({
      'payload.quantity': ['bad quantity'],
      payload: ['bad row'],
      'payload.lines.0': ['bad line'],
    })
  })

  it('is empty for no issues', () => {
    expect(fieldErrors([])).toEqual({})
  })
})
