/**
 * Security headers on every answer (API, web app, docs) with @fastify/helmet.
 *
 * The Content-Security-Policy fits the web app: a Vite build loads only its
 * own scripts, styles, manifest and service worker and talks only to this
 * origin, so everything is `'self'`; nothing may frame it (clickjacking).
 * `upgrade-insecure-requests` is left out: TrackVault is often served over
 * plain HTTP on a local network, where that directive would send every asset
 * request to an HTTPS port that does not exist. Strict-Transport-Security
 * only takes effect over HTTPS (browsers ignore it over HTTP) and is not
 * extended to subdomains, which TrackVault does not own. The Referrer-Policy
 * `no-referrer` keeps URLs (such as an event-stream ticket) out of Referer.
 * The Swagger UI at /api/docs gets the same policy, except that its pages
 * may use inline styles (its bundle adds <style> elements; plugins/swagger.ts).
 * The web app itself runs without eval (apps/web/src/no-eval.ts).
 */
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'"],
    manifestSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
}

export const securityHeadersPlugin = fp(async (app: FastifyInstance) => {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  })
})
