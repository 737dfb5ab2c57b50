/**
 * The outbox worker (docs/collection-point.md, "SMS"): a loop of its own in each `serve` process,
 * never inside a request or a sync write. It claims due messages with a lease (outbox-store.ts),
 * sends them through the provider at once (a few per batch), and records each answer:
 *
 * - accepted: `sent`, with the provider's message id;
 * - refused for good (a 4xx, a final provider status): `failed`, with the reason;
 * - not now (no answer, 5xx, 429, ...): `pending` again after a backoff (backoff.ts), or `failed`
 *   once `maxAttempts` tries have been made.
 *
 * It runs a batch whenever a write queued messages (`wake`), and otherwise every `pollMs` (retries
 * come due, another process queued some). `stop` stops claiming and waits for the sends under way
 * and their records, so a graceful shutdown leaves no message half-sent; a crash mid-send leaves
 * its rows leased, and they are due again when the lease runs out.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { type RetryPolicy, retryDelay } from './backoff'
import { claimDue, type NotificationRow, type Settlement, settle } from './outbox-store'
import { SEND_TIMEOUT_MS, type SendResult, type SmsProvider } from './provider'

export type SendOutcome = 'sent' | 'retried' | 'failed'

export interface WorkerOptions {
  provider: SmsProvider
  retry: RetryPolicy
  pollMs: number
  /** How long a claim holds: longer than a send may take. */
  leaseMs?: number
  /** Messages claimed and sent at once. */
  batch?: number
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>
  /** Told each message's outcome (the metrics). */
  onOutcome?: (outcome: SendOutcome) => void
  random?: () => number
}

export const DEFAULT_LEASE_MS = 6 * SEND_TIMEOUT_MS
const DEFAULT_BATCH = 5

export class SmsWorker {
  private stopped = true
  private loop: Promise<void> | undefined
  private wakeUp: (() => void) | undefined
  private woken = false

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DbCapabilities,
    private readonly opts: WorkerOptions,
  ) {}

  /** Starts the loop (a second call does nothing). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.loop = this.run()
  }

  /** Runs a batch now: messages were queued. */
  wake(): void {
    this.woken = true
    this.wakeUp?.()
  }

  /** Stops claiming, and resolves when the sends under way are recorded. */
  async stop(): Promise<void> {
    this.stopped = true
    this.wakeUp?.()
    await this.loop
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.woken = false
      let full = false
      try {
        full = (await this.runOnce()) === (this.opts.batch ?? DEFAULT_BATCH)
      } catch (err) {
        // The database is away (a restart, a lost connection): the rows wait, the loop goes on.
        this.opts.log?.error({ err }, 'sms: the outbox could not be read')
      }
      if (full || this.woken || this.stopped) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.pollMs)
        this.wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wakeUp = undefined
    }
  }

  /** Claims one batch of due messages and sends them; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const rows = await claimDue(this.db, this.caps, {
      now: new Date(),
      leaseMs: this.opts.leaseMs ?? DEFAULT_LEASE_MS,
      limit: this.opts.batch ?? DEFAULT_BATCH,
    })
    await Promise.all(rows.map((row) => this.deliver(row)))
    return rows.length
  }

  private async deliver(row: NotificationRow): Promise<void> {
    const { provider } = this.opts
    let result: SendResult
    try {
      result = await provider.send({ to: row.recipient, body: row.body, messageId: row.message_id })
    } catch (err) {
      result = { ok: false, retry: true, error: `the provider adapter failed: ${(err as Error).message}` }
    }
    const outcome = this.outcomeOf(row, result)
    let recorded = false
    try {
      recorded = await settle(this.db, row, outcome)
    } catch (err) {
      // Not recorded: the lease runs out and the message is tried again (sent twice if it was sent).
      this.opts.log?.error({ err, messageId: row.message_id }, 'sms: could not record a send')
      return
    }
    if (!recorded) {
      this.opts.log?.warn({ messageId: row.message_id }, 'sms: the claim ran out before the answer was recorded')
      return
    }
    const said = outcome.status === 'sent' ? 'sent' : outcome.status === 'pending' ? 'retried' : 'failed'
    this.opts.onOutcome?.(said)
    const fields = { messageId: row.message_id, attempts: row.attempts, provider: provider.name }
    if (outcome.status === 'sent') this.opts.log?.info(fields, 'sms: sent')
    else if (outcome.status === 'pending') {
      this.opts.log?.warn({ ...fields, error: outcome.error, next: outcome.nextAttemptAt }, 'sms: will retry')
    } else this.opts.log?.warn({ ...fields, error: outcome.error }, 'sms: failed')
  }

  private outcomeOf(row: NotificationRow, result: SendResult): Settlement {
    const provider = this.opts.provider.name
    if (result.ok) return { status: 'sent', provider, providerMessageId: result.providerMessageId, at: new Date() }
    const { retry } = this.opts
    if (!result.retry) return { status: 'failed', provider, error: result.error }
    if (row.attempts >= retry.maxAttempts) {
      return { status: 'failed', provider, error: `gave up after ${row.attempts} tries: ${result.error}` }
    }
    const wait = retryDelay(row.attempts, retry, result.retryAfterMs, this.opts.random)
    return { status: 'pending', provider, error: result.error, nextAttemptAt: new Date(Date.now() + wait) }
  }
}
