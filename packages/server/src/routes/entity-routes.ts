/**
 * REST routes of one synced entity type: list, get, create, update
 * (PUT/PATCH with version), soft delete (?version=N). All writes go through
 * the domain service inside one transaction. Types the server writes alone
 * (settlement runs and lines) get the reads only.
 */
import { ENTITY_SPECS, type EntityType } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { getEntity, listEntities } from '../domain/entity-queries'
import { createEntity, deleteCurrent, deleteEntity, updateEntity } from '../domain/entity-service'
import { createBody, errorSchema, idParams, listQuery, pageOf, ROW_SCHEMAS, updateBody } from '../http/schemas'

const TAGS: Record<EntityType, string> = {
  supplier: 'Suppliers',
  product: 'Products',
  product_rate: 'Product rates',
  collection: 'Collections',
  payment: 'Payments',
  deduction: 'Deductions',
  settlement_run: 'Settlement runs',
  settlement_line: 'Settlement lines',
  route: 'Routes',
  route_assignment: 'Route assignments',
}

const errors = { 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema }

export function entityRoutes(type: EntityType) {
  return async function routes(fastify: FastifyInstance) {
    const app = fastify.withTypeProvider<ZodTypeProvider>()
    const row = ROW_SCHEMAS[type]
    const tags = [TAGS[type]]
    app.addHook('onRequest', app.requireAuth)

    app.get(
      '/',
      { schema: { tags, summary: `List ${type}s`, querystring: listQuery, response: { 200: pageOf(row), ...errors } } },
      async (request) => listEntities(app.db, type, request.actor, request.query),
    )

    app.get(
      '/:id',
      { schema: { tags, summary: `Get one ${type}`, params: idParams, response: { 200: row, ...errors } } },
      async (request) => getEntity(app.db, type, request.actor, request.params.id),
    )
    // Settlement runs and lines are written by the settlement routes only.
    if (ENTITY_SPECS[type].serverWritten) return

    app.post(
      '/',
      { schema: { tags, summary: `Create a ${type}`, body: createBody(type), response: { 201: row, ...errors } } },
      async (request, reply) => {
        const { id, ...fields } = request.body as { id?: string }
        const row = await app.write(request.actor, (ctx) => createEntity(ctx, type, fields, id))
        return reply.status(201).send(row)
      },
    )

    const update = {
      schema: {
        tags,
        summary: `Update a ${type} (changed fields and the version they are based on)`,
        params: idParams,
        body: updateBody(type),
        response: { 200: row, ...errors },
      },
    }
    const updateHandler = async (request: { params: { id: string }; body: unknown; actor: never }) => {
      const { version, ...patch } = request.body as { version: number }
      return app.write(request.actor, (ctx) => updateEntity(ctx, type, request.params.id, patch, version))
    }
    app.put('/:id', update, (request) => updateHandler(request as never))
    app.patch('/:id', update, (request) => updateHandler(request as never))

    app.delete(
      '/:id',
      {
        schema: {
          tags,
          summary: `Delete a ${type} (soft: a tombstone with a new version)`,
          description:
            'With `?version=N` the delete applies only to that version (409 VERSION_CONFLICT otherwise). Without it, it applies to the current version and the tombstone records what it deleted in `sync_metadata.unversioned_delete`; a row already deleted is 404.',
          params: idParams,
          querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
          response: { 200: row, ...errors },
        },
      },
      async (request) => {
        const { version } = request.query
        const { id } = request.params
        return app.write(request.actor, (ctx) =>
          version === undefined ? deleteCurrent(ctx, type, id) : deleteEntity(ctx, type, id, version),
        )
      },
    )
  }
}
