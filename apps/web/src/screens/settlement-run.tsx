/**
 * One settlement run: its totals, the unpriced and late items flagged, and every supplier's line
 * in a table sorted by the column clicked (supplier, gross, deducted, net payable, payout,
 * carried); a supplier opens its statement (./statement.tsx). Read from the local replica, so it
 * opens offline. What changes the run goes to the server and needs a connection: Approve (a
 * manager or admin who did not compute it; the server refuses SELF_APPROVAL otherwise, RUN_STALE
 * when anything changed since the draft), Discard (a draft), and for an approved run the payout
 * files (bank bulk transfer, mobile money; how many were left out for missing account details) and
 * the results file the bank returns (./payout-results.tsx).
 */
import type { SettlementLineRow, SettlementRunRow } from '@trackvault/core'
import { useLiveQuery, useSyncClient, useSyncStatus } from '@trackvault/react'
import { useMemo, useState } from 'react'
import { Link, useParams } from 'react-router'
import { Empty, FormError, Page, Stat } from '../components/ui'
import { balanceAmount } from '../lib/balance-words'
import { saveDownload } from '../lib/download'
import { money } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { useSession } from '../lib/session'
import {
  approval,
  type LineSort,
  type LineSortKey,
  nextSort,
  payoutFileSummary,
  settlementErrorMessage,
  sortLines,
} from '../lib/settlements'
import { useToast } from '../lib/toast'
import type { SettlementLineView } from '../lib/typed-rows'
import { PayoutResults } from './payout-results'
import { RunStatus } from './settlements'
import './records.css'
import './settlements.css'

const COLUMNS: Array<[LineSortKey, string]> = [
  ['supplier', 'Supplier'],
  ['gross', 'Gross'],
  ['deducted', 'Deducted'],
  ['net_payable', 'Net payable'],
  ['payout', 'Payout'],
  ['carried_forward', 'Carried'],
]

const PAYOUT_LABELS: Record<string, string> = {
  none: 'Nothing to pay',
  pending: 'Pending',
  paid: 'Paid',
  failed: 'Failed',
}

export function SettlementRun() {
  const { id = '' } = useParams()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const toast = useToast()
  const { user } = useSession()
  const { settles } = useCan()
  const { supplierById } = useLookups()
  const [sort, setSort] = useState<LineSort>({ key: 'supplier', dir: 'asc' })
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState<string>()

  const { data, isLoading } = useLiveQuery(
    async (c) => {
      const [run, lines] = await Promise.all([c.settlementRuns.get(id), c.settlementLines.list({ run_id: id })])
      return { run: run ?? null, lines }
    },
    [id],
    { types: ['settlement_run', 'settlement_line'] },
  )
  const nameOf = useMemo(
    () => (sid: string) => supplierById.get(sid)?.name ?? `Supplier …${sid.slice(-6)}`,
    [supplierById],
  )
  const lines = useMemo(() => (data ? sortLines(data.lines, sort, nameOf) : []), [data, sort, nameOf])

  if (isLoading || !data) return <p className="loading">Loading…</p>
  const { run } = data
  if (!run) {
    return (
      <Page title="Run not found">
        <Empty>This run is not on this device (it may not have synced yet).</Empty>
        <Link to="/settlements">Back to settlements</Link>
      </Page>
    )
  }

  const approve = approval(run, user)
  const act = async (work: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await work()
    } catch (err) {
      setError(settlementErrorMessage(err as { code?: string; message?: string; offline?: boolean }))
    } finally {
      setBusy(false)
    }
  }
  const post = (action: 'approve' | 'discard', done: string) =>
    act(async () => {
      await client.request<{ run: SettlementRunRow; lines?: SettlementLineRow[] }>(
        'POST',
        `/api/settlement-runs/${run.id}/${action}`,
        { version: run.version },
      )
      toast(done, 'success')
      await client.sync().catch(() => {}) // the run's new state (and an approval's payments) onto this device
    })
  const onApprove = () => {
    if (!window.confirm(`Approve run ${run.reference}? It records a payout of ${money(run.payout)} in total.`)) return
    void post('approve', `Run ${run.reference} approved`)
  }
  const onDiscard = () => {
    if (!window.confirm(`Discard the draft run ${run.reference}?`)) return
    void post('discard', `Run ${run.reference} discarded`)
  }
  const exportFile = (format: 'bank' | 'mobile_money') =>
    act(async () => {
      const { name, headers } = await saveDownload(
        client,
        `/api/settlement-runs/${run.id}/payouts.csv?format=${format}`,
        `payouts-${run.reference.replace(/[^\w.-]+/g, '-')}-${format}.csv`,
      )
      const summary = payoutFileSummary((h) => headers.get(h))
      setNotice(summary.text ? `${name}: ${summary.text}` : undefined)
      toast(`Downloaded ${name}`, summary.missing > 0 ? 'error' : 'success')
    })

  const isDraft = run.status === 'draft'
  const mayDiscard = isDraft && settles
  const offlineNote = !online && (approve.may || mayDiscard || run.status === 'approved')

  return (
    <Page
      title={`Settlement ${run.reference}`}
      actions={
        <>
          {approve.may ? (
            <button type="button" className="primary" disabled={busy || !online} onClick={onApprove}>
              Approve
            </button>
          ) : null}
          {mayDiscard ? (
            <button type="button" className="danger" disabled={busy || !online} onClick={onDiscard}>
              Discard
            </button>
          ) : null}
          {run.status === 'approved' ? (
            <>
              <button type="button" disabled={busy || !online} onClick={() => void exportFile('bank')}>
                Export bank CSV
              </button>
              <button type="button" disabled={busy || !online} onClick={() => void exportFile('mobile_money')}>
                Export mobile money CSV
              </button>
            </>
          ) : null}
        </>
      }
    >
      <FormError message={error} />
      {notice ? (
        <p className="st-notice" role="status">
          {notice}
        </p>
      ) : null}
      {offlineNote ? (
        <p className="hint" role="status">
          Needs a connection to approve, discard or export; the run stays readable offline.
        </p>
      ) : null}
      {approve.why ? <p className="hint">{approve.why}</p> : null}
      <div className="card">
        <dl className="sp-facts">
          <dt>Period</dt>
          <dd>
            {run.period_from} to {run.period_to}
          </dd>
          <dt>Status</dt>
          <dd>
            <RunStatus status={run.status} />
            {run.approved_at ? <span className="sp-muted"> on {run.approved_at.slice(0, 10)}</span> : null}
          </dd>
          <dt>Floor</dt>
          <dd>{money(run.floor)}</dd>
          {run.notes ? (
            <>
              <dt>Notes</dt>
              <dd>{run.notes}</dd>
            </>
          ) : null}
        </dl>
      </div>
      <section className="cards" aria-label="Run totals">
        <Stat label="Suppliers" value={run.suppliers} />
        <Stat label="Gross" value={money(run.gross)} />
        <Stat label="Advances" value={money(run.advances)} />
        <Stat label="Deducted" value={money(run.deducted)} />
        <Stat label="Net payable" value={money(run.net_payable)} />
        <Stat label="Payout" value={money(run.payout)} />
        <Stat label="Carried forward" value={balanceAmount(run.carried_forward)} />
      </section>
      {run.unpriced > 0 || run.late > 0 ? (
        <ul className="st-flags" aria-label="Flags">
          {run.unpriced > 0 ? (
            <li className="st-flag">
              {run.unpriced} collection(s) have no price yet: they are counted but not in gross.
            </li>
          ) : null}
          {run.late > 0 ? (
            <li className="st-flag">{run.late} item(s) arrived late (dated in an earlier, settled period).</li>
          ) : null}
        </ul>
      ) : null}

      {run.status === 'approved' && settles ? <PayoutResults runId={run.id} /> : null}

      <section className="sp-section" aria-labelledby="lines-title">
        <h2 id="lines-title">Lines</h2>
        {lines.length === 0 ? (
          <Empty>
            {run.status === 'discarded'
              ? 'This run was discarded: its lines were removed.'
              : 'No lines on this device for this run.'}
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="sp-table st-table st-lines">
              <caption className="sr-only">Each supplier's line; click a column header to sort</caption>
              <thead>
                <tr>
                  {COLUMNS.map(([key, label]) => (
                    <th
                      key={key}
                      scope="col"
                      className={key === 'supplier' ? undefined : 'num'}
                      aria-sort={sort.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                    >
                      <button type="button" className="st-sort" onClick={() => setSort((s) => nextSort(s, key))}>
                        {label}
                        <span aria-hidden="true">{sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    </th>
                  ))}
                  <th scope="col">Flags</th>
                  <th scope="col">Payout status</th>
                </tr>
              </thead>
              <tbody>
                {lines.map((l) => (
                  <LineRow key={l.id} line={l} name={nameOf(l.supplier_id)} approved={run.status === 'approved'} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Page>
  )
}

function LineRow({ line, name, approved }: { line: SettlementLineView; name: string; approved: boolean }) {
  return (
    <tr>
      <th scope="row">
        <Link to={`/statements/${line.id}`}>{name}</Link>
      </th>
      <td className="num sp-nowrap">{money(line.gross)}</td>
      <td className="num sp-nowrap">{money(line.deducted)}</td>
      <td className="num sp-nowrap">{money(line.net_payable)}</td>
      <td className="num sp-nowrap">{money(line.payout)}</td>
      <td className={`num sp-nowrap${line.carried_forward.startsWith('-') ? ' sp-negative' : ''}`}>
        {balanceAmount(line.carried_forward)}
      </td>
      <td>
        {line.unpriced > 0 ? <span className="badge st-flag-badge">{line.unpriced} unpriced</span> : null}
        {line.late > 0 ? <span className="badge st-flag-badge">{line.late} late</span> : null}
      </td>
      <td>
        {/* A draft pays nothing yet: its payouts are proposals until approval records them. */}
        {approved ? (PAYOUT_LABELS[line.payout_status] ?? line.payout_status) : 'Not approved'}
        {line.payout_note ? <span className="rc-sub-line">{line.payout_note}</span> : null}
      </td>
    </tr>
  )
}
