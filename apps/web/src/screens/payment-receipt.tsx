/**
 * A printable payment receipt with the supplier's balance just after the
 * payment (in statement order, from the rows on this device).
 */
import { useLiveList, useLiveQuery, useSyncClient } from '@trackvault/react'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { Empty, FormError, Page, SyncBadge } from '../components/ui'
import { dateTime, errorMessage, money } from '../lib/format'
import { recorderName, supplierLabel, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import {
  asRow,
  asRows,
  type CollectionView,
  PAYMENT_METHOD_LABELS,
  PAYMENT_TYPE_LABELS,
  type PaymentView,
} from '../lib/record-types'
import { ReceiptLines } from '../lib/record-widgets'
import { useSession } from '../lib/session'
import { balanceAfterPayment } from '../lib/supplier-balance'
import { useToast } from '../lib/toast'
import './records.css'

function signed(value: string): string {
  return value.startsWith('-') ? `${money(value.slice(1))} in credit` : `${money(value)} owed`
}

export function PaymentReceipt() {
  const { id = '' } = useParams()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { user } = useSession()
  const { can } = useCan()
  const { supplierById } = useLookups()
  const [error, setError] = useState<string>()
  const query = useLiveQuery((c) => c.payments.get(id), [id], { types: ['payment'] })
  const row = asRow<PaymentView>(query.data)
  const bySupplier = { supplier_id: row?.supplier_id ?? '-' }
  const collections = useLiveList(client.collections, bySupplier)
  const payments = useLiveList(client.payments, bySupplier)

  if (query.isLoading) return <Page title="Payment receipt">Loading…</Page>
  if (!row) {
    return (
      <Page title="Payment receipt">
        <Empty>
          This payment does not exist on this device (it may have been deleted).{' '}
          <Link to="/payments">Back to payments</Link>
        </Empty>
      </Page>
    )
  }

  const supplier = supplierById.get(row.supplier_id)
  const unsynced = row._sync !== undefined
  const balance =
    collections.isLoading || payments.isLoading
      ? undefined
      : balanceAfterPayment(row.id, asRows<CollectionView>(collections.data), asRows<PaymentView>(payments.data))

  const remove = async () => {
    if (!window.confirm('Delete this payment? This cannot be undone once synced.')) return
    try {
      await client.payments.remove(row.id)
      toast('Payment deleted', 'success')
      navigate('/payments', { replace: true })
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <Page
      title="Payment receipt"
      actions={
        <>
          <button type="button" className="primary" onClick={() => window.print()}>
            Print
          </button>
          {can('payment', 'delete', row.user_id) ? (
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
          Not yet synced — this payment is stored on this device and sent on the next sync
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
          <h2 id="receipt-title">Payment receipt</h2>
        </div>
        <ReceiptLines
          lines={[
            ['Supplier', supplier ? supplierLabel(supplier) : 'Unknown supplier'],
            ['Date', row.payment_date],
            [
              'Amount',
              <span key="amount" className="rc-receipt-total">
                {money(row.amount)}
              </span>,
            ],
            ['Type', PAYMENT_TYPE_LABELS[row.payment_type] ?? row.payment_type],
            ['Method', PAYMENT_METHOD_LABELS[row.payment_method] ?? row.payment_method],
            ...(row.reference_number ? ([['Reference', row.reference_number]] as Array<[string, string]>) : []),
            ...(row.notes ? ([['Notes', row.notes]] as Array<[string, string]>) : []),
            [
              'Balance after payment',
              <span key="balance" data-testid="balance-after-payment">
                {balance ? signed(balance.balance) : '…'}
                {balance && balance.unpriced > 0 ? (
                  <span className="rc-muted">
                    {' '}
                    ({balance.unpriced} unpriced collection{balance.unpriced === 1 ? '' : 's'} not counted)
                  </span>
                ) : null}
              </span>,
            ],
            ['Recorded by', recorderName(row.user_id, user)],
            ['Recorded', dateTime(row.created_at)],
            [
              'Receipt no.',
              <span key="id" className="rc-receipt-id">
                {row.id}
              </span>,
            ],
          ]}
        />
        <p className="rc-receipt-sign">Received by: ______________________</p>
      </article>
      <p className="no-print">
        <Link to="/payments">Back to payments</Link>
        {' · '}
        <Link to={`/suppliers/${row.supplier_id}`}>Supplier page</Link>
      </p>
    </Page>
  )
}
