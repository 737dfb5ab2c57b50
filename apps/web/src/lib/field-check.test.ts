import { collectionInput, paymentInput } from '@trackvault/core'
import { describe, expect, it } from 'vitest'
import { labelled, typedProblem } from './field-check'

describe('typedProblem', () => {
  const amount = paymentInput.shape.amount
  it('says "is not a number" for text with letters, not something about decimal places', () => {
    expect(typedProblem(amount, '12abc')).toBe('is not a number')
    expect(typedProblem(collectionInput.shape.quantity, '12abc')).toBe('is not a number')
  })
  it('flags a negative or zero payment and a zero quantity', () => {
    expect(typedProblem(amount, '-5')).toBe('must be greater than zero')
    expect(typedProblem(amount, '0')).toBe('must be greater than zero')
    expect(typedProblem(collectionInput.shape.quantity, '0')).toBe('must be greater than zero')
  })
  it('names too many decimals, and passes good and blank text', () => {
    expect(typedProblem(amount, '1.005')).toBe('must have at most 2 decimal places')
    expect(typedProblem(amount, ' 12.50 ')).toBeUndefined()
    expect(typedProblem(amount, '  ')).toBeUndefined()
  })
  it('labelled puts the field name first', () => {
    expect(labelled('Amount', 'is not a number')).toBe('Amount is not a number')
    expect(labelled('Amount', undefined)).toBeUndefined()
  })
})
