/**
 * The sync center: connection state, "Sync now" with progress and a
 * summary, every queued operation, conflicts side by side (base, server,
 * yours) with their four ways out, and failed operations with retry, edit
 * and discard.
 */
import type { QueuedOp, SyncClient, SyncSummary } from '@trackvault/client'
import {
  type ConflictsResult,
  type FailedResult,
  useConflicts,
  useFailed,
  useLiveQuery,
  useSyncClient,
  useSyncStatus,
} from '@trackvault/react'
import { type FormEvent, useEffect, useId, useRef, useState } from 'react'
import { Empty, FormError, Page, SyncBadge } from '../components/ui'
import { dateTime, errorMessage, fieldErrors } from '../lib/format'
import {
  type ConflictRow,
  canMerge,
  conflictRows,
  displayValue,
  type EditField,
  entityLabel,
  fieldLabel,
  formToPayload,
  mergeableFields,
  mergeFields,
  opSubjectWithRow,
  payloadToForm,
  type Side,
  serverDeleted,
} from '../lib/queue-view'
import { useToast } from '../lib/toast'
import './sync-center.css'

const OPERATION_LABEL: Record<string, string> = { create: 'Create', update: 'Update', delete: 'Delete' }
const NEEDS_NETWORK = 'Resolving a conflict needs a connection: the server settles it. "Review later" works offline.'

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

function isOffline(err: unknown): boolean {
  return Boolean((err as { offline?: boolean } | null)?.offline)
}

function summaryText(s: SyncSummary): string {
  if (s.skipped) return 'A sync is already under way (here or in another tab); its results show when it finishes.'
  const parts = [`${s.successful} sent`, `${s.pulled} received`]
  if (s.failed) parts.push(`${s.failed} failed`)
  if (s.conflicts) parts.push(`${s.conflicts} in conflict`)
  const done = parts.join(', ')
  if (!s.error) return `Sync finished: ${done}.`
  if (s.error.offline) return `No connection: nothing more could be sent (${done}). Your changes stay queued.`
  if (s.error.status === 401) return 'Your session has expired: sign out and sign in again to sync.'
  return `Sync stopped: ${s.error.message} (${done}).`
}

export function SyncCenter() {
  const client = useSyncClient()
  const status = useSyncStatus()
  const toast = useToast()
  const { data, isLoading } = useLiveQuery(queueWithRows, [], { watchQueue: true })
  const queue = data?.ops ?? NO_OPS
  const subjectOf = (op: QueuedOp) => opSubjectWithRow(op, data?.rows[`${op.entity_type}/${op.entity_id}`])
  const { conflicts, resolve } = useConflicts()
  const { failed, retry, discard } = useFailed()
  const [running, setRunning] = useState(false)
  const [progress, setProgress] = useState<{ current: number; total: number } | null>(null)
  const [summary, setSummary] = useState<SyncSummary>()
  const [syncError, setSyncError] = useState<string>()
  const waitForNext = useRef<() => void>(undefined)
  useEffect(() => () => waitForNext.current?.(), [])

  const syncNow = async () => {
    setRunning(true)
    setSummary(undefined)
    setSyncError(undefined)
    setProgress(null)
    // A sync already running (the automatic one, or another tab's) makes this call a no-op:
    // listen first, so its outcome shows here whenever it ends.
    let settled = false
    waitForNext.current?.()
    const stop = client.onSync((next) => {
      if (next.skipped || settled) return
      settled = true
      setSummary(next)
      stop()
    })
    waitForNext.current = stop
    try {
      const result = await client.sync({ onProgress: (current, total) => setProgress({ current, total }) })
      if (!settled) {
        setSummary(result)
        if (!result.skipped) {
          settled = true
          stop()
        }
      }
    } catch (err) {
      setSyncError(isOffline(err) ? 'No connection: your changes stay queued.' : errorMessage(err))
    } finally {
      setRunning(false)
      setProgress(null)
    }
  }

  const syncing = running || status.syncing
  const shown = progress ?? status.progress
  const pending = queue.filter((op) => op.status === 'pending').length

  return (
    <Page title="Sync center">
      <section className="card sync-state" aria-labelledby="sync-state-title">
        <h2 id="sync-state-title" className="sr-only">
          Connection
        </h2>
        <p className="sync-online">
          <span className={`state-dot ${status.online ? 'online' : 'offline'}`} aria-hidden="true" />
          <strong>{status.online ? 'Online' : 'Offline'}</strong>
          <span className="sc-muted">
            {status.online
              ? ' — changes are sent as you make them.'
              : ' — changes are saved on this device and sent when the connection returns.'}
          </span>
        </p>
        <dl className="sync-counts">
          <div>
            <dt>Waiting to sync</dt>
            <dd>{status.pending}</dd>
          </div>
          <div>
            <dt>Conflicts</dt>
            <dd>{status.conflicts}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd>{status.failed}</dd>
          </div>
          <div>
            <dt>Last sync</dt>
            <dd>{dateTime(status.lastSyncAt)}</dd>
          </div>
        </dl>
        {status.connection === 'needs-auth' ? (
          <FormError message="Your session has expired: sign out and sign in again to sync." />
        ) : null}
        <div className="sync-actions">
          <button type="button" className="primary" onClick={syncNow} disabled={syncing}>
            {syncing ? 'Syncing…' : 'Sync now'}
          </button>
          {syncing ? (
            <div className="sync-now-progress">
              <label htmlFor="sync-now-progress">
                {shown ? `Syncing: ${shown.current} of ${shown.total}` : 'Syncing…'}
              </label>
              <progress
                id="sync-now-progress"
                max={shown?.total || 1}
                value={shown ? shown.current : undefined}
                aria-valuetext={shown ? `${shown.current} of ${shown.total} operations` : 'Working'}
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
          Conflicts <span className="sc-muted">({conflicts.length})</span>
        </h2>
        {conflicts.length === 0 ? (
          <Empty>No conflicts.</Empty>
        ) : (
          <>
            {!status.online ? (
              <p className="sc-offline-note" role="note">
                {NEEDS_NETWORK}
              </p>
            ) : null}
            {conflicts.map((op) => (
              <ConflictCard
                key={op.local_id}
                op={op}
                online={status.online}
                subject={subjectOf(op)}
                resolve={resolve}
                onDone={(text) => toast(text, 'success')}
              />
            ))}
          </>
        )}
      </section>

      <section className="sync-block" aria-labelledby="failed-title">
        <h2 id="failed-title">
          Failed <span className="sc-muted">({failed.length})</span>
        </h2>
        {failed.length === 0 ? (
          <Empty>No failed operations.</Empty>
        ) : (
          failed.map((op) => (
            <FailedCard
              key={op.local_id}
              op={op}
              subject={subjectOf(op)}
              retry={retry}
              discard={discard}
              onDone={(text) => toast(text, 'info')}
            />
          ))
        )}
      </section>

      <section className="sync-block" aria-labelledby="queue-title">
        <h2 id="queue-title">
          Queue <span className="sc-muted">({queue.length})</span>
        </h2>
        {isLoading ? (
          <p>Loading…</p>
        ) : queue.length === 0 ? (
          <Empty>Nothing waiting: everything on this device is synced.</Empty>
        ) : (
          <>
            <p className="sc-muted">
              {pending} waiting to be sent. Operations are sent in this order; a row in conflict or failed holds back
              later changes to the same item until you settle it.
            </p>
            <div className="table-wrap">
              <table className="queue-table">
                <caption className="sr-only">Queued operations, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col" className="queue-type">
                      Type
                    </th>
                    <th scope="col">Item</th>
                    <th scope="col">Operation</th>
                    <th scope="col">When</th>
                    <th scope="col">Status</th>
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
                      <td>{OPERATION_LABEL[op.operation_type] ?? op.operation_type}</td>
                      <td>
                        <time dateTime={op.client_timestamp}>{dateTime(op.client_timestamp)}</time>
                      </td>
                      <td>
                        <SyncBadge state={op.status} />
                        {op.attempts > 0 && op.status === 'pending' ? (
                          <span className="sc-muted sc-small"> tried {op.attempts}×</span>
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

function ConflictColumn({
  title,
  rows,
  pick,
}: {
  title: string
  rows: ConflictRow[]
  pick: (r: ConflictRow) => unknown
}) {
  return (
    <div className="conflict-col">
      <h4>{title}</h4>
      <dl>
        {rows.map((r) => (
          <div key={r.field} className={r.inConflict ? 'diff' : undefined}>
            <dt>
              {fieldLabel(r.field)}
              {r.inConflict ? <span className="sr-only"> (in conflict)</span> : null}
            </dt>
            <dd>{displayValue(pick(r))}</dd>
          </div>
        ))}
      </dl>
    </div>
  )
}

function ConflictCard({
  op,
  online,
  subject,
  resolve,
  onDone,
}: {
  op: QueuedOp
  online: boolean
  subject: string
  resolve: ConflictsResult['resolve']
  onDone: (text: string) => void
}) {
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
      setError(isOffline(err) ? `No connection. ${NEEDS_NETWORK}` : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const merge = (e: FormEvent) => {
    e.preventDefault()
    const chosen: Record<string, Side> = {}
    for (const f of mergeable) chosen[f] = choice[f] ?? 'yours'
    void run({ merge: mergeFields(op, chosen) }, `Merged your changes to ${kind} ${subject}`)
  }

  return (
    <section className="card sc-conflict" aria-label={`Conflict on ${kind} ${subject}`}>
      <header className="conflict-head">
        <h3>
          {kind.charAt(0).toUpperCase() + kind.slice(1)} {subject}
          {op.status === 'review_later' ? <SyncBadge state="review_later" /> : null}
        </h3>
        <p className="sc-muted sc-small">
          Your {op.operation_type} of {dateTime(op.client_timestamp)} was based on version {op.base_version ?? '?'}; the
          server is at version {op.conflict?.server_version ?? '?'}
          {deleted ? ' and the item was deleted there' : ''}. Highlighted fields changed on both sides.
        </p>
      </header>
      <div className="side-by-side">
        <ConflictColumn title="Base" rows={rows} pick={(r) => r.base} />
        <ConflictColumn title="Server" rows={rows} pick={(r) => r.server} />
        <ConflictColumn title="Yours" rows={rows} pick={(r) => r.yours} />
      </div>
      {!online ? (
        <p className="sc-offline-note sc-small" id={`${id}-offline`}>
          Offline: {NEEDS_NETWORK}
        </p>
      ) : null}
      <div className="conflict-actions">
        <button
          type="button"
          disabled={busy}
          aria-describedby={!online ? `${id}-offline` : undefined}
          onClick={() => run('use_server', `Kept the server's ${kind} ${subject}`)}
        >
          Use server data
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => run('review_later', `${subject}: parked for later review`)}
        >
          Review later
        </button>
        <button
          type="button"
          disabled={busy || deleted}
          aria-describedby={!online ? `${id}-offline` : undefined}
          onClick={() => run('force', `Your change to ${kind} ${subject} was applied`)}
        >
          Force update
        </button>
      </div>
      {deleted ? (
        <p className="sc-muted sc-small">The item was deleted on the server: only "Use server data" can settle this.</p>
      ) : null}
      {mergeable.length > 0 ? (
        <form className="sc-merge" onSubmit={merge} aria-label={`Merge ${kind} ${subject} field by field`}>
          <p className="sc-small">Or merge: pick a value for each field in conflict. Your other changes are kept.</p>
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
                  Server: <span className="merge-value">{displayValue(row.server)}</span>
                </label>
                <label>
                  <input
                    type="radio"
                    name={name}
                    value="yours"
                    checked={value === 'yours'}
                    onChange={() => setChoice((c) => ({ ...c, [field]: 'yours' }))}
                  />{' '}
                  Yours: <span className="merge-value">{displayValue(row.yours)}</span>
                </label>
              </fieldset>
            )
          })}
          <button type="submit" disabled={busy} aria-describedby={!online ? `${id}-offline` : undefined}>
            Merge
          </button>
        </form>
      ) : null}
      <FormError message={error} />
    </section>
  )
}

function FailedCard({
  op,
  subject,
  retry,
  discard,
  onDone,
}: {
  op: QueuedOp
  subject: string
  retry: FailedResult['retry']
  discard: FailedResult['discard']
  onDone: (text: string) => void
}) {
  const [editing, setEditing] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const kind = entityLabel(op.entity_type)
  const fields = payloadToForm(op.payload)
  const perField = fieldErrors({ details: op.error?.details })

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

  const onDiscard = () => {
    if (
      !window.confirm(
        `Discard this ${op.operation_type} of ${kind} ${subject}? The change is dropped from this device for good.`,
      )
    )
      return
    void act(() => discard(op.local_id), `Discarded the ${op.operation_type} of ${kind} ${subject}`)
  }

  return (
    <section className="card sc-failed" aria-label={`Failed ${op.operation_type} of ${kind} ${subject}`}>
      <h3>
        {OPERATION_LABEL[op.operation_type] ?? op.operation_type} {kind} {subject} <SyncBadge state="failed" />
      </h3>
      <p className="failed-error">
        <code>{op.error?.code ?? 'ERROR'}</code> {op.error?.message ?? 'The server refused this change.'}
        {op.error?.transient ? ' (the server could not be reached after several tries)' : ''}
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
      <p className="sc-muted sc-small">Queued {dateTime(op.client_timestamp)}</p>
      {editing ? (
        <EditPayload
          op={op}
          fields={fields}
          errors={perField}
          busy={busy}
          onCancel={() => setEditing(false)}
          onSubmit={(payload) =>
            act(() => retry(op.local_id, { payload }), `Sending your edited ${kind} ${subject} again`)
          }
        />
      ) : (
        <div className="conflict-actions">
          <button
            type="button"
            disabled={busy}
            onClick={() => act(() => retry(op.local_id), `Sending ${kind} ${subject} again`)}
          >
            Retry
          </button>
          <button type="button" disabled={busy || fields.length === 0} onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" className="danger" disabled={busy} onClick={onDiscard}>
            Discard
          </button>
        </div>
      )}
      <FormError message={error} />
    </section>
  )
}

function EditPayload({
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
