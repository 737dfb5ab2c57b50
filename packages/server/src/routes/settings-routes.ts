/** The business's settings: everyone signed in reads them (devices cache them); admins change them. */
import { businessSettingsSchema } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { loadSettings, saveSettings } from '../domain/settings'
import { errorSchema } from '../http/schemas'

const tags = ['Settings']
const errors = { 401: errorSchema, 403: errorSchema, 422: errorSchema }
const answer = z.object({
  business_name: z.string(),
  receipt_header: z.string(),
  currency: z.string(),
  time_zone: z.string(),
  locale: z.string(),
  future_tolerance_days: z.number(),
  large_quantity: z.string().nullable(),
  large_payment: z.string().nullable(),
  settlement_floor: z.string(),
})

export async function settingsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()

  app.get(
    '/',
    {
      onRequest: app.requireAuth,
      schema: { tags, summary: "The business's settings", response: { 200: answer, ...errors } },
    },
    async () => loadSettings(app.db),
  )

  app.patch(
    '/',
    {
      onRequest: app.requireRole('admin'),
      schema: {
        tags,
        summary: "Change some of the business's settings (admins)",
        body: businessSettingsSchema.partial().strict(),
        response: { 200: answer, ...errors },
      },
    },
    async (request) => saveSettings(app.db, request.actor.id, request.body as Record<string, unknown>),
  )
}
