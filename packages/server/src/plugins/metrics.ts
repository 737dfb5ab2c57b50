/**
 * Prometheus metrics at GET /metrics: what an operator pages on (the list and
 * what each means is in docs/deploy.md), plus request latencies and process
 * metrics. They tell an outsider which routes are used, how much and by how
 * many; so the endpoint is closed unless the operator opens it: with
 * TRACKVAULT_METRICS_TOKEN it answers the scraper that sends
 * `Authorization: Bearer <token>` (else 401), with TRACKVAULT_METRICS_PUBLIC=1
 * anyone, and with neither nobody (404, as if there were no such route).
 *
 * Counters and histograms move where the thing happens (routes, the group
 * commit); gauges are read at scrape time: open live streams from this
 * process, the database pool from the driver, and the operations waiting
 * for their user (conflict, failed) from one indexed count on the database
 * (migration 011), so they are the same whichever process is scraped; with SMS on, the outbox's
 * pending, sending and failed rows the same way (migration 017).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { AppError } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { DbHandle } from '../db/database'
import { countByStatus } from '../sms/outbox-store'
import { countWaitingOperations, WAITING_STATUSES } from '../sync/operation-log'
import { bearerToken } from './auth'

export interface MetricsOptions {
  token?: string
  public?: boolean
  /** SMS is on: the outbox gauge counts its rows at each scrape. */
  sms?: boolean
}

/** Why a sign-in was refused (the answer is the same for all; the metric tells the operator). */
export type LoginFailureReason = 'unknown_account' | 'wrong_password' | 'inactive' | 'throttled'

export interface AppMetrics {
  registry: Registry
  syncOperations: Counter<'status'>
  pushDuration: Histogram
  pullDuration: Histogram
  groupCommitSize: Histogram
  loginFailures: Counter<'reason'>
  smsMessages: Counter<'outcome'>
}

/** The outbox statuses the gauge reports: what waits to be sent, and what was given up on. */
const OUTBOX_GAUGED = ['pending', 'sending', 'failed'] as const

const digest = (v: string) => createHash('sha256').update(v).digest()
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics
  }
}

export const metricsPlugin = fp(async (app: FastifyInstance, opts: MetricsOptions & { db: DbHandle }) => {
  // One registry per app instance: tests build many apps in one process.
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'trackvault_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  })
  const syncOperations = new Counter({
    name: 'trackvault_sync_operations_total',
    help: 'Sync operations processed, by outcome (success, duplicate, conflict, failed)',
    labelNames: ['status'],
    registers,
  })
  const pushDuration = new Histogram({
    name: 'trackvault_sync_push_duration_seconds',
    help: 'Time to process one sync push (POST /api/sync), whole batch',
    buckets: LATENCY_BUCKETS,
    registers,
  })
  const pullDuration = new Histogram({
    name: 'trackvault_sync_pull_duration_seconds',
    help: 'Time to read one page of changes (GET /api/sync/changes)',
    buckets: LATENCY_BUCKETS,
    registers,
  })
  const groupCommitSize = new Histogram({
    name: 'trackvault_group_commit_writes',
    help: 'Write transactions folded into one durable commit (SQLite group commit; none on PostgreSQL)',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers,
  })
  const loginFailures = new Counter({
    name: 'trackvault_login_failures_total',
    help: 'Refused sign-ins by reason (unknown_account, wrong_password, inactive, throttled)',
    labelNames: ['reason'],
    registers,
  })
  const smsMessages = new Counter({
    name: 'trackvault_sms_messages_total',
    help: 'Text messages the outbox worker of this process handled, by outcome (sent, retried, failed)',
    labelNames: ['outcome'],
    registers,
  })
  new Gauge({
    name: 'trackvault_live_streams_open',
    help: 'Live event streams (SSE) open on this process',
    registers,
    collect() {
      this.set(app.liveStreams?.size ?? 0)
    },
  })
  const pool = opts.db.poolStats
  if (pool) {
    new Gauge({
      name: 'trackvault_db_pool_connections',
      help: 'PostgreSQL pool connections of this process, by state (total, idle)',
      labelNames: ['state'],
      registers,
      collect() {
        const s = pool()
        this.set({ state: 'total' }, s.total)
        this.set({ state: 'idle' }, s.idle)
      },
    })
    new Gauge({
      name: 'trackvault_db_pool_waiting_requests',
      help: 'Queries of this process waiting for a free PostgreSQL pool connection',
      registers,
      collect() {
        this.set(pool().waiting)
      },
    })
    new Gauge({
      name: 'trackvault_db_pool_max_connections',
      help: 'Most PostgreSQL connections the pool of this process may open',
      registers,
      collect() {
        this.set(pool().max)
      },
    })
  }
  // After the pool gauges: they read the pool before this scrape's own count query takes a connection.
  new Gauge({
    name: 'trackvault_sync_operations_waiting',
    help: 'Operations parked for their user, by status (conflict, failed), on the whole database',
    labelNames: ['status'],
    registers,
    async collect() {
      this.reset()
      try {
        const counts = await countWaitingOperations(opts.db.db)
        for (const status of WAITING_STATUSES) this.set({ status }, counts[status])
      } catch (err) {
        // Left out of this scrape (a missing series, not a false zero); /health tells the database is down.
        app.log.warn({ err }, 'metrics: could not count the waiting operations')
      }
    },
  })
  if (opts.sms) {
    new Gauge({
      name: 'trackvault_sms_outbox_messages',
      help: 'Text messages in the outbox by status (pending, sending: the depth; failed: given up on), whole database',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset()
        try {
          const counts = await countByStatus(opts.db.db, OUTBOX_GAUGED)
          for (const status of OUTBOX_GAUGED) this.set({ status }, counts[status])
        } catch (err) {
          app.log.warn({ err }, 'metrics: could not count the outbox')
        }
      },
    })
  }
  app.decorate('metrics', {
    registry,
    syncOperations,
    pushDuration,
    pullDuration,
    groupCommitSize,
    loginFailures,
    smsMessages,
  })
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })
  const expected = opts.token ? digest(opts.token) : undefined
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!opts.public) {
      if (!expected) throw new AppError('NOT_FOUND', 'No route GET /metrics')
      const given = bearerToken(request)
      // Compared as digests: equal lengths, constant time.
      if (!given || !timingSafeEqual(digest(given), expected)) {
        throw new AppError('UNAUTHENTICATED', 'The metrics need the metrics token (Authorization: Bearer)')
      }
    }
    reply.type(registry.contentType)
    return registry.metrics()
  })
})
