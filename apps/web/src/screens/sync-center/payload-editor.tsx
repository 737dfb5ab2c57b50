/**
 * The payload editor of a failed operation: one input per field the payload
 * has (a checkbox for booleans), the same supplier picker and product select
 * as the collection and payment forms for their ids, and the collector by
 * name (a select of people for those who may record for others); the
 * server's message beside the field it named, and what core's schema says of
 * a decimal typed here ("Quantity is not a number") once the field is left
 * or on submit, which sends nothing until it is fixed. No id is shown.
 */
import type { QueuedOp } from '@trackvault/client'
import { ENTITY_SPECS, mayActForOthers, type Person } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { type FormEvent, useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { z } from 'zod'
import { SupplierPicker } from '../../components/supplier-picker'
import { SelectField } from '../../components/ui'
import { labelled, typedProblem } from '../../lib/field-check'
import { productOptions, useLookups } from '../../lib/lookup'
import { type EditField, entityLabel, fieldLabel, formToPayload, type IdNames } from '../../lib/queue-view'
import { useSession } from '../../lib/session'

/** The people this device knows (synced for the roles that see others' records), for the collector select. */
function usePeople(wanted: boolean): Person[] {
  const client = useSyncClient()
  const [people, setPeople] = useState<Person[]>([])
  useEffect(() => {
    if (!wanted) return
    let live = true
    const load = () =>
      void client.people().then((list) => {
        if (live) setPeople(list)
      })
    load()
    const stop = client.onSync(load)
    return () => {
      live = false
      stop()
    }
  }, [client, wanted])
  return people
}

/** The failed operation's fields as a form; submitting sends the edited payload again. */
export function PayloadEditor({
  op,
  fields,
  errors,
  names,
  busy,
  onCancel,
  onSubmit,
}: {
  op: QueuedOp
  fields: EditField[]
  errors: Record<string, string>
  names: IdNames
  busy: boolean
  onCancel: () => void
  onSubmit: (payload: Record<string, unknown>) => void
}) {
  const { t } = useTranslation()
  const id = useId()
  const { user } = useSession()
  const { suppliers, products } = useLookups()
  const forOthers = Boolean(user && mayActForOthers(user.role, op.entity_type))
  const people = usePeople(forOthers && fields.some((f) => f.kind === 'user_id'))
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(fields.map((f) => [f.key, f.value])),
  )
  const setValue = (key: string, value: string | boolean) => setValues((v) => ({ ...v, [key]: value }))
  const spec = ENTITY_SPECS[op.entity_type]
  const shape = spec.input.shape as Record<string, z.ZodType>
  /** What core's schema says of a decimal field's text (the server's own words), or undefined. */
  const problemOf = (key: string) =>
    key in spec.decimals && shape[key]
      ? labelled(fieldLabel(key), typedProblem(shape[key], String(values[key] ?? '')))
      : undefined
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set())
  const touch = (...keys: string[]) => setTouched((t) => new Set([...t, ...keys]))
  /** A field's message: its typed problem once left, else the server's. */
  const messageOf = (key: string) => (touched.has(key) ? problemOf(key) : undefined) ?? errors[key]
  const submit = (e: FormEvent) => {
    e.preventDefault()
    touch(...fields.map((f) => f.key))
    if (fields.some((f) => problemOf(f.key))) return
    onSubmit(formToPayload(op.payload, fields, values))
  }
  return (
    <form
      className="edit-payload"
      onSubmit={submit}
      aria-label={t('payloadEditor.label', { kind: entityLabel(op.entity_type) })}
    >
      {fields.map((f) => {
        const inputId = `${id}-${f.key}`
        const err = messageOf(f.key)
        const value = String(values[f.key] ?? '')
        if (f.kind === 'supplier_id') {
          return (
            <SupplierPicker
              key={f.key}
              suppliers={suppliers}
              value={value}
              onChange={(supplierId) => setValue(f.key, supplierId)}
              error={err}
            />
          )
        }
        if (f.kind === 'product_id') {
          return (
            <SelectField
              key={f.key}
              label={fieldLabel(f.key)}
              value={value}
              onChange={(e) => setValue(f.key, e.target.value)}
              options={productOptions(products, value)}
              placeholder={t('collectionForm.chooseProductOption')}
              error={err}
            />
          )
        }
        if (f.kind === 'user_id') {
          const name = names.user_id?.(value) ?? t('payloadEditor.you')
          if (!forOthers || people.length === 0) {
            return (
              <div key={f.key} className="field">
                <span className="field-label">{fieldLabel(f.key)}</span>
                <span data-testid="edit-collector">{name}</span>
                {err ? <div className="error-text">{err}</div> : null}
              </div>
            )
          }
          const options = people
            .filter((p) => p.is_active !== false || p.id === value)
            .map((p) => ({ value: p.id, label: p.name }))
          if (!options.some((o) => o.value === value)) options.unshift({ value, label: name })
          return (
            <SelectField
              key={f.key}
              label={fieldLabel(f.key)}
              value={value}
              onChange={(e) => setValue(f.key, e.target.value)}
              options={options}
              error={err}
            />
          )
        }
        if (f.kind === 'boolean') {
          return (
            <div key={f.key} className="field">
              <label className="check" htmlFor={inputId}>
                <input
                  id={inputId}
                  type="checkbox"
                  checked={Boolean(values[f.key])}
                  onChange={(e) => setValue(f.key, e.target.checked)}
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
              value={value}
              aria-invalid={err ? true : undefined}
              aria-describedby={err ? `${inputId}-err` : undefined}
              onChange={(e) => setValue(f.key, e.target.value)}
              onBlur={() => touch(f.key)}
            />
            {err ? (
              <div id={`${inputId}-err`} className="error-text" role="alert">
                {err}
              </div>
            ) : null}
          </div>
        )
      })}
      <div className="conflict-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('payloadEditor.saveRetry')}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
