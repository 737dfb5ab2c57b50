/**
 * The payload of a change NOTIFY on PostgreSQL: the newest seq, and whose rows the write changed
 * (domain/change-log.ts `audienceOf`) so that every process pokes only the live streams it concerns.
 */

/** A NOTIFY payload must stay under 8000 bytes; a longer audience is sent as "everyone". */
const MAX_NOTIFY_PAYLOAD = 7000

/** `seq` or `seq owner,owner,...` (see parseNotification). */
export function notification(seq: number, audience: string[] | null): string {
  const payload = audience ? `${seq} ${audience.join(',')}` : String(seq)
  return payload.length <= MAX_NOTIFY_PAYLOAD ? payload : String(seq)
}

export function parseNotification(payload: string): { seq: number; audience: string[] | null } | undefined {
  const [head, owners] = payload.split(' ')
  const seq = Number(head)
  if (!Number.isSafeInteger(seq)) return undefined
  return { seq, audience: owners === undefined ? null : owners.split(',').filter(Boolean) }
}
