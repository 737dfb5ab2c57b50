/**
 * A printable collection receipt. While the collection is not synced its
 * rate and amount are a preview from the rates on this device.
 */
import { useLiveQuery } from '@trackvault/react'
import { useParams } from 'react-router'
import { money } from '../lib/format'
import { recorderName, useLookups } from '../lib/lookup'
import { trimQuantity } from '../lib/pricing'
import { ReceiptMissing, RecordReceipt } from '../lib/record-widgets'
import { useSession } from '../lib/session'
import './records.css'

export function CollectionReceipt() {
  const { id = '' } = useParams()
  const { user } = useSession()
  const { supplierById, productName } = useLookups()
  const query = useLiveQuery((c) => c.collections.get(id), [id], { types: ['collection'] })
  const row = query.data

  if (query.isLoading || !row) return <ReceiptMissing kind="collection" loading={query.isLoading} />

  const unsynced = row._sync !== undefined
  return (
    <RecordReceipt
      kind="collection"
      row={row}
      supplier={supplierById.get(row.supplier_id)}
      unsyncedNote="amount is a preview"
      signature="Signature"
      editable
      lines={[
        ['Product', productName(row.product_id)],
        ['Date', row.collection_date],
        ['Quantity', `${money(trimQuantity(row.quantity))} ${row.unit}`],
        ['Rate', row.rate_applied === null ? 'No rate known yet' : `${money(row.rate_applied)} per ${row.unit}`],
        [
          'Amount',
          <span key="amount" className="rc-receipt-total">
            {row.total_amount === null ? 'Price pending' : money(row.total_amount)}
            {unsynced && row.total_amount !== null ? ' (preview)' : ''}
          </span>,
        ],
        ['Collector', recorderName(row.user_id, user)],
        row.notes ? ['Notes', row.notes] : null,
      ]}
    />
  )
}
