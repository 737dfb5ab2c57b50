/**
 * What the sync center says: operation names, the offline rule for
 * conflicts, a sync's outcome and a failed change's explanation, in the
 * chosen language (i18n/areas/admin.ts `syncWording`).
 */
import type { SyncSummary } from '@trackvault/client'
import { fieldProblem } from '@trackvault/core'
import i18next from 'i18next'
import { fieldErrors } from '../../lib/format'
import { errorText, problemText } from '../../lib/messages'
import { fieldLabel } from '../../lib/queue-view'

const say = (key: string, params?: Record<string, unknown>) => i18next.t(`syncWording.${key}`, params)

/** "Create", "Update", "Delete" (a queued operation's type). */
export function operationLabel(type: string): string {
  return i18next.exists(`syncWording.op_${type}`) ? say(`op_${type}`) : type
}

/** "create", "update", "delete" inside a sentence ("Discard this update of …"). */
export function operationNoun(type: string): string {
  return i18next.exists(`syncWording.opNoun_${type}`) ? say(`opNoun_${type}`) : type
}

/** The rule for conflicts without a connection. */
export function needsNetwork(): string {
  return say('needsNetwork')
}

/** What the sync center says while the device re-sends its journal to a server restored from a backup. */
export function restoreText(r: { total: number; sent: number }): string {
  return say('restoring', { count: r.total - r.sent, sent: r.sent, total: r.total })
}

/** One sentence on how a sync ended. */
export function summaryText(s: SyncSummary): string {
  if (s.skipped) return say('skipped')
  const parts = [say('sent', { count: s.successful }), say('received', { count: s.pulled })]
  if (s.failed) parts.push(say('failedCount', { count: s.failed }))
  if (s.conflicts) parts.push(say('conflictCount', { count: s.conflicts }))
  const done = parts.join(', ')
  if (!s.error) {
    const need = s.restored ? s.restored.conflicts + s.restored.failed : 0
    const restored = s.restored
      ? ` ${say(need > 0 ? 'restoredNeed' : 'restored', { count: s.restored.resent, need })}`
      : ''
    return `${say('finished', { done })}${restored}`
  }
  if (s.error.offline) return say('offlineStopped', { done })
  if (s.error.status === 401) return say('sessionExpired')
  return say('stopped', { message: errorText(s.error), done })
}

/**
 * What a failed operation's card says the server answered, in the screens'
 * words: a field's name ("supplier_id") as its label ("supplier"); a record
 * that no longer exists as what to do about it.
 */
export function failedText(error: { code: string; message: string } | undefined, fields: readonly string[]): string {
  if (!error) return say('refused')
  const label = (field: string) => fieldLabel(field).toLowerCase()
  if (error.code === 'REFERENCE_NOT_FOUND' && fields.length > 0) {
    return say('referenceGone', { what: fields.map(label).join(say('and')) })
  }
  const text = errorText(error)
  // The server's own words (English): a field's id named by its label.
  return text === error.message ? text.replace(/\b[a-z]+(?:_[a-z]+)*_id\b/g, label) : text
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
  return named ? { [named[1]]: problemText(fieldProblem('not_found')) } : {}
}
