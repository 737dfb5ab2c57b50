/**
 * A printable collection receipt. While the collection is not synced its
 * rate and amount are a preview from the rates on this device.
 */
import { useLiveQuery, useSyncClient } from '@trackvault/react'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { Empty, FormError, Page, SyncBadge } from '../components/ui'
import { dateTime, errorMessage, money } from '../lib/format'
import { recorderName, supplierLabel, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { trimQuantity } from '../lib/pricing'
import { asRow, type CollectionView } from '../lib/record-types'
import { ReceiptLines } from '../lib/record-widgets'
import { useSession } from '../lib/session'
import { useToast } from '../lib/toast'
import './records.css'

export function CollectionReceipt() {
  const { id = '' } = useParams()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { user } = useSession()
  const { can } = useCan()
  const { supplierById, productName } = useLookups()
  const [error, setError] = useState<string>()
  const query = useLiveQuery((c) => c.collections.get(id), [id], { types: ['collection'] })
  const row = asRow<CollectionView>(query.data)

  if (query.isLoading) return <Page title="Collection receipt">Loading…</Page>
  if (!row) {
    return (
      <Page title="Collection receipt">
        <Empty>
          This collection does not exist on this device (it may have been deleted).{' '}
          <Link to="/collections">Back to collections</Link>
        </Empty>
      </Page>
    )
  }

  const supplier = supplierById.get(row.supplier_id)
  const unsynced = row._sync !== undefined

  const remove = async () => {
    if (!window.confirm('Delete this collection? This cannot be undone once synced.')) return
    try {
      await client.collections.remove(row.id)
      toast('Collection deleted', 'success')
      navigate('/collections', { replace: true })
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <Page
      title="Collection receipt"
      actions={
        <>
          <button type="button" className="primary" onClick={() => window.print()}>
            Print
          </button>
          {can('collection', 'update', row.user_id) ? (
            <Link className="rc-btn-link" to={`/collections/${row.id}/edit`}>
              Edit
            </Link>
          ) : null}
          {can('collection', 'delete', row.user_id) ? (
            <button type="button" className="danger" onClick={remove}>
              Delete
            </button>
          ) : null}
        </>
      }
    >
      <FormError message={error} />
      {unsynced ? (
        <p className="rc-notice" role="status">
          Not yet synced — amount is a preview
          {row._sync !== 'pending' ? (
            <>
              {' '}
              (<SyncBadge state={row._sync} /> <Link to="/sync">open the sync center</Link>)
            </>
          ) : null}
        </p>
      ) : null}
      <article className="card rc-receipt" aria-labelledby="receipt-title">
        <div className="rc-receipt-head">
          <span className="rc-brandline">TrackVault</span>
          <h2 id="receipt-title">Collection receipt</h2>
        </div>
        <ReceiptLines
          lines={[
            ['Supplier', supplier ? supplierLabel(supplier) : 'Unknown supplier'],
            ['Product', productName(row.product_id)],
            ['Date', row.collection_date],
            ['Quantity', `${money(trimQuantity(row.quantity))} ${row.unit}`],
            ['Rate', row.rate_applied === null ? 'No rate known yet' : `${money(row.rate_applied)} per ${row.unit}`],
            [
              'Amount',
              <span key="amount" className="rc-receipt-total">
                {row.total_amount === null ? 'Priced when synced' : money(row.total_amount)}
                {unsynced && row.total_amount !== null ? ' (preview)' : ''}
              </span>,
            ],
            ['Collector', recorderName(row.user_id, user)],
            ...(row.notes ? ([['Notes', row.notes]] as Array<[string, string]>) : []),
            ['Recorded', dateTime(row.created_at)],
            [
              'Receipt no.',
              <span key="id" className="rc-receipt-id">
                {row.id}
              </span>,
            ],
          ]}
        />
        <p className="rc-receipt-sign">Signature: ______________________</p>
      </article>
      <p className="no-print">
        <Link to="/collections">Back to collections</Link>
      </p>
    </Page>
  )
}
