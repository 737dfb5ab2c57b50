/**
 * One product: its fields (editable by roles that may), the full rate
 * history, and, only for roles that may create rates, a form to add a rate.
 * Overlaps with the rates on this device are caught in the form before
 * saving; a clash the server finds later shows in the sync center.
 */

import { isInForce } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { type FormEvent, useId, useMemo, useState } from 'react'
import { useNavigate, useParams } from 'react-router'
import { RecordForm } from '../components/record-form'
import { CheckField, Empty, Field, FormError, NotFound, Page, SyncBadge } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { codeFieldErrors, errorMessage, money, today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { overlapMessage, periodText } from '../lib/product-rates'
import { useToast } from '../lib/toast'
import { type ProductRateView, type ProductView, useProduct, useProductRates } from '../lib/typed-rows'
import { ProductForm } from './product-form'
import './suppliers.css'

function AddRateForm({ product, rates }: { product: ProductView; rates: readonly ProductRateView[] }) {
  const client = useSyncClient()
  const toast = useToast()
  const unitListId = useId()
  const initial = () => ({
    unit: product.default_unit,
    rate: '',
    effective_date: today(),
    end_date: '',
    is_active: true,
  })
  const form = useFormState(initial)
  const { values, errors, setErrors, setFormError } = form
  const units = useMemo(() => [...new Set([product.default_unit, ...rates.map((r) => r.unit)])], [product, rates])

  /** Changes fields, clearing their errors and the form's. */
  const set = (patch: Partial<ReturnType<typeof initial>>) => {
    form.set(patch)
    setFormError(undefined)
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setFormError(undefined)
    const unit = values.unit.trim().toLowerCase()
    const candidate = {
      product_id: product.id,
      unit,
      rate: values.rate.trim(),
      effective_date: values.effective_date,
      end_date: values.end_date || null,
      is_active: values.is_active,
    }
    if (candidate.end_date && candidate.effective_date && candidate.end_date < candidate.effective_date) {
      setErrors({ end_date: 'must not be before the effective date' })
      return
    }
    const overlap = overlapMessage({ ...candidate, id: '' }, rates)
    if (overlap) {
      setFormError(overlap)
      return
    }
    await form.save(async () => {
      await client.productRates.create(candidate)
      toast(`Rate added for ${unit}`, 'success')
      form.setValues(initial())
      setErrors({})
    }, codeFieldErrors)
  }

  return (
    <RecordForm form={form} onSubmit={submit} aria-labelledby="add-rate-title" submitLabel="Add rate">
      <h2 id="add-rate-title" className="sp-form-title">
        Add rate
      </h2>
      <Field
        label="Unit"
        required
        maxLength={20}
        list={unitListId}
        value={values.unit}
        error={errors.unit}
        onChange={(e) => set({ unit: e.target.value })}
      />
      <datalist id={unitListId}>
        {units.map((u) => (
          <option key={u} value={u} />
        ))}
      </datalist>
      <Field
        label="Rate (per unit)"
        required
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        value={values.rate}
        error={errors.rate}
        onChange={(e) => set({ rate: e.target.value })}
      />
      <Field
        label="Effective from"
        type="date"
        required
        value={values.effective_date}
        error={errors.effective_date}
        onChange={(e) => set({ effective_date: e.target.value })}
      />
      <Field
        label="Ends on (optional)"
        type="date"
        min={values.effective_date || undefined}
        value={values.end_date}
        error={errors.end_date}
        hint="Leave empty for a rate with no end."
        onChange={(e) => set({ end_date: e.target.value })}
      />
      <CheckField label="Active" checked={values.is_active} onChange={(e) => set({ is_active: e.target.checked })} />
    </RecordForm>
  )
}

export function ProductDetail() {
  const { id = '' } = useParams()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { can } = useCan()
  const { data: product, isLoading } = useProduct(id)
  const { data: rates } = useProductRates({ product_id: id, sort_by: 'effective_date', sort_order: 'desc' })
  const [editing, setEditing] = useState(false)
  const [error, setError] = useState<string>()
  const date = today()

  if (isLoading) return <p className="loading">Loading…</p>
  if (!product) return <NotFound kind="product" />
  const rateRows = rates ?? []
  const mayEditRates = can('product_rate', 'update')

  const setActive = async (rate: ProductRateView, active: boolean) => {
    setError(undefined)
    if (active) {
      const overlap = overlapMessage({ ...rate, is_active: true }, rateRows)
      if (overlap) {
        setError(`Cannot activate the rate ${periodText(rate)}: ${overlap}`)
        return
      }
    }
    try {
      await client.productRates.update(rate.id, { is_active: active })
      toast(`Rate ${periodText(rate)} ${active ? 'activated' : 'deactivated'}`, 'success')
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  const remove = async () => {
    if (!window.confirm(`Delete product ${product.name} (${product.code})?`)) return
    try {
      await client.products.remove(product.id)
      toast('Product deleted', 'success')
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
              Edit product
            </button>
          ) : null}
          {can('product', 'delete') ? (
            <button type="button" className="danger" onClick={remove}>
              Delete product
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
              <dt>Code</dt>
              <dd>
                {product.code}
                <SyncBadge state={product._sync} />
              </dd>
              <dt>Default unit</dt>
              <dd>{product.default_unit}</dd>
              <dt>Status</dt>
              <dd>{product.is_active ? 'Active' : 'Inactive'}</dd>
              <dt>Description</dt>
              <dd>{product.description || '—'}</dd>
            </dl>
          </div>
        )}

        <section className="sp-section" aria-labelledby="rates-title">
          <h2 id="rates-title">Rate history</h2>
          <FormError message={error} />
          {rateRows.length === 0 ? (
            <Empty>No rates yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="sp-table">
                <caption className="sr-only">All rates of {product.name}, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Unit</th>
                    <th scope="col" className="num">
                      Rate
                    </th>
                    <th scope="col">Period</th>
                    <th scope="col">Status</th>
                    {mayEditRates ? <th scope="col">Actions</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {rateRows.map((r) => (
                    <tr key={r.id}>
                      <td>{r.unit}</td>
                      <td className="num">{money(r.rate)}</td>
                      <td>
                        <span className="sp-nowrap">{r.effective_date}</span> to{' '}
                        <span className="sp-nowrap">{r.end_date ?? 'open end'}</span>
                      </td>
                      <td>
                        <span className={`badge ${r.is_active ? 'sp-on' : 'sp-off'}`}>
                          {r.is_active ? 'Active' : 'Inactive'}
                        </span>
                        {isInForce(r, date) ? <span className="badge sp-on">In force today</span> : null}
                        <SyncBadge state={r._sync} />
                      </td>
                      {mayEditRates ? (
                        <td>
                          <div className="sp-row-actions">
                            {r.is_active ? (
                              <button type="button" onClick={() => setActive(r, false)}>
                                Deactivate<span className="sr-only"> rate {periodText(r)}</span>
                              </button>
                            ) : (
                              <button type="button" onClick={() => setActive(r, true)}>
                                Activate<span className="sr-only"> rate {periodText(r)}</span>
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
      </div>
    </Page>
  )
}
