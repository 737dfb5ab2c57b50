/** User administration (admins only). There is no public registration. */
import { ROLES } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { passwordSchema as password } from '../auth/passwords'
import { createUser, getUser, resetPassword, toUser, updateUser, userEmailSchema, userNameSchema } from '../auth/users'
import { errorSchema, idParams, userSchema } from '../http/schemas'

const tags = ['Users']
const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema }

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireRole('admin'))

  app.get(
    '/',
    { schema: { tags, summary: 'List users', response: { 200: z.object({ data: z.array(userSchema) }), ...errors } } },
    async () => {
      const rows = await app.db.selectFrom('users').selectAll().orderBy('name').orderBy('id').execute()
      return { data: rows.map(toUser) }
    },
  )

  app.get(
    '/:id',
    { schema: { tags, summary: 'Get one user', params: idParams, response: { 200: userSchema, ...errors } } },
    async (request) => getUser(app.db, request.params.id),
  )

  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Create a user',
        body: z.object({
          name: userNameSchema,
          email: userEmailSchema,
          password,
          role: z.enum(ROLES),
          is_active: z.boolean().default(true),
        }),
        response: { 201: userSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await createUser(app.db, request.body)),
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary:
          'Change name, role or active flag (deactivation signs the user out everywhere); 409 LAST_ADMIN if no active admin would be left',
        params: idParams,
        body: z.object({
          name: userNameSchema.optional(),
          role: z.enum(ROLES).optional(),
          is_active: z.boolean().optional(),
        }),
        response: { 200: userSchema, ...errors },
      },
    },
    async (request) => {
      const user = await updateUser(app.db, app.caps, request.params.id, request.body)
      // A deactivated user's streams end; a new role's stream is opened again with the new role.
      await app.recheckLiveStreams()
      return user
    },
  )

  app.post(
    '/:id/password',
    {
      schema: {
        tags,
        summary: "Reset a user's password (signs them out everywhere)",
        params: idParams,
        body: z.object({ password }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await resetPassword(app.db, request.params.id, request.body.password)
      await app.recheckLiveStreams()
      return reply.status(204).send(null)
    },
  )
}
