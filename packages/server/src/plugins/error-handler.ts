/**
 * Every failure leaves as `{ error: { code, message, details? } }` with a
 * stable code from core's registry. 4xx messages pass through; 5xx answers
 * never leak internals (the log keeps them).
 */
import { AppError, type ErrorCode, fieldErrors } from '@trackvault/core'
import type { FastifyError, FastifyInstance } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { dbErrorOf } from '../db/db-errors'

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'BAD_REQUEST',
}

/** Maps any thrown value to the AppError its answer carries. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const fe = err as FastifyError & { validationContext?: string }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = fe.validationContext === 'body' ? undefined : fe.validationContext
    const issues = err.validation.map((v) => ({
      path: v.instancePath.split('/').filter(Boolean),
      message: v.message ?? 'invalid',
    }))
    return new AppError('VALIDATION_FAILED', undefined, {
      fields: fieldErrors(issues as never, where),
    })
  }
  if (fe?.code && FASTIFY_CODES[fe.code]) return new AppError(FASTIFY_CODES[fe.code], fe.message)
  const fromDb = dbErrorOf(err)
  if (fromDb) return fromDb
  if (fe?.statusCode === 429) return new AppError('RATE_LIMITED', fe.message)
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return new AppError('BAD_REQUEST', fe.message)
  return new AppError('INTERNAL')
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const appErr = toAppError(err)
    if (appErr.status >= 500) request.log.error({ err }, 'request failed')
    if (appErr.code === 'UNAVAILABLE') reply.header('retry-after', '1')
    reply.status(appErr.status).send(appErr.toBody())
  })
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(new AppError('NOT_FOUND', `No route ${request.method} ${request.url}`).toBody())
  })
}
