/**
 * Payments list: date range (last 7 days by default), supplier and type
 * filters kept in the URL, exact totals over every matching row, paging.
 */

import { sumMoney } from '@trackvault/core'
import { useLiveList, useSyncClient } from '@trackvault/react'
import { Link } from 'react-router'
import { Page, SelectField, SyncBadge } from '../components/ui'
import { money } from '../lib/format'
import { useRecordFilters } from '../lib/list-page'
import { useLookups } from '../lib/lookup'
import { pageOf } from '../lib/paging'
import { useCan } from '../lib/permissions'
import { RecordFilters, RecordTable } from '../lib/record-widgets'
import { PAYMENT_TYPE_OPTIONS, paymentMethodLabel, paymentTypeLabel } from '../lib/typed-rows'
import './records.css'

const PAGE_SIZE = 20

export function PaymentsList() {
  const client = useSyncClient()
  const { can } = useCan()
  const { suppliers, supplierName } = useLookups()
  const { values, page, set, listFilter } = useRecordFilters({ type: '' })
  const query = useLiveList(client.payments, { ...listFilter, payment_type: values.type || undefined })
  const rows = query.data ?? []
  const total = sumMoney(rows.map((p) => p.amount)).total
  const shown = pageOf(rows, page, PAGE_SIZE)
  const newLink = values.supplier_id ? `/payments/new?supplier_id=${values.supplier_id}` : '/payments/new'

  return (
    <Page
      title="Payments"
      actions={
        can('payment', 'create') ? (
          <Link className="rc-btn-link primary" to={newLink}>
            New payment
          </Link>
        ) : null
      }
    >
      <RecordFilters kind="payment" values={values} set={set} suppliers={suppliers}>
        <SelectField
          label="Type"
          value={values.type}
          onChange={(e) => set({ type: e.target.value })}
          options={PAYMENT_TYPE_OPTIONS}
          placeholder="All types"
        />
      </RecordFilters>

      <RecordTable
        kind="payment"
        loading={query.isLoading}
        count={rows.length}
        page={shown.page}
        pages={shown.pages}
        onPage={(p) => set({ page: String(p) })}
      >
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Supplier</th>
            <th scope="col" className="rc-wide-only">
              Type
            </th>
            <th scope="col" className="rc-wide-only">
              Method
            </th>
            <th scope="col" className="rc-wide-only">
              Reference
            </th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.rows.map((p) => (
            <tr key={p.id}>
              <td className="rc-nowrap">
                <Link to={`/payments/${p.id}`}>
                  <span className="sr-only">Receipt of </span>
                  {p.payment_date}
                </Link>
              </td>
              <td>
                {supplierName(p.supplier_id)}
                <SyncBadge state={p._sync} />
                <span className="rc-sub-line rc-narrow-only">
                  {paymentTypeLabel(p.payment_type)}, {paymentMethodLabel(p.payment_method)}
                  {p.reference_number ? ` (${p.reference_number})` : ''}
                </span>
              </td>
              <td className="rc-wide-only">{paymentTypeLabel(p.payment_type)}</td>
              <td className="rc-wide-only">{paymentMethodLabel(p.payment_method)}</td>
              <td className="rc-wide-only">{p.reference_number ?? ''}</td>
              <td className="num">{money(p.amount)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total ({rows.length})
            </th>
            <td className="rc-wide-only" colSpan={3} />
            <td className="num" data-testid="payments-total">
              {money(total)}
            </td>
          </tr>
        </tfoot>
      </RecordTable>
    </Page>
  )
}
