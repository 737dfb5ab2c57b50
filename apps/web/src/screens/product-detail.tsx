/**
 * One product: its fields and how it is priced (editable by roles that may),
 * the full rate history (grades, quality formulas), only for roles that may
 * create rates a form to add a rate (./rate-form.tsx), and for admins and
 * managers "Reprice a period" (./reprice-panel.tsx). Overlaps with the rates
 * on this device are caught in the form before saving; a clash the server
 * finds later shows in the sync center.
 */

import { isInForce } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { useState } from 'react'
import { Trans, useTranslation } from 'react-i18next'
import { useNavigate, useParams } from 'react-router'
import { Empty, FormError, NotFound, Page, SyncBadge } from '../components/ui'
import { errorMessage, money } from '../lib/format'
import { useCan } from '../lib/permissions'
import { overlapMessage, periodText } from '../lib/product-rates'
import { businessToday, useBusinessSettings } from '../lib/settings'
import { useToast } from '../lib/toast'
import { type ProductRateView, useProduct, useProductRates } from '../lib/typed-rows'
import { PRICING_LABELS, ProductForm } from './product-form'
import { AddRateForm } from './rate-form'
import { RepricePanel } from './reprice-panel'
import './suppliers.css'

/** A date in a rate's period, kept on one line (the `<d>` of `productDetail.periodCell`). */
const NOWRAP = { d: <span className="sp-nowrap" /> }

export function ProductDetail() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { can, reprice } = useCan()
  const settings = useBusinessSettings()
  const { data: product, isLoading } = useProduct(id)
  const { data: rates } = useProductRates({ product_id: id, sort_by: 'effective_date', sort_order: 'desc' })
  const [editing, setEditing] = useState(false)
  const [error, setError] = useState<string>()
  const date = businessToday(settings)

  if (isLoading) return <p className="loading">{t('common.loading')}</p>
  if (!product) return <NotFound kind="product" />
  const rateRows = rates ?? []
  const mayEditRates = can('product_rate', 'update')

  const setActive = async (rate: ProductRateView, active: boolean) => {
    setError(undefined)
    if (active) {
      const overlap = overlapMessage({ ...rate, is_active: true }, rateRows)
      if (overlap) {
        setError(t('productDetail.cannotActivate', { period: periodText(rate), problem: overlap }))
        return
      }
    }
    try {
      await client.productRates.update(rate.id, { is_active: active })
      toast(
        t(active ? 'productDetail.activated' : 'productDetail.deactivated', { period: periodText(rate) }),
        'success',
      )
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  const remove = async () => {
    if (!window.confirm(t('productDetail.confirmDelete', { name: product.name, code: product.code }))) return
    try {
      await client.products.remove(product.id)
      toast(t('productDetail.deleted'), 'success')
      navigate('/products')
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <Page
      title={product.name}
      actions={
        <>
          {can('product', 'update') && !editing ? (
            <button type="button" onClick={() => setEditing(true)}>
              {t('productDetail.edit')}
            </button>
          ) : null}
          {can('product', 'delete') ? (
            <button type="button" className="danger" onClick={remove}>
              {t('productDetail.delete')}
            </button>
          ) : null}
        </>
      }
    >
      <div className="sp-stack">
        {editing ? (
          <ProductForm product={product} onDone={() => setEditing(false)} />
        ) : (
          <div className="card">
            <dl className="sp-facts">
              <dt>{t('records.code')}</dt>
              <dd>
                {product.code}
                <SyncBadge state={product._sync} />
              </dd>
              <dt>{t('records.defaultUnit')}</dt>
              <dd>{product.default_unit}</dd>
              <dt>{t('records.pricing')}</dt>
              <dd>
                {t(PRICING_LABELS[product.pricing ?? 'flat'])}
                {product.pricing === 'graded' ? `: ${(product.grades ?? []).join(', ')}` : ''}
              </dd>
              <dt>{t('records.status')}</dt>
              <dd>{product.is_active ? t('records.active') : t('records.inactive')}</dd>
              <dt>{t('records.description')}</dt>
              <dd>{product.description || '—'}</dd>
            </dl>
          </div>
        )}

        <section className="sp-section" aria-labelledby="rates-title">
          <h2 id="rates-title">{t('productDetail.history')}</h2>
          <FormError message={error} />
          {rateRows.length === 0 ? (
            <Empty>{t('productDetail.none')}</Empty>
          ) : (
            <div className="table-wrap">
              <table className="sp-table">
                <caption className="sr-only">{t('productDetail.caption', { name: product.name })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('records.unit')}</th>
                    <th scope="col" className="num">
                      {t('productDetail.rate')}
                    </th>
                    <th scope="col">{t('productDetail.period')}</th>
                    <th scope="col">{t('records.status')}</th>
                    {mayEditRates ? <th scope="col">{t('records.actions')}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {rateRows.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {r.unit}
                        {r.grade ? (
                          <span className="rc-sub-line">{t('productDetail.grade', { grade: r.grade })}</span>
                        ) : null}
                      </td>
                      <td className="num">
                        {money(r.rate)}
                        {r.fat_rate !== null || r.snf_rate !== null ? (
                          <span className="rc-sub-line">
                            {t('productDetail.quality', {
                              fat: money(r.fat_rate ?? '0.00'),
                              snf: money(r.snf_rate ?? '0.00'),
                            })}
                          </span>
                        ) : null}
                      </td>
                      <td>
                        <Trans
                          i18nKey={r.end_date ? 'productDetail.periodCell' : 'productDetail.periodOpenCell'}
                          values={{ from: r.effective_date, to: r.end_date }}
                          components={NOWRAP}
                        />
                      </td>
                      <td>
                        <span className={`badge ${r.is_active ? 'sp-on' : 'sp-off'}`}>
                          {r.is_active ? t('records.active') : t('records.inactive')}
                        </span>
                        {isInForce(r, date) ? <span className="badge sp-on">{t('records.inForceToday')}</span> : null}
                        <SyncBadge state={r._sync} />
                      </td>
                      {mayEditRates ? (
                        <td>
                          <div className="sp-row-actions">
                            {r.is_active ? (
                              <button type="button" onClick={() => setActive(r, false)}>
                                {t('productDetail.deactivate')}
                                <span className="sr-only"> {t('productDetail.rateSr', { period: periodText(r) })}</span>
                              </button>
                            ) : (
                              <button type="button" onClick={() => setActive(r, true)}>
                                {t('productDetail.activate')}
                                <span className="sr-only"> {t('productDetail.rateSr', { period: periodText(r) })}</span>
                              </button>
                            )}
                          </div>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        {can('product_rate', 'create') ? <AddRateForm product={product} rates={rateRows} /> : null}
        {reprice ? <RepricePanel product={product} /> : null}
      </div>
    </Page>
  )
}
