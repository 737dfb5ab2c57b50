/** A failed operation, with retry, edit (./payload-editor.tsx) and discard. */
import type { QueuedOp } from '@trackvault/client'
import type { FailedResult } from '@trackvault/react'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { FormError, SyncBadge } from '../../components/ui'
import { dateTime, errorMessage } from '../../lib/format'
import { entityLabel, fieldLabel, type IdNames, payloadToForm } from '../../lib/queue-view'
import { PayloadEditor } from './payload-editor'
import { failedFields, failedText, operationLabel, operationNoun } from './wording'

/** A failed operation: its error (per field when the server named fields), and Retry, Edit and Discard. */
export function FailedCard({
  op,
  subject,
  names,
  retry,
  discard,
  onDone,
}: {
  op: QueuedOp
  subject: string
  /** Names of the supplier, product and user ids, shown instead of the ids. */
  names: IdNames
  retry: FailedResult['retry']
  discard: FailedResult['discard']
  onDone: (text: string) => void
}) {
  const { t } = useTranslation()
  const [editing, setEditing] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const kind = entityLabel(op.entity_type)
  const fields = payloadToForm(op.payload)
  const perField = failedFields(op.error)

  const act = async (work: () => Promise<void>, done: string) => {
    setBusy(true)
    setError(undefined)
    try {
      await work()
      onDone(done)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const what = { operation: operationNoun(op.operation_type), kind, subject }
  const onDiscard = () => {
    if (!window.confirm(t('syncWording.discardConfirm', what))) return
    void act(() => discard(op.local_id), t('syncWording.discarded', what))
  }

  return (
    <section className="card sc-failed" aria-label={t('syncWording.failedLabel', what)}>
      <h3>
        {operationLabel(op.operation_type)} {kind} {subject} <SyncBadge state="failed" />
      </h3>
      <p className="failed-error">
        <code>{op.error?.code ?? 'ERROR'}</code> {failedText(op.error, Object.keys(perField))}
        {op.error?.transient ? ` ${t('syncWording.transient')}` : ''}
      </p>
      {Object.keys(perField).length > 0 ? (
        <ul className="failed-fields">
          {Object.entries(perField).map(([f, msg]) => (
            <li key={f}>
              {fieldLabel(f)}: {msg}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="sc-muted sc-small">{t('syncWording.queuedAt', { when: dateTime(op.client_timestamp) })}</p>
      {editing ? (
        <PayloadEditor
          op={op}
          fields={fields}
          errors={perField}
          names={names}
          busy={busy}
          onCancel={() => setEditing(false)}
          onSubmit={(payload) =>
            act(() => retry(op.local_id, { payload }), t('syncWording.resendingEdited', { kind, subject }))
          }
        />
      ) : (
        <div className="conflict-actions">
          <button
            type="button"
            disabled={busy}
            onClick={() => act(() => retry(op.local_id), t('syncWording.resending', { kind, subject }))}
          >
            {t('syncCenter.retry')}
          </button>
          <button type="button" disabled={busy || fields.length === 0} onClick={() => setEditing(true)}>
            {t('syncCenter.edit')}
          </button>
          <button type="button" className="danger" disabled={busy} onClick={onDiscard}>
            {t('syncCenter.discard')}
          </button>
        </div>
      )}
      <FormError message={error} />
    </section>
  )
}
