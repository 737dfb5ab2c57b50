/**
 * The error codes the client gives itself, for failures no server answer
 * names. Every code a server sends is in core's registry (`ERROR_CODES`);
 * these never come from a server, so they live beside the client that makes
 * them, in this one list (docs/api.md names them too). An `ApiError.code`
 * or an operation's `error.code` is one of core's codes or one of these.
 */
export const CLIENT_ERROR_CODES = {
  /** No answer at all: the network failed or the server could not be reached (`ApiError.status` 0). */
  NETWORK: 'network error',
  /** A sync failed inside the client, a bug or a storage failure (`status.lastError`). */
  CLIENT_ERROR: 'the sync failed on this device',
  /** The server refused an operation without saying why (a result with no error). */
  FAILED: 'failed',
  /** Signing in without signal, for an account that has not signed in online on this device (or no WebCrypto). */
  OFFLINE_UNLOCK_UNAVAILABLE: 'offline sign-in is not set up for this account on this device',
} as const

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES | `HTTP_${number}`

/**
 * The code of an HTTP error whose body names none (a proxy's 502, a
 * gateway's 413): `HTTP_<status>`, so the status is not lost.
 */
export function httpErrorCode(status: number): ClientErrorCode {
  return `HTTP_${status}`
}
