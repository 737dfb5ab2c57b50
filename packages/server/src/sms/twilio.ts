/**
 * Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic
 * with the account SID and auth token, form-encoded `To`, `Body` and `From` (a number) or
 * `MessagingServiceSid`. Accepted: 201 with the message's `sid`. Refused: a 4xx whose JSON names
 * the `code` and `message` (final, but 429: too many requests, tried again); 5xx tried again.
 * The API is api.twilio.com.
 */
import { httpFailure, postForm, type SendResult, type SmsMessage, type SmsProvider } from './provider'

export const TWILIO_API = 'https://api.twilio.com'

export interface TwilioOptions {
  accountSid: string
  authToken: string
  from?: string
  messagingServiceSid?: string
  baseUrl?: string
}

export function twilio(opts: TwilioOptions): SmsProvider {
  const url = `${opts.baseUrl ?? TWILIO_API}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`
  const authorization = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`
  return {
    name: 'twilio',
    async send(message: SmsMessage): Promise<SendResult> {
      const answer = await postForm(
        url,
        { authorization, 'Idempotency-Key': message.messageId },
        {
          To: message.to,
          Body: message.body,
          // A messaging service picks the sender itself; else the number given.
          ...(opts.messagingServiceSid ? { MessagingServiceSid: opts.messagingServiceSid } : { From: opts.from }),
        },
      )
      if ('ok' in answer) return answer
      let data: { sid?: string; code?: number; message?: string } = {}
      try {
        data = JSON.parse(answer.text)
      } catch {}
      if (answer.status >= 200 && answer.status <= 299) return { ok: true, providerMessageId: data.sid ?? null }
      const reason = data.message
        ? `${data.code ?? ''} ${data.message}`.trim()
        : answer.text.trim() || 'no reason given'
      return httpFailure(answer, reason)
    },
  }
}
