/**
 * Bearer-token authentication. Routes opt in with `onRequest: app.requireAuth`
 * (or a role list via `app.requireRole(...)`); the actor is then on `request.actor`.
 */
import { AppError, type Role } from '@trackvault/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import { authenticate } from '../auth/tokens'
import type { Database } from '../db/schema'
import type { Actor } from '../domain/write-context'
import { logIdentity } from './request-log'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor & { tokenHash: string }
  }
  interface FastifyInstance {
    requireAuth: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    requireRole: (...roles: Role[]) => (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** The bearer token of a request, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1]
}

const sessions = new WeakMap<FastifyRequest, Promise<Actor & { tokenHash: string }>>()

/**
 * Authenticates the request's bearer token once per request: the rate
 * limiter (which keys on the user) and the route's auth hook share the
 * lookup. Rejects like `authenticate`; UNAUTHENTICATED without a token.
 */
export function authenticateRequest(db: Kysely<Database>, request: FastifyRequest) {
  let session = sessions.get(request)
  if (!session) {
    const token = bearerToken(request)
    session = token ? authenticate(db, token) : Promise.reject(new AppError('UNAUTHENTICATED'))
    session.catch(() => {}) // awaited by the callers; never an unhandled rejection
    sessions.set(request, session)
  }
  return session
}

export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('actor', null as unknown as FastifyRequest['actor'])
  const requireAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    request.actor = await authenticateRequest(app.db, request)
    logIdentity(request, reply, { userId: request.actor.id, deviceId: request.actor.deviceId })
  }
  app.decorate('requireAuth', requireAuth)
  app.decorate('requireRole', (...roles: Role[]) => async (request: FastifyRequest, reply: FastifyReply) => {
    await requireAuth(request, reply)
    if (!roles.includes(request.actor.role)) {
      throw new AppError('FORBIDDEN', `This needs one of the roles: ${roles.join(', ')}`)
    }
  })
})
