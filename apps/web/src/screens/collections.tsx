/**
 * Collections list: date range (last 7 days by default), supplier and
 * product filters kept in the URL, exact totals over every matching row
 * (amount, and quantity per unit), client-side paging.
 */
import { useLiveList, useSyncClient } from '@trackvault/react'
import { SelectField } from '../components/ui'
import { money } from '../lib/format'
import { useRecordFilters } from '../lib/list-page'
import { productOptions, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { collectionTotals, trimQuantity } from '../lib/pricing'
import { RecordListPage } from '../lib/record-list-page'
import { useUserNames } from '../lib/user-names'
import './records.css'

export function CollectionsList() {
  const client = useSyncClient()
  const { suppliers, products, supplierName, productName } = useLookups()
  const { seesCollectors } = useCan()
  const userName = useUserNames()
  const filters = useRecordFilters({ product_id: '' })
  const { values, set, listFilter } = filters
  const query = useLiveList(client.collections, { ...listFilter, product_id: values.product_id || undefined })
  const rows = query.data ?? []
  const totals = collectionTotals(rows)

  return (
    <RecordListPage
      kind="collection"
      filters={filters}
      moreFilters={
        products.length > 1 ? (
          <SelectField
            label="Product"
            value={values.product_id}
            onChange={(e) => set({ product_id: e.target.value })}
            options={productOptions(products, values.product_id || undefined)}
            placeholder="All products"
          />
        ) : null
      }
      suppliers={suppliers}
      supplierName={supplierName}
      rows={rows}
      loading={query.isLoading}
      dateOf={(c) => c.collection_date}
      subLine={(c) => (
        <>
          {c.receipt_number ? `${c.receipt_number} · ` : ''}
          {productName(c.product_id)}
          {c.grade ? ` ${c.grade}` : ''}: {money(trimQuantity(c.net_quantity ?? c.quantity))} {c.unit}
          {c.rate_applied !== null ? ` @ ${money(c.rate_applied)}` : ''}
          {seesCollectors ? ` · ${userName(c.user_id)}` : ''}
        </>
      )}
      columns={[
        { header: 'Receipt', wideOnly: true, nowrap: true, cell: (c) => c.receipt_number ?? '—' },
        ...(seesCollectors
          ? [{ header: 'Collector', wideOnly: true, cell: (c: { user_id: string }) => userName(c.user_id) }]
          : []),
        {
          header: 'Product',
          wideOnly: true,
          cell: (c) => `${productName(c.product_id)}${c.grade ? ` (grade ${c.grade})` : ''}`,
        },
        {
          header: 'Net quantity',
          num: true,
          nowrap: true,
          wideOnly: true,
          cell: (c) => `${money(trimQuantity(c.net_quantity ?? c.quantity))} ${c.unit}`,
          total: totals.byUnit.map((u) => (
            <span className="rc-totals-line" key={u.unit}>
              {money(trimQuantity(u.total))} {u.unit}
            </span>
          )),
        },
        {
          header: 'Rate',
          num: true,
          wideOnly: true,
          cell: (c) => (c.rate_applied === null ? <span title="No rate known yet">—</span> : money(c.rate_applied)),
        },
        {
          header: 'Amount',
          num: true,
          cell: (c) =>
            c.total_amount === null ? <span className="rc-muted">price pending</span> : money(c.total_amount),
          total: money(totals.amount),
          totalTestId: 'collections-total',
        },
      ]}
      totalNote={totals.byUnit.map((u) => `${money(trimQuantity(u.total))} ${u.unit}`).join(', ')}
      notes={
        totals.unpriced > 0 ? (
          <p className="rc-muted">
            {totals.unpriced} collection{totals.unpriced === 1 ? ' has' : 's have'} no rate yet and{' '}
            {totals.unpriced === 1 ? 'is' : 'are'} not in the total: price pending until a rate for the date is entered.
          </p>
        ) : null
      }
    />
  )
}
