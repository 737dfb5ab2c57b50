/**
 * Forms of rows with a code (suppliers, products): a code is unique among
 * the rows of its type, checked on this device before the save (the server
 * has the last word when the change syncs).
 */
import type { FormEvent } from 'react'
import { i18next } from '../i18n'
import type { FormState } from './form-state'
import { codeFieldErrors } from './format'

/**
 * Why `code` cannot be used by the row `id` (or a new row): another row of
 * the same type on this device has it ("already used by Kamau Farm", in the
 * chosen language). Codes are unique per type; the server has the last word
 * when the change syncs.
 */
function codeClash(
  rows: ReadonlyArray<{ id: string; code: string; name: string }> | undefined,
  code: string,
  id?: string,
): string | undefined {
  const clash = (rows ?? []).find((r) => r.code === code && r.id !== id)
  return clash ? i18next.t('records.codeUsedBy', { name: clash.name }) : undefined
}

/**
 * The submit of a form with a code: a code another row has marks the field
 * with whose it is; otherwise `save` runs with the trimmed code, and a
 * failure shows on the form (a DUPLICATE naming no field is the code's).
 */
export function codedSubmit<T extends { code: string }>(
  form: FormState<T>,
  rows: ReadonlyArray<{ id: string; code: string; name: string }> | undefined,
  id: string | undefined,
  save: (code: string) => Promise<void>,
) {
  return async (e: FormEvent) => {
    e.preventDefault()
    form.setFormError(undefined)
    const code = form.values.code.trim()
    const clash = codeClash(rows, code, id)
    if (clash) {
      form.setErrors({ code: clash })
      return
    }
    await form.save(() => save(code), codeFieldErrors)
  }
}
