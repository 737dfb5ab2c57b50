/**
 * The business's settings (admins): name and receipt header, currency, time
 * zone and locale, how far ahead a date may be, and the thresholds over
 * which a collection or payment needs an "Are you sure?", and what a
 * settlement run's deductions must leave each supplier (the floor). Settings live on
 * the server: the screen needs a connection, and devices pick a change up
 * with their next sync (this one syncs at once).
 */
import { type BusinessSettings, DEFAULT_SETTINGS } from '@trackvault/core'
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { RecordForm } from '../components/record-form'
import { Field, FormError, Page, TextAreaField } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { errorMessage, isOffline } from '../lib/format'
import { SETTINGS_CHANGED } from '../lib/settings'
import { useToast } from '../lib/toast'
import './users.css'

interface Values {
  business_name: string
  receipt_header: string
  currency: string
  time_zone: string
  locale: string
  future_tolerance_days: string
  large_quantity: string
  large_payment: string
  settlement_floor: string
}

const valuesOf = (s: BusinessSettings): Values => ({
  business_name: s.business_name,
  receipt_header: s.receipt_header,
  currency: s.currency,
  time_zone: s.time_zone,
  locale: s.locale,
  future_tolerance_days: String(s.future_tolerance_days),
  large_quantity: s.large_quantity ?? '',
  large_payment: s.large_payment ?? '',
  settlement_floor: s.settlement_floor,
})

/**
 * The PATCH body: every field, blank thresholds as "no limit" (null), a blank floor as none ("0.00");
 * the server checks them all with core's settings schema.
 */
const bodyOf = (v: Values) => ({
  business_name: v.business_name,
  receipt_header: v.receipt_header,
  currency: v.currency,
  time_zone: v.time_zone,
  locale: v.locale,
  future_tolerance_days: /^\d+$/.test(v.future_tolerance_days.trim())
    ? Number(v.future_tolerance_days.trim())
    : v.future_tolerance_days,
  large_quantity: v.large_quantity.trim() || null,
  large_payment: v.large_payment.trim() || null,
  settlement_floor: v.settlement_floor.trim() || '0.00',
})

export function Settings() {
  const { t } = useTranslation()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const toast = useToast()
  const [loaded, setLoaded] = useState<BusinessSettings>()
  const [loadError, setLoadError] = useState<string>()
  const [unreachable, setUnreachable] = useState(false)
  const form = useFormState<Values>(() => valuesOf(DEFAULT_SETTINGS))
  const { bind } = form

  const load = useCallback(async () => {
    setLoadError(undefined)
    try {
      const s = await client.request<BusinessSettings>('GET', '/api/settings')
      setLoaded(s)
      form.setValues(valuesOf(s))
      setUnreachable(false)
    } catch (err) {
      if (isOffline(err)) setUnreachable(true)
      else setLoadError(errorMessage(err))
    }
  }, [client])

  useEffect(() => {
    if (online) void load()
  }, [online, load])

  const submit = (e: FormEvent) => {
    e.preventDefault()
    form.setFormError(undefined)
    void form.save(async () => {
      try {
        const saved = await client.request<BusinessSettings>('PATCH', '/api/settings', bodyOf(form.values))
        setLoaded(saved)
        form.setValues(valuesOf(saved))
        form.setErrors({})
        toast(t('settings.saved'), 'success')
        // This device picks them up now; the others with their next sync.
        void client.sync().then(() => window.dispatchEvent(new Event(SETTINGS_CHANGED)))
      } catch (err) {
        if (isOffline(err)) throw new Error(t('settings.notSavedOffline'))
        throw err
      }
    })
  }

  if (!online || unreachable) {
    return (
      <Page title={t('settings.title')}>
        <div className="card users-offline" role="status">
          <h2>{t('users.needsConnection')}</h2>
          <p>{t('settings.needsConnectionNote')}</p>
        </div>
      </Page>
    )
  }

  return (
    <Page title={t('settings.title')}>
      <FormError message={loadError} />
      {!loaded ? (
        loadError ? null : (
          <p aria-live="polite">{t('common.loading')}</p>
        )
      ) : (
        <RecordForm form={form} onSubmit={submit} className="card rc-form" submitLabel={t('settings.save')}>
          <Field label={t('settings.businessName')} required maxLength={200} {...bind('business_name')} />
          <TextAreaField
            label={t('settings.receiptHeader')}
            maxLength={500}
            placeholder={t('settings.receiptHeaderPlaceholder')}
            {...bind('receipt_header')}
          />
          <div className="rc-form-pair">
            <Field label={t('settings.currency')} autoCapitalize="characters" placeholder="KES" {...bind('currency')} />
            <Field label={t('settings.locale')} autoCapitalize="none" placeholder="en-KE" {...bind('locale')} />
          </div>
          <Field
            label={t('settings.timeZone')}
            autoCapitalize="none"
            placeholder="Africa/Nairobi"
            hint={t('settings.timeZoneHint')}
            {...bind('time_zone')}
          />
          <Field
            label={t('settings.daysAhead')}
            inputMode="numeric"
            hint={t('settings.daysAheadHint')}
            {...bind('future_tolerance_days')}
          />
          <Field
            label={t('settings.largeQuantity')}
            inputMode="decimal"
            placeholder={t('settings.noLimit')}
            hint={t('settings.largeQuantityHint')}
            {...bind('large_quantity')}
          />
          <Field
            label={t('settings.largePayment')}
            inputMode="decimal"
            placeholder={t('settings.noLimit')}
            hint={t('settings.largePaymentHint')}
            {...bind('large_payment')}
          />
          <Field
            label={t('settings.floor')}
            inputMode="decimal"
            placeholder="0.00"
            hint={t('settings.floorHint')}
            {...bind('settlement_floor')}
          />
        </RecordForm>
      )}
    </Page>
  )
}
