/**
 * What a database error means to a caller, read through each dialect's
 * profile: a lost race on a unique key (DUPLICATE), or "try again later"
 * (UNAVAILABLE: a sync batch stops there, HTTP answers 503).
 */
import { AppError } from '@trackvault/core'
import { PROFILES } from './database'

type DbError = { code?: string; message?: string } | null | undefined

/** True for a unique or primary key violation of either database. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as DbError)?.code
  return code !== undefined && PROFILES.some((p) => p.uniqueViolationCodes.includes(code))
}

/** True for a statement refused because of a concurrent transaction: a deadlock victim, a serialization failure. */
export function isLockConflict(err: unknown): boolean {
  const code = (err as DbError)?.code
  return code !== undefined && PROFILES.some((p) => p.lockConflictCodes.includes(code))
}

/** True for an error that says "try again later" rather than "this request is wrong". */
export function isTransientDbError(err: unknown): boolean {
  const e = err as DbError
  if (!e) return false
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code ?? '')) return true
  return PROFILES.some(
    (p) => (e.code !== undefined && p.transientCodes.includes(e.code)) || p.transientMessage?.test(e.message ?? ''),
  )
}

/** The AppError a database error stands for, or undefined if it is not one we can name. */
export function dbErrorOf(err: unknown): AppError | undefined {
  if (isUniqueViolation(err)) return new AppError('DUPLICATE')
  if (isTransientDbError(err)) return new AppError('UNAVAILABLE')
  return undefined
}
