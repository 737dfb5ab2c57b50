/**
 * Listens to the server's live pokes (Server-Sent Events over fetch, so the
 * token stays in a header) and calls `onPoke` with the newest cursor.
 * Reconnects with backoff; stops on `stop()`.
 */
import { createParser } from 'eventsource-parser'
import type { ApiClient } from './http'

export function listenForPokes(
  api: ApiClient,
  onPoke: (cursor: string) => void,
  opts: { minDelayMs?: number; maxDelayMs?: number } = {},
): () => void {
  const controller = new AbortController()
  let delay = opts.minDelayMs ?? 500
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await api.openEvents(controller.signal)
        delay = opts.minDelayMs ?? 500
        const parser = createParser({
          onEvent: (event) => {
            if (event.event !== 'change' && event.event !== 'ready') return
            try {
              onPoke((JSON.parse(event.data) as { cursor: string }).cursor)
            } catch {}
          },
        })
        const reader = (res.body as ReadableStream<Uint8Array>).getReader()
        const decoder = new TextDecoder()
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          parser.feed(decoder.decode(value, { stream: true }))
        }
      } catch {
        // offline, unauthorised or server gone: try again later
      }
      if (controller.signal.aborted) return
      await new Promise((r) => setTimeout(r, delay))
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 30_000)
    }
  }
  void run()
  return () => controller.abort()
}
