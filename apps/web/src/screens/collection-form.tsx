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
 * With a scale connected (devices/scale-panel.tsx) a stable reading fills the
 * gross weight and the collection records `weight_source: 'scale'` with the
 * scale's id; typing the weight makes it `typed` again, with no scale.
 */

import type { WeightSource } from '@trackvault/core'
import { useLiveList, useLiveQuery, useSyncClient, useSyncStatus } from '@trackvault/react'
import { useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams, useSearchParams } from 'react-router'
import { RecordForm } from '../components/record-form'
import { SupplierPicker } from '../components/supplier-picker'
import { Empty, Field, Page, SelectField, TextAreaField } from '../components/ui'
import { ScalePanel } from '../devices/scale-panel'
import { labelled } from '../lib/field-check'
import { useFormState } from '../lib/form-state'
import { productOptions, useLookups } from '../lib/lookup'
import { problemText } from '../lib/messages'
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
  weight_source: WeightSource
  /** The scale that read the gross weight ('' when typed). */
  scale_id: string
}

/** "0.000" and "0.00" read as blank in the form. */
const blankZero = (value: string | null | undefined) => (value && /[1-9]/.test(value) ? trimQuantity(value) : '')

export function CollectionForm() {
  const { t } = useTranslation()
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
    weight_source: 'typed',
    scale_id: '',
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
      weight_source: existing.weight_source ?? 'typed',
      scale_id: existing.scale_id ?? '',
    })
  }, [existing])

  // A new collection takes each stable weight of a connected scale until the person types the weight.
  const [followScale, setFollowScale] = useState(!editing)

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
  /** What is wrong with a typed field, in the chosen language (core's words, lib/messages.ts). */
  const problemOf = (field: QuoteField) => {
    const problem = quote.problems[field]
    return problem ? problemText(problem) : undefined
  }
  /** A field's error: the last save's or submit's, else what is wrong with what is typed once the field was left. */
  const fieldError = (field: QuoteField, label: string) => form.shown(field, labelled(label, problemOf(field)))
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
      supplier_id: t('collectionForm.chooseSupplier'),
      product_id: t('collectionForm.chooseProduct'),
      unit: t('collectionForm.enterUnit'),
      quantity: t('collectionForm.enterQuantity'),
      collection_date: t('collectionForm.enterDate'),
      ...(mode === 'graded' ? { grade: t('collectionForm.chooseGrade') } : {}),
      ...(mode === 'quality'
        ? { fat_percent: t('collectionForm.enterFat'), snf_percent: t('collectionForm.enterSnf') }
        : {}),
    },
    check: (): Record<string, string> => {
      const labels: Record<QuoteField, string> = {
        quantity: t('collectionForm.quantity'),
        containers: t('collectionForm.containers'),
        tare_per_container: t('collectionForm.tare'),
        deduction_percent: t('collectionForm.deduction'),
        fat_percent: t('collectionForm.fat'),
        snf_percent: t('collectionForm.snf'),
      }
      const out: Record<string, string> = { ...check.fields }
      for (const field of Object.keys(quote.problems) as QuoteField[])
        out[field] = labelled(labels[field], problemOf(field)) as string
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
        weight_source: v.weight_source,
        scale_id: v.weight_source === 'scale' ? v.scale_id : null,
        ...quote.fields,
        confirmed_large: check.confirm !== undefined,
      }
      return editing && id ? client.collections.update(id, fields) : client.collections.create(fields)
    },
  })

  if (editing && existingQuery.isLoading)
    return <Page title={t('collectionForm.editTitle')}>{t('common.loading')}</Page>
  if (editing && !existing) {
    return (
      <Page title={t('collectionForm.editTitle')}>
        <Empty>
          {t('collectionForm.missing')} <Link to="/collections">{t('collectionForm.backToCollections')}</Link>
        </Empty>
      </Page>
    )
  }
  if (editing && existing && !can('collection', 'update', existing.user_id)) {
    return (
      <Page title={t('collectionForm.editTitle')}>
        <p>{t('collectionForm.notAllowed')}</p>
      </Page>
    )
  }

  const noProducts = !loading && productOptions(products).length === 0
  const ready = values.product_id && values.unit.trim() && values.collection_date

  return (
    <Page title={editing ? t('collectionForm.editTitle') : t('collectionForm.newTitle')}>
      {noProducts ? <p className="rc-notice">{t('collectionForm.noProducts')}</p> : null}
      <RecordForm
        form={form}
        onSubmit={submit}
        className="card rc-form"
        submitLabel={editing ? t('collectionForm.saveChanges') : t('collectionForm.save')}
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
          label={t('collectionForm.product')}
          value={values.product_id}
          onChange={(e) => chooseProduct(e.target.value)}
          options={productOptions(products, values.product_id)}
          placeholder={t('collectionForm.chooseProductOption')}
          error={errors.product_id}
          required
        />
        <div className="rc-form-row">
          <Field
            label={t('collectionForm.unit')}
            list={unitsListId}
            autoComplete="off"
            autoCapitalize="none"
            required
            {...bind('unit')}
          />
          <Field
            label={t('collectionForm.grossQuantity')}
            inputMode="decimal"
            autoComplete="off"
            required
            hint={t('collectionForm.grossHint')}
            {...bind('quantity')}
            onChange={(e) => {
              // Typed by hand: no scale read it.
              setFollowScale(false)
              set({ quantity: e.target.value, weight_source: 'typed', scale_id: '' })
            }}
            error={fieldError('quantity', t('collectionForm.quantity'))}
          />
        </div>
        <ScalePanel
          unit={values.unit}
          follow={followScale}
          fromScale={values.weight_source === 'scale'}
          onUse={(weight) => {
            setFollowScale(true)
            set({
              quantity: weight.quantity,
              unit: values.unit.trim() ? values.unit : weight.unit,
              weight_source: 'scale',
              scale_id: weight.scaleId,
            })
          }}
        />
        <datalist id={unitsListId}>
          {units.map((u) => (
            <option key={u} value={u} />
          ))}
        </datalist>
        <div className="rc-form-pair">
          <Field
            label={t('collectionForm.containers')}
            inputMode="numeric"
            autoComplete="off"
            placeholder="0"
            {...bind('containers')}
            error={fieldError('containers', t('collectionForm.containers'))}
          />
          <Field
            label={t('collectionForm.tarePerContainer')}
            inputMode="decimal"
            autoComplete="off"
            placeholder="0"
            {...bind('tare_per_container')}
            error={fieldError('tare_per_container', t('collectionForm.tare'))}
          />
        </div>
        <Field
          label={t('collectionForm.deductionPercent')}
          inputMode="decimal"
          autoComplete="off"
          placeholder="0"
          hint={t('collectionForm.deductionHint')}
          {...bind('deduction_percent')}
          error={fieldError('deduction_percent', t('collectionForm.deduction'))}
        />
        {mode === 'graded' ? (
          <SelectField
            label={t('collectionForm.grade')}
            options={gradeOptions}
            placeholder={t('collectionForm.chooseGradeOption')}
            required
            {...bind('grade')}
          />
        ) : null}
        {mode === 'quality' ? (
          <div className="rc-form-pair">
            <Field
              label={t('collectionForm.fat')}
              inputMode="decimal"
              autoComplete="off"
              required
              {...bind('fat_percent')}
              error={fieldError('fat_percent', t('collectionForm.fat'))}
            />
            <Field
              label={t('collectionForm.snf')}
              inputMode="decimal"
              autoComplete="off"
              required
              {...bind('snf_percent')}
              error={fieldError('snf_percent', t('collectionForm.snf'))}
            />
          </div>
        ) : null}
        <Field
          label={t('collectionForm.date')}
          type="date"
          required
          {...bind('collection_date')}
          onChange={(e) => {
            touchedDate.current = true
            set({ collection_date: e.target.value })
          }}
          error={errors.collection_date ?? check.fields.collection_date}
        />
        <TextAreaField label={t('collectionForm.notes')} {...bind('notes')} />

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
