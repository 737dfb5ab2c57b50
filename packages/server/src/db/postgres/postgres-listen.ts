/** LISTEN/NOTIFY on PostgreSQL: how a commit in one server process pokes the live streams of all. */
import pg from 'pg'
import { parseNotification } from './notify-payload'

/**
 * Keeps one connection LISTENing on `channel` and calls `onSeq` with each
 * notified seq. Reconnects with backoff when PostgreSQL goes away, and
 * reports seq 0 after a reconnect (a poke may have been missed; clients pull).
 */
export async function listenPostgres(
  url: string,
  schema: string | undefined,
  channel: string,
  onSeq: (seq: number, audience: string[] | null) => void,
): Promise<() => Promise<void>> {
  let stopped = false
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let delay = 100
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, options: schema ? `-c search_path=${schema}` : undefined })
    c.on('notification', (msg) => {
      const note = parseNotification(msg.payload ?? '')
      if (note) onSeq(note.seq, note.audience)
    })
    c.on('error', () => reconnect())
    c.on('end', () => reconnect())
    client = c
    await c.connect()
    await c.query(`LISTEN "${channel}"`)
    delay = 100
  }
  const reconnect = () => {
    if (stopped || retry) return
    client?.removeAllListeners('end')
    client?.end().catch(() => {})
    retry = setTimeout(async () => {
      retry = undefined
      try {
        await connect()
        onSeq(0, null)
      } catch {
        delay = Math.min(delay * 2, 5000)
        reconnect()
      }
    }, delay)
  }
  await connect()
  return async () => {
    stopped = true
    clearTimeout(retry)
    client?.removeAllListeners('end')
    await client?.end().catch(() => {})
  }
}
