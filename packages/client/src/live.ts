/**
 * Listens to the server's live pokes (Server-Sent Events over fetch, so the
 * token stays in a header) and calls `onPoke` with the newest cursor.
 * Reconnects with backoff (retry.ts) until `stop()`.
 *
 *   const stop = listenForPokes(api, (cursor) => void client.sync())
 */
import { createParser } from 'eventsource-parser'
import type { ApiClient } from './http'
import { retryUntilAborted, sleep } from './retry'

export function listenForPokes(
  api: ApiClient,
  onPoke: (cursor: string) => void,
  opts: { minDelayMs?: number; maxDelayMs?: number } = {},
): () => void {
  const controller = new AbortController()
  const { signal } = controller
  const backoff = { minDelayMs: opts.minDelayMs ?? 500, maxDelayMs: opts.maxDelayMs ?? 30_000, signal }
  const run = async () => {
    while (!signal.aborted) {
      try {
        // Offline, unauthorised or server gone: tried again with growing waits until it answers.
        const res = await retryUntilAborted(() => api.openEvents(signal), backoff)
        await readPokes(res, onPoke)
      } catch {
        // Stopped, or the stream broke off (network lost, server restarted): reconnect below unless stopped.
      }
      if (signal.aborted) return
      await sleep(backoff.minDelayMs)
    }
  }
  void run()
  return () => controller.abort()
}

/** Reads the event stream until it ends, calling `onPoke` with the cursor of each change. */
async function readPokes(res: Response, onPoke: (cursor: string) => void): Promise<void> {
  const parser = createParser({
    onEvent: (event) => {
      if (event.event !== 'change' && event.event !== 'ready') return
      const cursor = cursorOf(event.data)
      if (cursor !== undefined) onPoke(cursor)
    },
  })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    parser.feed(decoder.decode(value, { stream: true }))
  }
}

/**
 * The cursor an event carries. A malformed event is skipped: a poke only
 * says "something changed", and the next poke or the timer brings it.
 */
function cursorOf(data: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch (err) {
    if (err instanceof SyntaxError) return undefined
    throw err
  }
  const cursor = (parsed as { cursor?: unknown } | null)?.cursor
  return typeof cursor === 'string' ? cursor : undefined
}
