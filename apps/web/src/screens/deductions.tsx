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
import { RecordForm } from '../components/record-form'
import { CheckField, Empty, Field, SelectField, SyncBadge, TextAreaField } from '../components/ui'
import {
  CREDIT_PURPOSE_OPTIONS,
  DEDUCTION_KIND_OPTIONS,
  type DeductionValues,
  deductionInForce,
  deductionInputOf,
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
      toast(`${d.description} ${active ? 'switched on' : 'switched off'}`, 'success')
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  const list = rows ?? []
  return (
    <section className="sp-section sp-no-print" aria-labelledby="deductions-title">
      <h2 id="deductions-title">Deductions</h2>
      <p className="hint">Recovered from what {supplierName} is owed at settlement, never below the floor.</p>
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      {rows === undefined ? (
        <p className="loading">Loading…</p>
      ) : list.length === 0 ? (
        <Empty>No deductions.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="sp-table" aria-label={`Deductions of ${supplierName}`}>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Description</th>
                <th scope="col">Terms</th>
                <th scope="col">In force</th>
                <th scope="col">Status</th>
                {mayUpdate ? <th scope="col">Actions</th> : null}
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
                    {deductionInForce(d, today) ? <span className="badge sp-on">In force today</span> : null}
                  </td>
                  <td>
                    <span className={`badge ${d.is_active ? 'sp-on' : 'sp-off'}`}>
                      {d.is_active ? 'Active' : 'Inactive'}
                    </span>
                  </td>
                  {mayUpdate ? (
                    <td>
                      <div className="sp-row-actions">
                        <button type="button" onClick={() => setEditing(d)}>
                          Edit<span className="sr-only"> {d.description}</span>
                        </button>
                        <button type="button" onClick={() => void setActive(d, !d.is_active)}>
                          {d.is_active ? 'Switch off' : 'Switch on'}
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
          Add deduction
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
      form.setFormError('Please correct the marked fields.')
      return
    }
    await form.save(async () => {
      if (editing) {
        const { supplier_id: _, ...patch } = input
        await client.deductions.update(editing.id, patch)
        toast(`Deduction ${input.description} saved`, 'success')
      } else {
        await client.deductions.create(input)
        toast(`Deduction ${input.description} added`, 'success')
      }
      onDone()
    })
  }

  const title = editing ? `Edit deduction: ${editing.description}` : 'Add deduction'
  return (
    <RecordForm
      form={form}
      onSubmit={submit}
      aria-labelledby="deduction-form-title"
      className="card rc-form st-deduction-form"
      submitLabel={editing ? 'Save deduction' : 'Add deduction'}
      cancel={onDone}
    >
      <h3 id="deduction-form-title" className="sp-form-title">
        {title}
      </h3>
      <SelectField
        label="Kind"
        options={DEDUCTION_KIND_OPTIONS}
        value={values.kind}
        error={form.errors.kind}
        onChange={(e) => form.set({ kind: e.target.value as DeductionKind })}
      />
      <Field
        label="Description"
        required
        maxLength={200}
        placeholder="Transport, Society fee, Fertiliser 2 bags"
        {...bind('description')}
      />
      {shown.has('purpose') ? (
        <SelectField label="Purpose" options={CREDIT_PURPOSE_OPTIONS} {...bind('purpose')} />
      ) : null}
      {shown.has('amount') ? (
        <Field
          label={
            values.kind === 'per_period'
              ? 'Amount each period'
              : (values.kind as string) === 'adjustment'
                ? 'Amount (negative: owed to the supplier)'
                : 'Amount'
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
            label="Rate (per unit)"
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            {...bind('rate')}
          />
          <Field label="Unit" required maxLength={20} {...bind('unit')} />
        </div>
      ) : null}
      {shown.has('product_id') ? (
        <SelectField
          label="Product (optional)"
          placeholder="Every product"
          options={products}
          {...bind('product_id')}
        />
      ) : null}
      {shown.has('principal') ? (
        <div className="rc-form-pair">
          <Field
            label="Principal"
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            {...bind('principal')}
          />
          <Field
            label="Instalment"
            required
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            hint="Recovered each period until repaid."
            {...bind('instalment')}
          />
        </div>
      ) : null}
      <Field
        label={values.kind === 'charge' || (values.kind as string) === 'adjustment' ? 'Charged on' : 'In force from'}
        type="date"
        required
        {...bind('effective_date')}
      />
      {shown.has('end_date') ? (
        <Field
          label="Ends on (optional)"
          type="date"
          min={values.effective_date || undefined}
          hint="Leave empty while it runs on."
          {...bind('end_date')}
        />
      ) : null}
      <TextAreaField label="Notes (optional)" maxLength={2000} {...bind('notes')} />
      <CheckField label="Active" {...form.bindCheck('is_active')} />
    </RecordForm>
  )
}
