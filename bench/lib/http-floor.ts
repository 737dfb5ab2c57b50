/**
 * A child process of the push workload (bench/workloads/push.ts): the HTTP and
 * validation floor of a push. A Fastify app set up as the server's (its logger
 * options at level info to stdout, a file, its request ids, the zod validator) with
 * one route, `POST /api/sync`, that takes the same body schema as the real
 * route, validates every operation's fields with core's entity schema (an
 * update: its patch over the fields the row was created with, as the server
 * validates the row it would produce) and answers one result per operation,
 * writing nothing: no database, no authentication, no pricing.
 *
 * The parent measures this process's CPU per operation (Linux /proc) while
 * devices push the workload's batches to it; with the limit writer's rate it
 * gives the single-process ceiling (push.ts). Driven over IPC: it sends
 * `{ port }` once listening and exits on `{ type: 'close' }`.
 */
import { parseEntityInput, pushRequestSchema } from '@trackvault/core'
import { legacyPushSchema, loggerOptions, type PushOperation, requestIdGenerator } from '@trackvault/server/testing'
import Fastify from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'

// As `trackvault serve` logs: level info to stdout, which the parent points at a file.
const app = Fastify({
  logger: loggerOptions({ level: process.env.LOG_LEVEL ?? 'info' }),
  genReqId: requestIdGenerator(false),
  bodyLimit: 4 * 1024 * 1024,
}).withTypeProvider<ZodTypeProvider>()
app.setValidatorCompiler(validatorCompiler)
app.setSerializerCompiler(serializerCompiler)

/** The fields each created row was made with (updates are validated as the whole row they would produce). */
const created = new Map<string, Record<string, unknown>>()

app.post(
  '/api/sync',
  {
    serializerCompiler: () => (data: unknown) => JSON.stringify(data),
    schema: { body: z.union([pushRequestSchema, legacyPushSchema]) },
  },
  async (request) => {
    // The workload sends the current shape only (the legacy one is in the schema as in the server's route).
    const operations = request.body.operations as PushOperation[]
    const results = operations.map((op) => {
      const type = op.entity_type
      const prior = created.get(op.entity_id)
      const fields = parseEntityInput(type, prior ? { ...prior, ...op.payload } : op.payload)
      if (!prior) created.set(op.entity_id, fields)
      const version = op.operation_type === 'create' ? 1 : (op.base_version ?? 0) + 1
      return {
        local_id: op.local_id,
        entity_type: type,
        entity_id: op.entity_id,
        status: 'success',
        version,
        data: { id: op.entity_id, ...fields, version },
      }
    })
    return { success: true, results, cursor: 'floor', epoch: 'floor' }
  },
)

const address = await app.listen({ port: 0, host: '127.0.0.1' })
process.send?.({ port: Number(new URL(address).port) })
process.on('message', async (m: { type?: string }) => {
  if (m?.type === 'close') {
    await app.close()
    process.exit(0)
  }
})
