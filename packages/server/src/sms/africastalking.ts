/**
 * Africa's Talking's bulk SMS API: `POST {base}/version1/messaging`, form-encoded `username`, `to`,
 * `message` and `from` (an optional sender id or short code), the app's key in the `apiKey`
 * header, JSON asked for. The answer (201) lists each recipient's outcome in
 * `SMSMessageData.Recipients`: statusCode 100 (processed), 101 (sent) or 102 (queued) is accepted,
 * with its `messageId`; 405 (insufficient balance) and 500/501 (the provider's errors) are tried
 * again later; any other (invalid number, blacklisted, sender id refused, ...) is final. An empty
 * recipient list is final too (`SMSMessageData.Message` says why, e.g. "InvalidPhoneNumber").
 * The live API is api.africastalking.com, the sandbox (username `sandbox`) api.sandbox.africastalking.com.
 */
import { clip, httpFailure, postForm, type SendResult, type SmsMessage, type SmsProvider } from './provider'

export const AFRICAS_TALKING_LIVE = 'https://api.africastalking.com'
export const AFRICAS_TALKING_SANDBOX = 'https://api.sandbox.africastalking.com'

/** Recipient statuses worth another try: insufficient balance (topped up later), the provider's own errors. */
const RETRIED = new Set([405, 500, 501])
const ACCEPTED = new Set([100, 101, 102])

export interface AfricasTalkingOptions {
  username: string
  apiKey: string
  from?: string
  /** Default: the sandbox for the username `sandbox`, else the live API. */
  baseUrl?: string
}

interface Recipient {
  statusCode?: number
  status?: string
  number?: string
  messageId?: string
}

export function africasTalking(opts: AfricasTalkingOptions): SmsProvider {
  const base = opts.baseUrl ?? (opts.username === 'sandbox' ? AFRICAS_TALKING_SANDBOX : AFRICAS_TALKING_LIVE)
  const url = `${base}/version1/messaging`
  return {
    name: 'africastalking',
    async send(message: SmsMessage): Promise<SendResult> {
      const answer = await postForm(
        url,
        { apiKey: opts.apiKey, 'Idempotency-Key': message.messageId },
        { username: opts.username, to: message.to, message: message.body, from: opts.from },
      )
      if ('ok' in answer) return answer
      if (answer.status < 200 || answer.status > 299)
        return httpFailure(answer, answer.text.trim() || 'no reason given')
      let data: { SMSMessageData?: { Message?: string; Recipients?: Recipient[] } }
      try {
        data = JSON.parse(answer.text)
      } catch {
        return { ok: false, retry: true, error: clip(`HTTP ${answer.status}: an answer that is not JSON`) }
      }
      const recipient = data.SMSMessageData?.Recipients?.[0]
      if (!recipient) {
        return { ok: false, retry: false, error: clip(`not sent: ${data.SMSMessageData?.Message ?? 'no recipient'}`) }
      }
      const code = Number(recipient.statusCode)
      if (ACCEPTED.has(code)) return { ok: true, providerMessageId: recipient.messageId ?? null }
      return { ok: false, retry: RETRIED.has(code), error: clip(`${code} ${recipient.status ?? ''}`.trim()) }
    },
  }
}
