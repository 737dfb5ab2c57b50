/**
 * A printable payment receipt with the supplier's balance just after the
 * payment (in statement order, from the rows on this device, less what
 * approved settlement runs deducted before it).
 */
import { useLiveList, useLiveQuery, useSyncClient } from '@trackvault/react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { balanceText } from '../lib/balance-words'
import { balanceAfterPayment } from '../lib/balances'
import { money } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { ReceiptMissing, RecordReceipt } from '../lib/record-widgets'
import { paymentMethodLabel, paymentTypeLabel } from '../lib/typed-rows'
import { useUserNames } from '../lib/user-names'
import './records.css'

export function PaymentReceipt() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const client = useSyncClient()
  const userName = useUserNames()
  const { supplierById } = useLookups()
  const query = useLiveQuery((c) => c.payments.get(id), [id], { types: ['payment'] })
  const row = query.data
  const bySupplier = { supplier_id: row?.supplier_id ?? '-' }
  const collections = useLiveList(client.collections, bySupplier)
  const payments = useLiveList(client.payments, bySupplier)
  const lines = useLiveList(client.settlementLines, bySupplier)

  if (query.isLoading || !row) return <ReceiptMissing kind="payment" loading={query.isLoading} />

  const balance =
    collections.isLoading || payments.isLoading || lines.isLoading
      ? undefined
      : balanceAfterPayment(row.id, collections.data ?? [], payments.data ?? [], { lines: lines.data ?? [] })

  return (
    <RecordReceipt
      kind="payment"
      row={row}
      supplier={supplierById.get(row.supplier_id)}
      unsyncedNote={t('paymentReceipt.unsyncedNote')}
      signature={t('paymentReceipt.receivedBy')}
      lines={[
        [t('receipt.date'), row.payment_date],
        [
          t('receipt.amount'),
          <span key="amount" className="rc-receipt-total">
            {money(row.amount)}
          </span>,
        ],
        [t('paymentReceipt.type'), paymentTypeLabel(row.payment_type)],
        [t('paymentReceipt.method'), paymentMethodLabel(row.payment_method)],
        row.reference_number ? [t('receipt.reference'), row.reference_number] : null,
        row.notes ? [t('receipt.notes'), row.notes] : null,
        [
          t('paymentReceipt.balanceAfter'),
          <span key="balance" data-testid="balance-after-payment">
            {balance ? balanceText(balance.balance) : '…'}
            {balance && balance.unpriced > 0 ? (
              <span className="rc-muted"> {t('paymentReceipt.unpriced', { count: balance.unpriced })}</span>
            ) : null}
          </span>,
        ],
        [t('paymentReceipt.recordedBy'), userName(row.user_id)],
      ]}
      links={
        <>
          {' · '}
          <Link to={`/suppliers/${row.supplier_id}`}>{t('paymentReceipt.supplierPage')}</Link>
        </>
      }
    />
  )
}
