/**
 * Payments list: date range (last 7 days by default), supplier and type
 * filters kept in the URL, exact totals over every matching row, paging.
 */
import { PAYMENT_TYPES } from '@trackvault/core'
import { useLiveList, useSyncClient } from '@trackvault/react'
import { Link } from 'react-router'
import { Empty, Field, Page, Pager, SelectField, SyncBadge } from '../components/ui'
import { daysAgo, money, today } from '../lib/format'
import { slicePage, useUrlFilters } from '../lib/list-page'
import { supplierOptions, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { sumMoney } from '../lib/pricing'
import { asRows, PAYMENT_METHOD_LABELS, PAYMENT_TYPE_LABELS, type PaymentView } from '../lib/record-types'
import './records.css'

const PAGE_SIZE = 20
const TYPE_OPTIONS = PAYMENT_TYPES.map((t) => ({ value: t, label: PAYMENT_TYPE_LABELS[t] ?? t }))

export function PaymentsList() {
  const client = useSyncClient()
  const { can } = useCan()
  const { suppliers, supplierName } = useLookups()
  const { values, page, set } = useUrlFilters({ from: daysAgo(6), to: today(), supplier_id: '', type: '' })
  const query = useLiveList(client.payments, {
    from_date: values.from || undefined,
    to_date: values.to || undefined,
    supplier_id: values.supplier_id || undefined,
    payment_type: values.type || undefined,
  })
  const rows = asRows<PaymentView>(query.data)
  const total = sumMoney(rows.map((p) => p.amount)).total
  const shown = slicePage(rows, page, PAGE_SIZE)
  const badRange = values.from && values.to && values.from > values.to
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
      <search className="filters rc-filters" aria-label="Filter payments">
        <Field label="From" type="date" value={values.from} onChange={(e) => set({ from: e.target.value })} />
        <Field label="To" type="date" value={values.to} onChange={(e) => set({ to: e.target.value })} />
        <SelectField
          label="Supplier"
          value={values.supplier_id}
          onChange={(e) => set({ supplier_id: e.target.value })}
          options={supplierOptions(suppliers, '', values.supplier_id || undefined)}
          placeholder="All suppliers"
        />
        <SelectField
          label="Type"
          value={values.type}
          onChange={(e) => set({ type: e.target.value })}
          options={TYPE_OPTIONS}
          placeholder="All types"
        />
      </search>
      {badRange ? <p className="rc-notice">The start date is after the end date.</p> : null}

      {query.isLoading ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <Empty>No payments match these filters.</Empty>
      ) : (
        <div className="rc-list">
          <p className="rc-list-summary" aria-live="polite">
            {rows.length} payment{rows.length === 1 ? '' : 's'}
          </p>
          <div className="table-wrap rc-table-wrap">
            <table className="rc-table">
              <caption className="sr-only">Payments</caption>
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
                        {PAYMENT_TYPE_LABELS[p.payment_type] ?? p.payment_type},{' '}
                        {PAYMENT_METHOD_LABELS[p.payment_method] ?? p.payment_method}
                        {p.reference_number ? ` (${p.reference_number})` : ''}
                      </span>
                    </td>
                    <td className="rc-wide-only">{PAYMENT_TYPE_LABELS[p.payment_type] ?? p.payment_type}</td>
                    <td className="rc-wide-only">{PAYMENT_METHOD_LABELS[p.payment_method] ?? p.payment_method}</td>
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
            </table>
          </div>
          <Pager page={shown.page} pages={shown.pages} onPage={(p) => set({ page: String(p) })} />
        </div>
      )}
    </Page>
  )
}
