/**
 * Home: a greeting, today's collections with exact totals (a collector's
 * replica only holds their own), the sync state and quick actions.
 */
import { useLiveList, useSyncClient, useSyncStatus } from '@trackvault/react'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Empty, Page, SyncBadge } from '../components/ui'
import { dateTime, errorMessage, money, today } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { collectionTotals, trimQuantity } from '../lib/pricing'
import { useSession } from '../lib/session'
import { useToast } from '../lib/toast'
import './records.css'

function greeting(hour: number): 'home.morning' | 'home.afternoon' | 'home.evening' {
  if (hour < 12) return 'home.morning'
  if (hour < 18) return 'home.afternoon'
  return 'home.evening'
}

const RECENT = 5

export function Home() {
  const { t } = useTranslation()
  const client = useSyncClient()
  const status = useSyncStatus()
  const { user } = useSession()
  const { can, reads } = useCan()
  const toast = useToast()
  const { supplierName, productName } = useLookups()
  const [syncing, setSyncing] = useState(false)
  const day = today()
  const seesCollections = reads('collection')
  const query = useLiveList(client.collections, { from_date: day, to_date: day })
  const rows = query.data ?? []
  const totals = collectionTotals(rows)
  const ownOnly = user?.role === 'collector'
  const queued = status.conflicts + status.failed

  const syncNow = async () => {
    setSyncing(true)
    try {
      const summary = await client.sync()
      if (summary.error?.offline) toast(t('home.offlineToast'))
      else if (!summary.error && !summary.skipped && summary.successful + summary.failed + summary.conflicts === 0)
        toast(t('home.upToDate'), 'success')
    } catch (err) {
      toast(t('home.syncFailed', { message: errorMessage(err) }), 'error')
    } finally {
      setSyncing(false)
    }
  }

  return (
    <Page title={t(greeting(new Date().getHours()), { name: user?.name ?? '' })}>
      <div className="rc-quick-actions">
        {can('collection', 'create') ? (
          <Link className="rc-btn-link primary" to="/collections/new">
            {t('home.newCollection')}
          </Link>
        ) : null}
        {can('payment', 'create') ? (
          <Link className="rc-btn-link" to="/payments/new">
            {t('home.newPayment')}
          </Link>
        ) : null}
        <button type="button" onClick={syncNow} disabled={syncing || status.syncing}>
          {syncing || status.syncing ? t('common.syncing') : t('common.syncNow')}
        </button>
      </div>

      <section className="rc-home-section" aria-labelledby="sync-heading">
        <h2 id="sync-heading">{t('home.syncHeading')}</h2>
        <div className="cards">
          <div className="stat">
            <div className="label">{t('home.connection')}</div>
            <div className="value">{status.online ? t('common.online') : t('common.offline')}</div>
          </div>
          <div className="stat">
            <div className="label">{t('home.pendingSync')}</div>
            <div className="value" data-testid="home-pending">
              {status.pending}
            </div>
            <div className="rc-sub">{t('home.waiting', { count: status.pending })}</div>
          </div>
          <div className="stat">
            <div className="label">{t('home.lastSync')}</div>
            <div className="value" style={{ fontSize: '1rem' }} data-testid="home-last-sync">
              {dateTime(status.lastSyncAt, t('common.never'))}
            </div>
          </div>
          {queued > 0 ? (
            <div className="stat">
              <div className="label">{t('home.needsAttention')}</div>
              <div className="value">{queued}</div>
              <div className="rc-sub">
                <Link to="/sync">{t('common.openSyncCenter')}</Link>
              </div>
            </div>
          ) : null}
        </div>
      </section>

      {seesCollections ? (
        <section className="rc-home-section" aria-labelledby="today-heading">
          <h2 id="today-heading">{ownOnly ? t('home.yourToday') : t('home.allToday')}</h2>
          <div className="cards">
            <div className="stat">
              <div className="label">{t('home.collections')}</div>
              <div className="value" data-testid="today-count">
                {totals.count}
              </div>
            </div>
            <div className="stat">
              <div className="label">{t('home.quantity')}</div>
              {totals.byUnit.length === 0 ? (
                <div className="value">0</div>
              ) : (
                totals.byUnit.map((u) => (
                  <div className="value" key={u.unit}>
                    {money(trimQuantity(u.total))} {u.unit}
                  </div>
                ))
              )}
            </div>
            <div className="stat">
              <div className="label">{t('home.amount')}</div>
              <div className="value" data-testid="today-amount">
                {money(totals.amount)}
              </div>
              {totals.unpriced > 0 ? (
                <div className="rc-sub">{t('home.unpriced', { count: totals.unpriced })}</div>
              ) : null}
            </div>
          </div>

          {query.isLoading ? null : rows.length === 0 ? (
            <Empty>{t('home.noneToday')}</Empty>
          ) : (
            <div className="table-wrap rc-table-wrap">
              <table className="rc-table">
                <caption className="sr-only">{t('home.latestCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('home.supplier')}</th>
                    <th scope="col" className="num">
                      {t('home.quantity')}
                    </th>
                    <th scope="col" className="num">
                      {t('home.amount')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, RECENT).map((c) => (
                    <tr key={c.id}>
                      <td>
                        <Link to={`/collections/${c.id}`}>
                          <span className="sr-only">{t('home.receipt')}</span>
                          {supplierName(c.supplier_id)}
                        </Link>
                        <SyncBadge state={c._sync} />
                        <span className="rc-sub-line">{productName(c.product_id)}</span>
                      </td>
                      <td className="num rc-nowrap">
                        {money(trimQuantity(c.quantity))} {c.unit}
                      </td>
                      <td className="num">{money(c.total_amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {rows.length > 0 ? (
            <p>
              <Link to={`/collections?from=${day}&to=${day}`}>{t('home.allTodayLink')}</Link>
            </p>
          ) : null}
        </section>
      ) : null}
    </Page>
  )
}
