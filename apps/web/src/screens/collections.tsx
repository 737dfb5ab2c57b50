/**
 * Collections list: date range (last 7 days by default) and supplier filters
 * kept in the URL, exact totals over every matching row, client-side paging.
 */
import { useLiveList, useSyncClient } from '@trackvault/react'
import { Link } from 'react-router'
import { Page, SelectField, SyncBadge } from '../components/ui'
import { money } from '../lib/format'
import { useRecordFilters } from '../lib/list-page'
import { productOptions, useLookups } from '../lib/lookup'
import { pageOf } from '../lib/paging'
import { useCan } from '../lib/permissions'
import { collectionTotals, trimQuantity } from '../lib/pricing'
import { RecordFilters, RecordTable } from '../lib/record-widgets'
import './records.css'

const PAGE_SIZE = 20

export function CollectionsList() {
  const client = useSyncClient()
  const { can } = useCan()
  const { suppliers, products, supplierName, productName } = useLookups()
  const { values, page, set, listFilter } = useRecordFilters({ product_id: '' })
  const query = useLiveList(client.collections, { ...listFilter, product_id: values.product_id || undefined })
  const rows = query.data ?? []
  const totals = collectionTotals(rows)
  const shown = pageOf(rows, page, PAGE_SIZE)
  const quantityText = totals.byUnit.map((u) => `${money(trimQuantity(u.total))} ${u.unit}`).join(', ')

  const newLink = values.supplier_id ? `/collections/new?supplier_id=${values.supplier_id}` : '/collections/new'

  return (
    <Page
      title="Collections"
      actions={
        can('collection', 'create') ? (
          <Link className="rc-btn-link primary" to={newLink}>
            New collection
          </Link>
        ) : null
      }
    >
      <RecordFilters kind="collection" values={values} set={set} suppliers={suppliers}>
        {products.length > 1 ? (
          <SelectField
            label="Product"
            value={values.product_id}
            onChange={(e) => set({ product_id: e.target.value })}
            options={productOptions(products, values.product_id || undefined)}
            placeholder="All products"
          />
        ) : null}
      </RecordFilters>

      <RecordTable
        kind="collection"
        loading={query.isLoading}
        count={rows.length}
        page={shown.page}
        pages={shown.pages}
        onPage={(p) => set({ page: String(p) })}
        notes={
          totals.unpriced > 0 ? (
            <p className="rc-muted">
              {totals.unpriced} collection{totals.unpriced === 1 ? ' has' : 's have'} no rate yet and{' '}
              {totals.unpriced === 1 ? 'is' : 'are'} not in the total: price pending until a rate for the date is
              entered.
            </p>
          ) : null
        }
      >
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Supplier</th>
            <th scope="col" className="rc-wide-only">
              Product
            </th>
            <th scope="col" className="num rc-wide-only">
              Quantity
            </th>
            <th scope="col" className="num rc-wide-only">
              Rate
            </th>
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.rows.map((c) => (
            <tr key={c.id}>
              <td className="rc-nowrap">
                <Link to={`/collections/${c.id}`}>
                  <span className="sr-only">Receipt of </span>
                  {c.collection_date}
                </Link>
              </td>
              <td>
                {supplierName(c.supplier_id)}
                <SyncBadge state={c._sync} />
                <span className="rc-sub-line rc-narrow-only">
                  {productName(c.product_id)}: {money(trimQuantity(c.quantity))} {c.unit}
                  {c.rate_applied !== null ? ` @ ${money(c.rate_applied)}` : ''}
                </span>
              </td>
              <td className="rc-wide-only">{productName(c.product_id)}</td>
              <td className="num rc-nowrap rc-wide-only">
                {money(trimQuantity(c.quantity))} {c.unit}
              </td>
              <td className="num rc-wide-only">
                {c.rate_applied === null ? <span title="No rate known yet">—</span> : money(c.rate_applied)}
              </td>
              <td className="num">
                {c.total_amount === null ? <span className="rc-muted">price pending</span> : money(c.total_amount)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total ({totals.count})<span className="rc-sub-line rc-narrow-only">{quantityText}</span>
            </th>
            <td className="rc-wide-only" />
            <td className="num rc-nowrap rc-wide-only">
              {totals.byUnit.map((u) => (
                <span className="rc-totals-line" key={u.unit}>
                  {money(trimQuantity(u.total))} {u.unit}
                </span>
              ))}
            </td>
            <td className="rc-wide-only" />
            <td className="num" data-testid="collections-total">
              {money(totals.amount)}
            </td>
          </tr>
        </tfoot>
      </RecordTable>
    </Page>
  )
}
