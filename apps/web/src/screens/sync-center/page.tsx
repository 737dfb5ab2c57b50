/**
 * The sync center: connection state, "Sync now" with progress and a
 * summary, every queued operation, conflicts side by side (base, server,
 * yours) with their ways out, and failed operations with retry, edit and
 * discard. The cards are in ./conflict-card.tsx and ./failed-card.tsx.
 */
import type { QueuedOp, SyncClient } from '@trackvault/client'
import { useConflicts, useFailed, useLiveQuery, useSyncStatus } from '@trackvault/react'
import { useTranslation } from 'react-i18next'
import { Empty, FormError, Page, SyncBadge } from '../../components/ui'
import { dateTime } from '../../lib/format'
import { entityLabel, opSubjectWithRow } from '../../lib/queue-view'
import { useToast } from '../../lib/toast'
import { ConflictCard } from './conflict-card'
import { FailedCard } from './failed-card'
import { useIdNames } from './use-id-names'
import { useSyncNow } from './use-sync-now'
import { needsNetwork, operationLabel, restoreText, summaryText } from './wording'
import './sync-center.css'

const NO_OPS: QueuedOp[] = []
/** The queue, with the row each operation is about as this device shows it (for readable names). */
async function queueWithRows(c: SyncClient) {
  const ops = await c.queue()
  const rows: Record<string, Record<string, unknown>> = {}
  for (const op of ops) {
    const key = `${op.entity_type}/${op.entity_id}`
    if (key in rows) continue
    const row = await c.entity(op.entity_type).get(op.entity_id)
    if (row) rows[key] = row
  }
  return { ops, rows }
}

export function SyncCenter() {
  const { t } = useTranslation()
  const status = useSyncStatus()
  const toast = useToast()
  const { data, isLoading } = useLiveQuery(queueWithRows, [], { watchQueue: true })
  const queue = data?.ops ?? NO_OPS
  const names = useIdNames()
  const subjectOf = (op: QueuedOp) => opSubjectWithRow(op, data?.rows[`${op.entity_type}/${op.entity_id}`], names)
  const { conflicts, resolve } = useConflicts()
  const { failed, retry, discard } = useFailed()
  const { syncNow, running, progress, summary, error: syncError } = useSyncNow()

  const syncing = running || status.syncing
  const shown = progress ?? status.progress
  const pending = queue.filter((op) => op.status === 'pending').length

  return (
    <Page title={t('syncCenter.title')}>
      <section className="card sync-state" aria-labelledby="sync-state-title">
        <h2 id="sync-state-title" className="sr-only">
          {t('syncCenter.connection')}
        </h2>
        <p className="sync-online">
          <span className={`state-dot ${status.online ? 'online' : 'offline'}`} aria-hidden="true" />
          <strong>{status.online ? t('common.online') : t('common.offline')}</strong>
          <span className="sc-muted">{status.online ? t('syncCenter.onlineNote') : t('syncCenter.offlineNote')}</span>
        </p>
        <dl className="sync-counts">
          <div>
            <dt>{t('syncCenter.waiting')}</dt>
            <dd>{status.pending}</dd>
          </div>
          <div>
            <dt>{t('syncCenter.conflicts')}</dt>
            <dd>{status.conflicts}</dd>
          </div>
          <div>
            <dt>{t('syncCenter.failed')}</dt>
            <dd>{status.failed}</dd>
          </div>
          <div>
            <dt>{t('syncCenter.lastSync')}</dt>
            <dd>{dateTime(status.lastSyncAt, t('common.never'))}</dd>
          </div>
        </dl>
        {status.connection === 'needs-auth' ? <FormError message={t('syncWording.sessionExpired')} /> : null}
        {status.restore ? (
          <div className="sync-now-progress" role="status">
            <label htmlFor="sync-restore-progress">{restoreText(status.restore)}</label>
            <progress
              id="sync-restore-progress"
              max={status.restore.total || 1}
              value={status.restore.sent}
              aria-valuetext={t('syncWording.restoreValue', { sent: status.restore.sent, total: status.restore.total })}
            />
          </div>
        ) : null}
        <div className="sync-actions">
          <button type="button" className="primary" onClick={syncNow} disabled={syncing}>
            {syncing ? t('common.syncing') : t('common.syncNow')}
          </button>
          {syncing ? (
            <div className="sync-now-progress">
              <label htmlFor="sync-now-progress">
                {shown ? t('syncCenter.progress', { current: shown.current, total: shown.total }) : t('common.syncing')}
              </label>
              <progress
                id="sync-now-progress"
                max={shown?.total || 1}
                value={shown ? shown.current : undefined}
                aria-valuetext={
                  shown
                    ? t('syncWording.progressValue', { current: shown.current, total: shown.total })
                    : t('syncWording.working')
                }
              />
            </div>
          ) : null}
        </div>
        <div role="status" aria-live="polite" className="sync-result">
          {summary ? (
            <p className={summary.error || summary.failed || summary.conflicts ? 'result-warn' : 'result-ok'}>
              {summaryText(summary)}
            </p>
          ) : null}
        </div>
        <FormError message={syncError} />
      </section>

      <section className="sync-block" aria-labelledby="conflicts-title">
        <h2 id="conflicts-title">
          {t('syncCenter.conflicts')} <span className="sc-muted">({conflicts.length})</span>
        </h2>
        {conflicts.length === 0 ? (
          <Empty>{t('syncCenter.noConflicts')}</Empty>
        ) : (
          <>
            {!status.online ? (
              <p className="sc-offline-note" role="note">
                {needsNetwork()}
              </p>
            ) : null}
            {conflicts.map((op) => (
              <ConflictCard
                key={op.local_id}
                op={op}
                online={status.online}
                subject={subjectOf(op)}
                names={names}
                resolve={resolve}
                onDone={(text) => toast(text, 'success')}
              />
            ))}
          </>
        )}
      </section>

      <section className="sync-block" aria-labelledby="failed-title">
        <h2 id="failed-title">
          {t('syncCenter.failed')} <span className="sc-muted">({failed.length})</span>
        </h2>
        {failed.length === 0 ? (
          <Empty>{t('syncCenter.noFailed')}</Empty>
        ) : (
          failed.map((op) => (
            <FailedCard
              key={op.local_id}
              op={op}
              subject={subjectOf(op)}
              names={names}
              retry={retry}
              discard={discard}
              onDone={(text) => toast(text, 'info')}
            />
          ))
        )}
      </section>

      <section className="sync-block" aria-labelledby="queue-title">
        <h2 id="queue-title">
          {t('syncCenter.queue')} <span className="sc-muted">({queue.length})</span>
        </h2>
        {isLoading ? (
          <p>{t('common.loading')}</p>
        ) : queue.length === 0 ? (
          <Empty>{t('syncCenter.nothingWaiting')}</Empty>
        ) : (
          <>
            <p className="sc-muted">{t('syncCenter.queueNote', { count: pending })}</p>
            <div className="table-wrap">
              <table className="queue-table">
                <caption className="sr-only">{t('syncCenter.queueCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col" className="queue-type">
                      {t('syncWording.type')}
                    </th>
                    <th scope="col">{t('syncCenter.item')}</th>
                    <th scope="col">{t('syncCenter.operation')}</th>
                    <th scope="col">{t('syncCenter.when')}</th>
                    <th scope="col">{t('syncCenter.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {queue.map((op) => (
                    <tr key={op.local_id}>
                      <td className="queue-type">{entityLabel(op.entity_type)}</td>
                      <td className="queue-subject">
                        <span className="queue-type-inline">{entityLabel(op.entity_type)}: </span>
                        {subjectOf(op)}
                      </td>
                      <td className="queue-op">{operationLabel(op.operation_type)}</td>
                      <td className="queue-when">
                        <time dateTime={op.client_timestamp}>{dateTime(op.client_timestamp)}</time>
                      </td>
                      <td className="queue-status">
                        <SyncBadge state={op.status} />
                        {op.attempts > 0 && op.status === 'pending' ? (
                          <span className="sc-muted sc-small"> {t('syncWording.tried', { count: op.attempts })}</span>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </Page>
  )
}
