/** OpenAPI document at /api/openapi.json and interactive docs at /api/docs, generated from route schemas. */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'

export const swaggerPlugin = fp(async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'TrackVault API',
        version: '1.0.0',
        description:
          'Offline-first collection and payment API. JSON, snake_case. Money is a decimal string with 2 places, quantity with 3. Errors: `{ error: { code, message, details? } }`.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // The Swagger UI bundle adds <style> elements at run time: its pages (only) may use inline styles.
    transformStaticCSP: (header: string) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  })
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())
})
