/**
 * A small Server-Sent Events client for tests: fetch with a streaming body
 * reader and a frame parser that follows the EventSource rules (fields,
 * comments, CRLF/LF/CR line ends, events only dispatched when they carry data).
 */

export interface SseEvent {
  event: string
  data: string
  id?: string
  /** performance.now() when the frame was complete. */
  at: number
}

/** Parses an SSE byte stream into events; feed it decoded text chunks. */
export class SseParser {
  private buffer = ''
  private event = ''
  private data: string[] = []
  private id: string | undefined
  retry: number | undefined

  constructor(private readonly dispatch: (e: SseEvent) => void) {}

  push(chunk: string) {
    this.buffer += chunk
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer)
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) return
      const line = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      this.line(line)
    }
  }

  private line(line: string) {
    if (line === '') {
      if (this.data.length > 0) {
        this.dispatch({
          event: this.event || 'message',
          data: this.data.join('\n'),
          id: this.id,
          at: performance.now(),
        })
      }
      this.event = ''
      this.data = []
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.event = value
    else if (field === 'data') this.data.push(value)
    else if (field === 'id') this.id = value
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value)
  }
}

interface Waiter {
  match: (e: SseEvent) => boolean
  resolve: (e: SseEvent) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

interface Dispatcher {
  destroy(): Promise<void>
}

/**
 * A connection pool of its own for one stream (an undici Agent, the class behind the global fetch).
 * After a stream is aborted, fetch's shared pool may open a spare connection that never sends a
 * request; a server counts that as busy and its graceful close waits for it. Destroying the
 * stream's own pool closes such connections with the stream.
 */
export function newDispatcher(): Dispatcher | undefined {
  const global = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as
    | { constructor: new () => Dispatcher }
    | undefined
  return global ? new global.constructor() : undefined
}

/** One open event stream. Events are read in order with `next`; non-matching ones are skipped. */
export class SseStream {
  readonly events: SseEvent[] = []
  /** Resolves when the server ends the stream (or it breaks); never rejects. */
  readonly ended: Promise<void>
  private position = 0
  private waiters: Waiter[] = []
  private done = false
  readonly parser: SseParser

  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
    private readonly dispatcher?: Dispatcher,
  ) {
    this.parser = new SseParser((e) => this.onEvent(e))
    this.ended = this.pump()
  }

  get status() {
    return this.response.status
  }

  private async pump() {
    const reader = (this.response.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        this.parser.push(decoder.decode(value, { stream: true }))
      }
    } catch {
      // Aborted by close() or the connection broke: either way the stream is over.
    } finally {
      this.done = true
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer)
        w.reject(new Error('the event stream ended'))
      }
    }
  }

  private onEvent(e: SseEvent) {
    this.events.push(e)
    this.deliver()
  }

  private deliver() {
    while (this.waiters.length > 0 && this.position < this.events.length) {
      const e = this.events[this.position++]
      const i = this.waiters.findIndex((w) => w.match(e))
      if (i === -1) continue
      const [w] = this.waiters.splice(i, 1)
      clearTimeout(w.timer)
      w.resolve(e)
    }
  }

  /** The next unread event named `event` (or any event but pings), waiting up to `timeoutMs`. */
  next(event?: string, timeoutMs = 3000): Promise<SseEvent> {
    const match = (e: SseEvent) => (event === undefined ? e.event !== 'ping' : e.event === event)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer)
        reject(new Error(`no '${event ?? 'any'}' event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`))
      }, timeoutMs)
      if (this.done && this.position >= this.events.length) {
        clearTimeout(timer)
        reject(new Error('the event stream ended'))
        return
      }
      this.waiters.push({ match, resolve, reject, timer })
      this.deliver()
    })
  }

  /** Closes the stream from the client side and waits until reading stopped. */
  async close() {
    this.controller.abort()
    await this.ended
    await this.dispatcher?.destroy().catch(() => {})
  }
}

export type SseOpen = { ok: true; stream: SseStream } | { ok: false; status: number; body: unknown }

/** Opens `url` as an event stream; on a non-200 answer returns its status and parsed body. */
export async function openEvents(url: string, headers: Record<string, string> = {}): Promise<SseOpen> {
  const controller = new AbortController()
  const dispatcher = newDispatcher()
  const init = { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal, dispatcher }
  let response: Response
  try {
    response = await fetch(url, init as RequestInit)
  } catch (err) {
    await dispatcher?.destroy().catch(() => {})
    throw err
  }
  if (response.status !== 200) {
    const text = await response.text()
    await dispatcher?.destroy().catch(() => {})
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {}
    return { ok: false, status: response.status, body }
  }
  return { ok: true, stream: new SseStream(response, controller, dispatcher) }
}

/** Opens the live stream of `baseUrl` with a bearer token (header) or a ticket (query); throws unless 200. */
export async function connectEvents(baseUrl: string, auth: { token: string } | { ticket: string }) {
  const opened =
    'token' in auth
      ? await openEvents(`${baseUrl}/api/sync/events`, { authorization: `Bearer ${auth.token}` })
      : await openEvents(`${baseUrl}/api/sync/events?ticket=${encodeURIComponent(auth.ticket)}`)
  if (!opened.ok) throw new Error(`event stream refused: ${opened.status} ${JSON.stringify(opened.body)}`)
  return opened.stream
}

/** The cursor in an event's data. */
export const cursorOf = (e: SseEvent) => (JSON.parse(e.data) as { cursor: string }).cursor
