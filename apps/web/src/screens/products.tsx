/**
 * Products with the rate in force today for each of their units (resolved
 * on the device from the local rates, so offline too), and a form to add a
 * product for roles that may.
 */
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Empty, Field, Page, SyncBadge } from '../components/ui'
import { money, today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { currentRates } from '../lib/product-rates'
import { useProductRates, useProducts } from '../lib/typed-rows'
import { ProductForm } from './product-form'
import './suppliers.css'

export function ProductsList() {
  const { t } = useTranslation()
  const { can } = useCan()
  const [search, setSearch] = useState('')
  const [creating, setCreating] = useState(false)
  const { data: products, isLoading } = useProducts({ search: search.trim() || undefined })
  const { data: rates } = useProductRates()
  const date = today()
  const rows = products ?? []
  const rateRows = useMemo(() => rates ?? [], [rates])

  return (
    <Page
      title={t('products.title')}
      actions={
        can('product', 'create') && !creating ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('products.new')}
          </button>
        ) : undefined
      }
    >
      {creating ? <ProductForm onDone={() => setCreating(false)} /> : null}
      <search className="filters" aria-label={t('products.find')}>
        <Field
          label={t('records.search')}
          type="search"
          placeholder={t('products.searchPlaceholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </search>
      <p className="sp-count" aria-live="polite">
        {isLoading ? t('common.loading') : t('products.count', { count: rows.length })}
      </p>
      {!isLoading && rows.length === 0 ? <Empty>{search ? t('products.noMatch') : t('products.none')}</Empty> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="sp-table">
            <caption className="sr-only">{t('products.caption', { date })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('records.code')}</th>
                <th scope="col">{t('records.name')}</th>
                <th scope="col" className="sp-wide">
                  {t('records.defaultUnit')}
                </th>
                <th scope="col">{t('products.rateToday')}</th>
                <th scope="col" className="sp-wide">
                  {t('records.status')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const current = currentRates(p, rateRows, date)
                return (
                  <tr key={p.id}>
                    <td>{p.code}</td>
                    <td>
                      <Link to={`/products/${p.id}`}>{p.name}</Link>
                      <SyncBadge state={p._sync} />
                    </td>
                    <td className="sp-wide">{p.default_unit}</td>
                    <td>
                      {current.length ? (
                        <ul className="sp-rates">
                          {current.map(({ unit, rate }) => (
                            <li key={unit}>
                              {money(rate.rate)} / {unit}
                              <SyncBadge state={rate._sync} />
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="sp-muted">{t('products.noRate')}</span>
                      )}
                    </td>
                    <td className="sp-wide">
                      <span className={`badge ${p.is_active ? 'sp-on' : 'sp-off'}`}>
                        {p.is_active ? t('records.active') : t('records.inactive')}
                      </span>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  )
}
