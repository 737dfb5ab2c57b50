/**
 * Repricing a period (admins and managers): preview what it would change, apply exactly that with
 * a reason, list the repricings done.
 */
import { AppError, canReprice, repriceRequest, repriceScope } from '@trackvault/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { applyReprice, listReprices, previewReprice } from '../domain/reprice'
import { errorSchema } from '../http/schemas'

const tags = ['Repricing']
const errors = { 401: errorSchema, 403: errorSchema, 409: errorSchema, 422: errorSchema }
const price = z.object({
  product_rate_id: z.string().nullable(),
  rate_applied: z.string().nullable(),
  total_amount: z.string().nullable(),
})
const plan = z.object({
  scope: z.object({
    product_id: z.string(),
    from: z.string(),
    to: z.string(),
    unit: z.string().optional(),
    grade: z.string().optional(),
  }),
  examined: z.number().describe('live collections in the scope not settled'),
  settled: z.number().describe('collections in the scope an approved settlement run settled: left as they are'),
  changes: z.array(
    z.object({
      id: z.string(),
      version: z.number(),
      supplier_id: z.string(),
      collection_date: z.string(),
      receipt_number: z.string().nullable(),
      unit: z.string(),
      grade: z.string().nullable(),
      net_quantity: z.string(),
      before: price,
      after: price,
    }),
  ),
  refused: z.array(z.object({ id: z.string(), message: z.string() })).describe('over the maximum amount: left as is'),
  total_before: z.string(),
  total_after: z.string(),
  difference: z.string(),
  fingerprint: z.string().describe('give it back to apply exactly this plan'),
})

function requireReprice(request: FastifyRequest) {
  if (!canReprice(request.actor.role)) {
    throw new AppError('FORBIDDEN', `A ${request.actor.role} may not reprice collections`)
  }
}

export async function repriceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireAuth)

  app.post(
    '/preview',
    {
      schema: {
        tags,
        summary: 'What repricing a product over a period would change, with the rates as they stand now',
        body: repriceScope,
        response: { 200: plan, ...errors },
      },
    },
    async (request) => {
      requireReprice(request)
      return previewReprice(app.db, app.caps, request.body)
    },
  )

  app.post(
    '/',
    {
      schema: {
        tags,
        summary:
          'Reprice the period previewed: each changed collection gets a new version naming the repricing; PREVIEW_STALE if it would now change anything else',
        body: repriceRequest,
        response: { 200: plan.extend({ id: z.string() }), ...errors },
      },
    },
    async (request) => {
      requireReprice(request)
      return app.write(request.actor, (ctx) => applyReprice(ctx, request.body))
    },
  )

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'The repricings done, newest first (at most 200)',
        querystring: z.object({ product_id: z.uuid().optional() }),
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              product_id: z.string(),
              from: z.string(),
              to: z.string(),
              unit: z.string().nullable(),
              grade: z.string().nullable(),
              reason: z.string(),
              changed: z.number(),
              total_before: z.string(),
              total_after: z.string(),
              created_by: z.string(),
              created_at: z.string(),
            }),
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      requireReprice(request)
      return listReprices(app.db, request.query.product_id)
    },
  )
}
