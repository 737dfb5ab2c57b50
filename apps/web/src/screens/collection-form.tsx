/**
 * New collection (/collections/new, optional ?supplier_id=) and edit
 * (/collections/:id/edit), for every pricing mode: the gross weight, the
 * containers and their tare, a deduction in percent; a grade for a graded
 * product; the fat and SNF readings for a quality product. The net weight,
 * the rate in force and the amount are worked out from the local rates as you
 * type (core's rules, lib/pricing.ts), so the preview works offline too; the
 * server prices the collection for good when it syncs (or, with no rate in
 * force, records it with its price pending until a rate for its date exists).
 * The date defaults to the business's today; a date too far ahead is flagged
 * and a net weight over the business's threshold asks "Are you sure?".
 */
import { useLiveList, useLiveQuery, useSyncClient, useSyncStatus } from '@trackvault/react'
import { useEffect, useId, useRef } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { RecordForm } from '../components/record-form'
import { SupplierPicker } from '../components/supplier-picker'
import { Empty, Field, Page, SelectField, TextAreaField } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { productOptions, useLookups } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { normaliseUnit, type QuoteField, quoteCollection, trimQuantity } from '../lib/pricing'
import { useRecordSubmit } from '../lib/record-widgets'
import { businessToday, confirmBeforeSaving, entryCheck, useBusinessSettings } from '../lib/settings'
import { CollectionQuote } from './collection-quote'
import './records.css'

interface Values {
  supplier_id: string
  product_id: string
  unit: string
  quantity: string
  containers: string
  tare_per_container: string
  deduction_percent: string
  grade: string
  fat_percent: string
  snf_percent: string
  collection_date: string
  notes: string
}

/** "0.000" and "0.00" read as blank in the form. */
const blankZero = (value: string | null | undefined) => (value && /[1-9]/.test(value) ? trimQuantity(value) : '')

export function CollectionForm() {
  const { id } = useParams()
  const [params] = useSearchParams()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const { can } = useCan()
  const { suppliers, products, productById, loading } = useLookups()
  const settings = useBusinessSettings()
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
    containers: '',
    tare_per_container: '',
    deduction_percent: '',
    grade: '',
    fat_percent: '',
    snf_percent: '',
    collection_date: '',
    notes: '',
  }))
  const { values, setValues, errors, set, bind } = form
  const loaded = useRef(false)

  // A new collection is dated the business's today (its time zone, from the settings on this device).
  const touchedDate = useRef(false)
  const today = businessToday(settings)
  useEffect(() => {
    if (!editing && !touchedDate.current) setValues((f) => ({ ...f, collection_date: today }))
  }, [editing, today])

  // Editing: fill the form once from the stored row.
  useEffect(() => {
    if (!existing || loaded.current) return
    loaded.current = true
    setValues({
      supplier_id: existing.supplier_id,
      product_id: existing.product_id,
      unit: existing.unit,
      quantity: trimQuantity(existing.quantity),
      containers: existing.containers ? String(existing.containers) : '',
      tare_per_container: blankZero(existing.tare_per_container),
      deduction_percent: blankZero(existing.deduction_percent),
      grade: existing.grade ?? '',
      fat_percent: existing.fat_percent ? trimQuantity(existing.fat_percent) : '',
      snf_percent: existing.snf_percent ? trimQuantity(existing.snf_percent) : '',
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
  const product = productById.get(values.product_id)
  const mode = product?.pricing ?? 'flat'
  const quote = quoteCollection(rates, {
    product_id: values.product_id,
    unit: values.unit,
    date: values.collection_date,
    quantity: values.quantity,
    containers: values.containers,
    tare_per_container: values.tare_per_container,
    deduction_percent: values.deduction_percent,
    grade: mode === 'graded' ? values.grade : '',
    fat_percent: mode === 'quality' ? values.fat_percent : '',
    snf_percent: mode === 'quality' ? values.snf_percent : '',
  })
  const check = entryCheck('collection', { collection_date: values.collection_date, ...quote.fields }, settings)
  /** A field's error: the last save's or submit's, else what is wrong with what is typed once the field was left. */
  const fieldError = (field: QuoteField, label: string) =>
    form.shown(field, quote.problems[field] ? `${label} ${quote.problems[field]}` : undefined)
  const units = [
    ...new Set([product?.default_unit, ...rates.filter((r) => !r.deleted_at).map((r) => r.unit)].filter(Boolean)),
  ] as string[]
  const unitsListId = useId()

  const chooseProduct = (productId: string) => {
    const p = productById.get(productId)
    set({ product_id: productId, unit: p?.default_unit ?? values.unit, grade: '' })
  }
  const gradeOptions = (product?.grades ?? []).map((g) => ({ value: g, label: g }))

  const submit = useRecordSubmit('collection', form, {
    required: {
      supplier_id: 'Choose a supplier',
      product_id: 'Choose a product',
      unit: 'Enter the unit',
      quantity: 'Enter the gross quantity',
      collection_date: 'Enter the date',
      ...(mode === 'graded' ? { grade: 'Choose the grade' } : {}),
      ...(mode === 'quality' ? { fat_percent: 'Enter the fat %', snf_percent: 'Enter the SNF %' } : {}),
    },
    check: (): Record<string, string> => {
      const labels: Record<QuoteField, string> = {
        quantity: 'Quantity',
        containers: 'Containers',
        tare_per_container: 'Tare',
        deduction_percent: 'Deduction',
        fat_percent: 'Fat %',
        snf_percent: 'SNF %',
      }
      const out: Record<string, string> = { ...check.fields }
      for (const [field, problem] of Object.entries(quote.problems))
        out[field] = `${labels[field as QuoteField]} ${problem}`
      return out
    },
    confirm: () => confirmBeforeSaving(check.confirm),
    save: (v) => {
      const fields = {
        supplier_id: v.supplier_id,
        product_id: v.product_id,
        unit: normaliseUnit(v.unit),
        collection_date: v.collection_date,
        notes: v.notes.trim() || null,
        ...quote.fields,
        confirmed_large: check.confirm !== undefined,
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
          onBlur={() => form.touch('supplier_id')}
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
            label="Gross quantity"
            inputMode="decimal"
            autoComplete="off"
            required
            hint="As the scale reads it"
            {...bind('quantity')}
            error={fieldError('quantity', 'Quantity')}
          />
        </div>
        <datalist id={unitsListId}>
          {units.map((u) => (
            <option key={u} value={u} />
          ))}
        </datalist>
        <div className="rc-form-pair">
          <Field
            label="Containers"
            inputMode="numeric"
            autoComplete="off"
            placeholder="0"
            {...bind('containers')}
            error={fieldError('containers', 'Containers')}
          />
          <Field
            label="Tare per container"
            inputMode="decimal"
            autoComplete="off"
            placeholder="0"
            {...bind('tare_per_container')}
            error={fieldError('tare_per_container', 'Tare')}
          />
        </div>
        <Field
          label="Deduction %"
          inputMode="decimal"
          autoComplete="off"
          placeholder="0"
          hint="Water or poor quality, of the weight after tare"
          {...bind('deduction_percent')}
          error={fieldError('deduction_percent', 'Deduction')}
        />
        {mode === 'graded' ? (
          <SelectField
            label="Grade"
            options={gradeOptions}
            placeholder="Choose the grade…"
            required
            {...bind('grade')}
          />
        ) : null}
        {mode === 'quality' ? (
          <div className="rc-form-pair">
            <Field
              label="Fat %"
              inputMode="decimal"
              autoComplete="off"
              required
              {...bind('fat_percent')}
              error={fieldError('fat_percent', 'Fat %')}
            />
            <Field
              label="SNF %"
              inputMode="decimal"
              autoComplete="off"
              required
              {...bind('snf_percent')}
              error={fieldError('snf_percent', 'SNF %')}
            />
          </div>
        ) : null}
        <Field
          label="Date"
          type="date"
          required
          {...bind('collection_date')}
          onChange={(e) => {
            touchedDate.current = true
            set({ collection_date: e.target.value })
          }}
          error={errors.collection_date ?? check.fields.collection_date}
        />
        <TextAreaField label="Notes" {...bind('notes')} />

        <CollectionQuote
          quote={quote}
          ready={Boolean(ready)}
          unit={normaliseUnit(values.unit)}
          currency={settings.currency}
          online={online}
          readingsMissing={mode === 'quality' && (!quote.fields?.fat_percent || !quote.fields?.snf_percent)}
        />
      </RecordForm>
    </Page>
  )
}
