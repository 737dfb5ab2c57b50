/** Prometheus metrics at GET /metrics: request counts and latencies, plus process metrics. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; syncOperations: Counter<'status'> }
  }
}

export const metricsPlugin = fp(async (app: FastifyInstance) => {
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
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
})
