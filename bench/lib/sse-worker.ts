/**
 * A child process of the connections workload (bench/workloads/connections.ts):
 * opens many live event streams (SSE, `GET /api/sync/events`) to the server
 * and counts the events each receives. Driven over IPC (messages below).
 * Each stream gets a single-use ticket first (`POST /api/sync/events/ticket`
 * with the user's bearer token, as a browser's EventSource must), or sends
 * the bearer token itself (as the Node and web SyncClient do), per `auth`.
 */
import http from 'node:http'

export type WorkerCommand =
  | {
      type: 'open'
      url: string
      tokens: string[]
      count: number
      concurrency: number
      auth: 'ticket' | 'bearer'
    }
  | { type: 'status' }
  | { type: 'close' }

export type WorkerReport =
  | { type: 'opened'; opened: number; failed: number; errors: string[]; ms: number }
  | {
      type: 'status'
      /** Streams still open. */
      open: number
      /** Streams that received `ready`. */
      ready: number
      /** Streams that received at least one `change`. */
      changed: number
      /** Epoch ms of the first and the last stream's first `change` (0 if none). */
      firstChangeAt: number
      lastChangeAt: number
      /** Streams that ended or failed after they were open. */
      dropped: number
    }

interface Stream {
  res?: http.IncomingMessage
  req: http.ClientRequest
  ready: boolean
  changeAt: number
  ended: boolean
}

const streams: Stream[] = []
const errors = new Set<string>()
const ticketAgent = new http.Agent({ keepAlive: true, maxSockets: 32 })

function send(report: WorkerReport) {
  process.send?.(report)
}

function postTicket(url: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/api/sync/events/ticket`,
      { method: 'POST', agent: ticketAgent, headers: { authorization: `Bearer ${token}`, 'content-length': 0 } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          body += d
        })
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`ticket: HTTP ${res.statusCode} ${body.slice(0, 80)}`))
          else resolve((JSON.parse(body) as { ticket: string }).ticket)
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** Opens one stream; resolves once `ready` arrived (the server has subscribed it to the change feed). */
function openStream(url: string, token: string, ticket: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const path = ticket ? `/api/sync/events?ticket=${encodeURIComponent(ticket)}` : '/api/sync/events'
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (!ticket) headers.authorization = `Bearer ${token}`
    const req = http.request(`${url}${path}`, { agent: false, headers })
    const stream: Stream = { req, ready: false, changeAt: 0, ended: false }
    let settled = false
    const settle = (err?: Error) => {
      if (settled) return
      settled = true
      if (err) reject(err)
      else resolve()
    }
    req.on('response', (res) => {
      stream.res = res
      if (res.statusCode !== 200) {
        res.resume()
        settle(new Error(`events: HTTP ${res.statusCode}`))
        return
      }
      streams.push(stream)
      res.setEncoding('utf8')
      let rest = ''
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) {
          if (line === 'event: ready') {
            stream.ready = true
            settle()
          } else if (line === 'event: change' && !stream.changeAt) stream.changeAt = Date.now()
        }
      })
      res.on('end', () => {
        stream.ended = true
      })
      res.on('error', () => {
        stream.ended = true
      })
    })
    req.on('error', (err) => {
      stream.ended = true
      settle(err)
    })
    req.end()
  })
}

async function open(cmd: Extract<WorkerCommand, { type: 'open' }>) {
  const t0 = Date.now()
  let next = 0
  let opened = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: Math.min(cmd.concurrency, cmd.count) }, async () => {
      while (next < cmd.count) {
        const i = next++
        const token = cmd.tokens[i % cmd.tokens.length]
        try {
          const ticket = cmd.auth === 'ticket' ? await postTicket(cmd.url, token) : undefined
          await openStream(cmd.url, token, ticket)
          opened += 1
        } catch (err) {
          failed += 1
          if (errors.size < 5) errors.add(err instanceof Error ? err.message : String(err))
        }
      }
    }),
  )
  ticketAgent.destroy()
  send({ type: 'opened', opened, failed, errors: [...errors], ms: Date.now() - t0 })
}

function status() {
  const changes = streams.map((s) => s.changeAt).filter((t) => t > 0)
  send({
    type: 'status',
    open: streams.filter((s) => !s.ended).length,
    ready: streams.filter((s) => s.ready).length,
    changed: changes.length,
    firstChangeAt: changes.length ? Math.min(...changes) : 0,
    lastChangeAt: changes.length ? Math.max(...changes) : 0,
    dropped: streams.filter((s) => s.ended).length,
  })
}

process.on('message', (cmd: WorkerCommand) => {
  if (cmd.type === 'open') void open(cmd)
  else if (cmd.type === 'status') status()
  else if (cmd.type === 'close') {
    for (const s of streams) s.req.destroy()
    setTimeout(() => process.exit(0), 100)
  }
})
process.on('disconnect', () => process.exit(0))
