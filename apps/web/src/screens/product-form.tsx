/**
 * The product form: new (on the products list) or edit (on the product's
 * page), with how the product is priced: one rate per unit, a rate per grade
 * (its grades listed here) or a quality formula (milk: fat and SNF). The code
 * is checked against the products on this device first.
 */
import { PRICING_MODES, type PricingMode } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { RecordForm } from '../components/record-form'
import { CheckField, Field, SelectField } from '../components/ui'
import { codedSubmit } from '../lib/coded-form'
import { useFormState } from '../lib/form-state'
import { useToast } from '../lib/toast'
import { type ProductView, useProducts } from '../lib/typed-rows'
import './suppliers.css'

interface Values {
  code: string
  name: string
  description: string
  default_unit: string
  is_active: boolean
  pricing: PricingMode
  /** As typed: "A, B, C". */
  grades: string
}

const EMPTY: Values = {
  code: '',
  name: '',
  description: '',
  default_unit: '',
  is_active: true,
  pricing: 'flat',
  grades: '',
}

/** The text key of each pricing mode's label ("One rate per unit", …). */
export const PRICING_LABELS: Record<PricingMode, string> = {
  flat: 'productForm.flat',
  graded: 'productForm.graded',
  quality: 'productForm.quality',
}

/** "A, B ,, C" -> ["A", "B", "C"] (each once, in the order typed). */
export function gradesOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
    ),
  ]
}

/** Edits `product`, or creates a product (and opens it) without one. */
export function ProductForm({ product, onDone }: { product?: ProductView; onDone: () => void }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { data: all } = useProducts()
  const creating = !product
  const form = useFormState<Values>(() =>
    product
      ? {
          code: product.code,
          name: product.name,
          description: product.description ?? '',
          default_unit: product.default_unit,
          is_active: product.is_active,
          pricing: product.pricing ?? 'flat',
          grades: (product.grades ?? []).join(', '),
        }
      : EMPTY,
  )
  const { values } = form

  const submit = codedSubmit(form, all, product?.id, async (code) => {
    const grades = values.pricing === 'graded' ? gradesOf(values.grades) : []
    if (values.pricing === 'graded' && grades.length === 0) {
      throw Object.assign(new Error(t('records.correctFields')), {
        details: { fields: { grades: [t('productForm.gradesMissing')] } },
      })
    }
    const input = {
      pricing: values.pricing,
      grades,
      code,
      name: values.name.trim(),
      description: values.description.trim() || null,
      default_unit: values.default_unit,
      is_active: values.is_active,
    }
    if (product) {
      await client.products.update(product.id, input)
      toast(t('productForm.saved'), 'success')
      onDone()
    } else {
      const row = await client.products.create(input)
      toast(t('productForm.created'), 'success')
      onDone()
      navigate(`/products/${row.id}`)
    }
  })

  const titleId = creating ? 'new-product-title' : 'edit-product-title'
  return (
    <RecordForm
      form={form}
      onSubmit={submit}
      aria-labelledby={titleId}
      submitLabel={creating ? t('productForm.create') : t('productForm.save')}
      cancel={onDone}
    >
      <h2 id={titleId} className="sp-form-title">
        {creating ? t('productForm.newTitle') : t('productForm.editTitle')}
      </h2>
      <Field
        label={t('records.code')}
        required
        autoComplete={creating ? 'off' : undefined}
        maxLength={40}
        {...form.bind('code')}
      />
      <Field label={t('records.name')} required maxLength={200} {...form.bind('name')} />
      <Field
        label={t('records.defaultUnit')}
        required
        autoComplete={creating ? 'off' : undefined}
        placeholder={creating ? t('productForm.unitPlaceholder') : undefined}
        maxLength={20}
        {...form.bind('default_unit')}
      />
      <SelectField
        label={t('records.pricing')}
        options={PRICING_MODES.map((m) => ({ value: m, label: t(PRICING_LABELS[m]) }))}
        {...form.bind('pricing')}
      />
      {values.pricing === 'graded' ? (
        <Field
          label={t('productForm.grades')}
          required
          placeholder="A, B, C"
          hint={t('productForm.gradesHint')}
          {...form.bind('grades')}
        />
      ) : null}
      {values.pricing === 'quality' ? <p className="hint">{t('productForm.qualityHint')}</p> : null}
      <Field label={t('records.description')} maxLength={2000} {...form.bind('description')} />
      <CheckField label={t('records.active')} {...form.bindCheck('is_active')} />
    </RecordForm>
  )
}
