/** What the sync center says: operation names, the offline rule for conflicts, and a sync's outcome. */
import type { SyncSummary } from '@trackvault/client'

export const OPERATION_LABEL: Record<string, string> = { create: 'Create', update: 'Update', delete: 'Delete' }

export const NEEDS_NETWORK =
  'Resolving a conflict needs a connection: the server settles it. "Review later" works offline.'

/** One sentence on how a sync ended. */
export function summaryText(s: SyncSummary): string {
  if (s.skipped) return 'A sync is already under way (here or in another tab); its results show when it finishes.'
  const parts = [`${s.successful} sent`, `${s.pulled} received`]
  if (s.failed) parts.push(`${s.failed} failed`)
  if (s.conflicts) parts.push(`${s.conflicts} in conflict`)
  const done = parts.join(', ')
  if (!s.error) return `Sync finished: ${done}.`
  if (s.error.offline) return `No connection: nothing more could be sent (${done}). Your changes stay queued.`
  if (s.error.status === 401) return 'Your session has expired: sign out and sign in again to sync.'
  return `Sync stopped: ${s.error.message} (${done}).`
}
