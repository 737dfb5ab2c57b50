/**
 * A printable collection receipt: the receipt number, the collector, the
 * supplier, the weighing (gross, tare x containers, deduction, net), the
 * grade or the quality readings, the rate and the amount, or "Price pending"
 * while no rate covers it. While the collection is not synced its rate and
 * amount are a preview from the rates on this device.
 */
import { useLiveQuery } from '@trackvault/react'
import { useParams } from 'react-router'
import { money } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { weighingText } from '../lib/pricing'
import { ReceiptMissing, RecordReceipt } from '../lib/record-widgets'
import { useBusinessSettings } from '../lib/settings'
import { useUserNames } from '../lib/user-names'
import './records.css'

export function CollectionReceipt() {
  const { id = '' } = useParams()
  const userName = useUserNames()
  const settings = useBusinessSettings()
  const { supplierById, productName } = useLookups()
  const query = useLiveQuery((c) => c.collections.get(id), [id], { types: ['collection'] })
  const row = query.data

  if (query.isLoading || !row) return <ReceiptMissing kind="collection" loading={query.isLoading} />

  const unsynced = row._sync !== undefined
  const w = weighingText(row)
  const unit = row.unit
  return (
    <RecordReceipt
      kind="collection"
      row={row}
      supplier={supplierById.get(row.supplier_id)}
      receiptNumber={row.receipt_number}
      unsyncedNote="amount is a preview"
      signature="Signature"
      editable
      lines={[
        ['Collector', userName(row.user_id)],
        ['Product', productName(row.product_id)],
        ['Date', row.collection_date],
        ['Gross', w ? `${money(w.gross)} ${unit}` : `${row.quantity} ${unit}`],
        w && w.tare !== '0'
          ? ['Tare', `${w.containers} × ${money(w.tarePerContainer)} ${unit} = ${money(w.tare)} ${unit}`]
          : null,
        w && w.deductionPercent !== '0'
          ? ['Deduction', `${w.deductionPercent}% = ${money(w.deduction)} ${unit}`]
          : null,
        [
          'Net',
          <strong key="net" data-testid="receipt-net">
            {w ? `${money(w.net)} ${unit}` : '—'}
          </strong>,
        ],
        row.grade ? ['Grade', row.grade] : null,
        row.fat_percent !== null || row.snf_percent !== null
          ? ['Fat / SNF', `${row.fat_percent ?? '—'}% / ${row.snf_percent ?? '—'}%`]
          : null,
        ['Rate', row.rate_applied === null ? 'Price pending' : `${money(row.rate_applied)} per ${unit}`],
        [
          'Amount',
          <span key="amount" className="rc-receipt-total" data-testid="receipt-amount">
            {row.total_amount === null ? 'Price pending' : `${settings.currency} ${money(row.total_amount)}`}
            {unsynced && row.total_amount !== null ? ' (preview)' : ''}
          </span>,
        ],
        row.notes ? ['Notes', row.notes] : null,
      ]}
    />
  )
}
