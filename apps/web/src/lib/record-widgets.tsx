/**
 * Small pieces shared by the collection and payment screens: a searchable
 * supplier picker, a notes text area, a labelled read-only line for receipts.
 */
import { type ReactNode, type TextareaHTMLAttributes, useId, useState } from 'react'
import { SelectField } from '../components/ui'
import { supplierOptions } from './lookup'
import type { SupplierView } from './record-types'

/** Above this many suppliers the picker gets a search box. */
const SEARCH_FROM = 6

/**
 * A "Supplier" select over the local suppliers, with a search box (labelled
 * "Find by name or code") when the list is long.
 */
export function SupplierPicker({
  suppliers,
  value,
  onChange,
  error,
  disabled,
}: {
  suppliers: readonly SupplierView[]
  value: string
  onChange: (id: string) => void
  error?: string
  disabled?: boolean
}) {
  const [search, setSearch] = useState('')
  const searchId = useId()
  const options = supplierOptions(suppliers, search, value)
  const searchable = suppliers.length > SEARCH_FROM
  return (
    <div className="rc-supplier-picker">
      {searchable ? (
        <div className="field">
          <label htmlFor={searchId}>Find by name or code</label>
          <input
            id={searchId}
            type="search"
            value={search}
            disabled={disabled}
            onChange={(e) => {
              const text = e.target.value
              setSearch(text)
              // One match and nothing chosen yet: choose it.
              const matches = supplierOptions(suppliers, text)
              if (!value && text.trim() && matches.length === 1) onChange(matches[0].value)
            }}
            autoComplete="off"
          />
        </div>
      ) : null}
      <SelectField
        label="Supplier"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        options={options}
        placeholder={options.length ? 'Choose a supplier…' : 'No matching supplier'}
        error={error}
        disabled={disabled}
        required
      />
    </div>
  )
}

interface TextAreaFieldProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  label: string
  error?: string
}

/** A labelled text area with its error, like ui.tsx's Field. */
export function TextAreaField({ label, error, ...area }: TextAreaFieldProps) {
  const id = useId()
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={3}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        {...area}
      />
      {error ? (
        <div id={`${id}-err`} className="error-text" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  )
}

/** Rows of a receipt: a description list. */
export function ReceiptLines({ lines }: { lines: Array<[string, ReactNode]> }) {
  return (
    <dl className="rc-receipt-lines">
      {lines.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

/** Messages of a save error keyed by form field, with friendlier wording for the common cases. */
export function friendlyFieldErrors(
  fields: Record<string, string>,
  names: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, message] of Object.entries(fields)) {
    if (/uuid/i.test(message)) out[key] = `Choose a ${names[key] ?? key}`
    else out[key] = message
  }
  return out
}
