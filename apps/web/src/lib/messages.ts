/**
 * What core and the server say went wrong, in the person's language. Core
 * writes every field message from its catalogue of problems (core
 * problems.ts), and every error carries a stable code (core errors.ts, the
 * client's own codes): the texts are translated by kind and by code
 * (i18n/areas/admin.ts `fieldErrors`, `errors`). English shows core's and the
 * server's own words, exactly as they were written; so does any text that is
 * neither (a message of an older server, a browser's own).
 *
 *   problemText('must have at most 2 decimal places') // sw: "lazima iwe na nafasi 2 za desimali au chache zaidi"
 *   errorText(new ApiError(409, 'LAST_ADMIN', 'This would leave no active admin'))
 */
import { ERROR_CODES, type FieldProblem, readFieldProblem } from '@trackvault/core'
import i18next from 'i18next'

/** English, or i18next not started (unit tests): the words as core and the server wrote them. */
function asWritten(): boolean {
  return !i18next.isInitialized || (i18next.resolvedLanguage ?? i18next.language ?? 'en') === 'en'
}

/** A field's name as the screens call it, in the chosen language ("effective_date" -> "Effective date"), if known. */
export function knownFieldName(field: string): string | undefined {
  return i18next.isInitialized && i18next.exists(`fields.${field}`) ? i18next.t(`fields.${field}`) : undefined
}

/** A field's name as the screens call it, else its words ("period_from" -> "period from"). */
export function fieldName(field: string): string {
  return knownFieldName(field) ?? field.replace(/_/g, ' ')
}

/** A problem's words in the chosen language; a field its values name ("before from_date") by its name. */
function translated(problem: FieldProblem): string {
  const { other, ...params } = problem.params
  return i18next.t(`fieldErrors.${problem.kind}`, {
    ...params,
    ...(other ? { other: fieldName(other).toLowerCase() } : {}),
  })
}

/** A field's message ("is not a number") in the chosen language; a text core did not write stays as it is. */
export function problemText(message: string): string {
  if (asWritten()) return message
  const problem = readFieldProblem(message)
  return problem ? translated(problem) : message
}

/** "Amount" and a problem -> "Amount must be greater than zero" (in the chosen language's order). */
export function labelledText(label: string, problem: string): string {
  return asWritten() ? `${label} ${problem}` : i18next.t('fieldErrors.labelled', { label, problem })
}

/** The message of anything thrown, as it was written. */
export function rawMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: string }).message)
  return String(err)
}

/**
 * An error in the chosen language, by its code: a server's (core's
 * registry) or the client's own (NETWORK, HTTP_502, ...), a wait in seconds
 * when it says one; a thrown text of core's problems by its kind.
 */
export function errorText(err: unknown): string {
  const message = rawMessage(err)
  if (asWritten()) return message
  const { code, details } = (err ?? {}) as { code?: unknown; details?: { retry_after_seconds?: unknown } }
  if (typeof code !== 'string') return problemText(message)
  const seconds = details?.retry_after_seconds
  if (code === 'RATE_LIMITED' && typeof seconds === 'number') return i18next.t('errors.rateLimitedWait', { seconds })
  if (Object.hasOwn(ERROR_CODES, code) || i18next.exists(`errors.${code}`)) return i18next.t(`errors.${code}`)
  const status = /^HTTP_(\d+)$/.exec(code)?.[1]
  if (status) return i18next.t('errors.http', { status })
  return problemText(message)
}

/** What a form says when a save marked some of its fields. */
export const CORRECT_FIELDS = (): string => i18next.t('fieldErrors.correctFields')

/**
 * "Are you sure? The amount is over 50000.00; and …." from the reasons to
 * confirm: core's ("the amount is over 50000.00: confirm it", said without
 * the last words) or a screen's own, already in the chosen language.
 */
export function confirmText(reasons: readonly string[]): string {
  const said = reasons.map((reason) => {
    const problem = readFieldProblem(reason)
    if (problem?.kind === 'large_quantity' || problem?.kind === 'large_amount')
      return i18next.t(`fieldErrors.reason_${problem.kind}`, problem.params)
    return problemText(reason)
  })
  const text = said.join(i18next.t('fieldErrors.andJoin'))
  return i18next.t('fieldErrors.areYouSure', { reasons: `${text.charAt(0).toUpperCase()}${text.slice(1)}` })
}
