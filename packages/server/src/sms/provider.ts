/**
 * What the outbox worker sends through: one message to one number, and what became of it. The
 * adapters (africastalking.ts, twilio.ts) speak each provider's documented HTTP API with fetch.
 *
 * An answer is one of: accepted (with the provider's id of the message); refused for good (a 4xx,
 * or a per-message status that says so: the worker marks it failed with the reason); or not now
 * (no answer, a timeout, an HTTP status core's `isTransientStatus` calls transient, or a provider
 * status that says try later: retried with backoff, after Retry-After when the provider names one).
 * `providerFromConfig` (choose-provider.ts) picks an adapter from the environment.
 */
import { isTransientStatus } from '@trackvault/core'

export interface SmsMessage {
  /** E.164 ("+254712345678"). */
  to: string
  body: string
  /** The outbox's message id, sent as `Idempotency-Key` (see docs/collection-point.md). */
  messageId: string
}

export type SendResult =
  | { ok: true; providerMessageId: string | null }
  | { ok: false; retry: boolean; error: string; retryAfterMs?: number }

export interface SmsProvider {
  readonly name: 'africastalking' | 'twilio'
  send(message: SmsMessage): Promise<SendResult>
}

/** How long one request to a provider may take: under the 10 s that a graceful shutdown allows. */
export const SEND_TIMEOUT_MS = 8_000

/** Longest a reason is kept (a provider's error page is not stored whole). */
const MAX_ERROR = 500

export const clip = (text: string) => (text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR)}…` : text)

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
}

/**
 * POSTs `form` (x-www-form-urlencoded) and reads the answer; a request that gets none (refused,
 * reset, timed out) is a retryable SendResult. Credentials go in `headers` and never into a
 * result, so they never reach a log or the outbox.
 */
export async function postForm(
  url: string,
  headers: Record<string, string>,
  form: Record<string, string | undefined>,
): Promise<HttpAnswer | SendResult> {
  const body = new URLSearchParams()
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v)
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    })
    return { status: res.status, headers: res.headers, text: await res.text() }
  } catch (err) {
    return { ok: false, retry: true, error: clip(`no answer: ${networkReason(err)}`) }
  }
}

function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError') return `timed out after ${SEND_TIMEOUT_MS} ms`
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)
}

/** An HTTP answer that is not a success: retried (core's `isTransientStatus`) or failed for good (other 4xx). */
export function httpFailure(answer: HttpAnswer, reason: string): SendResult {
  const { status } = answer
  const retry = isTransientStatus(status)
  return { ok: false, retry, error: clip(`HTTP ${status}: ${reason}`), retryAfterMs: retryAfterOf(answer.headers) }
}

/** Retry-After in ms (delta seconds or an HTTP date), if the provider sent one. */
export function retryAfterOf(headers: Headers): number | undefined {
  const value = headers.get('retry-after')
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
