import { describe, expect, it } from 'vitest'
import { AppError, ERROR_CODES, type ErrorCode, isTransientStatus } from './errors'

describe('AppError', () => {
  it('takes status and default message from the registry', () => {
    const err = new AppError('NO_RATE')
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('AppError')
    expect(err.code).toBe('NO_RATE')
    expect(err.status).toBe(422)
    expect(err.message).toBe('No rate is in force for this product, unit and date')
    expect(err.details).toBeUndefined()
  })

  it('keeps a custom message and details', () => {
    const err = new AppError('FORBIDDEN', 'A collector may not delete this collection', { id: 'x' })
    expect(err.message).toBe('A collector may not delete this collection')
    expect(err.status).toBe(403)
    expect(err.toBody()).toEqual({
      error: { code: 'FORBIDDEN', message: 'A collector may not delete this collection', details: { id: 'x' } },
    })
  })

  it('omits details from the body when there are none, and the body is JSON-safe', () => {
    const body = new AppError('NOT_FOUND').toBody()
    expect(body).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } })
    expect('details' in body.error).toBe(false)
    expect(JSON.parse(JSON.stringify(body))).toEqual(body)
  })

  it('every registered code builds an error with its own status and message', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const err = new AppError(code)
      expect(err.status).toBe(ERROR_CODES[code].status)
      expect(err.status).toBeGreaterThanOrEqual(400)
      expect(err.status).toBeLessThan(600)
      expect(err.message.length).toBeGreaterThan(0)
    }
  })

  it('has the statuses the protocol documents', () => {
    expect(ERROR_CODES.VALIDATION_FAILED.status).toBe(422)
    expect(ERROR_CODES.VERSION_CONFLICT.status).toBe(409)
    expect(ERROR_CODES.UNAUTHENTICATED.status).toBe(401)
    expect(ERROR_CODES.RATE_OVERLAP.status).toBe(422)
    expect(ERROR_CODES.UNAVAILABLE.status).toBe(503)
  })
})

describe('isTransientStatus', () => {
  it.each([
    [408, true],
    [425, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
    [200, false],
  ])('%i -> %s', (status, expected) => {
    expect(isTransientStatus(status)).toBe(expected)
  })
})
