/**
 * The HTTP side of the client: JSON requests with a bearer token, errors
 * turned into ApiError with the server's stable code, Retry-After read.
 * `fetch` is injectable (tests, fault simulation, React Native).
 */
import {
  type BusinessSettings,
  isTransientStatus,
  type OperationResult,
  type Person,
  PROTOCOL_HEADER,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type ResolveRequest,
  type ScopeBalances,
  SYNC_PROTOCOL_VERSION,
  type User,
} from '@trackvault/core'
import { CLIENT_ERROR_CODES, type ClientErrorCode, httpErrorCode } from './client-errors'

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/**
 * A failed request. `status` 0 means the network failed (no answer at all).
 * `code` is the server's code from core's registry, or one of the client's
 * own (client-errors.ts: `NETWORK`, `HTTP_<status>`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Nothing reached the server, or it could not answer (core's `isTransientStatus`): try again later. */
  get transient(): boolean {
    return this.status === 0 || isTransientStatus(this.status)
  }

  get offline(): boolean {
    return this.status === 0
  }
}

export interface Session {
  token: string
  expires_at: string
  user: User
  /** This device and user's receipt prefix (servers from before receipt numbers send none). */
  receipt_prefix?: string | null
}

export class ApiClient {
  token: string | undefined

  constructor(
    readonly baseUrl: string,
    private readonly fetchFn: FetchLike = (input, init) => fetch(input, init),
  ) {}

  /** `token`: another session's bearer token than this client's (revoking a session left behind). */
  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, token = this.token): Promise<T> {
    let res: Response
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers: {
          [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      })
    } catch (err) {
      throw networkError(err)
    }
    const json = parseJson(await res.text().catch(() => ''))
    if (!res.ok) throw errorOf(res, json)
    return json as T
  }

  /**
   * A file the server answers (a CSV export), fetched with the session's token: its bytes and the
   * name the server gives it (Content-Disposition), or the server's error as an ApiError.
   */
  async download(path: string): Promise<{ blob: Blob; filename: string | null; headers: Headers }> {
    let res: Response
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, {
        method: 'GET',
        headers: {
          [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
      })
    } catch (err) {
      throw networkError(err)
    }
    if (!res.ok) throw errorOf(res, parseJson(await res.text().catch(() => '')))
    const disposition = res.headers.get('content-disposition') ?? ''
    const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? null
    return { blob: await res.blob(), filename, headers: res.headers }
  }

  /**
   * Sends a file's text as it is (a results file a bank returned, `text/csv`) with the session's
   * token; the JSON answer, or the server's error as an ApiError.
   */
  async upload<T>(path: string, text: string, contentType = 'text/csv'): Promise<T> {
    let res: Response
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION),
          'content-type': contentType,
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: text,
      })
    } catch (err) {
      throw networkError(err)
    }
    const json = parseJson(await res.text().catch(() => ''))
    if (!res.ok) throw errorOf(res, json)
    return json as T
  }

  login(email: string, password: string, deviceId: string) {
    return this.request<Session>('POST', '/api/auth/login', { email, password, device_id: deviceId })
  }

  /** Revokes this client's session, or `token`'s. */
  logout(token = this.token) {
    return this.request<null>('POST', '/api/auth/logout', {}, undefined, token)
  }

  push(body: PushRequest) {
    return this.request<PushResponse>('POST', '/api/sync', body)
  }

  pull(since: string | undefined, limit: number) {
    const q = new URLSearchParams({ limit: String(limit) })
    if (since) q.set('since', since)
    return this.request<PullResponse>('GET', `/api/sync/changes?${q}`)
  }

  /** The business's settings. */
  settings(): Promise<BusinessSettings> {
    return this.request<BusinessSettings>('GET', '/api/settings')
  }

  /** The balances of the suppliers a collector's devices hold. */
  scopeBalances(): Promise<ScopeBalances> {
    return this.request<ScopeBalances>('GET', '/api/sync/balances')
  }

  /** The names of the users (roles that see others' records). */
  people(): Promise<{ data: Person[] }> {
    return this.request<{ data: Person[] }>('GET', '/api/people')
  }

  resolve(body: ResolveRequest) {
    return this.request<{ result: OperationResult; cursor: string }>('POST', '/api/sync/resolve', body)
  }

  /** Opens the live event stream; the caller reads `body`. */
  async openEvents(signal: AbortSignal): Promise<Response> {
    let res: Response
    try {
      res = await this.fetchFn(`${this.baseUrl}/api/sync/events`, {
        headers: { accept: 'text/event-stream', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        signal,
      })
    } catch (err) {
      throw networkError(err)
    }
    if (!res.ok) throw new ApiError(res.status, httpErrorCode(res.status), res.statusText)
    return res
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null
  } catch {
    return null
  }
}

/** An error answer as an ApiError: the server's code and message, or HTTP_<status>. */
function errorOf(res: Response, json: unknown): ApiError {
  const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error
  const retryAfter = Number(res.headers.get('retry-after'))
  return new ApiError(
    res.status,
    error?.code ?? httpErrorCode(res.status),
    error?.message ?? res.statusText,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    error?.details,
  )
}

/** The request never got an answer. */
function networkError(err: unknown): ApiError {
  return new ApiError(
    0,
    'NETWORK' satisfies ClientErrorCode,
    err instanceof Error ? err.message : CLIENT_ERROR_CODES.NETWORK,
  )
}
