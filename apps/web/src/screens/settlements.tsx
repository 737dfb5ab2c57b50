/**
 * Settlement runs (admin, manager, finance), newest first, from the local replica so the list
 * opens offline: reference, period, status, suppliers, net payable and payout. "New run" for the
 * roles that compute runs (./settlement-new.tsx); a run opens its detail (./settlement-run.tsx).
 */
import { useLiveList, useSyncClient } from '@trackvault/react'
import type { TFunction } from 'i18next'
import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Empty, Page } from '../components/ui'
import { money } from '../lib/format'
import { useCan } from '../lib/permissions'
import { sortRuns } from '../lib/settlements'
import './settlements.css'

/** A run's (or line's) status in the chosen language: Draft, Approved, Discarded; an unknown one as it is. */
export const runStatusLabel = (t: TFunction, status: string): string =>
  t(`runStatus.${status}`, { defaultValue: status })

export function RunStatus({ status }: { status: string }) {
  const { t } = useTranslation()
  return <span className={`badge st-status st-${status}`}>{runStatusLabel(t, status)}</span>
}

export function SettlementsList() {
  const { t } = useTranslation()
  const client = useSyncClient()
  const { settles } = useCan()
  const { data } = useLiveList(client.settlementRuns, {})
  const runs = useMemo(() => (data ? sortRuns(data) : undefined), [data])

  return (
    <Page
      title={t('settlements.title')}
      actions={
        settles ? (
          <Link to="/settlements/new" className="sp-button primary">
            {t('settlements.newRun')}
          </Link>
        ) : undefined
      }
    >
      {runs === undefined ? (
        <p className="loading">{t('common.loading')}</p>
      ) : runs.length === 0 ? (
        <Empty>{t('settlements.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="sp-table st-table">
            <caption className="sr-only">{t('settlements.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('settlements.reference')}</th>
                <th scope="col">{t('settlements.period')}</th>
                <th scope="col">{t('settlements.status')}</th>
                <th scope="col" className="num">
                  {t('settlements.suppliers')}
                </th>
                <th scope="col" className="num">
                  {t('settlements.netPayable')}
                </th>
                <th scope="col" className="num">
                  {t('settlements.payout')}
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} className={r.status === 'discarded' ? 'st-discarded' : undefined}>
                  <th scope="row">
                    <Link to={`/settlements/${r.id}`}>{r.reference}</Link>
                  </th>
                  <td className="sp-nowrap">{t('settlements.range', { from: r.period_from, to: r.period_to })}</td>
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
