/**
 * Text messages to suppliers in the app (docs/collection-point.md, "SMS"): the outbox worker
 * (sms/worker.ts) runs while the app is up, is woken by every write that queued messages, and is
 * stopped first when the app closes (it finishes the sends under way; the database closes after).
 * Writes queue the messages themselves (plugins/database.ts passes `sms` to every write).
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { RetryPolicy } from '../sms/backoff'
import type { SmsProvider } from '../sms/provider'
import { SmsWorker, type WorkerOptions } from '../sms/worker'

export interface SmsOptions {
  provider: SmsProvider
  retry: RetryPolicy
  pollMs: number
  /** Run the worker in this app (default true; a test may run workers of its own). */
  worker?: boolean
  leaseMs?: WorkerOptions['leaseMs']
  batch?: WorkerOptions['batch']
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The outbox worker, when SMS is on and this app runs it. */
    smsWorker?: SmsWorker
  }
}

export const smsPlugin = fp(async (app: FastifyInstance, opts: SmsOptions) => {
  if (opts.worker === false) return
  const worker = new SmsWorker(app.db, app.caps, {
    provider: opts.provider,
    retry: opts.retry,
    pollMs: opts.pollMs,
    leaseMs: opts.leaseMs,
    batch: opts.batch,
    log: app.log.child({ component: 'sms' }),
    onOutcome: (outcome) => app.metrics.smsMessages.inc({ outcome }),
  })
  app.decorate('smsWorker', worker)
  const wake = () => worker.wake()
  app.changeFeed.on('messages', wake)
  app.addHook('onReady', async () => worker.start())
  app.addHook('preClose', async () => {
    app.changeFeed.off('messages', wake)
    await worker.stop()
  })
})
