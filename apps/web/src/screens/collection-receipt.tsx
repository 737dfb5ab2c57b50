/**
 * A printable collection receipt: the receipt number, the collector, the
 * supplier, the weighing (gross, tare x containers, deduction, net), the
 * grade or the quality readings, the rate and the amount, or "Price pending"
 * while no rate covers it. While the collection is not synced its rate and
 * amount are a preview from the rates on this device.
 */
import { useLiveQuery } from '@trackvault/react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { dateOnly, money, moneyIn } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { weighingText } from '../lib/pricing'
import { ReceiptMissing, RecordReceipt } from '../lib/record-widgets'
import { useBusinessSettings } from '../lib/settings'
import { useUserNames } from '../lib/user-names'
import './records.css'

export function CollectionReceipt() {
  const { t } = useTranslation()
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
      unsyncedNote={t('receipt.amountIsPreview')}
      signature={t('receipt.signature')}
      editable
      lines={[
        [t('receipt.collector'), userName(row.user_id)],
        [t('receipt.product'), productName(row.product_id)],
        [t('receipt.date'), dateOnly(row.collection_date)],
        [t('receipt.gross'), w ? `${money(w.gross)} ${unit}` : `${row.quantity} ${unit}`],
        w && w.tare !== '0'
          ? [t('receipt.tare'), `${w.containers} × ${money(w.tarePerContainer)} ${unit} = ${money(w.tare)} ${unit}`]
          : null,
        w && w.deductionPercent !== '0'
          ? [t('receipt.deduction'), `${w.deductionPercent}% = ${money(w.deduction)} ${unit}`]
          : null,
        [
          t('receipt.net'),
          <strong key="net" data-testid="receipt-net">
            {w ? `${money(w.net)} ${unit}` : '—'}
          </strong>,
        ],
        row.grade ? [t('receipt.grade'), row.grade] : null,
        row.fat_percent !== null || row.snf_percent !== null
          ? [t('receipt.fatSnf'), `${row.fat_percent ?? '—'}% / ${row.snf_percent ?? '—'}%`]
          : null,
        [
          t('receipt.rate'),
          row.rate_applied === null
            ? t('receipt.pricePending')
            : t('receipt.perUnit', { rate: money(row.rate_applied), unit }),
        ],
        [
          t('receipt.amount'),
          <span key="amount" className="rc-receipt-total" data-testid="receipt-amount">
            {row.total_amount === null ? t('receipt.pricePending') : moneyIn(row.total_amount, settings.currency)}
            {unsynced && row.total_amount !== null ? t('receipt.preview') : ''}
          </span>,
        ],
        row.notes ? [t('receipt.notes'), row.notes] : null,
      ]}
    />
  )
}
