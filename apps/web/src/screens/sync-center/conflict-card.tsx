/**
 * A conflict card. The server settles a conflict, so every way out but
 * "Review later" needs a connection; a field-by-field merge is offered when
 * the operation allows one.
 */
import type { QueuedOp } from '@trackvault/client'
import type { ConflictsResult } from '@trackvault/react'
import { type FormEvent, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { FormError, SyncBadge } from '../../components/ui'
import { dateTime, errorMessage, isOffline } from '../../lib/format'
import {
  type ConflictRow,
  canMerge,
  conflictRows,
  displayValue,
  entityLabel,
  fieldLabel,
  type IdNames,
  mergeableFields,
  mergeFields,
  type Side,
  serverDeleted,
} from '../../lib/queue-view'
import { needsNetwork, operationNoun } from './wording'

/** One side of a conflict: every field, those changed on both sides highlighted. */
function ConflictColumn({
  title,
  rows,
  pick,
  names,
}: {
  title: string
  rows: ConflictRow[]
  pick: (r: ConflictRow) => unknown
  names: IdNames
}) {
  const { t } = useTranslation()
  return (
    <div className="conflict-col">
      <h4>{title}</h4>
      <dl>
        {rows.map((r) => (
          <div key={r.field} className={r.inConflict ? 'diff' : undefined}>
            <dt>
              {fieldLabel(r.field)}
              {r.inConflict ? <span className="sr-only"> {t('syncWording.inConflictMark')}</span> : null}
            </dt>
            <dd>{displayValue(pick(r), r.field, names)}</dd>
          </div>
        ))}
      </dl>
    </div>
  )
}

/** One conflict: base, server and yours side by side, and the ways out (use server, review later, force, merge). */
export function ConflictCard({
  op,
  online,
  subject,
  names,
  resolve,
  onDone,
}: {
  op: QueuedOp
  online: boolean
  subject: string
  /** Names of the supplier, product and user ids, shown instead of the ids. */
  names: IdNames
  resolve: ConflictsResult['resolve']
  onDone: (text: string) => void
}) {
  const { t } = useTranslation()
  const id = useId()
  const rows = conflictRows(op)
  const mergeable = canMerge(op) ? mergeableFields(op) : []
  const deleted = serverDeleted(op)
  const [choice, setChoice] = useState<Record<string, Side>>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const kind = entityLabel(op.entity_type)

  const run = async (choiceArg: Parameters<typeof resolve>[1], done: string) => {
    setBusy(true)
    setError(undefined)
    try {
      await resolve(op.local_id, choiceArg)
      onDone(done)
    } catch (err) {
      setError(isOffline(err) ? `${t('syncWording.noConnection')} ${needsNetwork()}` : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const merge = (e: FormEvent) => {
    e.preventDefault()
    const chosen: Record<string, Side> = {}
    for (const f of mergeable) chosen[f] = choice[f] ?? 'yours'
    void run({ merge: mergeFields(op, chosen) }, t('syncWording.merged', { kind, subject }))
  }

  return (
    <section className="card sc-conflict" aria-label={t('syncWording.conflictLabel', { kind, subject })}>
      <header className="conflict-head">
        <h3>
          {kind.charAt(0).toUpperCase() + kind.slice(1)} {subject}
          {op.status === 'review_later' ? <SyncBadge state="review_later" /> : null}
        </h3>
        <p className="sc-muted sc-small">
          {t(deleted ? 'syncWording.conflictExplainDeleted' : 'syncWording.conflictExplain', {
            operation: operationNoun(op.operation_type),
            when: dateTime(op.client_timestamp),
            base: op.base_version ?? '?',
            server: op.conflict?.server_version ?? '?',
          })}
        </p>
      </header>
      <div className="side-by-side">
        <ConflictColumn title={t('syncWording.base')} rows={rows} names={names} pick={(r) => r.base} />
        <ConflictColumn title={t('syncWording.server')} rows={rows} names={names} pick={(r) => r.server} />
        <ConflictColumn title={t('syncWording.yours')} rows={rows} names={names} pick={(r) => r.yours} />
      </div>
      {!online ? (
        <p className="sc-offline-note sc-small" id={`${id}-offline`}>
          {t('syncWording.offlineNote', { note: needsNetwork() })}
        </p>
      ) : null}
      <div className="conflict-actions">
        <button
          type="button"
          disabled={busy}
          aria-describedby={!online ? `${id}-offline` : undefined}
          onClick={() => run('use_server', t('syncWording.keptServer', { kind, subject }))}
        >
          {t('syncCenter.useServer')}
        </button>
        <button type="button" disabled={busy} onClick={() => run('review_later', t('syncWording.parked', { subject }))}>
          {t('syncCenter.reviewLater')}
        </button>
        <button
          type="button"
          disabled={busy || deleted}
          aria-describedby={!online ? `${id}-offline` : undefined}
          onClick={() => run('force', t('syncWording.forced', { kind, subject }))}
        >
          {t('syncCenter.forceUpdate')}
        </button>
      </div>
      {deleted ? <p className="sc-muted sc-small">{t('syncWording.deletedOnServer')}</p> : null}
      {mergeable.length > 0 ? (
        <form className="sc-merge" onSubmit={merge} aria-label={t('syncWording.mergeLabel', { kind, subject })}>
          <p className="sc-small">{t('syncWording.mergeNote')}</p>
          {mergeable.map((field) => {
            const row = rows.find((r) => r.field === field) as ConflictRow
            const value = choice[field] ?? 'yours'
            const name = `${id}-${field}`
            return (
              <fieldset key={field} className="merge-field">
                <legend>{fieldLabel(field)}</legend>
                <label>
                  <input
                    type="radio"
                    name={name}
                    value="server"
                    checked={value === 'server'}
                    onChange={() => setChoice((c) => ({ ...c, [field]: 'server' }))}
                  />{' '}
                  {t('syncWording.mergeServer')}{' '}
                  <span className="merge-value">{displayValue(row.server, field, names)}</span>
                </label>
                <label>
                  <input
                    type="radio"
                    name={name}
                    value="yours"
                    checked={value === 'yours'}
                    onChange={() => setChoice((c) => ({ ...c, [field]: 'yours' }))}
                  />{' '}
                  {t('syncWording.mergeYours')}{' '}
                  <span className="merge-value">{displayValue(row.yours, field, names)}</span>
                </label>
              </fieldset>
            )
          })}
          <button type="submit" disabled={busy} aria-describedby={!online ? `${id}-offline` : undefined}>
            {t('syncCenter.merge')}
          </button>
        </form>
      ) : null}
      <FormError message={error} />
    </section>
  )
}
