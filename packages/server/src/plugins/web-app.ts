/**
 * Serves the built web app (apps/web/dist) at `/`. Unknown paths that are
 * not API calls get index.html, so deep links work; the service worker and
 * index.html are never cached by the browser's HTTP cache (the service
 * worker does the caching).
 */
import fastifyStatic from '@fastify/static'
import { AppError } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'

export async function webAppPlugin(app: FastifyInstance, opts: { root: string }) {
  await app.register(fastifyStatic, {
    root: opts.root,
    wildcard: false,
    setHeaders: (res, path) => {
      if (/(sw\.js|index\.html|manifest\.webmanifest)$/.test(path)) res.header('cache-control', 'no-cache')
      else if (path.includes('/assets/')) res.header('cache-control', 'public, max-age=31536000, immutable')
    },
  })
  app.setNotFoundHandler((request, reply) => {
    const api = /^\/(api|health|metrics)(\/|$|\?)/.test(request.url)
    if (request.method === 'GET' && !api && request.headers.accept?.includes('text/html')) {
      reply.header('cache-control', 'no-cache')
      return reply.sendFile('index.html')
    }
    return reply.status(404).send(new AppError('NOT_FOUND', `No route ${request.method} ${request.url}`).toBody())
  })
}
