/**
 * New payment (/payments/new, optional ?supplier_id=). Shows the supplier's
 * balance (collections minus payments minus what approved settlement runs
 * deducted, on this device, exact) and the balance
 * after this payment as you type, and says so when the payment is more than
 * what is owed. Dated the business's today; a date too far ahead is flagged,
 * and an amount over the business's threshold (or beyond the balance owed)
 * asks "Are you sure?" before saving.
 */
import { moneyMinor, type PaymentInput, paymentInput } from '@trackvault/core'
import { useLiveList, useSyncClient } from '@trackvault/react'
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { RecordForm } from '../components/record-form'
import { SupplierPicker } from '../components/supplier-picker'
import { Field, Page, SelectField, TextAreaField } from '../components/ui'
import { balanceText, balanceWords } from '../lib/balance-words'
import { balanceAfter, paysBeyondOwed, supplierBalance } from '../lib/balances'
import { labelled, typedProblem } from '../lib/field-check'
import { useFormState } from '../lib/form-state'
import { money } from '../lib/format'
import { useLookups } from '../lib/lookup'
import { useRecordSubmit } from '../lib/record-widgets'
import { businessToday, confirmBeforeSaving, entryCheck, useBusinessSettings } from '../lib/settings'
import { paymentMethodOptions, paymentTypeOptions } from '../lib/typed-rows'
import './records.css'

interface Values {
  supplier_id: string
  payment_date: string
  amount: string
  /** Set from selects that offer only core's payment types and methods. */
  payment_type: PaymentInput['payment_type']
  payment_method: PaymentInput['payment_method']
  reference_number: string
  notes: string
}

export function PaymentForm() {
  const { t } = useTranslation()
  const [params] = useSearchParams()
  const client = useSyncClient()
  const { suppliers } = useLookups()
  const settings = useBusinessSettings()
  const form = useFormState<Values>(() => ({
    supplier_id: params.get('supplier_id') ?? '',
    payment_date: '',
    amount: '',
    payment_type: 'partial',
    payment_method: 'cash',
    reference_number: '',
    notes: '',
  }))
  const { values, errors, set, bind } = form

  // Dated the business's today (its time zone, from the settings on this device) until the person picks a date.
  const touchedDate = useRef(false)
  const today = businessToday(settings)
  useEffect(() => {
    if (!touchedDate.current) form.setValues((f) => ({ ...f, payment_date: today }))
  }, [today])

  const bySupplier = { supplier_id: values.supplier_id || '-' }
  const collectionsQuery = useLiveList(client.collections, bySupplier)
  const paymentsQuery = useLiveList(client.payments, bySupplier)
  // What approved settlement runs deducted counts, as on the server (every role that pays reads every line).
  const linesQuery = useLiveList(client.settlementLines, bySupplier)
  const balance = supplierBalance(values.supplier_id, collectionsQuery.data ?? [], paymentsQuery.data ?? [], {
    lines: linesQuery.data ?? [],
  })
  const after = balanceAfter(balance.balanceMinor, values.amount)
  const amountMinor = moneyMinor(values.amount)
  /** What core's schema says is wrong with the typed amount ("is not a number", "must be greater than zero"). */
  const amountProblem = labelled(t('paymentForm.amount'), typedProblem(paymentInput.shape.amount, values.amount))
  const balanceLoading = collectionsQuery.isLoading || paymentsQuery.isLoading || linesQuery.isLoading
  const beyond = values.supplier_id && !balanceLoading ? paysBeyondOwed(balance.balanceMinor, values.amount) : undefined
  const check = entryCheck(
    'payment',
    { payment_date: values.payment_date, ...(amountMinor !== null ? { amount: values.amount.trim() } : {}) },
    settings,
  )

  const submit = useRecordSubmit('payment', form, {
    required: {
      supplier_id: t('paymentForm.chooseSupplier'),
      payment_date: t('paymentForm.enterDate'),
      amount: t('paymentForm.enterAmount'),
    },
    check: () => ({ ...check.fields, ...(amountProblem ? { amount: amountProblem } : {}) }),
    confirm: () =>
      confirmBeforeSaving(check.confirm, beyond ? t('paymentForm.paysBeyond', { amount: money(beyond) }) : undefined),
    save: (v) =>
      client.payments.create({
        supplier_id: v.supplier_id,
        payment_date: v.payment_date,
        amount: v.amount.trim(),
        payment_type: v.payment_type,
        payment_method: v.payment_method,
        reference_number: v.reference_number.trim() || null,
        notes: v.notes.trim() || null,
        confirmed_large: check.confirm !== undefined,
      }),
  })

  const payFull = () => set({ amount: balance.balance, payment_type: 'full' })

  return (
    <Page title={t('paymentForm.title')}>
      <RecordForm
        form={form}
        onSubmit={submit}
        className="card rc-form"
        submitLabel={t('paymentForm.save')}
        cancel="/payments"
      >
        <SupplierPicker
          suppliers={suppliers}
          value={values.supplier_id}
          onChange={(supplier_id) => set({ supplier_id })}
          onBlur={() => form.touch('supplier_id')}
          error={errors.supplier_id}
        />

        <div className="rc-quote" aria-live="polite" aria-atomic="true" data-testid="payment-balance">
          {!values.supplier_id ? (
            <span className="rc-muted">{t('paymentForm.chooseToSee')}</span>
          ) : balanceLoading ? (
            <span className="rc-muted">{t('paymentForm.working')}</span>
          ) : (
            <>
              <span>
                {t('paymentForm.balanceNow')} <strong>{balanceText(balance.balance)}</strong>
              </span>
              <span className="rc-muted">
                {balance.deducted !== '0.00'
                  ? t('paymentForm.collectedPaidDeducted', {
                      collected: money(balance.collected),
                      paid: money(balance.paid),
                      deducted: money(balance.deducted),
                    })
                  : t('paymentForm.collectedPaid', { collected: money(balance.collected), paid: money(balance.paid) })}
              </span>
              {balance.unpriced > 0 ? (
                <span className="rc-muted">{t('paymentForm.unpriced', { count: balance.unpriced })}</span>
              ) : null}
              <span className={`rc-big${after && balanceWords(after).credit ? ' rc-negative' : ''}`}>
                {t('paymentForm.balanceAfter', { balance: balanceText(after) })}
              </span>
              {beyond ? (
                <span className="rc-notice" data-testid="payment-beyond-owed">
                  {balance.balanceMinor > 0n
                    ? t('paymentForm.paysMore', { amount: money(beyond), owed: money(balance.balance) })
                    : t('paymentForm.nothingOwed', { amount: money(beyond) })}
                </span>
              ) : null}
            </>
          )}
        </div>

        <div className="rc-form-row">
          <Field
            label={t('paymentForm.date')}
            type="date"
            required
            {...bind('payment_date')}
            onChange={(e) => {
              touchedDate.current = true
              set({ payment_date: e.target.value })
            }}
            error={errors.payment_date ?? check.fields.payment_date}
          />
          <Field
            label={t('paymentForm.amount')}
            inputMode="decimal"
            autoComplete="off"
            {...bind('amount')}
            error={form.shown('amount', amountProblem)}
            hint={
              values.supplier_id && balance.balanceMinor > 0n ? (
                <button type="button" className="rc-linkish" onClick={payFull}>
                  {t('paymentForm.payFull', { amount: money(balance.balance) })}
                </button>
              ) : undefined
            }
            required
          />
        </div>
        <div className="rc-form-row">
          <SelectField label={t('paymentForm.type')} options={paymentTypeOptions()} {...bind('payment_type')} />
          <SelectField label={t('paymentForm.method')} options={paymentMethodOptions()} {...bind('payment_method')} />
        </div>
        <Field
          label={t('paymentForm.reference')}
          autoComplete="off"
          hint={t('paymentForm.referenceHint')}
          {...bind('reference_number')}
        />
        <TextAreaField label={t('paymentForm.notes')} {...bind('notes')} />
      </RecordForm>
    </Page>
  )
}
