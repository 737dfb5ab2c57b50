/**
 * The whole HTTP application as one Fastify plugin tree, so tests and
 * `trackvault serve` (cli/serve.ts) build the same thing: external plugins -> app plugins -> routes.
 */
import rateLimit from '@fastify/rate-limit'
import { AppError } from '@trackvault/core'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { ThrottleOptions } from './auth/login-throttle'
import type { DbHandle } from './db/database'
import { authenticateRequest, authPlugin, bearerToken } from './plugins/auth'
import { corsPlugin } from './plugins/cors'
import { databasePlugin } from './plugins/database'
import { registerErrorHandler, toAppError } from './plugins/error-handler'
import { EDGE_DEFAULTS, type EdgeOptions, edgeServerOptions, limitConnectionsPerAddress } from './plugins/http-edge'
import { registerInputGuard } from './plugins/input-guard'
import { livePlugin } from './plugins/live'
import { type MetricsOptions, metricsPlugin } from './plugins/metrics'
import { loggerOptions, REQUEST_ID_HEADER, requestIdGenerator } from './plugins/request-log'
import { securityHeadersPlugin } from './plugins/security-headers'
import { type SmsOptions, smsPlugin } from './plugins/sms'
import { swaggerPlugin } from './plugins/swagger'
import { webAppPlugin } from './plugins/web-app'
import { authRoutes } from './routes/auth-routes'
import { entityRoutes } from './routes/entity-routes'
import { healthRoutes } from './routes/health-routes'
import { notificationRoutes } from './routes/notification-routes'
import { lineStatementRoutes, runPayoutRoutes } from './routes/payout-routes'
import { peopleRoutes } from './routes/people-routes'
import { reportRoutes } from './routes/report-routes'
import { repriceRoutes } from './routes/reprice-routes'
import { scopeRoutes } from './routes/scope-routes'
import { settingsRoutes } from './routes/settings-routes'
import { settlementRoutes } from './routes/settlement-routes'
import { syncRoutes } from './routes/sync-routes'
import { userRoutes } from './routes/user-routes'

export interface AppOptions {
  db: DbHandle
  logger?: FastifyServerOptions['logger']
  /** Lifetime of bearer tokens. Default 30 days: collectors stay offline for long. */
  tokenTtlMs?: number
  /** Requests per user (or address, before sign-in) per window. */
  rateLimit?: { max: number; timeWindowMs: number }
  /** Largest accepted request body in bytes. */
  bodyLimit?: number
  loginThrottle?: ThrottleOptions
  /** Folder of the built web app to serve at `/` (single-page app fallback). */
  webRoot?: string
  /**
   * Reverse proxies whose X-Forwarded-For is believed (`request.ip`, used by the
   * rate limit and the login throttle): a hop count or addresses/CIDR ranges. Default none.
   */
  trustProxy?: false | number | string[]
  /** How often the sessions of open event streams are re-checked (streams of ended sessions end). */
  liveSessionCheckMs?: number
  /** Request timeouts and the cap on connections per address (plugins/http-edge.ts). */
  edge?: Partial<EdgeOptions>
  /** Origins of browser apps that may call the API across origins (plugins/cors.ts); default none. */
  corsOrigins?: readonly string[]
  /** Who may read GET /metrics: the bearer of `token`, or anyone if `public`; else nobody (404). */
  metrics?: MetricsOptions
  /**
   * Text messages to suppliers (docs/collection-point.md, "SMS"): collections and settlement
   * approvals queue them in the outbox, and the worker sends them through the provider. Unset: off.
   */
  sms?: SmsOptions
}

export const DEFAULTS = {
  tokenTtlMs: 30 * 24 * 3600 * 1000,
  rateLimit: { max: 1200, timeWindowMs: 60_000 },
  bodyLimit: 1024 * 1024,
}

/** Fastify's `trustProxy`; a hop count as the function proxy-addr makes of one (its types take no number). */
function trustProxyOption(trust: AppOptions['trustProxy']) {
  if (typeof trust !== 'number') return trust ?? false
  return (_address: string, hop: number) => hop < trust
}

/** Builds the app; call `listen` (cli/serve.ts) or `inject` on the result. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const edge = { ...EDGE_DEFAULTS, ...opts.edge }
  const app = Fastify({
    ...edgeServerOptions(edge),
    logger: loggerOptions(opts.logger),
    genReqId: requestIdGenerator(Boolean(opts.trustProxy)),
    bodyLimit: opts.bodyLimit ?? DEFAULTS.bodyLimit,
    // Graceful shutdown: close idle keep-alive connections, let in-flight requests finish.
    forceCloseConnections: 'idle',
    trustProxy: trustProxyOption(opts.trustProxy),
    // Errors Fastify raises before routing (a malformed %-escape, an over-long path segment) get the standard body.
    frameworkErrors: (err, _request, reply) => {
      const appErr = toAppError(err)
      ;(reply as FastifyReply).status(appErr.status).send(appErr.toBody())
    },
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  registerErrorHandler(app)
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
  })
  // Before every other hook, so that refusals (rate limit, connection cap) carry the CORS headers too.
  if (opts.corsOrigins?.length) await app.register(corsPlugin, { origins: opts.corsOrigins })
  // First of the root onRequest hooks: a refused connection's request is handled by nothing else.
  limitConnectionsPerAddress(app, edge.maxConnectionsPerAddress, opts.trustProxy)
  registerInputGuard(app)
  // Graceful shutdown: a keep-alive connection whose request finishes after close()
  // began would hold the server open for the keep-alive timeout; close such
  // connections as soon as they go idle.
  // A connection that never sent a request counts as busy to Node; after a grace period, close everything.
  let sweeper: NodeJS.Timeout | undefined
  let deadline: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    sweeper = setInterval(() => app.server.closeIdleConnections(), 50)
    deadline = setTimeout(() => app.server.closeAllConnections(), 3000)
  })
  app.addHook('onClose', async () => {
    clearInterval(sweeper)
    clearTimeout(deadline)
  })

  const limit = opts.rateLimit ?? DEFAULTS.rateLimit
  await app.register(rateLimit, {
    // Not per route: route-level hooks run after the routes' auth hooks, so unauthenticated requests
    // would never be counted. One root hook (below) runs before any other onRequest hook.
    global: false,
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    // Per user when a valid token is presented (a shared NAT must not throttle a whole village, and
    // a second sign-in must not reset the count), else per address: made-up tokens do not dodge it.
    keyGenerator: async (request) => {
      if (!bearerToken(request)) return `ip:${request.ip}`
      const actor = await authenticateRequest(app.db, request).catch(() => undefined)
      return actor ? `u:${actor.id}` : `ip:${request.ip}`
    },
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`, {
        retry_after_seconds: Math.ceil(context.ttl / 1000),
      }),
  })
  const limiter = app.rateLimit()
  app.addHook('onRequest', async (request, reply) => {
    // `config.rateLimit` false exempts a route; an object gives it its own limit (applied by the plugin).
    if (request.routeOptions.config?.rateLimit != null) return
    await limiter.call(app, request, reply)
  })
  await app.register(securityHeadersPlugin)
  await app.register(metricsPlugin, { ...opts.metrics, db: opts.db, sms: Boolean(opts.sms) })
  await app.register(swaggerPlugin)
  await app.register(databasePlugin, { handle: opts.db, setup: { sms: Boolean(opts.sms) } })
  if (opts.sms) await app.register(smsPlugin, opts.sms)
  await app.register(authPlugin)
  await app.register(livePlugin, { handle: opts.db, sessionCheckMs: opts.liveSessionCheckMs })

  await app.register(healthRoutes)
  await app.register(
    async (api) => {
      await api.register(authRoutes, {
        prefix: '/auth',
        tokenTtlMs: opts.tokenTtlMs ?? DEFAULTS.tokenTtlMs,
        throttle: opts.loginThrottle,
      })
      await api.register(userRoutes, { prefix: '/users' })
      await api.register(peopleRoutes, { prefix: '/people' })
      await api.register(entityRoutes('supplier'), { prefix: '/suppliers' })
      await api.register(entityRoutes('product'), { prefix: '/products' })
      await api.register(entityRoutes('product_rate'), { prefix: '/product-rates' })
      await api.register(entityRoutes('collection'), { prefix: '/collections' })
      await api.register(entityRoutes('payment'), { prefix: '/payments' })
      await api.register(entityRoutes('deduction'), { prefix: '/deductions' })
      await api.register(entityRoutes('settlement_run'), { prefix: '/settlement-runs' })
      await api.register(settlementRoutes, { prefix: '/settlement-runs' })
      await api.register(entityRoutes('settlement_line'), { prefix: '/settlement-lines' })
      await api.register(runPayoutRoutes, { prefix: '/settlement-runs' })
      await api.register(lineStatementRoutes, { prefix: '/settlement-lines' })
      await api.register(entityRoutes('route'), { prefix: '/routes' })
      await api.register(entityRoutes('route_assignment'), { prefix: '/route-assignments' })
      await api.register(reportRoutes)
      await api.register(settingsRoutes, { prefix: '/settings' })
      await api.register(notificationRoutes, { prefix: '/notifications' })
      await api.register(repriceRoutes, { prefix: '/reprices' })
      await api.register(syncRoutes, { prefix: '/sync' })
      await api.register(scopeRoutes, { prefix: '/sync' })
    },
    { prefix: '/api' },
  )
  if (opts.webRoot) await app.register(webAppPlugin, { root: opts.webRoot })
  return app
}
