/**
 * Collections list: date range (last 7 days by default), supplier, product,
 * weight (typed by hand or from a scale: the anti-tamper view) and, for those
 * who check collectors' work, collector filters kept in the URL; exact totals
 * over every matching row (amount, and quantity per unit), client-side
 * paging. A weight typed by hand is marked "typed" on its row.
 */
import { WEIGHT_SOURCES } from '@trackvault/core'
import { useLiveList, useSyncClient } from '@trackvault/react'
import { useTranslation } from 'react-i18next'
import { SelectField } from '../components/ui'
import { money } from '../lib/format'
import { useRecordFilters } from '../lib/list-page'
import { productOptions, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { collectionTotals, trimQuantity } from '../lib/pricing'
import { RecordListPage } from '../lib/record-list-page'
import { usePeople, useUserNames } from '../lib/user-names'
import '../devices/devices.css'
import './records.css'

/** The mark of a weight typed by hand. */
function TypedMark() {
  const { t } = useTranslation()
  return (
    <span className="badge badge-typed" title={t('weightSource.typed')}>
      {t('weightSource.typedMark')}
    </span>
  )
}

export function CollectionsList() {
  const { t } = useTranslation()
  const client = useSyncClient()
  const { suppliers, products, supplierName, productName } = useLookups()
  const { seesCollectors } = useCan()
  const userName = useUserNames()
  const people = usePeople()
  const filters = useRecordFilters({ product_id: '', weight_source: '', user_id: '' })
  const { values, set, listFilter } = filters
  const query = useLiveList(client.collections, {
    ...listFilter,
    product_id: values.product_id || undefined,
    weight_source: values.weight_source || undefined,
    user_id: values.user_id || undefined,
  })
  const rows = query.data ?? []
  const totals = collectionTotals(rows)

  return (
    <RecordListPage
      kind="collection"
      filters={filters}
      moreFilters={
        <>
          {products.length > 1 ? (
            <SelectField
              label={t('collections.product')}
              value={values.product_id}
              onChange={(e) => set({ product_id: e.target.value })}
              options={productOptions(products, values.product_id || undefined)}
              placeholder={t('collections.allProducts')}
            />
          ) : null}
          <SelectField
            label={t('weightSource.label')}
            value={values.weight_source}
            onChange={(e) => set({ weight_source: e.target.value })}
            options={WEIGHT_SOURCES.map((source) => ({ value: source, label: t(`weightSource.${source}`) }))}
            placeholder={t('weightSource.all')}
          />
          {seesCollectors && people?.length ? (
            <SelectField
              label={t('collections.collector')}
              value={values.user_id}
              onChange={(e) => set({ user_id: e.target.value })}
              options={[...people]
                .sort((a, b) => a.name.localeCompare(b.name))
                .map((p) => ({ value: p.id, label: p.name }))}
              placeholder={t('typedWeights.allCollectors')}
            />
          ) : null}
        </>
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
          {c.weight_source === 'typed' ? <TypedMark /> : null}
          {c.rate_applied !== null ? ` @ ${money(c.rate_applied)}` : ''}
          {seesCollectors ? ` · ${userName(c.user_id)}` : ''}
        </>
      )}
      columns={[
        { header: t('collections.receipt'), wideOnly: true, nowrap: true, cell: (c) => c.receipt_number ?? '—' },
        ...(seesCollectors
          ? [
              {
                header: t('collections.collector'),
                wideOnly: true,
                cell: (c: { user_id: string }) => userName(c.user_id),
              },
            ]
          : []),
        {
          header: t('collections.product'),
          wideOnly: true,
          cell: (c) =>
            c.grade
              ? t('collections.withGrade', { product: productName(c.product_id), grade: c.grade })
              : productName(c.product_id),
        },
        {
          header: t('collections.netQuantity'),
          num: true,
          nowrap: true,
          wideOnly: true,
          cell: (c) => (
            <>
              {money(trimQuantity(c.net_quantity ?? c.quantity))} {c.unit}
              {c.weight_source === 'typed' ? <TypedMark /> : null}
            </>
          ),
          total: totals.byUnit.map((u) => (
            <span className="rc-totals-line" key={u.unit}>
              {money(trimQuantity(u.total))} {u.unit}
            </span>
          )),
        },
        {
          header: t('collections.rate'),
          num: true,
          wideOnly: true,
          cell: (c) =>
            c.rate_applied === null ? <span title={t('collections.noRate')}>—</span> : money(c.rate_applied),
        },
        {
          header: t('collections.amount'),
          num: true,
          cell: (c) =>
            c.total_amount === null ? (
              <span className="rc-muted">{t('collections.pricePending')}</span>
            ) : (
              money(c.total_amount)
            ),
          total: money(totals.amount),
          totalTestId: 'collections-total',
        },
      ]}
      totalNote={totals.byUnit.map((u) => `${money(trimQuantity(u.total))} ${u.unit}`).join(', ')}
      notes={
        totals.unpriced > 0 ? <p className="rc-muted">{t('collections.unpriced', { count: totals.unpriced })}</p> : null
      }
    />
  )
}
