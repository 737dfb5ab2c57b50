/**
 * The error contract every answer of 400 and above keeps: a JSON body
 * `{ error: { code, message, details? } }` and nothing else, whose code is
 * in core's registry with the answer's status. Checked on raw answers, so
 * that hostile requests (./raw-http.ts) are held to it too.
 */
import { ERROR_CODES, type ErrorCode } from '@trackvault/core'
import { expect } from 'vitest'
import type { RawResponse } from './raw-http'

/** Violations of the error contract; empty if the answer is fine (or not an error). */
export function errorContract(res: RawResponse): string[] {
  if (res.status < 400) return []
  const problems: string[] = []
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) {
    problems.push(`content-type ${res.headers['content-type']}`)
  }
  const body = res.json as { error?: { code?: string; message?: unknown } } | undefined
  const code = body?.error?.code
  if (!body || Object.keys(body).join() !== 'error') problems.push('body is not { error }')
  else if (!code || !(code in ERROR_CODES)) problems.push(`unknown code ${code}`)
  else if (ERROR_CODES[code as ErrorCode].status !== res.status) problems.push(`code ${code} with status ${res.status}`)
  else if (typeof body.error?.message !== 'string' || !body.error.message) problems.push('no message')
  else
    for (const k of Object.keys(body.error ?? {}))
      if (!['code', 'message', 'details'].includes(k)) problems.push(`key ${k}`)
  return problems
}

/** The error code of a raw answer, if its body has one. */
export function errorCodeOf(res: RawResponse): string | undefined {
  return (res.json as { error?: { code?: string } } | undefined)?.error?.code
}

/** Asserts the status, the error contract and the code. */
export function expectRawError(res: RawResponse, status: number, code: ErrorCode, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(status)
  expect(errorContract(res), what).toEqual([])
  expect((res.json as { error: { code: string } }).error.code, what).toBe(code)
}

/** The fields a validation error names. */
export const fieldsOf = (res: RawResponse) =>
  Object.keys((res.json as { error: { details: { fields: object } } }).error.details.fields)
