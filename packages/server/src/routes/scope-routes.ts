/**
 * What a collector's devices hold beyond the pull (docs/sync-protocol.md, "Scopes"): `/api/sync/pins`,
 * the suppliers it added from the directory (domain/scope-pins.ts), and `/api/sync/balances`, the
 * balances of its scope's suppliers, which its devices cache with each sync.
 */

import { AppError, hasRouteScope } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { scopeBalances } from '../domain/reports'
import { listPins, pinSupplier, unpinSupplier } from '../domain/scope-pins'
import { scopeOf } from '../domain/sync-scope'
import { balanceSchema, errorSchema } from '../http/schemas'

const pin = z.object({ supplier_id: z.string(), created_at: z.string() })
const params = z.object({ supplier_id: z.uuid() })
const tags = ['Sync']
const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 422: errorSchema }

export async function scopeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireAuth)
  app.get(
    '/pins',
    {
      schema: {
        tags,
        summary: 'The suppliers a collector added to its devices beyond its routes',
        response: { 200: z.object({ data: z.array(pin) }), ...errors },
      },
    },
    async (request) => ({ data: await listPins(app.db, request.actor) }),
  )
  app.put(
    '/pins/:supplier_id',
    {
      schema: {
        tags,
        summary: "Adds a supplier of another route to a collector's devices (their next pull brings it)",
        params,
        response: { 200: pin, ...errors },
      },
    },
    async (request) => pinSupplier(app.db, request.actor, request.params.supplier_id),
  )
  app.delete(
    '/pins/:supplier_id',
    {
      schema: {
        tags,
        summary: "Takes a supplier added from the directory off a collector's devices",
        params,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await unpinSupplier(app.db, request.actor, request.params.supplier_id)
      return reply.status(204).send(null)
    },
  )
  app.get(
    '/balances',
    {
      schema: {
        tags,
        summary: "The balance of every supplier a collector's devices hold (cached there for use without signal)",
        response: { 200: z.object({ as_of: z.string(), data: z.array(balanceSchema) }), ...errors },
      },
    },
    async (request) => {
      const scope = await scopeOf(app.db, request.actor)
      if (!scope || !hasRouteScope(request.actor.role)) {
        throw new AppError('FORBIDDEN', `A ${request.actor.role}'s devices compute balances from what they hold`)
      }
      const as_of = new Date().toISOString()
      return { as_of, data: await scopeBalances(app.db, scope) }
    },
  )
}
