/**
 * Cross-origin requests from browser apps on other origins (@fastify/cors),
 * for the origins the operator lists in TRACKVAULT_CORS_ORIGINS only. Closed
 * by default: with no list the plugin is not registered at all, and a request
 * from an origin not on the list gets no CORS header (its preflight is 404),
 * so the browser keeps the answer from the page.
 *
 * The preflight allows the request headers our clients send
 * (packages/client/src/http.ts: Authorization, Content-Type, the protocol
 * header; Last-Event-ID when an event stream reconnects) and the answers
 * expose what clients read beyond the safelisted ones: Retry-After, the
 * protocol header and the request id. Sessions are bearer tokens, never
 * cookies, so credentials are not allowed.
 */
import cors from '@fastify/cors'
import { PROTOCOL_HEADER } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { REQUEST_ID_HEADER } from './request-log'

export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', PROTOCOL_HEADER, 'Last-Event-ID']
export const CORS_EXPOSED_HEADERS = ['Retry-After', PROTOCOL_HEADER, REQUEST_ID_HEADER]
/** How long a browser may keep a preflight's answer (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_SECONDS = 600

export const corsPlugin = fp(async (app: FastifyInstance, opts: { origins: readonly string[] }) => {
  const allowed = new Set(opts.origins)
  await app.register(cors, {
    // false: no CORS headers at all for this request (and a preflight falls through to 404).
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    hideOptionsRoute: true,
  })
})
