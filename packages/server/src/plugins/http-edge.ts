/**
 * The HTTP edge: how long a client may take to send a request, how long an
 * idle keep-alive connection stays, and how many connections one address
 * may hold. Without these (Fastify's request and connection timeouts are
 * off by default) a thousand half-sent requests held the server's sockets
 * forever.
 *
 * - headers must arrive within `headersTimeoutMs`, and the whole request
 *   (headers and body) within `requestTimeoutMs`; Node.js then answers 408
 *   REQUEST_TIMEOUT and closes the connection. These bound receiving the
 *   request only: an answer that streams for hours (the event stream) is not
 *   cut;
 * - an idle keep-alive connection is closed after `keepAliveTimeoutMs`
 *   (longer than the 60 s idle timeout of common load balancers, so the
 *   balancer, not the server, closes first);
 * - one address may hold `maxConnectionsPerAddress` connections at once
 *   (0: no cap); the next ones are answered 429 RATE_LIMITED and closed
 *   before any request on them is handled. Trusted proxies
 *   (TRACKVAULT_TRUST_PROXY) are exempt: every client behind them shares
 *   their address, and the proxy limits its clients itself.
 */
import http from 'node:http'
import type { Socket } from 'node:net'
import proxyAddr from '@fastify/proxy-addr'
import { AppError } from '@trackvault/core'
import type { FastifyHttpOptions, FastifyInstance } from 'fastify'

export interface EdgeOptions {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  maxConnectionsPerAddress: number
}

export const EDGE_DEFAULTS: EdgeOptions = {
  headersTimeoutMs: 10_000,
  // A full 4 MiB sync batch over a slow mobile link (~70 KB/s) still fits.
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxConnectionsPerAddress: 64,
}

/** A complete HTTP/1.1 answer with the standard error body, written straight to a socket. */
function rawAnswer(err: AppError, headers: Record<string, string> = {}): string {
  const body = JSON.stringify(err.toBody())
  const lines = [
    `HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ]
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

/** The Fastify server options of the edge: timeouts, and client errors answered with the standard body. */
export function edgeServerOptions(edge: EdgeOptions): Partial<FastifyHttpOptions<http.Server>> {
  const headersTimeout = Math.min(edge.headersTimeoutMs, edge.requestTimeoutMs)
  return {
    requestTimeout: edge.requestTimeoutMs,
    keepAliveTimeout: edge.keepAliveTimeoutMs,
    http: {
      headersTimeout,
      // How often Node.js looks for requests over their time (its default, 30 s, would let them overrun by that).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    // Errors before a request exists (too slow, malformed HTTP, headers too large): the standard error body.
    clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return
      const answer =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new AppError('REQUEST_TIMEOUT')
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? new AppError('HEADERS_TOO_LARGE')
            : new AppError('BAD_REQUEST', 'The request is not valid HTTP')
      if (socket.writable) socket.write(rawAnswer(answer))
      socket.destroy()
    },
  }
}

/** Caps the connections one address holds at once; see the file comment. */
export function limitConnectionsPerAddress(
  app: FastifyInstance,
  max: number,
  trustProxy: false | number | string[] | undefined,
): void {
  if (max <= 0) return
  const trusted =
    typeof trustProxy === 'number'
      ? () => trustProxy > 0
      : trustProxy
        ? (
            (t) => (address: string) =>
              t(address, 0)
          )(proxyAddr.compile(trustProxy))
        : () => false
  const open = new Map<string, number>()
  const refused = new WeakSet<Socket>()
  const refusal = rawAnswer(
    new AppError('RATE_LIMITED', `More than ${max} connections from this address at once`, {
      retry_after_seconds: 1,
    }),
    { 'retry-after': '1' },
  )
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress
    if (!address || trusted(address)) return
    const count = (open.get(address) ?? 0) + 1
    open.set(address, count)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left > 0) open.set(address, left)
      else open.delete(address)
    })
    if (count > max) {
      refused.add(socket)
      socket.end(refusal)
    }
  })
  // A request that arrived on a refused connection before it closed is not handled (it got its 429).
  app.addHook('onRequest', async (request, reply) => {
    if (!refused.has(request.raw.socket)) return
    reply.hijack()
    request.raw.socket.destroy()
  })
}
