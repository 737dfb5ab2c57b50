/**
 * Live pokes: the change feed of this process, fed by local commits and, on
 * PostgreSQL, by LISTEN/NOTIFY from every process on the database. SSE
 * streams subscribe to it (`openChangeStream`). Open streams are ended
 * when the server closes, so shutdown is not held up by them.
 *
 * A stream lives only as long as the session that opened it (directly, or
 * through the ticket it minted). Every `sessionCheckMs`, one query re-checks
 * the sessions of all open streams of this process and ends the streams
 * whose session was revoked, expired, or whose user was deactivated or given
 * another role. That is one mechanism for every way a session ends, in this
 * process or another one on the same database (a logout served by another
 * process is seen at the next check). Revocations served by this process
 * re-check at once (`recheckLiveStreams`).
 */
import { encodeCursor, type Role } from '@trackvault/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { FastifySSEPlugin } from 'fastify-sse-v2'
import { liveSessions, type Session } from '../auth/tokens'
import type { DbHandle } from '../db/database'
import { headSeq } from '../domain/change-log'
import { currentEpoch } from '../domain/epoch'
import { streamWants } from '../domain/visibility'

/** The session an open stream belongs to, and the role it was opened with (its pokes are filtered by it). */
export interface StreamSession {
  tokenHash: string
  role: Role
}

declare module 'fastify' {
  interface FastifyInstance {
    liveStreams: Map<FastifyReply, StreamSession>
    /** Re-checks the session of every open stream now; resolves when streams of ended sessions are ended. */
    recheckLiveStreams(): Promise<void>
  }
}

export const DEFAULT_SESSION_CHECK_MS = 15_000
const HEARTBEAT_MS = 15_000

/**
 * Serves one live stream on `reply` for `session`: `ready` with the newest cursor, then `change`
 * whenever changes that concern the session's user commit (domain/visibility.ts `streamWants`), a
 * `ping` every 15 s (proxies keep the connection), until the client goes or the session ends.
 */
export async function openChangeStream(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  session: Session,
): Promise<void> {
  let lastSent = 0
  const epoch = await currentEpoch(app.db)
  const send = (event: string, seq: number) => {
    lastSent = Math.max(lastSent, seq)
    const cursor = encodeCursor(seq, epoch)
    reply.sse({ event, id: cursor, data: JSON.stringify({ cursor }) })
  }
  const head = await headSeq(app.db)
  // The client may have gone while the handler awaited the database; its 'close' has fired already.
  if (request.raw.destroyed) return void reply.hijack()
  send('ready', head)
  const onChange = (seq: number, audience: string[] | null = null) => {
    if (!streamWants(session, audience)) return
    if (seq === 0 || seq > lastSent) send('change', seq === 0 ? lastSent : seq)
  }
  app.changeFeed.on('change', onChange)
  app.liveStreams.set(reply, { tokenHash: session.tokenHash, role: session.role })
  const heartbeat = setInterval(() => reply.sse({ event: 'ping', data: '{}' }), HEARTBEAT_MS)
  request.raw.on('close', () => {
    clearInterval(heartbeat)
    app.changeFeed.off('change', onChange)
    app.liveStreams.delete(reply)
  })
}

export const livePlugin = fp(async (app: FastifyInstance, opts: { handle: DbHandle; sessionCheckMs?: number }) => {
  await app.register(FastifySSEPlugin, { retryDelay: 1000 })
  const streams = new Map<FastifyReply, StreamSession>()
  app.decorate('liveStreams', streams)
  const end = (reply: FastifyReply) => {
    streams.delete(reply)
    reply.sseContext?.source.end()
  }

  const check = async () => {
    if (streams.size === 0) return
    const open = [...streams]
    const live = await liveSessions(opts.handle.db, [...new Set(open.map(([, s]) => s.tokenHash))])
    for (const [reply, session] of open) if (live.get(session.tokenHash) !== session.role) end(reply)
  }
  // One check at a time. A request made while a check waits to start shares it (it reads after the
  // request was made); one made while a check runs gets the next (the running one may have read too early).
  let running: Promise<void> = Promise.resolve()
  let waiting: Promise<void> | null = null
  const recheck = () => {
    if (!waiting) {
      const next = running.then(() => {
        waiting = null
        return check()
      })
      waiting = next
      running = next.catch((err) => app.log.warn({ err }, 'could not re-check the sessions of open event streams'))
    }
    return running
  }
  app.decorate('recheckLiveStreams', recheck)
  const timer = setInterval(() => void recheck(), opts.sessionCheckMs ?? DEFAULT_SESSION_CHECK_MS)
  timer.unref()

  let stopListening: (() => Promise<void>) | undefined
  if (opts.handle.listen) {
    stopListening = await opts.handle.listen((seq, audience) => app.changeFeed.notify(seq, audience))
  }
  app.addHook('preClose', async () => {
    clearInterval(timer)
    for (const reply of [...streams.keys()]) end(reply)
  })
  app.addHook('onClose', async () => {
    await running
    await stopListening?.()
  })
})
