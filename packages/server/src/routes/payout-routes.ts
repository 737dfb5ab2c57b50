/**
 * Paying out an approved settlement run (admins, managers, finance): its bank or mobile money
 * bulk-payment file (CSV, or its totals and missing details as JSON), the results file the bank
 * returns; and a settlement line's statement as CSV (whoever reads settlement lines).
 *
 * Registered twice: `runPayoutRoutes` under /settlement-runs, `lineStatementRoutes` under
 * /settlement-lines (beside the entity routes of both and the settlement routes).
 */
import {
  AMOUNT_UNITS,
  AppError,
  canCreateSettlement,
  PAYOUT_FORMATS,
  type PayoutColumn,
  parsePayoutColumns,
} from '@trackvault/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { lineStatement, payoutSummary, recordPayoutResults, runPayoutFile } from '../domain/payouts'
import { errorSchema, idParams } from '../http/schemas'

const tags = ['Settlement payouts']
const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema }

/** The largest results file: 50,000 suppliers at ~80 bytes a row. */
export const RESULTS_BODY_LIMIT = 4 * 1024 * 1024

const fileQuery = z.object({
  format: z.enum(PAYOUT_FORMATS),
  amounts: z.enum(AMOUNT_UNITS).default('major'),
  columns: z
    .string()
    .max(200)
    .optional()
    .describe('comma-separated, from reference, name, code, account (or phone), bank, amount, narration'),
})

const money = z.string()
const summarySchema = z.object({
  run_id: z.string(),
  reference: z.string(),
  format: z.enum(PAYOUT_FORMATS),
  amounts: z.enum(AMOUNT_UNITS),
  columns: z.array(z.string()),
  total: z.object({ count: z.number(), amount: money }),
  rows: z.array(z.object({ line_id: z.string(), supplier_id: z.string(), reference: z.string(), amount: money })),
  missing: z.array(
    z.object({
      line_id: z.string(),
      supplier_id: z.string(),
      supplier_code: z.string(),
      supplier_name: z.string(),
      field: z.string(),
      message: z.string(),
      amount: money,
    }),
  ),
})

function requirePayouts(request: FastifyRequest) {
  if (!canCreateSettlement(request.actor.role)) {
    throw new AppError('FORBIDDEN', `A ${request.actor.role} may not pay out settlement runs`)
  }
}

function columnsOf(text: string | undefined): PayoutColumn[] | undefined {
  if (text === undefined || text.trim() === '') return undefined
  const parsed = parsePayoutColumns(text)
  if ('error' in parsed) throw new AppError('VALIDATION_FAILED', undefined, { fields: { columns: [parsed.error] } })
  return parsed.columns
}

/** A file name from the run's reference: "2026-05-01/2026-05-31" -> "2026-05-01_2026-05-31". */
const fileNamePart = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)

function sendCsv(reply: FastifyReply, name: string, csv: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(csv)
}

export async function runPayoutRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireAuth)
  // A returned results file is sent as it is; other routes of this scope take no CSV.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: RESULTS_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  )

  app.get(
    '/:id/payouts',
    {
      schema: {
        tags,
        summary: "An approved run's payout file in a format, as totals: rows, total and the suppliers missing details",
        params: idParams,
        querystring: fileQuery,
        response: { 200: summarySchema, ...errors },
      },
    },
    async (request) => {
      requirePayouts(request)
      const { format, amounts, columns } = request.query
      const { run, file } = await runPayoutFile(app.db, request.params.id, {
        format,
        amounts,
        columns: columnsOf(columns),
      })
      return payoutSummary(run.id, run.reference, file)
    },
  )

  app.get(
    '/:id/payouts.csv',
    {
      schema: {
        tags,
        summary: "An approved run's bank or mobile money bulk-payment file (CSV)",
        description:
          'The pending payouts of the suppliers paid that way. X-Payout-Count and X-Payout-Total give the total; X-Payout-Missing counts the suppliers left out for missing account details (GET /:id/payouts lists them).',
        params: idParams,
        querystring: fileQuery,
        produces: ['text/csv'],
        response: { 200: z.string().describe('text/csv'), ...errors },
      },
    },
    async (request, reply) => {
      requirePayouts(request)
      const { format, amounts, columns } = request.query
      const { run, file } = await runPayoutFile(app.db, request.params.id, {
        format,
        amounts,
        columns: columnsOf(columns),
      })
      reply
        .header('x-payout-count', String(file.total.count))
        .header('x-payout-total', file.total.amount)
        .header('x-payout-missing', String(file.missing.length))
      return sendCsv(reply, `payouts-${fileNamePart(run.reference)}-${format}.csv`, file.csv)
    },
  )

  app.post(
    '/:id/payout-results',
    {
      bodyLimit: RESULTS_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Record the results file the bank or mobile money provider returned (text/csv)',
        description:
          'Columns reference, status (paid or failed) and note, any case and order. All or nothing: any bad row answers 422 with details.rows and nothing is recorded. A line already given that result is counted unchanged.',
        params: idParams,
        body: z.string().max(RESULTS_BODY_LIMIT).describe('text/csv'),
        response: {
          200: z.object({
            paid: z.number(),
            failed: z.number(),
            unchanged: z.number(),
            errors: z.array(z.object({ row: z.number(), reference: z.string().optional(), message: z.string() })),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      requirePayouts(request)
      return app.write(request.actor, (ctx) => recordPayoutResults(ctx, request.params.id, request.body))
    },
  )
}

export async function lineStatementRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireAuth)

  app.get(
    '/:id/statement.csv',
    {
      schema: {
        tags,
        summary:
          "A settlement line's statement (CSV): every collection, advance and deduction, the payout, the balance",
        params: idParams,
        produces: ['text/csv'],
        response: { 200: z.string().describe('text/csv'), ...errors },
      },
    },
    async (request, reply) => {
      const { csv, reference, supplierCode } = await lineStatement(app.db, request.actor, request.params.id)
      return sendCsv(reply, `statement-${fileNamePart(reference)}-${fileNamePart(supplierCode)}.csv`, csv)
    },
  )
}
