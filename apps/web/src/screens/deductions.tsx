/**
 * A supplier's deductions (check-off) on the supplier's page: what is recovered from them at
 * settlement (kind, description, terms, the days in force, active), and for the roles that may
 * (admin, manager, finance) a form to add or edit one. The kind chooses the fields shown (a charge:
 * its amount; per quantity: rate, unit, optional product and end; each period: amount and end;
 * credit: purpose, principal, instalment); core's `deductionErrors` marks cross-field mistakes
 * before saving. A deduction is a synced entity: this works offline and syncs later.
 */
import { type DeductionKind, deductionErrors } from '@trackvault/core'
import { useLiveList, useSyncClient } from '@trackvault/react'
import { type FormEvent, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { RecordForm } from '../components/record-form'
import { CheckField, Empty, Field, SelectField, SyncBadge, TextAreaField } from '../components/ui'
import {
  creditPurposeOptions,
  type DeductionValues,
  deductionInForce,
  deductionInputOf,
  deductionKindOptions,
  deductionPeriod,
  deductionTerms,
  deductionValues,
  emptyDeduction,
  kindFields,
  kindLabel,
} from '../lib/deductions'
import { useFormState } from '../lib/form-state'
import { errorMessage } from '../lib/format'
import { productOptions } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { businessToday, useBusinessSettings } from '../lib/settings'
import { useToast } from '../lib/toast'
import { type DeductionView, useProducts } from '../lib/typed-rows'
import './records.css'
import './settlements.css'

type DeductionRow = DeductionView

export function DeductionsSection({ supplierId, supplierName }: { supplierId: string; supplierName: string }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const toast = useToast()
  const { can } = useCan()
  const settings = useBusinessSettings()
  const today = businessToday(settings)
  const { data: rows } = useLiveList(client.deductions, {
    supplier_id: supplierId,
    sort_by: 'effective_date',
    sort_order: 'desc',
  })
  const { data: products } = useProducts({ include_deleted: true })
  const productName = useMemo(() => {
    const names = new Map((products ?? []).map((p) => [p.id, p.name]))
    return (id: string) => names.get(id)
  }, [products])
  const [editing, setEditing] = useState<DeductionRow | 'new'>()
  const [error, setError] = useState<string>()
  const mayCreate = can('deduction', 'create')
  const mayUpdate = can('deduction', 'update')

  const setActive = async (d: DeductionRow, active: boolean) => {
    setError(undefined)
    try {
      await client.deductions.update(d.id, { is_active: active })
      toast(t(active ? 'deductions.switchedOn' : 'deductions.switchedOff', { description: d.description }), 'success')
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  const list = rows ?? []
  return (
    <section className="sp-section sp-no-print" aria-labelledby="deductions-title">
      <h2 id="deductions-title">{t('deductions.title')}</h2>
      <p className="hint">{t('deductions.hint', { name: supplierName })}</p>
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      {rows === undefined ? (
        <p className="loading">{t('common.loading')}</p>
      ) : list.length === 0 ? (
        <Empty>{t('deductions.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="sp-table" aria-label={t('deductions.tableLabel', { name: supplierName })}>
            <thead>
              <tr>
                <th scope="col">{t('deductions.kind')}</th>
                <th scope="col">{t('records.description')}</th>
                <th scope="col">{t('deductions.terms')}</th>
                <th scope="col">{t('deductions.inForce')}</th>
                <th scope="col">{t('records.status')}</th>
                {mayUpdate ? <th scope="col">{t('records.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id}>
                  <td>{kindLabel(d.kind)}</td>
                  <td>
                    {d.description}
                    <SyncBadge state={d._sync} />
                  </td>
                  <td>{deductionTerms(d, productName)}</td>
                  <td>
                    <span className="sp-nowrap">{deductionPeriod(d)}</span>
                    {deductionInForce(d, today) ? (
                      <span className="badge sp-on">{t('records.inForceToday')}</span>
                    ) : null}
                  </td>
                  <td>
                    <span className={`badge ${d.is_active ? 'sp-on' : 'sp-off'}`}>
                      {d.is_active ? t('records.active') : t('records.inactive')}
                    </span>
                  </td>
                  {mayUpdate ? (
                    <td>
                      <div className="sp-row-actions">
                        <button type="button" onClick={() => setEditing(d)}>
                          {t('records.edit')}
                          <span className="sr-only"> {d.description}</span>
                        </button>
                        <button type="button" onClick={() => void setActive(d, !d.is_active)}>
                          {d.is_active ? t('deductions.switchOff') : t('deductions.switchOn')}
                          <span className="sr-only"> {d.description}</span>
                        </button>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing ? (
        <DeductionForm
          key={editing === 'new' ? 'new' : editing.id}
          supplierId={supplierId}
          today={today}
          editing={editing === 'new' ? undefined : editing}
          products={productOptions(products ?? [], editing === 'new' ? undefined : (editing.product_id ?? undefined))}
          onDone={() => setEditing(undefined)}
        />
      ) : mayCreate ? (
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          {t('deductions.add')}
        </button>
      ) : null}
    </section>
  )
}

function DeductionForm({
  supplierId,
  today,
  editing,
  products,
  onDone,
}: {
  supplierId: string
  today: string
  editing?: DeductionRow
  products: Array<{ value: string; label: string }>
  onDone: () => void
}) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const toast = useToast()
  const form = useFormState<DeductionValues>(() => (editing ? deductionValues(editing) : emptyDeduction(today)))
  const { values, bind } = form
  const shown = new Set<string>(kindFields(values.kind))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    form.setFormError(undefined)
    const input = deductionInputOf(supplierId, values)
    const cross = deductionErrors(input) ?? {}
    if (!input.description) cross.description = ['required']
    if (Object.keys(cross).length > 0) {
      form.setErrors(Object.fromEntries(Object.entries(cross).map(([k, v]) => [k, v.join('; ')])))
      form.setFormError(t('records.correctFields'))
      return
    }
    await form.save(async () => {
      if (editing) {
        const { supplier_id: _, ...patch } = input
        await client.deductions.update(editing.id, patch)
        toast(t('deductions.saved', { description: input.description }), 'success')
      } else {
        await client.deductions.create(input)
        toast(t('deductions.added', { description: input.description }), 'success')
      }
      onDone()
    })
  }

  const title = editing ? t('deductions.editTitle', { description: editing.description }) : t('deductions.add')
  return (
    <RecordForm
      form={form}
      onSubmit={submit}
      aria-labelledby="deduction-form-title"
      className="card rc-form st-deduction-form"
      submitLabel={editing ? t('deductions.save') : t('deductions.add')}
      cancel={onDone}
    >
      <h3 id="deduction-form-title" className="sp-form-title">
        {title}
      </h3>
      <SelectField
        label={t('deductions.kind')}
        options={deductionKindOptions()}
        value={values.kind}
        error={form.errors.kind}
        onChange={(e) => form.set({ kind: e.target.value as DeductionKind })}
      />
      <Field
        label={t('records.description')}
        required
        maxLength={200}
        placeholder={t('deductions.descriptionPlaceholder')}
        {...bind('description')}
      />
      {shown.has('purpose') ? (
        <SelectField label={t('deductions.purpose')} options={creditPurposeOptions()} {...bind('purpose')} />
      ) : null}
      {shown.has('amount') ? (
        <Field
          label={
            values.kind === 'per_period'
              ? t('deductions.amountEachPeriod')
              : (values.kind as string) === 'adjustment'
                ? t('deductions.amountAdjustment')
                : t('deductions.amount')
          }
          required
          inputMode="decimal"
          autoComplete="off"
          placeholder="0.00"
          {...bind('amount')}
        />
      ) : null}
      {shown.has('rate') ? (
        <div className="rc-form-pair">
          <Field
            label={t('records.ratePerUnit')}
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            {...bind('rate')}
          />
          <Field label={t('records.unit')} required maxLength={20} {...bind('unit')} />
        </div>
      ) : null}
      {shown.has('product_id') ? (
        <SelectField
          label={t('deductions.productOptional')}
          placeholder={t('deductions.everyProduct')}
          options={products}
          {...bind('product_id')}
        />
      ) : null}
      {shown.has('principal') ? (
        <div className="rc-form-pair">
          <Field
            label={t('deductions.principal')}
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            {...bind('principal')}
          />
          <Field
            label={t('deductions.instalment')}
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            hint={t('deductions.instalmentHint')}
            {...bind('instalment')}
          />
        </div>
      ) : null}
      <Field
        label={
          values.kind === 'charge' || (values.kind as string) === 'adjustment'
            ? t('deductions.chargedOn')
            : t('deductions.inForceFrom')
        }
        type="date"
        required
        {...bind('effective_date')}
      />
      {shown.has('end_date') ? (
        <Field
          label={t('records.endsOnOptional')}
          type="date"
          min={values.effective_date || undefined}
          hint={t('deductions.endHint')}
          {...bind('end_date')}
        />
      ) : null}
      <TextAreaField label={t('deductions.notesOptional')} maxLength={2000} {...bind('notes')} />
      <CheckField label={t('records.active')} {...form.bindCheck('is_active')} />
    </RecordForm>
  )
}
