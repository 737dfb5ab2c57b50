/**
 * Errors that say "try again later" rather than "this request is wrong":
 * the database is unreachable, restarting, overloaded, or chose this
 * transaction as a deadlock victim. A sync batch stops at such an error;
 * the HTTP answer is 503 UNAVAILABLE.
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection exceptions
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
])

export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null
  if (!e) return false
  if (e.code && TRANSIENT_CODES.has(e.code)) return true
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(e.message ?? '')
}
