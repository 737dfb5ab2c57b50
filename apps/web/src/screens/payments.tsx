/**
 * Payments list: date range (last 7 days by default), supplier and type
 * filters kept in the URL, exact totals over every matching row, paging.
 */
import { sumMoney } from '@trackvault/core'
import { useLiveList, useSyncClient } from '@trackvault/react'
import { useTranslation } from 'react-i18next'
import { SelectField } from '../components/ui'
import { money } from '../lib/format'
import { useRecordFilters } from '../lib/list-page'
import { useLookups } from '../lib/lookup'
import { RecordListPage } from '../lib/record-list-page'
import { paymentMethodLabel, paymentTypeLabel, paymentTypeOptions } from '../lib/typed-rows'
import './records.css'

export function PaymentsList() {
  const { t } = useTranslation()
  const client = useSyncClient()
  const { suppliers, supplierName } = useLookups()
  const filters = useRecordFilters({ type: '' })
  const { values, set, listFilter } = filters
  const query = useLiveList(client.payments, { ...listFilter, payment_type: values.type || undefined })
  const rows = query.data ?? []

  return (
    <RecordListPage
      kind="payment"
      filters={filters}
      moreFilters={
        <SelectField
          label={t('payments.type')}
          value={values.type}
          onChange={(e) => set({ type: e.target.value })}
          options={paymentTypeOptions()}
          placeholder={t('payments.allTypes')}
        />
      }
      suppliers={suppliers}
      supplierName={supplierName}
      rows={rows}
      loading={query.isLoading}
      dateOf={(p) => p.payment_date}
      subLine={(p) => (
        <>
          {paymentTypeLabel(p.payment_type)}, {paymentMethodLabel(p.payment_method)}
          {p.reference_number ? ` (${p.reference_number})` : ''}
        </>
      )}
      columns={[
        { header: t('payments.type'), wideOnly: true, cell: (p) => paymentTypeLabel(p.payment_type) },
        { header: t('payments.method'), wideOnly: true, cell: (p) => paymentMethodLabel(p.payment_method) },
        { header: t('payments.reference'), wideOnly: true, cell: (p) => p.reference_number ?? '' },
        {
          header: t('payments.amount'),
          num: true,
          cell: (p) => money(p.amount),
          total: money(sumMoney(rows.map((p) => p.amount)).total),
          totalTestId: 'payments-total',
        },
      ]}
    />
  )
}
