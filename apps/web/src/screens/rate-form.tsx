/**
 * Add a rate to a product (roles that may create rates): unit, rate, period;
 * the grade it prices for a graded product; for a quality product the rate is
 * the base and the fat and SNF rates are added per percentage point. Overlaps
 * with the rates on this device and core's pricing-mode rules
 * (`pricingModeErrors`) are caught before saving.
 */
import { pricingModeErrors } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { type FormEvent, useId, useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { RecordForm } from '../components/record-form'
import { CheckField, Field, SelectField } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { codeFieldErrors } from '../lib/format'
import { overlapMessage } from '../lib/product-rates'
import { businessToday, useBusinessSettings } from '../lib/settings'
import { useToast } from '../lib/toast'
import type { ProductRateView, ProductView } from '../lib/typed-rows'
import './records.css'

export function AddRateForm({ product, rates }: { product: ProductView; rates: readonly ProductRateView[] }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const toast = useToast()
  const settings = useBusinessSettings()
  const unitListId = useId()
  const mode = product.pricing ?? 'flat'
  const initial = () => ({
    unit: product.default_unit,
    rate: '',
    grade: '',
    fat_rate: '',
    snf_rate: '',
    effective_date: businessToday(settings),
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
  const text = (key: 'unit' | 'rate' | 'fat_rate' | 'snf_rate' | 'effective_date' | 'end_date' | 'grade') => ({
    value: values[key],
    error: errors[key],
    onChange: (e: { target: { value: string } }) => set({ [key]: e.target.value }),
  })

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
      grade: mode === 'graded' ? values.grade || null : null,
      fat_rate: mode === 'quality' ? values.fat_rate.trim() || null : null,
      snf_rate: mode === 'quality' ? values.snf_rate.trim() || null : null,
    }
    const modeErrors = pricingModeErrors('product_rate', candidate, product) ?? {}
    if (candidate.end_date && candidate.effective_date && candidate.end_date < candidate.effective_date) {
      modeErrors.end_date = [t('rateForm.beforeStart')]
    }
    if (Object.keys(modeErrors).length > 0) {
      setErrors(Object.fromEntries(Object.entries(modeErrors).map(([k, v]) => [k, v.join('; ')])))
      return
    }
    const overlap = overlapMessage({ ...candidate, id: '' }, rates)
    if (overlap) {
      setFormError(overlap)
      return
    }
    await form.save(async () => {
      await client.productRates.create(candidate)
      toast(
        candidate.grade ? t('rateForm.addedGrade', { unit, grade: candidate.grade }) : t('rateForm.added', { unit }),
        'success',
      )
      form.setValues(initial())
      setErrors({})
    }, codeFieldErrors)
  }

  return (
    <RecordForm form={form} onSubmit={submit} aria-labelledby="add-rate-title" submitLabel={t('rateForm.add')}>
      <h2 id="add-rate-title" className="sp-form-title">
        {t('rateForm.add')}
      </h2>
      <Field label={t('records.unit')} required maxLength={20} list={unitListId} {...text('unit')} />
      <datalist id={unitListId}>
        {units.map((u) => (
          <option key={u} value={u} />
        ))}
      </datalist>
      {mode === 'graded' ? (
        <SelectField
          label={t('rateForm.grade')}
          required
          placeholder={t('rateForm.chooseGrade')}
          options={(product.grades ?? []).map((g) => ({ value: g, label: g }))}
          {...text('grade')}
        />
      ) : null}
      <Field
        label={mode === 'quality' ? t('rateForm.baseRate') : t('records.ratePerUnit')}
        required
        inputMode="decimal"
        autoComplete="off"
        placeholder="0.00"
        {...text('rate')}
      />
      {mode === 'quality' ? (
        <div className="rc-form-pair">
          <Field
            label={t('rateForm.fatRate')}
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            {...text('fat_rate')}
          />
          <Field
            label={t('rateForm.snfRate')}
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            {...text('snf_rate')}
          />
        </div>
      ) : null}
      <Field label={t('rateForm.effectiveFrom')} type="date" required {...text('effective_date')} />
      <Field
        label={t('records.endsOnOptional')}
        type="date"
        min={values.effective_date || undefined}
        hint={t('rateForm.endHint')}
        {...text('end_date')}
      />
      <CheckField
        label={t('records.active')}
        checked={values.is_active}
        onChange={(e) => set({ is_active: e.target.checked })}
      />
    </RecordForm>
  )
}
