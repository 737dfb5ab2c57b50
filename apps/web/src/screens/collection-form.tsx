/**
 * New collection (/collections/new, optional ?supplier_id=) and edit
 * (/collections/:id/edit). The rate in force and the amount are worked out
 * from the local rates as you type, so the preview works offline too; the
 * server prices the collection for good when it syncs (or, with no rate in
 * force, records it with its price pending until a rate for its date exists).
 */
import { useLiveList, useLiveQuery, useSyncClient, useSyncStatus } from '@trackvault/react'
import { useEffect, useId, useRef } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { RecordForm } from '../components/record-form'
import { Empty, Field, Page, SelectField, TextAreaField } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { money, today } from '../lib/format'
import { productOptions, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { normaliseUnit, quoteCollection, trimQuantity } from '../lib/pricing'
import { SupplierPicker, useRecordSubmit } from '../lib/record-widgets'
import './records.css'

interface Values {
  supplier_id: string
  product_id: string
  unit: string
  quantity: string
  collection_date: string
  notes: string
}

export function CollectionForm() {
  const { id } = useParams()
  const [params] = useSearchParams()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const { can } = useCan()
  const { suppliers, products, productById, loading } = useLookups()
  const editing = id !== undefined

  const existingQuery = useLiveQuery((c) => (id ? c.collections.get(id) : Promise.resolve(undefined)), [id], {
    types: ['collection'],
  })
  const existing = existingQuery.data

  const form = useFormState<Values>(() => ({
    supplier_id: params.get('supplier_id') ?? '',
    product_id: '',
    unit: '',
    quantity: '',
    collection_date: today(),
    notes: '',
  }))
  const { values, setValues, errors, set, bind } = form
  const loaded = useRef(false)

  // Editing: fill the form once from the stored row.
  useEffect(() => {
    if (!existing || loaded.current) return
    loaded.current = true
    setValues({
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
    if (editing || values.product_id) return
    const active = products.filter((p) => !p.deleted_at && p.is_active !== false)
    if (active.length === 1)
      setValues((f) => ({ ...f, product_id: active[0].id, unit: f.unit || active[0].default_unit }))
  }, [editing, values.product_id, products])

  const ratesQuery = useLiveList(client.productRates, { product_id: values.product_id || '-' })
  const rates = ratesQuery.data ?? []
  const quote = quoteCollection(rates, {
    product_id: values.product_id,
    unit: values.unit,
    date: values.collection_date,
    quantity: values.quantity,
  })
  const product = productById.get(values.product_id)
  const units = [
    ...new Set([product?.default_unit, ...rates.filter((r) => !r.deleted_at).map((r) => r.unit)].filter(Boolean)),
  ] as string[]
  const unitsListId = useId()

  const chooseProduct = (productId: string) => {
    const p = productById.get(productId)
    set({ product_id: productId, unit: p?.default_unit ?? values.unit })
  }

  const submit = useRecordSubmit('collection', form, {
    required: {
      supplier_id: 'Choose a supplier',
      product_id: 'Choose a product',
      unit: 'Enter the unit',
      quantity: 'Enter the quantity',
      collection_date: 'Enter the date',
    },
    check: (v): Record<string, string> =>
      v.quantity.trim() && quote.quantityProblem ? { quantity: `Quantity ${quote.quantityProblem}` } : {},
    save: (v) => {
      const fields = {
        supplier_id: v.supplier_id,
        product_id: v.product_id,
        unit: normaliseUnit(v.unit),
        quantity: v.quantity.trim(),
        collection_date: v.collection_date,
        notes: v.notes.trim() || null,
      }
      return editing && id ? client.collections.update(id, fields) : client.collections.create(fields)
    },
  })

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

  const noProducts = !loading && productOptions(products).length === 0
  const ready = values.product_id && values.unit.trim() && values.collection_date

  return (
    <Page title={editing ? 'Edit collection' : 'New collection'}>
      {noProducts ? (
        <p className="rc-notice">No products on this device yet. Sync, or ask a manager to add one.</p>
      ) : null}
      <RecordForm
        form={form}
        onSubmit={submit}
        className="card rc-form"
        submitLabel={editing ? 'Save changes' : 'Save collection'}
        cancel={editing && id ? `/collections/${id}` : '/collections'}
      >
        <SupplierPicker
          suppliers={suppliers}
          value={values.supplier_id}
          onChange={(supplier_id) => set({ supplier_id })}
          error={errors.supplier_id}
        />
        <SelectField
          label="Product"
          value={values.product_id}
          onChange={(e) => chooseProduct(e.target.value)}
          options={productOptions(products, values.product_id)}
          placeholder="Choose a product…"
          error={errors.product_id}
          required
        />
        <div className="rc-form-row">
          <Field label="Unit" list={unitsListId} autoComplete="off" autoCapitalize="none" required {...bind('unit')} />
          <Field
            label="Quantity"
            inputMode="decimal"
            autoComplete="off"
            required
            {...bind('quantity')}
            error={errors.quantity ?? (quote.quantityProblem ? `Quantity ${quote.quantityProblem}` : undefined)}
          />
        </div>
        <datalist id={unitsListId}>
          {units.map((u) => (
            <option key={u} value={u} />
          ))}
        </datalist>
        <Field label="Date" type="date" required {...bind('collection_date')} />
        <TextAreaField label="Notes" {...bind('notes')} />

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
      </RecordForm>
    </Page>
  )
}
