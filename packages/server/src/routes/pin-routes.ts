/** `/api/sync/pins`: suppliers a collector added to its devices from the directory (domain/scope-pins.ts). */
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { listPins, pinSupplier, unpinSupplier } from '../domain/scope-pins'
import { errorSchema } from '../http/schemas'

const pin = z.object({ supplier_id: z.string(), created_at: z.string() })
const params = z.object({ supplier_id: z.uuid() })
const tags = ['Sync']
const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 422: errorSchema }

export async function pinRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireAuth)
  app.get(
    '/',
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
    '/:supplier_id',
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
    '/:supplier_id',
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
}
