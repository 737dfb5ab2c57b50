/**
 * Serves the built web app (the server package's web/ folder) at `/`. Unknown GET paths that
 * are not API calls get index.html, so deep links work; the service worker
 * and index.html are never cached by the browser's HTTP cache (the service
 * worker does the caching).
 */
import fastifyStatic from '@fastify/static'
import { AppError } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'

const NOT_APP = /^\/(api|health|metrics)(\/|$|\?)/

export async function webAppPlugin(app: FastifyInstance, opts: { root: string }) {
  await app.register(fastifyStatic, {
    root: opts.root,
    wildcard: false,
    setHeaders: (res, path) => {
      if (/(sw\.js|index\.html|manifest\.webmanifest)$/.test(path)) res.header('cache-control', 'no-cache')
      else if (path.includes('/assets/')) res.header('cache-control', 'public, max-age=31536000, immutable')
    },
  })
  // The router tries every specific route first, so this only sees paths nothing else serves.
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    if (NOT_APP.test(request.url) || !request.headers.accept?.includes('text/html')) {
      return reply.status(404).send(new AppError('NOT_FOUND', `No route GET ${request.url}`).toBody())
    }
    reply.header('cache-control', 'no-cache')
    return reply.sendFile('index.html')
  })
}
