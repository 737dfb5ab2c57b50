/**
 * Home: a greeting, today's collections with exact totals (a collector's
 * replica only holds their own), the sync state and quick actions.
 */
import { useLiveList, useSyncClient, useSyncStatus } from '@trackvault/react'
import { useState } from 'react'
import { Link } from 'react-router'
import { Empty, Page, SyncBadge } from '../components/ui'
import { dateTime, errorMessage, money, today } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { collectionTotals, trimQuantity } from '../lib/pricing'
import { useSession } from '../lib/session'
import { useToast } from '../lib/toast'
import './records.css'

function greeting(hour: number): string {
  if (hour < 12) return 'Good morning'
  if (hour < 18) return 'Good afternoon'
  return 'Good evening'
}

const RECENT = 5

export function Home() {
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
      if (summary.error?.offline) toast('You are offline: changes stay on this device and sync when back online.')
      else if (!summary.error && !summary.skipped && summary.successful + summary.failed + summary.conflicts === 0)
        toast('Everything is up to date.', 'success')
    } catch (err) {
      toast(`Sync failed: ${errorMessage(err)}`, 'error')
    } finally {
      setSyncing(false)
    }
  }

  return (
    <Page title={`${greeting(new Date().getHours())}, ${user?.name ?? ''}`}>
      <div className="rc-quick-actions">
        {can('collection', 'create') ? (
          <Link className="rc-btn-link primary" to="/collections/new">
            New collection
          </Link>
        ) : null}
        {can('payment', 'create') ? (
          <Link className="rc-btn-link" to="/payments/new">
            New payment
          </Link>
        ) : null}
        <button type="button" onClick={syncNow} disabled={syncing || status.syncing}>
          {syncing || status.syncing ? 'Syncing…' : 'Sync now'}
        </button>
      </div>

      <section className="rc-home-section" aria-labelledby="sync-heading">
        <h2 id="sync-heading">Sync</h2>
        <div className="cards">
          <div className="stat">
            <div className="label">Connection</div>
            <div className="value">{status.online ? 'Online' : 'Offline'}</div>
          </div>
          <div className="stat">
            <div className="label">Pending sync</div>
            <div className="value" data-testid="home-pending">
              {status.pending}
            </div>
            <div className="rc-sub">change{status.pending === 1 ? '' : 's'} waiting</div>
          </div>
          <div className="stat">
            <div className="label">Last sync</div>
            <div className="value" style={{ fontSize: '1rem' }} data-testid="home-last-sync">
              {dateTime(status.lastSyncAt)}
            </div>
          </div>
          {queued > 0 ? (
            <div className="stat">
              <div className="label">Needs attention</div>
              <div className="value">{queued}</div>
              <div className="rc-sub">
                <Link to="/sync">Open the sync center</Link>
              </div>
            </div>
          ) : null}
        </div>
      </section>

      {seesCollections ? (
        <section className="rc-home-section" aria-labelledby="today-heading">
          <h2 id="today-heading">{ownOnly ? 'Your collections today' : "Today's collections"}</h2>
          <div className="cards">
            <div className="stat">
              <div className="label">Collections</div>
              <div className="value" data-testid="today-count">
                {totals.count}
              </div>
            </div>
            <div className="stat">
              <div className="label">Quantity</div>
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
              <div className="label">Amount</div>
              <div className="value" data-testid="today-amount">
                {money(totals.amount)}
              </div>
              {totals.unpriced > 0 ? (
                <div className="rc-sub">
                  {totals.unpriced} price pending (priced once a rate for its date is entered)
                </div>
              ) : null}
            </div>
          </div>

          {query.isLoading ? null : rows.length === 0 ? (
            <Empty>No collections today yet.</Empty>
          ) : (
            <div className="table-wrap rc-table-wrap">
              <table className="rc-table">
                <caption className="sr-only">Latest collections today</caption>
                <thead>
                  <tr>
                    <th scope="col">Supplier</th>
                    <th scope="col" className="num">
                      Quantity
                    </th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, RECENT).map((c) => (
                    <tr key={c.id}>
                      <td>
                        <Link to={`/collections/${c.id}`}>
                          <span className="sr-only">Receipt: </span>
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
              <Link to={`/collections?from=${day}&to=${day}`}>All of today's collections</Link>
            </p>
          ) : null}
        </section>
      ) : null}
    </Page>
  )
}
