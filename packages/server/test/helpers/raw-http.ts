/**
 * Raw HTTP for hostile requests: any method, path, header and body bytes
 * (fetch refuses a body on GET, normalises paths and sets headers itself).
 * Event streams are cut after their headers.
 */
import http from 'node:http'

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
