/**
 * A stand-in for the SMS providers, for tests (the real ones cannot be reached from here): a real
 * HTTP server on loopback that speaks Africa's Talking's and Twilio's send APIs as
 * sms/africastalking.ts and sms/twilio.ts describe them, checks credentials and form fields as
 * they do, and records every message it accepts. It can be taken down (`down('503')`: it answers
 * 503; `down('reset')`: it drops each connection unanswered) and brought back (`up()`), made slow,
 * and told to refuse a number for good. It never deduplicates: a message sent twice is recorded
 * twice, so a test sees it.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeSmsCredentials {
  africastalking: { username: string; apiKey: string }
  twilio: { accountSid: string; authToken: string }
}

export const FAKE_SMS_CREDENTIALS: FakeSmsCredentials = {
  africastalking: { username: 'sandbox', apiKey: 'atsk_fake_key_0123456789' },
  twilio: { accountSid: 'AC00000000000000000000000000000001', authToken: 'fake-twilio-token-0123456789' },
}

export interface FakeSms {
  provider: 'africastalking' | 'twilio'
  to: string
  body: string
  from: string | null
  /** The Idempotency-Key header (the outbox's message id). */
  key: string | null
  id: string
  at: Date
}

/** Each request, whatever it was answered. */
export interface FakeSmsRequest {
  provider: 'africastalking' | 'twilio' | 'unknown'
  status: number | 'reset'
  key: string | null
}

const E164 = /^\+[1-9]\d{6,14}$/

export class FakeSmsProvider {
  readonly messages: FakeSms[] = []
  readonly requests: FakeSmsRequest[] = []
  private mode: 'up' | '503' | 'reset' = 'up'
  private delayMs = 0
  private readonly refused = new Set<string>()
  private readonly listeners = new Set<() => void>()

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly credentials: FakeSmsCredentials,
  ) {}

  /** Starts a fake on a free loopback port. */
  static async start(credentials: FakeSmsCredentials = FAKE_SMS_CREDENTIALS): Promise<FakeSmsProvider> {
    let fake: FakeSmsProvider | undefined
    const server = createServer((req, res) => void fake?.handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    fake = new FakeSmsProvider(server, `http://127.0.0.1:${port}`, credentials)
    return fake
  }

  /** The environment that points `trackvault serve` at this fake as `provider`. */
  env(provider: 'africastalking' | 'twilio'): Record<string, string> {
    const c = this.credentials
    return provider === 'africastalking'
      ? {
          TRACKVAULT_SMS_PROVIDER: 'africastalking',
          TRACKVAULT_SMS_BASE_URL: this.url,
          TRACKVAULT_AFRICASTALKING_USERNAME: c.africastalking.username,
          TRACKVAULT_AFRICASTALKING_API_KEY: c.africastalking.apiKey,
        }
      : {
          TRACKVAULT_SMS_PROVIDER: 'twilio',
          TRACKVAULT_SMS_BASE_URL: this.url,
          TRACKVAULT_TWILIO_ACCOUNT_SID: c.twilio.accountSid,
          TRACKVAULT_TWILIO_AUTH_TOKEN: c.twilio.authToken,
          TRACKVAULT_SMS_FROM: '+15005550006',
        }
  }

  /** Takes the provider down: every request answered 503, or its connection dropped unanswered. */
  down(how: '503' | 'reset' = '503'): void {
    this.mode = how
  }

  up(): void {
    this.mode = 'up'
  }

  /** Every answer waits this long first (a slow provider). */
  slow(ms: number): void {
    this.delayMs = ms
  }

  /** Answers messages to `number` as an invalid number (a final refusal). */
  refuse(number: string): void {
    this.refused.add(number)
  }

  /** The accepted messages with Idempotency-Key `key`. */
  withKey(key: string): FakeSms[] {
    return this.messages.filter((m) => m.key === key)
  }

  /** Resolves when `check` holds (tested after each request), or rejects after `timeoutMs`. */
  async waitFor(check: () => boolean, timeoutMs = 10_000, what = 'the fake SMS provider'): Promise<void> {
    if (check()) return
    await new Promise<void>((resolve, reject) => {
      const listener = () => {
        if (!check()) return
        clearTimeout(timer)
        this.listeners.delete(listener)
        resolve()
      }
      const timer = setTimeout(() => {
        this.listeners.delete(listener)
        reject(new Error(`${what}: still not so after ${timeoutMs} ms (${this.messages.length} accepted)`))
      }, timeoutMs)
      this.listeners.add(listener)
    })
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const twilio = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path)
    const provider = path === '/version1/messaging' ? 'africastalking' : twilio ? 'twilio' : 'unknown'
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs))
    const answer = (status: number, body: unknown) => {
      this.requests.push({ provider, status, key })
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
      this.changed()
    }
    if (this.mode === 'reset') {
      this.requests.push({ provider, status: 'reset', key })
      req.socket.destroy()
      this.changed()
      return
    }
    if (this.mode === '503') return answer(503, 'Service Unavailable')
    if (req.method !== 'POST') return answer(405, 'Method Not Allowed')
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return answer(415, 'form-encoded bodies only')
    }
    if (provider === 'africastalking') return this.africasTalking(req, form, key, answer)
    if (twilio) return this.twilio(req, twilio[1], form, key, answer)
    answer(404, 'Not Found')
  }

  private africasTalking(
    req: IncomingMessage,
    form: URLSearchParams,
    key: string | null,
    answer: (status: number, body: unknown) => void,
  ) {
    const c = this.credentials.africastalking
    if (req.headers.apikey !== c.apiKey || form.get('username') !== c.username) {
      return answer(401, 'The supplied authentication is invalid')
    }
    if (!String(req.headers.accept).includes('application/json')) return answer(406, 'ask for application/json')
    const to = form.get('to') ?? ''
    const message = form.get('message') ?? ''
    if (!to || !message) return answer(400, 'Request is missing required form field')
    if (!E164.test(to) || this.refused.has(to)) {
      return answer(201, {
        SMSMessageData: {
          Message: 'Sent to 0/1 Total Cost: 0',
          Recipients: [{ statusCode: 403, number: to, status: 'InvalidPhoneNumber', cost: '0', messageId: 'None' }],
        },
      })
    }
    const id = `ATXid_${randomUUID().replaceAll('-', '')}`
    this.record({ provider: 'africastalking', to, body: message, from: form.get('from'), key, id, at: new Date() })
    answer(201, {
      SMSMessageData: {
        Message: 'Sent to 1/1 Total Cost: KES 0.8000',
        Recipients: [{ statusCode: 101, number: to, status: 'Success', cost: 'KES 0.8000', messageId: id }],
      },
    })
  }

  private twilio(
    req: IncomingMessage,
    accountSid: string,
    form: URLSearchParams,
    key: string | null,
    answer: (status: number, body: unknown) => void,
  ) {
    const c = this.credentials.twilio
    const expected = `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`
    if (req.headers.authorization !== expected || accountSid !== c.accountSid) {
      return answer(401, { code: 20003, message: 'Authenticate', status: 401 })
    }
    const to = form.get('To') ?? ''
    const body = form.get('Body') ?? ''
    const from = form.get('From') ?? form.get('MessagingServiceSid')
    if (!to) return answer(400, { code: 21604, message: "A 'To' phone number is required.", status: 400 })
    if (!body) return answer(400, { code: 21602, message: 'Message body is required.', status: 400 })
    if (!from) return answer(400, { code: 21603, message: "A 'From' phone number is required.", status: 400 })
    if (!E164.test(to) || this.refused.has(to)) {
      return answer(400, { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 })
    }
    const id = `SM${randomUUID().replaceAll('-', '')}`
    this.record({ provider: 'twilio', to, body, from, key, id, at: new Date() })
    answer(201, { sid: id, account_sid: accountSid, to, from, body, status: 'queued', num_segments: '1' })
  }

  private record(message: FakeSms): void {
    this.messages.push(message)
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener()
  }
}
