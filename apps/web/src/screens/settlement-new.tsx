/**
 * A new settlement run (admin, manager, finance): the period (last calendar month in the
 * business's time zone by default), an optional reference and notes, and the most to pay each
 * supplier now (a partial payout; the rest is carried forward). The server computes every
 * supplier's line in one transaction (POST /api/settlement-runs), so this needs a connection; the
 * run comes back a draft and syncs to the device, and its page opens.
 */
import type { SettlementLineRow, SettlementRunRow } from '@trackvault/core'
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { RecordForm } from '../components/record-form'
import { Field, Page, TextAreaField } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { fieldErrors, today } from '../lib/format'
import { lastCalendarMonth, settlementErrorMessage } from '../lib/settlements'
import { useToast } from '../lib/toast'
import './settlements.css'
import './users.css'

export function NeedsConnection({ what }: { what: string }) {
  const { t } = useTranslation()
  return (
    <div className="card users-offline" role="status">
      <h2>{t('settlementNew.needsConnection')}</h2>
      <p>{what}</p>
    </div>
  )
}

export function SettlementNew() {
  const { t } = useTranslation()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const navigate = useNavigate()
  const toast = useToast()
  const form = useFormState(() => {
    // Today in the business's time zone as this device last knew it (kept across reloads).
    const period = lastCalendarMonth(today())
    return { period_from: period.from, period_to: period.to, reference: '', notes: '', pay_at_most: '' }
  })
  const { values, bind } = form

  const submit = (e: FormEvent) => {
    e.preventDefault()
    form.setFormError(undefined)
    if (values.period_from && values.period_to && values.period_to < values.period_from) {
      form.setErrors({ period_to: t('settlementNew.periodToBefore') })
      return
    }
    void form.save(async () => {
      try {
        const body = {
          period_from: values.period_from,
          period_to: values.period_to,
          ...(values.reference.trim() ? { reference: values.reference.trim() } : {}),
          ...(values.notes.trim() ? { notes: values.notes.trim() } : {}),
          ...(values.pay_at_most.trim() ? { pay_at_most: values.pay_at_most.trim() } : {}),
        }
        const { run } = await client.request<{ run: SettlementRunRow; lines: SettlementLineRow[] }>(
          'POST',
          '/api/settlement-runs',
          body,
        )
        toast(t('settlementNew.computed', { reference: run.reference, count: run.suppliers }), 'success')
        await client.sync().catch(() => {}) // the run and its lines onto this device
        navigate(`/settlements/${run.id}`)
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === 'VALIDATION_FAILED' && Object.keys(fieldErrors(err)).length > 0) throw err
        throw new Error(settlementErrorMessage(err as { code?: string; message?: string }))
      }
    }, fieldErrors)
  }

  if (!online) {
    return (
      <Page title={t('settlementNew.title')}>
        <NeedsConnection what={t('settlementNew.offline')} />
      </Page>
    )
  }

  return (
    <Page title={t('settlementNew.title')}>
      <RecordForm
        form={form}
        onSubmit={submit}
        className="card rc-form"
        submitLabel={t('settlementNew.compute')}
        cancel="/settlements"
        aria-label={t('settlementNew.title')}
      >
        <div className="rc-form-pair">
          <Field label={t('settlementNew.periodFrom')} type="date" required {...bind('period_from')} />
          <Field
            label={t('settlementNew.periodTo')}
            type="date"
            required
            min={values.period_from || undefined}
            {...bind('period_to')}
          />
        </div>
        <Field
          label={t('settlementNew.reference')}
          maxLength={60}
          placeholder={values.period_from && values.period_to ? `${values.period_from}/${values.period_to}` : ''}
          hint={t('settlementNew.referenceHint')}
          {...bind('reference')}
        />
        <Field
          label={t('settlementNew.payAtMost')}
          inputMode="decimal"
          autoComplete="off"
          placeholder={t('settlementNew.payAtMostPlaceholder')}
          hint={t('settlementNew.payAtMostHint')}
          {...bind('pay_at_most')}
        />
        <TextAreaField label={t('settlementNew.notes')} maxLength={1000} {...bind('notes')} />
        <p className="hint">{t('settlementNew.included')}</p>
      </RecordForm>
    </Page>
  )
}
