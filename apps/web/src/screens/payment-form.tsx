/**
 * New payment (/payments/new, optional ?supplier_id=). Shows the supplier's
 * balance (collections minus payments on this device, exact) and the balance
 * after this payment as you type.
 */
import { moneyMinor, type PaymentInput } from '@trackvault/core'
import { useLiveList, useSyncClient, useSyncStatus } from '@trackvault/react'
import type { FormEvent } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { Field, FormError, Page, SelectField, TextAreaField } from '../components/ui'
import { balanceAfter, supplierBalance } from '../lib/balances'
import { useFormState } from '../lib/form-state'
import { fieldErrors, money, today } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { friendlyFieldErrors, SupplierPicker } from '../lib/record-widgets'
import { useToast } from '../lib/toast'
import { PAYMENT_METHOD_OPTIONS, PAYMENT_TYPE_OPTIONS } from '../lib/typed-rows'
import './records.css'

interface FormState {
  supplier_id: string
  payment_date: string
  amount: string
  /** Set from selects that offer only core's payment types and methods. */
  payment_type: PaymentInput['payment_type']
  payment_method: PaymentInput['payment_method']
  reference_number: string
  notes: string
}

/** "-300.00" -> "300.00 in credit"; "1200.00" -> "1,200.00 owed". */
function describeBalance(value: string): string {
  if (value.startsWith('-')) return `${money(value.slice(1))} in credit (paid ahead)`
  return `${money(value)} owed`
}

export function PaymentForm() {
  const [params] = useSearchParams()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const navigate = useNavigate()
  const toast = useToast()
  const { suppliers } = useLookups()
  const {
    values: form,
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
    payment_date: today(),
    amount: '',
    payment_type: 'partial',
    payment_method: 'cash',
    reference_number: '',
    notes: '',
  }))

  const bySupplier = { supplier_id: form.supplier_id || '-' }
  const collectionsQuery = useLiveList(client.collections, bySupplier)
  const paymentsQuery = useLiveList(client.payments, bySupplier)
  const balance = supplierBalance(form.supplier_id, collectionsQuery.data ?? [], paymentsQuery.data ?? [])
  const after = balanceAfter(balance.balanceMinor, form.amount)
  const amountMinor = moneyMinor(form.amount)
  const balanceLoading = collectionsQuery.isLoading || paymentsQuery.isLoading

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const missing: Record<string, string> = {}
    if (!form.supplier_id) missing.supplier_id = 'Choose a supplier'
    if (!form.payment_date) missing.payment_date = 'Enter the date'
    if (!form.amount.trim()) missing.amount = 'Enter the amount'
    setFormError(undefined)
    if (Object.keys(missing).length) {
      setErrors(missing)
      return
    }
    setBusy(true)
    try {
      const row = await client.payments.create({
        supplier_id: form.supplier_id,
        payment_date: form.payment_date,
        amount: form.amount.trim(),
        payment_type: form.payment_type,
        payment_method: form.payment_method,
        reference_number: form.reference_number.trim() || null,
        notes: form.notes.trim() || null,
      })
      toast(online ? 'Payment saved' : 'Payment saved on this device; it syncs when back online', 'success')
      navigate(`/payments/${row.id}`, { replace: true })
    } catch (err) {
      fail(err, friendlyFieldErrors(fieldErrors(err), { supplier_id: 'supplier' }))
    } finally {
      setBusy(false)
    }
  }

  const payFull = () => set({ amount: balance.balance, payment_type: 'full' })

  return (
    <Page title="New payment">
      <form className="card rc-form" onSubmit={submit} noValidate>
        <SupplierPicker
          suppliers={suppliers}
          value={form.supplier_id}
          onChange={(supplier_id) => set({ supplier_id })}
          error={errors.supplier_id}
        />

        <div className="rc-quote" aria-live="polite" aria-atomic="true" data-testid="payment-balance">
          {!form.supplier_id ? (
            <span className="rc-muted">Choose a supplier to see their balance.</span>
          ) : balanceLoading ? (
            <span className="rc-muted">Working out the balance…</span>
          ) : (
            <>
              <span>
                Balance now: <strong>{describeBalance(balance.balance)}</strong>
              </span>
              <span className="rc-muted">
                Collected {money(balance.collected)}, paid {money(balance.paid)}
              </span>
              {balance.unpriced > 0 ? (
                <span className="rc-muted">
                  {balance.unpriced} collection{balance.unpriced === 1 ? '' : 's'} without a rate yet{' '}
                  {balance.unpriced === 1 ? 'is' : 'are'} not counted.
                </span>
              ) : null}
              <span className={`rc-big${after?.startsWith('-') ? ' rc-negative' : ''}`}>
                Balance after this payment: {after === undefined ? '—' : describeBalance(after)}
              </span>
            </>
          )}
        </div>

        <div className="rc-form-row">
          <Field
            label="Date"
            type="date"
            value={form.payment_date}
            onChange={(e) => set({ payment_date: e.target.value })}
            error={errors.payment_date}
            required
          />
          <Field
            label="Amount"
            inputMode="decimal"
            autoComplete="off"
            value={form.amount}
            onChange={(e) => set({ amount: e.target.value })}
            error={
              errors.amount ??
              (form.amount.trim() && amountMinor === null ? 'Use a number with at most 2 decimal places' : undefined)
            }
            hint={
              form.supplier_id && balance.balanceMinor > 0n ? (
                <button type="button" className="rc-linkish" onClick={payFull}>
                  Pay the full balance ({money(balance.balance)})
                </button>
              ) : undefined
            }
            required
          />
        </div>
        <div className="rc-form-row">
          <SelectField
            label="Type"
            value={form.payment_type}
            onChange={(e) => set({ payment_type: e.target.value as FormState['payment_type'] })}
            options={PAYMENT_TYPE_OPTIONS}
            error={errors.payment_type}
          />
          <SelectField
            label="Method"
            value={form.payment_method}
            onChange={(e) => set({ payment_method: e.target.value as FormState['payment_method'] })}
            options={PAYMENT_METHOD_OPTIONS}
            error={errors.payment_method}
          />
        </div>
        <Field
          label="Reference"
          value={form.reference_number}
          onChange={(e) => set({ reference_number: e.target.value })}
          autoComplete="off"
          hint="Cheque number, transfer id…"
          error={errors.reference_number}
        />
        <TextAreaField
          label="Notes"
          value={form.notes}
          onChange={(e) => set({ notes: e.target.value })}
          error={errors.notes}
        />

        <FormError message={formError} />
        <div className="rc-form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save payment'}
          </button>
          <Link className="rc-btn-link" to="/payments">
            Cancel
          </Link>
        </div>
      </form>
    </Page>
  )
}
