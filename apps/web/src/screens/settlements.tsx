/**
 * Settlement runs (admin, manager, finance), newest first, from the local replica so the list
 * opens offline: reference, period, status, suppliers, net payable and payout. "New run" for the
 * roles that compute runs (./settlement-new.tsx); a run opens its detail (./settlement-run.tsx).
 */
import { useLiveList, useSyncClient } from '@trackvault/react'
import { useMemo } from 'react'
import { Link } from 'react-router'
import { Empty, Page } from '../components/ui'
import { money } from '../lib/format'
import { useCan } from '../lib/permissions'
import { sortRuns } from '../lib/settlements'
import './settlements.css'

export const RUN_STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  approved: 'Approved',
  discarded: 'Discarded',
}

export function RunStatus({ status }: { status: string }) {
  return <span className={`badge st-status st-${status}`}>{RUN_STATUS_LABELS[status] ?? status}</span>
}

export function SettlementsList() {
  const client = useSyncClient()
  const { settles } = useCan()
  const { data } = useLiveList(client.settlementRuns, {})
  const runs = useMemo(() => (data ? sortRuns(data) : undefined), [data])

  return (
    <Page
      title="Settlements"
      actions={
        settles ? (
          <Link to="/settlements/new" className="sp-button primary">
            New run
          </Link>
        ) : undefined
      }
    >
      {runs === undefined ? (
        <p className="loading">Loading…</p>
      ) : runs.length === 0 ? (
        <Empty>No settlement runs yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="sp-table st-table">
            <caption className="sr-only">Settlement runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Period</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Suppliers
                </th>
                <th scope="col" className="num">
                  Net payable
                </th>
                <th scope="col" className="num">
                  Payout
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} className={r.status === 'discarded' ? 'st-discarded' : undefined}>
                  <th scope="row">
                    <Link to={`/settlements/${r.id}`}>{r.reference}</Link>
                  </th>
                  <td className="sp-nowrap">
                    {r.period_from} to {r.period_to}
                  </td>
                  <td>
                    <RunStatus status={r.status} />
                  </td>
                  <td className="num">{r.suppliers}</td>
                  <td className="num sp-nowrap">{money(r.net_payable)}</td>
                  <td className="num sp-nowrap">{money(r.payout)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  )
}
