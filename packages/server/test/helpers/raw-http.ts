/**
 * Raw HTTP for hostile requests: any method, path, header and body bytes
 * (fetch refuses a body on GET, normalises paths and sets headers itself).
 * Event streams are cut after their headers.
 */
import http from 'node:http'
import net from 'node:net'

export interface RawRequest {
  method: string
  /** Path and query, sent as given. */
  path: string
  headers?: Record<string, string>
  /** JSON text or any other bytes; undefined sends no body. */
  body?: string
  /** Send the body with Transfer-Encoding: chunked, in pieces, without a Content-Length. */
  chunked?: boolean
  /** Connect from this local address (any of 127.0.0.0/8 on loopback): another client address for the server. */
  localAddress?: string
}

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  /** The parsed body, or undefined if it is not JSON. */
  json: unknown
}

export function rawRequest(baseUrl: string, req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(req.headers ?? {}) }
    if (req.body !== undefined) {
      if (req.chunked) headers['transfer-encoding'] = 'chunked'
      else headers['content-length'] = Buffer.byteLength(req.body)
    }
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        agent: false,
        timeout: timeoutMs,
        localAddress: req.localAddress,
      },
      (res) => {
        if (String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
          res.destroy()
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', json: undefined })
          return
        }
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = text ? JSON.parse(text) : undefined
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
        })
      },
    )
    r.on('timeout', () => r.destroy(new Error(`timeout after ${timeoutMs} ms: ${req.method} ${req.path}`)))
    r.on('error', reject)
    if (req.body === undefined) r.end()
    else if (!req.chunked) r.end(req.body)
    else {
      const data = Buffer.from(req.body)
      const piece = 64 * 1024
      for (let i = 0; i < data.length; i += piece) r.write(data.subarray(i, i + piece))
      r.end()
    }
  })
}

export interface HalfOpen {
  socket: net.Socket
  /** When the connection closed: ms after it was established, and what the server answered (maybe nothing). */
  closed: Promise<{ afterMs: number; answer: string }>
  /** Resolves once connected. */
  connected: Promise<void>
}

/**
 * A raw TCP connection that sends `bytes` (perhaps an unfinished request, perhaps nothing) and then
 * goes quiet, the way a slow or hostile client holds a server's socket.
 */
export function halfOpen(baseUrl: string, bytes: string, localAddress?: string): HalfOpen {
  const url = new URL(baseUrl)
  let started = performance.now()
  const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress })
  let answer = ''
  socket.on('data', (d: Buffer) => {
    answer += d.toString('utf8')
  })
  socket.on('error', () => {})
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      started = performance.now()
      if (bytes) socket.write(bytes)
      resolve()
    })
    socket.once('error', reject)
  })
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) =>
    socket.once('close', () => resolve({ afterMs: performance.now() - started, answer })),
  )
  return { socket, closed, connected }
}

/** A raw request with a bearer token, and `content-type: application/json` when it has a body. */
export function rawWithToken(baseUrl: string, token: string, method: string, path: string, body?: string) {
  return rawRequest(baseUrl, {
    method,
    path,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body,
  })
}
