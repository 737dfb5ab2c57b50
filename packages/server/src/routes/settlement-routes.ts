/**
 * Settlement runs (issue 17): compute a draft, approve it, discard it. Beside the read-only entity
 * routes of runs and lines (entity-routes.ts) under the same prefix; the rules are
 * domain/settlement.ts, the money core's.
 */
import { dateField, decimalField, MONEY_SCALE, PAYMENT_METHODS } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { approveRun, createRun, discardRun } from '../domain/settlement'
import { errorSchema, idParams, ROW_SCHEMAS } from '../http/schemas'

const tags = ['Settlement runs']
const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema }
const runRow = ROW_SCHEMAS.settlement_run
const lineRow = ROW_SCHEMAS.settlement_line
const runAnswer = z.object({ run: runRow, lines: z.array(lineRow) })

const createBody = z
  .object({
    period_from: dateField(),
    period_to: dateField(),
    supplier_ids: z.array(z.uuid()).min(1).max(100_000).optional(),
    reference: z.string().trim().min(1).max(60).optional(),
    notes: z.string().trim().max(1000).nullable().optional(),
    pay_at_most: decimalField(MONEY_SCALE, { nonNegative: true }).optional(),
  })
  .strict()
const versionBody = z.object({ version: z.number().int().positive() })

export async function settlementRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireAuth)

  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Compute a draft settlement run (admins, managers, finance)',
        description:
          'Every supplier with something to settle (or `supplier_ids`): opening from the last approved run, the period’s priced collections, advances, deductions above the floor, payout (at most `pay_at_most`, and at most the maximum payment), carried forward. 409 PERIOD_SETTLED if the period overlaps an approved run of a supplier; 409 DUPLICATE if the reference is taken.',
        body: createBody,
        response: { 201: runAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body
      const answer = await app.write(request.actor, (ctx) =>
        createRun(ctx, {
          ...body,
          supplier_ids: body.supplier_ids,
          pay_at_most: body.pay_at_most,
        }),
      )
      return reply.status(201).send(answer)
    },
  )

  app.post(
    '/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve a draft run: settle its records and record its payouts, exactly once (admins, managers)',
        description:
          'Never by the person who computed it (403 SELF_APPROVAL). An approved run is answered as it is (a double click, a retry). 409 RUN_STALE if computing it again gives other lines.',
        params: idParams,
        body: versionBody.extend({ payment_method: z.enum(PAYMENT_METHODS).optional() }),
        response: { 200: runAnswer, ...errors },
      },
    },
    async (request) => {
      const { version, payment_method } = request.body
      return app.write(request.actor, (ctx) => approveRun(ctx, request.params.id, version, payment_method))
    },
  )

  app.post(
    '/:id/discard',
    {
      schema: {
        tags,
        summary: 'Discard a draft run: marked discarded, its lines deleted (admins, managers, finance)',
        params: idParams,
        body: versionBody,
        response: { 200: runRow, ...errors },
      },
    },
    async (request) => {
      const { version } = request.body
      return app.write(request.actor, (ctx) => discardRun(ctx, request.params.id, version))
    },
  )
}
