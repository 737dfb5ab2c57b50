/**
 * The state every form has: its values, per-field errors, a form-level error
 * and whether a save is running; and the wiring of its inputs.
 *
 *   const form = useFormState({ code: '', name: '', is_active: true })
 *   <Field label="Code" {...form.bind('code')} />   // value, error, onChange
 *   <CheckField label="Active" {...form.bindCheck('is_active')} />
 *   form.set({ code: 'S-1' })                      // changes the field and clears its error
 *   form.save(() => api.create(input), fieldsOf)   // busy while it runs; a failure shows (see saveErrors)
 *   form.shown('amount', problem)                  // the field's error, else `problem` once the person left it
 *
 * A field's live problem (what core's schema says about what is typed) shows
 * beside it once the person leaves the field (`bind`'s onBlur, or `touch`)
 * and after a submit (which touches every field), never while a first value
 * is still being typed.
 */
import { type ChangeEvent, useState } from 'react'
import { saveErrors } from './format'

/** The fields of `T` holding text (bound to inputs, selects and text areas). */
type TextKey<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T] & string
/** The fields of `T` holding a yes/no (bound to checkboxes). */
type FlagKey<T> = { [K in keyof T]: T[K] extends boolean ? K : never }[keyof T] & string

export type FormState<T extends object> = ReturnType<typeof useFormState<T>>

export function useFormState<T extends object>(initial: T | (() => T)) {
  const [values, setValues] = useState<T>(initial)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set())

  /** Marks fields as left by the person: their live problems show from now on. */
  const touch = (...keys: string[]) => setTouched((t) => (keys.every((k) => t.has(k)) ? t : new Set([...t, ...keys])))

  /** What a field shows: the last save's or submit's error, else `problem` once the field was left. */
  const shown = (key: string, problem?: string): string | undefined =>
    errors[key] ?? (touched.has(key) ? problem : undefined)

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

  /** Runs a save with the form busy; if it throws, shows the failure (per field as `fieldsOf` reads the error). */
  const save = async (work: () => Promise<void>, fieldsOf?: (err: unknown) => Record<string, string>) => {
    setBusy(true)
    try {
      await work()
    } catch (err) {
      fail(err, fieldsOf?.(err))
    } finally {
      setBusy(false)
    }
  }

  /** An input's, select's or text area's props for a text field: its value, its error, typing into it and leaving it. */
  const bind = (key: TextKey<T>) => ({
    value: values[key] as string,
    error: errors[key],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      set({ [key]: e.target.value } as Partial<T>),
    onBlur: () => touch(key),
  })

  /** A checkbox's props for a yes/no field. */
  const bindCheck = (key: FlagKey<T>) => ({
    checked: values[key] as boolean,
    onChange: (e: ChangeEvent<HTMLInputElement>) => set({ [key]: e.target.checked } as Partial<T>),
  })

  return {
    values,
    setValues,
    errors,
    setErrors,
    formError,
    setFormError,
    busy,
    setBusy,
    set,
    fail,
    save,
    bind,
    bindCheck,
    touched,
    touch,
    shown,
  }
}
