/** What the sync center says: operation names, the offline rule for conflicts, and a sync's outcome. */
import type { SyncSummary } from '@trackvault/client'
import { fieldErrors } from '../../lib/format'
import { fieldLabel } from '../../lib/queue-view'

export const OPERATION_LABEL: Record<string, string> = { create: 'Create', update: 'Update', delete: 'Delete' }

export const NEEDS_NETWORK =
  'Resolving a conflict needs a connection: the server settles it. "Review later" works offline.'

/** What the sync center says while the device re-sends its journal to a server restored from a backup. */
export function restoreText(r: { total: number; sent: number }): string {
  const n = r.total - r.sent
  return `The server was restored from a backup; re-sending ${n} ${n === 1 ? 'change' : 'changes'} (${r.sent} of ${r.total} done).`
}

/** One sentence on how a sync ended. */
export function summaryText(s: SyncSummary): string {
  if (s.skipped) return 'A sync is already under way (here or in another tab); its results show when it finishes.'
  const parts = [`${s.successful} sent`, `${s.pulled} received`]
  if (s.failed) parts.push(`${s.failed} failed`)
  if (s.conflicts) parts.push(`${s.conflicts} in conflict`)
  const done = parts.join(', ')
  const restored = s.restored
    ? ` The server had been restored from a backup: ${s.restored.resent} confirmed changes re-sent${
        s.restored.conflicts + s.restored.failed > 0
          ? `, ${s.restored.conflicts + s.restored.failed} need your decision below`
          : ''
      }.`
    : ''
  if (!s.error) return `Sync finished: ${done}.${restored}`
  if (s.error.offline) return `No connection: nothing more could be sent (${done}). Your changes stay queued.`
  if (s.error.status === 401) return 'Your session has expired: sign out and sign in again to sync.'
  return `Sync stopped: ${s.error.message} (${done}).`
}

/**
 * What a failed operation's card says the server answered, in the screens'
 * words: a field's name ("supplier_id") as its label ("supplier"); a record
 * that no longer exists as what to do about it.
 */
export function failedText(error: { code: string; message: string } | undefined, fields: readonly string[]): string {
  if (!error) return 'The server refused this change.'
  const label = (field: string) => fieldLabel(field).toLowerCase()
  if (error.code === 'REFERENCE_NOT_FOUND' && fields.length > 0) {
    return `The ${fields.map(label).join(' and ')} it names is not on the server any more: edit it to choose another, or discard it.`
  }
  return error.message.replace(/\b[a-z]+(?:_[a-z]+)*_id\b/g, label)
}

/**
 * The fields a failed operation's error names, with their messages: the
 * server's details; for a REFERENCE_NOT_FOUND learnt without them (an answer
 * replayed from the server's ledger keeps only the code and message) the
 * field its message starts with ("supplier_id does not name an existing
 * supplier").
 */
export function failedFields(error: { code: string; message: string; details?: unknown } | undefined) {
  const fields = fieldErrors({ details: error?.details })
  if (Object.keys(fields).length > 0 || error?.code !== 'REFERENCE_NOT_FOUND') return fields
  const named = /^([a-z]+(?:_[a-z]+)*_id) does not name\b/.exec(error.message)
  return named ? { [named[1]]: 'not found' } : {}
}
