/**
 * Live pokes: the change feed of this process, fed by local commits and, on
 * PostgreSQL, by LISTEN/NOTIFY from every process on the database. SSE
 * streams subscribe to it (routes/sync-routes.ts). Open streams are ended
 * when the server closes, so shutdown is not held up by them.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { FastifySSEPlugin } from 'fastify-sse-v2'
import type { DbHandle } from '../db/database'

declare module 'fastify' {
  interface FastifyInstance {
    liveStreams: Set<FastifyReply>
  }
}

export const livePlugin = fp(async (app: FastifyInstance, opts: { handle: DbHandle }) => {
  await app.register(FastifySSEPlugin, { retryDelay: 1000 })
  const streams = new Set<FastifyReply>()
  app.decorate('liveStreams', streams)
  let stopListening: (() => Promise<void>) | undefined
  if (opts.handle.listen) {
    stopListening = await opts.handle.listen((seq, audience) => app.changeFeed.notify(seq, audience))
  }
  app.addHook('preClose', async () => {
    for (const reply of streams) reply.sseContext?.source.end()
    streams.clear()
  })
  app.addHook('onClose', async () => {
    await stopListening?.()
  })
})
