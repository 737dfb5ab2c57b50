/** Balances, the balances report, supplier statements and entity history. */
import { AppError, canReadReport, canSeeDevices, ENTITY_TYPES, type Report } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { listHistory } from '../domain/history'
import { balancesReport, supplierBalance, supplierStatement } from '../domain/reports'
import { assertCanRead, canSee } from '../domain/visibility'
import type { Actor } from '../domain/write-context'
import { balanceSchema, dateRangeQuery, errorSchema, idParams } from '../http/schemas'

const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 422: errorSchema }

/** A report's balances at the range's ends (core's `closingBalance`); negative: the supplier is in credit. */
const periodEnds = {
  opening_balance: z.string().describe('balance of everything before from_date (0.00 without from_date)'),
  closing_balance: z.string().describe('opening_balance + balance: owed at the end of the range'),
}

/** Core's rule for `report` (permissions.ts: who may read which report, and why). */
function requireReport(actor: Actor, report: Report) {
  if (!canReadReport(actor.role, report)) {
    throw new AppError('FORBIDDEN', `A ${actor.role} may not read ${report.replaceAll('_', ' ')}s`)
  }
}

export async function reportRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.addHook('onRequest', app.requireAuth)

  app.get(
    '/suppliers/:id/balance',
    {
      schema: {
        tags: ['Reports'],
        summary:
          'Balance of one supplier: collections minus payments, optionally in a date range. Every role, collectors included, for any supplier',
        params: idParams,
        querystring: dateRangeQuery,
        response: { 200: balanceSchema, ...errors },
      },
    },
    async (request) => {
      requireReport(request.actor, 'supplier_balance')
      return supplierBalance(app.db, request.params.id, request.query)
    },
  )

  app.get(
    '/suppliers/:id/statement',
    {
      schema: {
        tags: ['Reports'],
        summary:
          'Collections and payments of a supplier in a date range, with a running balance (admin, manager, finance)',
        params: idParams,
        querystring: dateRangeQuery,
        response: {
          200: z.object({
            supplier: z.object({ id: z.string(), code: z.string(), name: z.string() }),
            from_date: z.string().nullable(),
            to_date: z.string().nullable(),
            opening_balance: z.string(),
            closing_balance: z.string(),
            lines: z.array(
              z.object({
                date: z.string(),
                kind: z.enum(['collection', 'payment', 'deduction']),
                id: z.string(),
                description: z.string(),
                collected: z.string().nullable().describe('null: the price is pending (no rate in force yet)'),
                paid: z.string(),
                deducted: z.string().describe('what an approved settlement run deducted (deduction lines)'),
                running_balance: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      requireReport(request.actor, 'supplier_statement')
      return supplierStatement(app.db, request.params.id, request.query)
    },
  )

  app.get(
    '/reports/balances',
    {
      schema: {
        tags: ['Reports'],
        summary:
          'Balances of all suppliers for a date range (opening, movements, closing), with grand totals (admin, manager, finance)',
        querystring: dateRangeQuery,
        response: {
          200: z.object({
            from_date: z.string().nullable(),
            to_date: z.string().nullable(),
            data: z.array(balanceSchema.extend({ ...periodEnds, code: z.string(), name: z.string() })),
            totals: balanceSchema.omit({ supplier_id: true }).extend(periodEnds),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      requireReport(request.actor, 'balances_report')
      return balancesReport(app.db, request.query)
    },
  )

  app.get(
    '/history/:entity_type/:id',
    {
      schema: {
        tags: ['History'],
        summary: 'Every stored version of an entity: who, which device, when',
        params: z.object({ entity_type: z.enum(ENTITY_TYPES), id: z.uuid() }),
        response: {
          200: z.object({
            data: z.array(
              z.object({
                version: z.number(),
                operation: z.string(),
                user_id: z.string().nullable(),
                device_id: z.string().nullable(),
                sync_operation_id: z.string().nullable(),
                created_at: z.string(),
                data: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { entity_type, id } = request.params
      const data = await listHistory(app.db, entity_type, id)
      if (data.length === 0) throw new AppError('NOT_FOUND', `${entity_type} ${id} has no history`)
      // Readable by whoever may read the entity as its last version stands (deleted or not).
      const last = data[data.length - 1].data
      if (!last.deleted_at) assertCanRead(request.actor, entity_type)
      if (!canSee(request.actor, entity_type, last)) {
        throw new AppError('NOT_FOUND', `${entity_type} ${id} has no history`)
      }
      if (canSeeDevices(request.actor.role)) return { data }
      return { data: data.map((entry) => ({ ...entry, device_id: null })) }
    },
  )
}
