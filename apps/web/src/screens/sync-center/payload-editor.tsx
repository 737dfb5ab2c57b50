/**
 * The payload editor of a failed operation: one input per field the payload
 * has (a checkbox for booleans), with the server's message beside the field
 * it named.
 */
import type { QueuedOp } from '@trackvault/client'
import { type FormEvent, useId, useState } from 'react'
import { type EditField, entityLabel, fieldLabel, formToPayload } from '../../lib/queue-view'

/** The failed operation's fields as a form; submitting sends the edited payload again. */
export function PayloadEditor({
  op,
  fields,
  errors,
  busy,
  onCancel,
  onSubmit,
}: {
  op: QueuedOp
  fields: EditField[]
  errors: Record<string, string>
  busy: boolean
  onCancel: () => void
  onSubmit: (payload: Record<string, unknown>) => void
}) {
  const id = useId()
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(fields.map((f) => [f.key, f.value])),
  )
  const submit = (e: FormEvent) => {
    e.preventDefault()
    onSubmit(formToPayload(op.payload, fields, values))
  }
  return (
    <form className="edit-payload" onSubmit={submit} aria-label={`Edit the ${entityLabel(op.entity_type)} change`}>
      {fields.map((f) => {
        const inputId = `${id}-${f.key}`
        const err = errors[f.key]
        if (f.kind === 'boolean') {
          return (
            <div key={f.key} className="field">
              <label className="check" htmlFor={inputId}>
                <input
                  id={inputId}
                  type="checkbox"
                  checked={Boolean(values[f.key])}
                  onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.checked }))}
                />{' '}
                {fieldLabel(f.key)}
              </label>
              {err ? <div className="error-text">{err}</div> : null}
            </div>
          )
        }
        return (
          <div key={f.key} className={`field${err ? ' field-error' : ''}`}>
            <label htmlFor={inputId}>{fieldLabel(f.key)}</label>
            <input
              id={inputId}
              inputMode={f.kind === 'number' ? 'decimal' : undefined}
              value={String(values[f.key] ?? '')}
              aria-invalid={err ? true : undefined}
              aria-describedby={err ? `${inputId}-err` : undefined}
              onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
            />
            {err ? (
              <div id={`${inputId}-err`} className="error-text">
                {err}
              </div>
            ) : null}
          </div>
        )
      })}
      <div className="conflict-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save and retry
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  )
}
