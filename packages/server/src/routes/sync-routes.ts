/** The sync protocol over HTTP: push, resolve, pending, pull, live events. See docs/sync-protocol.md. */
import {
  AppError,
  deviceIdField,
  encodeCursor,
  operationResultSchema,
  PROTOCOL_HEADER,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
  resolveRequestSchema,
  SUPPORTED_PROTOCOLS,
  SYNC_PROTOCOL_VERSION,
} from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { authenticate, bindDevice, consumeTicket, issueTicket } from '../auth/tokens'
import { headCursor } from '../domain/change-log'
import { currentEpoch } from '../domain/epoch'
import { errorSchema } from '../http/schemas'
import { bearerToken } from '../plugins/auth'
import { openChangeStream } from '../plugins/live'
import { logIdentity } from '../plugins/request-log'
import { fromLegacy, isLegacyPush, legacyPushSchema, toLegacy } from '../sync/legacy'
import { listPending, MAX_PENDING_LIMIT } from '../sync/operation-log'
import { MAX_PULL_LIMIT, pullPage, serializePage } from '../sync/pull'
import { runPush } from '../sync/push'
import { resolveConflict } from '../sync/resolve'

const tags = ['Sync']
const errors = {
  401: errorSchema,
  403: errorSchema,
  409: errorSchema,
  413: errorSchema,
  422: errorSchema,
  429: errorSchema,
}

/**
 * The push and pull answers are built by our own code from stored rows, and are large (a pull
 * page holds up to 5,000 rows): they are sent with JSON.stringify instead of being checked
 * against their zod schema on the way out (which cost 3 to 20 times the stringify of a page).
 * The schemas still document them in OpenAPI; the tests check their shape.
 */
const plainJson = () => (data: unknown) => JSON.stringify(data)

export async function syncRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()

  // Every sync request speaks a protocol version (none: the original app's, version 1); one this
  // server does not speak is refused before anything else happens, and every answer says its own.
  app.addHook('onRequest', async (request, reply) => {
    reply.header(PROTOCOL_HEADER, String(SYNC_PROTOCOL_VERSION))
    const sent = request.headers[PROTOCOL_HEADER]
    if (sent === undefined) return
    if (typeof sent !== 'string' || !SUPPORTED_PROTOCOLS.includes(Number(sent))) {
      throw new AppError('UNSUPPORTED_PROTOCOL', undefined, { supported: SUPPORTED_PROTOCOLS })
    }
  })

  app.post(
    '/',
    {
      onRequest: app.requireAuth,
      bodyLimit: 4 * 1024 * 1024,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary: 'Push queued operations (also accepts the original mobile app shape)',
        description:
          'Exactly once per (device_id, local_id), in seq order per device and user, one result per processed operation. See docs/sync-protocol.md.',
        body: z.union([pushRequestSchema, legacyPushSchema]),
        response: {
          200: z.union([
            pushResponseSchema,
            z.object({ success: z.literal(true), results: z.array(z.record(z.string(), z.unknown())) }),
          ]),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      // Validated once, by the route's schema: the body is the parsed shape it matched.
      const body = request.body
      const epoch = await currentEpoch(app.db)
      // A device that knows another epoch holds confirmations this database has lost (it was restored
      // from a backup): nothing is applied, so it can re-send its journal first, in its original order.
      if (!isLegacyPush(body) && body.epoch !== undefined && body.epoch !== epoch) {
        throw new AppError('EPOCH_CHANGED', undefined, { epoch, device_epoch: body.epoch })
      }
      const timer = app.metrics.pushDuration.startTimer()
      const unbound = request.actor.deviceId === null
      await bindDevice(app.db, request.actor, body.device_id)
      // A session signed in without a device is bound to this one now: the log lines after this carry it.
      if (unbound) logIdentity(request, reply, { deviceId: body.device_id })
      const legacy = isLegacyPush(body)
      const operations = legacy ? fromLegacy(body) : body.operations
      const actor = { ...request.actor, deviceId: body.device_id }
      const { result, lastSeq } = await runPush((work) => app.transact(actor, work), operations, { legacy })
      timer()
      for (const r of result) app.metrics.syncOperations.inc({ status: r.status })
      if (legacy) return toLegacy(result)
      return {
        success: true as const,
        results: result,
        cursor: lastSeq === null ? await headCursor(app.db) : encodeCursor(lastSeq, epoch),
        epoch,
      }
    },
  )

  app.post(
    '/resolve',
    {
      onRequest: app.requireAuth,
      schema: {
        tags,
        summary: 'Resolve one of your conflicted operations: use_server, force or merge',
        body: resolveRequestSchema,
        response: {
          200: z.object({ result: operationResultSchema, cursor: z.string() }),
          404: errorSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      // The write is recorded on the device of this session; body.device_id only names the operation's device.
      const actor = { ...request.actor, deviceId: request.actor.deviceId ?? request.body.device_id }
      const { result, lastSeq } = await app.transact(actor, (ctx) => resolveConflict(ctx, request.body))
      const cursor = lastSeq === null ? await headCursor(app.db) : encodeCursor(lastSeq, await currentEpoch(app.db))
      return { result, cursor }
    },
  )

  app.get(
    '/pending',
    {
      onRequest: app.requireAuth,
      schema: {
        tags,
        summary:
          'Your operations from this device that are not settled (conflict, failed), oldest first, a page at a time',
        description:
          '`operations` (the name the original app reads) holds at most `limit` entries; pass `next` as `after` for the following page.',
        querystring: z.object({
          device_id: deviceIdField(),
          limit: z.coerce.number().int().min(1).max(MAX_PENDING_LIMIT).default(100),
          after: z.string().max(60).optional(),
        }),
        response: {
          200: z.object({
            success: z.literal(true),
            operations: z.array(z.record(z.string(), z.unknown())),
            next: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { device_id, limit, after } = request.query
      const page = await listPending(app.db, device_id, request.actor.id, { limit, after })
      return { success: true as const, ...page }
    },
  )

  app.get(
    '/changes',
    {
      onRequest: app.requireAuth,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary: 'Changed rows and tombstones after a cursor, in commit order',
        querystring: z.object({
          since: z.string().max(120).optional(),
          limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(500),
        }),
        response: { 200: pullResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const timer = app.metrics.pullDuration.startTimer()
      const page = await pullPage(app.db, request.actor, request.query.since, request.query.limit)
      timer()
      // Already JSON text: Fastify sends a string with a JSON content type as it is.
      return reply.type('application/json; charset=utf-8').send(serializePage(page) as never)
    },
  )

  app.post(
    '/events/ticket',
    {
      onRequest: app.requireAuth,
      schema: {
        tags,
        summary:
          'A single-use ticket (60 s) to open the event stream where headers cannot be set (EventSource); it opens that stream only, and dies with this session',
        response: { 200: z.object({ ticket: z.string(), expires_at: z.string() }), ...errors },
      },
    },
    async (request) => issueTicket(app.db, request.actor),
  )

  app.get(
    '/events',
    {
      config: { rateLimit: false },
      schema: {
        tags,
        summary: 'Server-Sent Events: `change` with the newest cursor whenever changes commit',
        description:
          'Authenticate with the Authorization header, or with ?ticket= from POST /api/sync/events/ticket (single use). Events: `ready` {cursor} first, then `change` {cursor}. The stream ends when its session ends (logout, expiry, deactivation, password reset, role change).',
        querystring: z.object({ ticket: z.string().max(100).optional() }),
      },
    },
    async (request, reply) => {
      const token = bearerToken(request)
      const { ticket } = request.query
      const session = token
        ? await authenticate(app.db, token)
        : ticket
          ? await consumeTicket(app.db, ticket)
          : undefined
      if (!session) throw new AppError('UNAUTHENTICATED')
      request.actor = session
      logIdentity(request, reply, { userId: session.id, deviceId: session.deviceId })
      await openChangeStream(app, request, reply, session)
    },
  )
}
