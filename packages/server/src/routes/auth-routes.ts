/** Sign in, sign out, who am I. */
import { AppError } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { LoginThrottle, type ThrottleOptions } from '../auth/login-throttle'
import { DUMMY_HASH, verifyPassword } from '../auth/passwords'
import { issueToken, revokeToken } from '../auth/tokens'
import { findUserByEmail, getUser, toUser } from '../auth/users'
import { receiptPrefixFor } from '../domain/settings'
import { errorSchema, userSchema } from '../http/schemas'
import type { LoginFailureReason } from '../plugins/metrics'
import { logIdentity } from '../plugins/request-log'

export interface AuthRouteOptions {
  tokenTtlMs: number
  throttle?: ThrottleOptions
}

const tags = ['Auth']

export async function authRoutes(fastify: FastifyInstance, opts: AuthRouteOptions) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  const throttle = new LoginThrottle(opts.throttle)

  app.post(
    '/login',
    {
      config: { rateLimit: false },
      schema: {
        tags,
        summary: 'Sign in with email and password; returns a bearer token',
        security: [],
        body: z.object({
          email: z.string().trim().min(1).max(200),
          password: z.string().min(1).max(200),
          device_id: z.string().trim().min(1).max(100).optional(),
        }),
        response: {
          200: z.object({
            token: z.string(),
            expires_at: z.string(),
            user: userSchema,
            receipt_prefix: z
              .string()
              .nullable()
              .describe(
                "this device and user's receipt prefix (signed in with a device_id): receipts are <prefix>-<n>",
              ),
          }),
          401: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { email, password, device_id } = request.body
      // Counted before the hash runs, so guesses sent at once are each counted (auth/login-throttle.ts).
      const attempt = throttle.attempt(email.toLowerCase(), request.ip)
      if (!attempt.ok) {
        app.metrics.loginFailures.inc({ reason: 'throttled' })
        const seconds = Math.ceil(attempt.waitMs / 1000)
        reply.header('retry-after', String(seconds))
        throw new AppError('RATE_LIMITED', 'Too many failed sign-ins; wait before trying again', {
          retry_after_seconds: seconds,
        })
      }
      let row: Awaited<ReturnType<typeof findUserByEmail>>
      let ok: boolean
      try {
        row = await findUserByEmail(app.db, email)
        // The hash runs for unknown and disabled accounts too: every refusal takes the same time.
        ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH)
      } catch (err) {
        attempt.cancelled()
        throw err
      }
      // A disabled account answers like a wrong password, whatever the password: it confirms nothing.
      const refused: LoginFailureReason | undefined = !row
        ? 'unknown_account'
        : !ok
          ? 'wrong_password'
          : !Number(row.is_active)
            ? 'inactive'
            : undefined
      if (!row || refused) {
        app.metrics.loginFailures.inc({ reason: refused ?? 'unknown_account' })
        throw new AppError('INVALID_CREDENTIALS')
      }
      attempt.succeeded()
      logIdentity(request, reply, { userId: row.id, deviceId: device_id })
      const token = await issueToken(app.db, row.id, device_id ?? null, opts.tokenTtlMs)
      const receipt_prefix = device_id ? await receiptPrefixFor(app.db, device_id, row.id) : null
      return { ...token, user: toUser(row), receipt_prefix }
    },
  )

  app.post(
    '/logout',
    {
      onRequest: app.requireAuth,
      schema: {
        tags,
        summary: 'Revoke the current token (its event streams and unused tickets end with it)',
        response: { 204: z.null(), 401: errorSchema },
      },
    },
    async (request, reply) => {
      await revokeToken(app.db, request.actor.tokenHash)
      await app.recheckLiveStreams()
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/me',
    {
      onRequest: app.requireAuth,
      schema: {
        tags,
        summary: 'The signed-in user and device',
        description:
          "The user's fields at the top level (the original mobile app reads the body as the user), and again under `user` with the session's `device_id`.",
        response: {
          200: userSchema.extend({ user: userSchema, device_id: z.string().nullable() }),
          401: errorSchema,
        },
      },
    },
    async (request) => {
      const user = await getUser(app.db, request.actor.id)
      return { ...user, user, device_id: request.actor.deviceId }
    },
  )
}
