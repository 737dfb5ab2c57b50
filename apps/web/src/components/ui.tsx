/**
 * Small accessible building blocks shared by every screen: labelled fields
 * with their error, page headers, tables, a pager, empty states.
 */
import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from 'react'

export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{title}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  )
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string
  error?: string
  hint?: ReactNode
}

/** An input with its label, hint and error wired for screen readers. */
export function Field({ label, error, hint, ...input }: FieldProps) {
  const id = useId()
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        {...input}
      />
      {hint ? <div className="hint">{hint}</div> : null}
      {error ? (
        <div id={`${id}-err`} className="error-text" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  )
}

interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: string
  error?: string
  options: Array<{ value: string; label: string }>
  placeholder?: string
}

export function SelectField({ label, error, options, placeholder, ...select }: SelectFieldProps) {
  const id = useId()
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        {...select}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error ? (
        <div id={`${id}-err`} className="error-text" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  )
}

/** A form-level error (not tied to one field). */
export function FormError({ message }: { message?: string }) {
  if (!message) return null
  return (
    <div className="form-error" role="alert">
      {message}
    </div>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

/** Previous / next page controls for client-side paging. */
export function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  if (pages <= 1) return null
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
        Next
      </button>
    </nav>
  )
}

/** Marks a row whose local changes are not yet accepted by the server. */
export function SyncBadge({ state }: { state?: string }) {
  if (!state) return null
  const label =
    { pending: 'Not synced', conflict: 'Conflict', review_later: 'Review later', failed: 'Failed' }[state] ?? state
  return <span className={`badge badge-${state}`}>{label}</span>
}
