import { expect, test, vi } from 'vitest'
import { ApiClient } from './http'
import { listenForPokes } from './live'

/** An SSE response carrying `text`, then ending. */
const stream = (text: string) =>
  new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text))
        controller.close()
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  )

test('pokes carry the cursor; a malformed event is skipped, not the stream', async () => {
  const fetch = vi.fn(async () =>
    stream('event: change\ndata: not json\n\nevent: ping\ndata: {}\n\nevent: change\ndata: {"cursor":"c2"}\n\n'),
  )
  const pokes: string[] = []
  const stop = listenForPokes(new ApiClient('http://trackvault.test', fetch), (c) => pokes.push(c), {
    minDelayMs: 1000,
  })
  await vi.waitFor(() => expect(pokes).toEqual(['c2']))
  stop()
})

test('reconnects with backoff after failed connections until it is stopped', async () => {
  let calls = 0
  const fetch = vi.fn(async () => {
    calls += 1
    if (calls < 3) throw new TypeError('fetch failed')
    return stream('event: ready\ndata: {"cursor":"c1"}\n\n')
  })
  const pokes: string[] = []
  const stop = listenForPokes(new ApiClient('http://trackvault.test', fetch), (c) => pokes.push(c), {
    minDelayMs: 1,
    maxDelayMs: 4,
  })
  await vi.waitFor(() => expect(pokes[0]).toBe('c1'))
  stop()
  const after = calls
  await new Promise((r) => setTimeout(r, 30))
  expect(calls).toBe(after)
})
