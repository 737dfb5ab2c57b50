/**
 * The one registry of error codes, shared by server and clients.
 * Every error body on the wire is `{ error: { code, message, details? } }`.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 422, message: 'The request is not valid' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  BAD_REQUEST: { status: 400, message: 'The request cannot be processed' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in first' },
  INVALID_CREDENTIALS: { status: 401, message: 'Wrong email or password' },
  FORBIDDEN: { status: 403, message: 'You may not do this' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  UNKNOWN_OPERATION: {
    status: 404,
    message: 'The server has no record of this operation (it may have been restored from a backup)',
  },
  VERSION_CONFLICT: { status: 409, message: 'The record was changed by someone else' },
  DUPLICATE: { status: 409, message: 'A record with this value already exists' },
  PREVIEW_STALE: { status: 409, message: 'The records changed since the preview; preview again' },
  LAST_ADMIN: { status: 409, message: 'This would leave no active admin' },
  SETTLED: {
    status: 409,
    message: 'This record was settled in an approved settlement run; record an adjustment instead',
  },
  PERIOD_SETTLED: {
    status: 409,
    message: 'The period overlaps, or comes before, an approved settlement run of this supplier',
  },
  RUN_STALE: { status: 409, message: 'The records changed since this run was computed; compute it again' },
  RUN_NOT_DRAFT: { status: 409, message: 'Only a draft settlement run can be changed' },
  SELF_APPROVAL: {
    status: 403,
    message: 'A settlement run is approved by someone other than the person who computed it',
  },
  NO_RATE: { status: 422, message: 'No rate is in force for this product, unit and date' },
  RATE_OVERLAP: { status: 422, message: 'The rate overlaps another active rate' },
  REFERENCE_NOT_FOUND: { status: 422, message: 'A referenced record does not exist' },
  OUT_OF_ORDER: { status: 422, message: 'The operation arrived out of order' },
  EPOCH_CHANGED: {
    status: 409,
    message: 'The server was restored from a backup: re-send your journal, then pull from the beginning',
  },
  SCOPE_CHANGED: {
    status: 409,
    message: "What this device holds changed (its routes, or a route's suppliers): pull from the beginning",
  },
  UNSUPPORTED_PROTOCOL: { status: 400, message: "This server does not speak the client's sync protocol version" },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; try again later' },
  UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable' },
  INTERNAL: { status: 500, message: 'Internal server error' },
} as const satisfies Record<string, { status: number; message: string }>

/** A stable, documented error code. */
export type ErrorCode = keyof typeof ERROR_CODES

/** The serialisable error body every failing response carries. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown }
}

/**
 * A domain error with a stable code. Thrown by the domain service and the
 * routes; the HTTP layer turns it into its status and body.
 *
 * @example throw new AppError('NO_RATE', undefined, { product_id, unit, date })
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly details?: unknown

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_CODES[code].message)
    this.name = 'AppError'
    this.code = code
    this.status = ERROR_CODES[code].status
    this.details = details
  }

  /** The wire body of this error. */
  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message }
    if (this.details !== undefined) error.details = this.details
    return { error }
  }
}

/**
 * True for HTTP answers worth retrying: the request may succeed unchanged later (408 timeout, 425
 * too early, 429 too many requests, 5xx). The one rule for our client and for the providers the
 * server calls (sms/provider.ts).
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500
}
