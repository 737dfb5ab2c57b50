/**
 * "Reprice a period" on a product's page (admins and managers): priced
 * collections are frozen, so a corrected rate reaches them only on purpose.
 * Choose the period (a unit and grade if wanted), preview what pricing it
 * again with the rates as they stand would change, give a reason and apply
 * exactly that preview (its fingerprint); if the collections changed in
 * between the server says PREVIEW_STALE and the panel previews again.
 * Online only: the server holds every collection of the period.
 */
import type { RepricePlan, RepricePrice } from '@trackvault/core'
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Field, FormError, SelectField } from '../components/ui'
import { errorMessage, fieldErrors, isOffline, money } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { trimQuantity } from '../lib/pricing'
import { businessToday, useBusinessSettings } from '../lib/settings'
import { useToast } from '../lib/toast'
import type { ProductView } from '../lib/typed-rows'
import './records.css'

type Price = RepricePrice

const firstOfMonth = (date: string) => `${date.slice(0, 8)}01`

export function RepricePanel({ product }: { product: ProductView }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const toast = useToast()
  const settings = useBusinessSettings()
  const { supplierName } = useLookups()
  const today = businessToday(settings)
  const [scope, setScope] = useState({ from: firstOfMonth(today), to: today, unit: '', grade: '' })
  const [plan, setPlan] = useState<RepricePlan>()
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [error, setError] = useState<string>()
  const [notice, setNotice] = useState<string>()
  const [busy, setBusy] = useState(false)

  const change = (patch: Partial<typeof scope>) => {
    setScope((s) => ({ ...s, ...patch }))
    setPlan(undefined)
    setNotice(undefined)
  }
  const fail = (err: unknown) => {
    setErrors(fieldErrors(err))
    setError(isOffline(err) ? t('errors.needsConnection') : errorMessage(err))
  }

  const preview = async () => {
    const body = {
      product_id: product.id,
      from: scope.from,
      to: scope.to,
      ...(scope.unit.trim() ? { unit: scope.unit.trim().toLowerCase() } : {}),
      ...(scope.grade ? { grade: scope.grade } : {}),
    }
    setPlan(await client.request<RepricePlan>('POST', '/api/reprices/preview', body))
  }

  const run = async (work: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    setErrors({})
    try {
      await work()
    } catch (err) {
      fail(err)
    } finally {
      setBusy(false)
    }
  }

  const onPreview = (e: FormEvent) => {
    e.preventDefault()
    setNotice(undefined)
    void run(preview)
  }

  const apply = () =>
    run(async () => {
      if (!plan) return
      try {
        await client.request('POST', '/api/reprices', { scope: plan.scope, reason, fingerprint: plan.fingerprint })
      } catch (err) {
        if ((err as { code?: string }).code !== 'PREVIEW_STALE') throw err
        setNotice(t('reprice.stale'))
        await preview()
        return
      }
      toast(t('reprice.done', { count: plan.changes.length }), 'success')
      setPlan(undefined)
      setReason('')
      setNotice(undefined)
      void client.sync()
    })

  return (
    <section className="sp-section card" aria-labelledby="reprice-title">
      <h2 id="reprice-title">{t('reprice.title')}</h2>
      <p className="rc-muted">{t('reprice.intro')}</p>
      {!online ? (
        <p className="rc-notice">{t('errors.needsConnection')}</p>
      ) : (
        <form className="rc-reprice-form" onSubmit={onPreview} noValidate aria-label={t('reprice.title')}>
          <div className="rc-form-pair">
            <Field
              label={t('reprice.from')}
              type="date"
              value={scope.from}
              error={errors.from}
              onChange={(e) => change({ from: e.target.value })}
            />
            <Field
              label={t('reprice.to')}
              type="date"
              value={scope.to}
              error={errors.to}
              onChange={(e) => change({ to: e.target.value })}
            />
          </div>
          <div className="rc-form-pair">
            <Field
              label={t('reprice.unit')}
              placeholder={t('reprice.everyUnit')}
              value={scope.unit}
              error={errors.unit}
              onChange={(e) => change({ unit: e.target.value })}
            />
            {product.pricing === 'graded' ? (
              <SelectField
                label={t('reprice.grade')}
                placeholder={t('reprice.everyGrade')}
                options={(product.grades ?? []).map((g) => ({ value: g, label: g }))}
                value={scope.grade}
                onChange={(e) => change({ grade: e.target.value })}
              />
            ) : null}
          </div>
          <div className="form-actions">
            <button type="submit" disabled={busy}>
              {busy && !plan ? t('reprice.previewing') : t('reprice.preview')}
            </button>
          </div>
        </form>
      )}
      {notice ? (
        <p className="rc-notice" role="status">
          {notice}
        </p>
      ) : null}
      <FormError message={error} />
      {plan ? <RepricePreview plan={plan} supplierName={supplierName} /> : null}
      {plan && plan.changes.length > 0 ? (
        <div className="rc-reprice-apply">
          <Field
            label={t('reprice.reason')}
            required
            placeholder={t('reprice.reasonPlaceholder')}
            value={reason}
            error={errors.reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="form-actions">
            <button type="button" className="primary" disabled={busy || reason.trim().length < 3} onClick={apply}>
              {busy ? t('reprice.applying') : t('reprice.apply', { count: plan.changes.length })}
            </button>
          </div>
        </div>
      ) : null}
    </section>
  )
}

function RepricePreview({ plan, supplierName }: { plan: RepricePlan; supplierName: (id: string) => string }) {
  const { t } = useTranslation()
  const amount = (p: Price) => (p.total_amount === null ? t('reprice.pricePending') : money(p.total_amount))
  if (plan.changes.length === 0) {
    return <p data-testid="reprice-summary">{t('reprice.nothing', { count: plan.examined })}</p>
  }
  return (
    <div className="rc-list">
      <p data-testid="reprice-summary">
        {t('reprice.summary', {
          changed: plan.changes.length,
          examined: plan.examined,
          before: money(plan.total_before),
          after: money(plan.total_after),
          difference: money(plan.difference),
        })}
        {plan.refused.length > 0 ? ` ${t('reprice.refused', { count: plan.refused.length })}` : ''}
      </p>
      <div className="table-wrap rc-table-wrap">
        <table className="rc-table">
          <caption className="sr-only">{t('reprice.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('reprice.date')}</th>
              <th scope="col">{t('reprice.receipt')}</th>
              <th scope="col">{t('reprice.supplier')}</th>
              <th scope="col" className="num">
                {t('reprice.before')}
              </th>
              <th scope="col" className="num">
                {t('reprice.after')}
              </th>
            </tr>
          </thead>
          <tbody>
            {plan.changes.map((c) => (
              <tr key={c.id}>
                <td className="rc-nowrap">{c.collection_date}</td>
                <td className="rc-nowrap">{c.receipt_number ?? '—'}</td>
                <td>
                  {supplierName(c.supplier_id)}
                  <span className="rc-sub-line">
                    {trimQuantity(c.net_quantity)} {c.unit}
                    {c.grade ? ` ${t('reprice.gradeOf', { grade: c.grade })}` : ''}
                  </span>
                </td>
                <td className="num">{amount(c.before)}</td>
                <td className="num">{amount(c.after)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                {t('reprice.total')}
              </th>
              <td className="num">{money(plan.total_before)}</td>
              <td className="num">{money(plan.total_after)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  )
}
