/**
 * The state every form has: its values, per-field errors, a form-level error
 * and whether a save is running.
 *
 *   const form = useFormState({ code: '', name: '' })
 *   form.set({ code: 'S-1' })  // changes the field and clears its error
 *   form.fail(err)             // shows a failed save (see saveErrors)
 */
import { useState } from 'react'
import { saveErrors } from './format'

export function useFormState<T extends object>(initial: T | (() => T)) {
  const [values, setValues] = useState<T>(initial)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [busy, setBusy] = useState(false)

  /** Changes fields and clears their errors. */
  const set = (patch: Partial<T>) => {
    setValues((v) => ({ ...v, ...patch }))
    setErrors((e) => {
      const keys = Object.keys(patch).filter((k) => k in e)
      if (keys.length === 0) return e
      const next = { ...e }
      for (const k of keys) delete next[k]
      return next
    })
  }

  /** Shows a failed save: per-field messages (the error's own unless given) and the form's. */
  const fail = (err: unknown, fields?: Record<string, string>) => {
    const split = saveErrors(err, fields)
    setErrors(split.fields)
    setFormError(split.form)
  }

  return { values, setValues, errors, setErrors, formError, setFormError, busy, setBusy, set, fail }
}
