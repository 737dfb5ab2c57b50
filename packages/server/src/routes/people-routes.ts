/**
 * The names of the users, for those who see others' records (core's canListPeople): lists and
 * receipts say who recorded a collection or payment. Devices cache it with each sync.
 */
import { AppError, canListPeople, ROLES } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { errorSchema } from '../http/schemas'

const person = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), is_active: z.boolean() })

export async function peopleRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.get(
    '/',
    {
      onRequest: app.requireAuth,
      schema: {
        tags: ['Users'],
        summary: "Every user's id, name, role and whether active (admins, managers, finance: who recorded what)",
        response: { 200: z.object({ data: z.array(person) }), 401: errorSchema, 403: errorSchema },
      },
    },
    async (request) => {
      if (!canListPeople(request.actor.role)) {
        throw new AppError('FORBIDDEN', `A ${request.actor.role} sees only their own records`)
      }
      const rows = await app.db
        .selectFrom('users')
        .select(['id', 'name', 'role', 'is_active'])
        .orderBy('name')
        .orderBy('id')
        .execute()
      return {
        data: rows.map((r) => ({
          id: r.id,
          name: r.name,
          role: r.role as (typeof ROLES)[number],
          is_active: Boolean(r.is_active),
        })),
      }
    },
  )
}
