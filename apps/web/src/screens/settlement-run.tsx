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
import { useTranslation } from 'react-i18next'
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

/** The lines table's sortable columns and their headers' keys in i18n/areas/money.ts. */
const COLUMNS: Array<[LineSortKey, string]> = [
  ['supplier', 'statement.supplier'],
  ['gross', 'settlementRun.gross'],
  ['deducted', 'settlementRun.deducted'],
  ['net_payable', 'settlementRun.netPayable'],
  ['payout', 'settlementRun.payout'],
  ['carried_forward', 'settlementRun.carried'],
]

export function SettlementRun() {
  const { t } = useTranslation()
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
    () => (sid: string) => supplierById.get(sid)?.name ?? t('settlementRun.supplierFallback', { id: sid.slice(-6) }),
    [supplierById, t],
  )
  const lines = useMemo(() => (data ? sortLines(data.lines, sort, nameOf) : []), [data, sort, nameOf])

  if (isLoading || !data) return <p className="loading">{t('common.loading')}</p>
  const { run } = data
  if (!run) {
    return (
      <Page title={t('settlementRun.notFound')}>
        <Empty>{t('settlementRun.notOnDevice')}</Empty>
        <Link to="/settlements">{t('settlementRun.back')}</Link>
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
    if (!window.confirm(t('settlementRun.confirmApprove', { reference: run.reference, amount: money(run.payout) })))
      return
    void post('approve', t('settlementRun.approvedToast', { reference: run.reference }))
  }
  const onDiscard = () => {
    if (!window.confirm(t('settlementRun.confirmDiscard', { reference: run.reference }))) return
    void post('discard', t('settlementRun.discardedToast', { reference: run.reference }))
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
      toast(t('settlementRun.downloaded', { name }), summary.missing > 0 ? 'error' : 'success')
    })

  const isDraft = run.status === 'draft'
  const mayDiscard = isDraft && settles
  const offlineNote = !online && (approve.may || mayDiscard || run.status === 'approved')

  return (
    <Page
      title={t('settlementRun.title', { reference: run.reference })}
      actions={
        <>
          {approve.may ? (
            <button type="button" className="primary" disabled={busy || !online} onClick={onApprove}>
              {t('settlementRun.approve')}
            </button>
          ) : null}
          {mayDiscard ? (
            <button type="button" className="danger" disabled={busy || !online} onClick={onDiscard}>
              {t('settlementRun.discard')}
            </button>
          ) : null}
          {run.status === 'approved' ? (
            <>
              <button type="button" disabled={busy || !online} onClick={() => void exportFile('bank')}>
                {t('settlementRun.exportBank')}
              </button>
              <button type="button" disabled={busy || !online} onClick={() => void exportFile('mobile_money')}>
                {t('settlementRun.exportMobile')}
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
          {t('settlementRun.offline')}
        </p>
      ) : null}
      {approve.why ? <p className="hint">{approve.why}</p> : null}
      <div className="card">
        <dl className="sp-facts">
          <dt>{t('settlementRun.period')}</dt>
          <dd>{t('settlementRun.range', { from: run.period_from, to: run.period_to })}</dd>
          <dt>{t('settlementRun.status')}</dt>
          <dd>
            <RunStatus status={run.status} />
            {run.approved_at ? (
              <span className="sp-muted"> {t('settlementRun.approvedOn', { date: run.approved_at.slice(0, 10) })}</span>
            ) : null}
          </dd>
          <dt>{t('settlementRun.floor')}</dt>
          <dd>{money(run.floor)}</dd>
          {run.notes ? (
            <>
              <dt>{t('settlementRun.notes')}</dt>
              <dd>{run.notes}</dd>
            </>
          ) : null}
        </dl>
      </div>
      <section className="cards" aria-label={t('settlementRun.totals')}>
        <Stat label={t('settlementRun.suppliers')} value={run.suppliers} />
        <Stat label={t('settlementRun.gross')} value={money(run.gross)} />
        <Stat label={t('settlementRun.advances')} value={money(run.advances)} />
        <Stat label={t('settlementRun.deducted')} value={money(run.deducted)} />
        <Stat label={t('settlementRun.netPayable')} value={money(run.net_payable)} />
        <Stat label={t('settlementRun.payout')} value={money(run.payout)} />
        <Stat label={t('settlementRun.carriedForward')} value={balanceAmount(run.carried_forward)} />
      </section>
      {run.unpriced > 0 || run.late > 0 ? (
        <ul className="st-flags" aria-label={t('settlementRun.flags')}>
          {run.unpriced > 0 ? (
            <li className="st-flag">{t('settlementRun.unpriced', { count: run.unpriced })}</li>
          ) : null}
          {run.late > 0 ? <li className="st-flag">{t('settlementRun.late', { count: run.late })}</li> : null}
        </ul>
      ) : null}

      {run.status === 'approved' && settles ? <PayoutResults runId={run.id} /> : null}

      <section className="sp-section" aria-labelledby="lines-title">
        <h2 id="lines-title">{t('settlementRun.lines')}</h2>
        {lines.length === 0 ? (
          <Empty>{run.status === 'discarded' ? t('settlementRun.discardedLines') : t('settlementRun.noLines')}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="sp-table st-table st-lines">
              <caption className="sr-only">{t('settlementRun.linesCaption')}</caption>
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
                        {t(label)}
                        <span aria-hidden="true">{sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    </th>
                  ))}
                  <th scope="col">{t('settlementRun.flags')}</th>
                  <th scope="col">{t('settlementRun.payoutStatus')}</th>
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
  const { t } = useTranslation()
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
        {line.unpriced > 0 ? (
          <span className="badge st-flag-badge">{t('settlementRun.unpricedBadge', { count: line.unpriced })}</span>
        ) : null}
        {line.late > 0 ? (
          <span className="badge st-flag-badge">{t('settlementRun.lateBadge', { count: line.late })}</span>
        ) : null}
      </td>
      <td>
        {/* A draft pays nothing yet: its payouts are proposals until approval records them. */}
        {approved
          ? t(`payoutStatus.${line.payout_status}`, { defaultValue: line.payout_status })
          : t('settlementRun.notApproved')}
        {line.payout_note ? <span className="rc-sub-line">{line.payout_note}</span> : null}
      </td>
    </tr>
  )
}
