/**
 * New collection (/collections/new, optional ?supplier_id=) and edit
 * (/collections/:id/edit). The rate in force and the amount are worked out
 * from the local rates as you type, so the preview works offline too; the
 * server prices the collection for good when it syncs (or, with no rate in
 * force, records it with its price pending until a rate for its date exists).
 */
import { useLiveList, useLiveQuery, useSyncClient, useSyncStatus } from '@trackvault/react'
import { type FormEvent, useEffect, useId, useRef } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { Empty, Field, FormError, Page, SelectField, TextAreaField } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { fieldErrors, money, today } from '../lib/format'
import { productOptions, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { normaliseUnit, quoteCollection, trimQuantity } from '../lib/pricing'
import { friendlyFieldErrors, SupplierPicker } from '../lib/record-widgets'
import { useToast } from '../lib/toast'
import './records.css'

interface FormState {
  supplier_id: string
  product_id: string
  unit: string
  quantity: string
  collection_date: string
  notes: string
}

const FIELD_NAMES: Record<string, string> = { supplier_id: 'supplier', product_id: 'product' }

export function CollectionForm() {
  const { id } = useParams()
  const [params] = useSearchParams()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const navigate = useNavigate()
  const toast = useToast()
  const { can } = useCan()
  const { suppliers, products, productById, loading } = useLookups()
  const editing = id !== undefined

  const existingQuery = useLiveQuery((c) => (id ? c.collections.get(id) : Promise.resolve(undefined)), [id], {
    types: ['collection'],
  })
  const existing = existingQuery.data

  const {
    values: form,
    setValues: setForm,
    errors,
    setErrors,
    formError,
    setFormError,
    busy,
    setBusy,
    set,
    fail,
  } = useFormState<FormState>(() => ({
    supplier_id: params.get('supplier_id') ?? '',
    product_id: '',
    unit: '',
    quantity: '',
    collection_date: today(),
    notes: '',
  }))
  const loaded = useRef(false)

  // Editing: fill the form once from the stored row.
  useEffect(() => {
    if (!existing || loaded.current) return
    loaded.current = true
    setForm({
      supplier_id: existing.supplier_id,
      product_id: existing.product_id,
      unit: existing.unit,
      quantity: trimQuantity(existing.quantity),
      collection_date: existing.collection_date,
      notes: existing.notes ?? '',
    })
  }, [existing])

  // A new collection with a single active product: pick it.
  useEffect(() => {
    if (editing || form.product_id) return
    const active = products.filter((p) => !p.deleted_at && p.is_active !== false)
    if (active.length === 1)
      setForm((f) => ({ ...f, product_id: active[0].id, unit: f.unit || active[0].default_unit }))
  }, [editing, form.product_id, products])

  const ratesQuery = useLiveList(client.productRates, { product_id: form.product_id || '-' })
  const rates = ratesQuery.data ?? []
  const quote = quoteCollection(rates, {
    product_id: form.product_id,
    unit: form.unit,
    date: form.collection_date,
    quantity: form.quantity,
  })
  const product = productById.get(form.product_id)
  const units = [
    ...new Set([product?.default_unit, ...rates.filter((r) => !r.deleted_at).map((r) => r.unit)].filter(Boolean)),
  ] as string[]
  const unitsListId = useId()

  const chooseProduct = (productId: string) => {
    const p = productById.get(productId)
    set({ product_id: productId, unit: p?.default_unit ?? form.unit })
  }

  if (editing && existingQuery.isLoading) return <Page title="Edit collection">Loading…</Page>
  if (editing && !existing) {
    return (
      <Page title="Edit collection">
        <Empty>
          This collection does not exist on this device. <Link to="/collections">Back to collections</Link>
        </Empty>
      </Page>
    )
  }
  if (editing && existing && !can('collection', 'update', existing.user_id)) {
    return (
      <Page title="Edit collection">
        <p>You may not edit this collection.</p>
      </Page>
    )
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const missing: Record<string, string> = {}
    if (!form.supplier_id) missing.supplier_id = 'Choose a supplier'
    if (!form.product_id) missing.product_id = 'Choose a product'
    if (!form.unit.trim()) missing.unit = 'Enter the unit'
    if (!form.quantity.trim()) missing.quantity = 'Enter the quantity'
    else if (quote.quantityProblem) missing.quantity = `Quantity ${quote.quantityProblem}`
    if (!form.collection_date) missing.collection_date = 'Enter the date'
    setFormError(undefined)
    if (Object.keys(missing).length) {
      setErrors(missing)
      return
    }
    const fields = {
      supplier_id: form.supplier_id,
      product_id: form.product_id,
      unit: normaliseUnit(form.unit),
      quantity: form.quantity.trim(),
      collection_date: form.collection_date,
      notes: form.notes.trim() || null,
    }
    setBusy(true)
    try {
      const row = editing && id ? await client.collections.update(id, fields) : await client.collections.create(fields)
      toast(online ? 'Collection saved' : 'Collection saved on this device; it syncs when back online', 'success')
      navigate(`/collections/${row.id}`, { replace: true })
    } catch (err) {
      fail(err, friendlyFieldErrors(fieldErrors(err), FIELD_NAMES))
    } finally {
      setBusy(false)
    }
  }

  const noProducts = !loading && productOptions(products).length === 0
  const ready = form.product_id && form.unit.trim() && form.collection_date

  return (
    <Page title={editing ? 'Edit collection' : 'New collection'}>
      {noProducts ? (
        <p className="rc-notice">No products on this device yet. Sync, or ask a manager to add one.</p>
      ) : null}
      <form className="card rc-form" onSubmit={submit} noValidate>
        <SupplierPicker
          suppliers={suppliers}
          value={form.supplier_id}
          onChange={(supplier_id) => set({ supplier_id })}
          error={errors.supplier_id}
        />
        <SelectField
          label="Product"
          value={form.product_id}
          onChange={(e) => chooseProduct(e.target.value)}
          options={productOptions(products, form.product_id)}
          placeholder="Choose a product…"
          error={errors.product_id}
          required
        />
        <div className="rc-form-row">
          <Field
            label="Unit"
            value={form.unit}
            onChange={(e) => set({ unit: e.target.value })}
            list={unitsListId}
            autoComplete="off"
            autoCapitalize="none"
            error={errors.unit}
            required
          />
          <Field
            label="Quantity"
            inputMode="decimal"
            value={form.quantity}
            onChange={(e) => set({ quantity: e.target.value })}
            autoComplete="off"
            error={errors.quantity ?? (quote.quantityProblem ? `Quantity ${quote.quantityProblem}` : undefined)}
            required
          />
        </div>
        <datalist id={unitsListId}>
          {units.map((u) => (
            <option key={u} value={u} />
          ))}
        </datalist>
        <Field
          label="Date"
          type="date"
          value={form.collection_date}
          onChange={(e) => set({ collection_date: e.target.value })}
          error={errors.collection_date}
          required
        />
        <TextAreaField
          label="Notes"
          value={form.notes}
          onChange={(e) => set({ notes: e.target.value })}
          error={errors.notes}
        />

        <div
          id="collection-quote"
          className={`rc-quote${ready && !quote.rate ? ' rc-warn' : ''}`}
          aria-live="polite"
          aria-atomic="true"
        >
          {!ready ? (
            <span className="rc-muted">Choose a product, unit and date to see the rate in force.</span>
          ) : quote.rate ? (
            <span>
              Rate in force: <strong>{money(quote.rate.rate)}</strong> per {quote.rate.unit}
              <span className="rc-muted">
                {' '}
                (from {quote.rate.effective_date}
                {quote.rate.end_date ? ` to ${quote.rate.end_date}` : ''})
              </span>
            </span>
          ) : (
            <span>
              No rate in force for this date. Save it anyway: the delivery is recorded and priced once a rate for this
              date is entered.
            </span>
          )}
          <span className="rc-big" data-testid="collection-amount">
            {quote.amount !== undefined ? `Amount: ${money(quote.amount)}` : 'Amount: —'}
          </span>
          {quote.amount !== undefined && !online ? (
            <span className="rc-muted">Preview from the rates on this device; confirmed when synced.</span>
          ) : null}
        </div>

        <FormError message={formError} />
        <div className="rc-form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Save collection'}
          </button>
          <Link className="rc-btn-link" to={editing && id ? `/collections/${id}` : '/collections'}>
            Cancel
          </Link>
        </div>
      </form>
    </Page>
  )
}
