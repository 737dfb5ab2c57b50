/** The sync protocol over HTTP: push, resolve, pending, pull, live events. See docs/sync-protocol.md. */
import {
  AppError,
  deviceIdField,
  encodeCursor,
  grantFor,
  pushRequestSchema,
  resolveRequestSchema,
} from '@trackvault/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { authenticate, consumeTicket, issueTicket } from '../auth/tokens'
import { errorSchema } from '../http/schemas'
import { bearerToken } from '../plugins/auth'
import { fromLegacy, isLegacyPush, legacyPushSchema, toLegacy } from '../sync/legacy'
import { listPending, MAX_PENDING_LIMIT } from '../sync/operation-log'
import { MAX_PULL_LIMIT, pullPage, serializePage } from '../sync/pull'
import { headCursor, type PushOperation, runPush } from '../sync/push'
import { resolveConflict } from '../sync/resolve'

const tags = ['Sync']
const errors = { 401: errorSchema, 403: errorSchema, 413: errorSchema, 422: errorSchema, 429: errorSchema }
const resultSchema = z.object({
  local_id: z.string(),
  status: z.enum(['success', 'duplicate', 'conflict', 'failed']),
  original_status: z.string().optional(),
  entity_type: z.string(),
  entity_id: z.string(),
  version: z.number().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  conflict: z
    .object({
      server_version: z.number(),
      base: z.record(z.string(), z.unknown()).nullable(),
      server: z.record(z.string(), z.unknown()),
      client: z.record(z.string(), z.unknown()),
      fields: z.array(z.string()),
    })
    .optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
})

/** The pushing device must be the one the token signed in on; a token without a device is bound on first sync. */
async function bindDevice(app: FastifyInstance, request: FastifyRequest, deviceId: string): Promise<void> {
  const actor = request.actor
  if (actor.deviceId === null) {
    await app.db
      .updateTable('auth_tokens')
      .set({ device_id: deviceId })
      .where('token_hash', '=', actor.tokenHash)
      .where('device_id', 'is', null)
      .execute()
    actor.deviceId = (await authenticate(app.db, bearerToken(request) as string)).deviceId
  }
  if (actor.deviceId !== deviceId) {
    throw new AppError('FORBIDDEN', 'device_id is not the device this session signed in on')
  }
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
            z.object({ success: z.literal(true), results: z.array(resultSchema), cursor: z.string() }),
            z.object({ success: z.literal(true), results: z.array(z.record(z.string(), z.unknown())) }),
          ]),
          ...errors,
        },
      },
    },
    async (request) => {
      const legacy = isLegacyPush(request.body)
      const body = legacy ? legacyPushSchema.parse(request.body) : pushRequestSchema.parse(request.body)
      await bindDevice(app, request, body.device_id)
      const operations = legacy
        ? fromLegacy(body as z.output<typeof legacyPushSchema>)
        : (body.operations as PushOperation[])
      const actor = { ...request.actor, deviceId: body.device_id }
      const { result, lastSeq } = await runPush((work) => app.transact(actor, work), operations, {
        legacy,
      })
      for (const r of result) app.metrics.syncOperations.inc({ status: r.status })
      if (legacy) return toLegacy(result)
      return {
        success: true as const,
        results: result,
        cursor: lastSeq === null ? await headCursor(app.db) : encodeCursor(lastSeq),
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
          200: z.object({ result: resultSchema, cursor: z.string() }),
          404: errorSchema,
          409: errorSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      // The write is recorded on the device of this session; body.device_id only names the operation's device.
      const actor = { ...request.actor, deviceId: request.actor.deviceId ?? request.body.device_id }
      const { result, lastSeq } = await app.transact(actor, (ctx) => resolveConflict(ctx, request.body))
      return { result, cursor: lastSeq === null ? await headCursor(app.db) : encodeCursor(lastSeq) }
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
          since: z.string().max(20).optional(),
          limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(500),
        }),
        response: {
          200: z.object({
            changes: z.array(
              z.object({
                entity_type: z.string(),
                entity_id: z.string(),
                version: z.number(),
                deleted: z.boolean(),
                data: z.record(z.string(), z.unknown()),
              }),
            ),
            cursor: z.string(),
            has_more: z.boolean(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const page = await pullPage(app.db, request.actor, request.query.since, request.query.limit)
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
      const ticket = request.query.ticket
      const token = bearerToken(request)
      if (token) request.actor = await authenticate(app.db, token)
      else if (ticket) request.actor = await consumeTicket(app.db, ticket)
      else throw new AppError('UNAUTHENTICATED')
      let lastSent = 0
      const send = (event: string, seq: number) => {
        lastSent = Math.max(lastSent, seq)
        reply.sse({ event, id: encodeCursor(seq), data: JSON.stringify({ cursor: encodeCursor(seq) }) })
      }
      const head = await headCursor(app.db)
      // The client may have gone while the handler awaited the database; its 'close' has fired already.
      if (request.raw.destroyed) return reply.hijack()
      send('ready', Number.parseInt(head.slice(1), 36))
      const actor = request.actor
      // A collector's stream is not poked for other collectors' rows (its pull would find nothing).
      const readsEveryOwner = (['collection', 'payment'] as const).every(
        (type) => grantFor(actor.role, type, 'read') !== 'own',
      )
      const onChange = (seq: number, audience: string[] | null = null) => {
        if (audience && !readsEveryOwner && !audience.includes(actor.id)) return
        if (seq === 0 || seq > lastSent) send('change', seq === 0 ? lastSent : seq)
      }
      app.changeFeed.on('change', onChange)
      // Ended when its session ends (plugins/live.ts re-checks the session of every open stream).
      app.liveStreams.set(reply, { tokenHash: actor.tokenHash, role: actor.role })
      const heartbeat = setInterval(() => reply.sse({ event: 'ping', data: '{}' }), 15_000)
      request.raw.on('close', () => {
        clearInterval(heartbeat)
        app.changeFeed.off('change', onChange)
        app.liveStreams.delete(reply)
      })
    },
  )
}
