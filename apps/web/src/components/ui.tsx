/**
 * Small accessible building blocks shared by every screen: labelled fields
 * with their error, page headers, tables, a pager, empty states.
 */
import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'

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

/** What a field's control gets from its frame: its id and the error wiring. */
interface ControlProps {
  id: string
  'aria-invalid': true | undefined
  'aria-describedby': string | undefined
}

/** A control with its label, hint and error wired for screen readers: the frame of every field. */
export function FieldFrame({
  label,
  error,
  hint,
  className,
  control,
}: {
  label: string
  error?: string
  hint?: ReactNode
  /** Added to the frame's "field" class. */
  className?: string
  control: (props: ControlProps) => ReactNode
}) {
  const id = useId()
  return (
    <div className={`field${className ? ` ${className}` : ''}${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': error ? `${id}-err` : undefined,
      })}
      {hint ? <div className="hint">{hint}</div> : null}
      {error ? (
        <div id={`${id}-err`} className="error-text" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  )
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string
  error?: string
  hint?: ReactNode
}

/** An input with its label, hint and error. */
export function Field({ label, error, hint, ...input }: FieldProps) {
  return <FieldFrame label={label} error={error} hint={hint} control={(props) => <input {...props} {...input} />} />
}

interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: string
  error?: string
  hint?: ReactNode
  options: Array<{ value: string; label: string }>
  placeholder?: string
}

export function SelectField({ label, error, hint, options, placeholder, ...select }: SelectFieldProps) {
  return (
    <FieldFrame
      label={label}
      error={error}
      hint={hint}
      control={(props) => (
        <select {...props} {...select}>
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  )
}

interface TextAreaFieldProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  label: string
  error?: string
}

/** A labelled text area (three rows) with its error. */
export function TextAreaField({ label, error, ...area }: TextAreaFieldProps) {
  return <FieldFrame label={label} error={error} control={(props) => <textarea rows={3} {...props} {...area} />} />
}

/** A checkbox with its label, and its error below it (if any). */
export function CheckField({ label, error, ...input }: Omit<FieldProps, 'type' | 'hint'>) {
  return (
    <>
      <label className="check-field">
        <input type="checkbox" {...input} />
        {label}
      </label>
      {error ? <div className="error-text">{error}</div> : null}
    </>
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

/** The page of a supplier or product that is not on this device, with a link back to the list. */
export function NotFound({ kind }: { kind: 'supplier' | 'product' }) {
  const { t } = useTranslation()
  return (
    <Page title={t(`ui.notFoundTitle_${kind}`)}>
      <Empty>{t(`ui.notFound_${kind}`)}</Empty>
      <Link to={`/${kind}s`}>{t(`ui.backTo_${kind}`)}</Link>
    </Page>
  )
}

/** A figure on a card: label, value and an optional note. */
export function Stat({ label, value, note }: { label: string; value: ReactNode; note?: ReactNode }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {note ? <div className="hint">{note}</div> : null}
    </div>
  )
}

/** Previous / next page controls for client-side paging. */
export function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (page: number) => void }) {
  const { t } = useTranslation()
  if (pages <= 1) return null
  return (
    <nav className="pager" aria-label={t('ui.pages')}>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        {t('ui.previous')}
      </button>
      <span>{t('ui.pageOf', { page, pages })}</span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages}>
        {t('ui.next')}
      </button>
    </nav>
  )
}

/** Marks a row whose local changes are not yet accepted by the server. */
export function SyncBadge({ state }: { state?: string }) {
  const { t } = useTranslation()
  if (!state) return null
  const label = ['pending', 'conflict', 'review_later', 'failed'].includes(state) ? t(`ui.badge_${state}`) : state
  return <span className={`badge badge-${state}`}>{label}</span>
}
