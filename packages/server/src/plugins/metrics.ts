/**
 * Prometheus metrics at GET /metrics: request counts and latencies, plus
 * process metrics. They tell an outsider which routes are used, how much
 * and by how many; so the endpoint is closed unless the operator opens it:
 * with TRACKVAULT_METRICS_TOKEN it answers the scraper that sends
 * `Authorization: Bearer <token>` (else 401), with TRACKVAULT_METRICS_PUBLIC=1
 * anyone, and with neither nobody (404, as if there were no such route).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { AppError } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { bearerToken } from './auth'

export interface MetricsOptions {
  token?: string
  public?: boolean
}

const digest = (v: string) => createHash('sha256').update(v).digest()

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; syncOperations: Counter<'status'> }
  }
}

export const metricsPlugin = fp(async (app: FastifyInstance, opts: MetricsOptions) => {
  // One registry per app instance: tests build many apps in one process.
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'trackvault_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const syncOperations = new Counter({
    name: 'trackvault_sync_operations_total',
    help: 'Sync operations processed, by outcome',
    labelNames: ['status'],
    registers: [registry],
  })
  app.decorate('metrics', { registry, syncOperations })
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
