/**
 * The frame every record form shares (suppliers, products, rates,
 * collections, payments): its fields, the form's own error, and its
 * actions: the submit button ("Saving…" while a save runs), Cancel (a link
 * back, or a button that closes the form) when there is one, and any
 * others (Delete). Fields bind to the form with `form.bind` (lib/form-state).
 */
import type { FormEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { FormError } from './ui'

export function RecordForm({
  form,
  onSubmit,
  submitLabel,
  cancel,
  actions,
  className = 'card',
  children,
  ...labelling
}: {
  form: { busy: boolean; formError?: string }
  onSubmit: (e: FormEvent) => void
  submitLabel: string
  /** Where Cancel leads, or what it does; none: no Cancel. */
  cancel?: string | (() => void)
  /** More actions after Cancel. */
  actions?: ReactNode
  className?: string
  'aria-label'?: string
  'aria-labelledby'?: string
  children: ReactNode
}) {
  const { t } = useTranslation()
  return (
    <form className={className} onSubmit={onSubmit} noValidate {...labelling}>
      {children}
      <FormError message={form.formError} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={form.busy}>
          {form.busy ? t('common.saving') : submitLabel}
        </button>
        {typeof cancel === 'string' ? (
          <Link className="rc-btn-link" to={cancel}>
            {t('common.cancel')}
          </Link>
        ) : cancel ? (
          <button type="button" onClick={cancel}>
            {t('common.cancel')}
          </button>
        ) : null}
        {actions}
      </div>
    </form>
  )
}
