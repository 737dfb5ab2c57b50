/**
 * What the logs say about a request (pino through Fastify): every line of a
 * request carries its id (`reqId`), and once known the user (`userId`) and
 * device (`deviceId`) it acts for; the client's address is `request.ip`
 * (the client's behind a trusted proxy, TRACKVAULT_TRUST_PROXY).
 *
 * Never a secret: request bodies and headers are not logged, the `ticket`
 * of an event-stream URL is replaced by `[redacted]` in the logged URL, and
 * pino redacts any `authorization`, `cookie`, `password` or `token` field
 * that a log call might be handed (nor an SMS provider's `apiKey` or
 * `authToken`).
 *
 * The request id is made here (a UUID: unique across the server processes
 * behind one proxy), or taken from the X-Request-Id header when a proxy is
 * trusted (nginx `$request_id`, Caddy `{http.request.uuid}`), so a proxy's
 * log line and the server's share it; every answer carries it back.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'

export const REQUEST_ID_HEADER = 'x-request-id'
const GOOD_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

/** Fields pino replaces with `[redacted]` wherever a log call hands them over. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'password',
  'token',
  'ticket',
  '*.password',
  '*.token',
  '*.ticket',
  // SMS provider credentials (sms/): never handed to a log call; redacted if one ever is.
  'apiKey',
  'authToken',
  '*.apiKey',
  '*.authToken',
]

/** The URL as logged: the value of a `ticket` query parameter (a credential) is not. */
export function loggedUrl(url: string): string {
  return url.replace(/([?&]ticket=)[^&#]*/gi, '$1[redacted]')
}

/** Fastify's `logger` options with the redaction and the request serializer above; `undefined`/false: no logs. */
export function loggerOptions(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false
  const given = logger === true ? {} : (logger as Exclude<FastifyServerOptions['logger'], boolean | undefined>)
  return {
    ...given,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: loggedUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
      ...(given as { serializers?: Record<string, unknown> }).serializers,
    },
  } as FastifyServerOptions['logger']
}

/** Fastify's `genReqId`: the trusted proxy's X-Request-Id if it is a sane token, else a new UUID. */
export function requestIdGenerator(trustProxy: boolean) {
  return (req: IncomingMessage): string => {
    const given = req.headers[REQUEST_ID_HEADER]
    if (trustProxy && typeof given === 'string' && GOOD_REQUEST_ID.test(given)) return given
    return randomUUID()
  }
}

/** Adds `userId` / `deviceId` to every later log line of this request (its completion line included). */
export function logIdentity(
  request: FastifyRequest,
  reply: FastifyReply,
  ids: { userId?: string; deviceId?: string | null },
): void {
  const bindings: Record<string, string> = {}
  if (ids.userId) bindings.userId = ids.userId
  if (ids.deviceId) bindings.deviceId = ids.deviceId
  if (Object.keys(bindings).length === 0) return
  const log: FastifyBaseLogger = request.log.child(bindings)
  request.log = log
  reply.log = log
}
