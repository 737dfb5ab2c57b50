/** GET /health: the process is up and the database answers. */
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'

export async function healthRoutes(app: FastifyInstance) {
  app.get('/health', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    const started = performance.now()
    try {
      await sql`select 1`.execute(app.db)
      return { status: 'ok', database: app.caps.dialect, latency_ms: Math.round(performance.now() - started) }
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: app.caps.dialect })
    }
  })
}
