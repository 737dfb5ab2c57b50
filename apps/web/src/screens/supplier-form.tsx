/**
 * Create (/suppliers/new) or edit (/suppliers/:id/edit) a supplier. Saving
 * writes to the device at once (online or not) and queues the change; the
 * code is checked against the suppliers on this device before that. Managers
 * and admins choose the supplier's route (or none); a supplier a collector
 * adds joins the collector's route on the server. "No text messages" and the
 * messages' language (core's languages; none: the business's) say how the
 * supplier hears of its collections and payouts (docs/collection-point.md).
 */
import { isLanguageCode, type LanguageCode, type PayoutMethod } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate, useParams } from 'react-router'
import { RecordForm } from '../components/record-form'
import { CheckField, Field, FieldFrame, NotFound, Page, SelectField } from '../components/ui'
import { LANGUAGES } from '../i18n/languages'
import { codedSubmit } from '../lib/coded-form'
import { useFormState } from '../lib/form-state'
import { errorMessage } from '../lib/format'
import { useCan } from '../lib/permissions'
import { routeOptions } from '../lib/routes'
import { useToast } from '../lib/toast'
import { useRoutes, useSupplier, useSuppliers } from '../lib/typed-rows'
import './suppliers.css'

interface Values {
  code: string
  name: string
  phone: string
  email: string
  address: string
  is_active: boolean
  payout_method: PayoutMethod
  bank_name: string
  bank_account: string
  mobile_money_number: string
  /** '' for no route. */
  route_id: string
  /** The supplier asked for no text messages. */
  sms_opt_out: boolean
  /** The language of its text messages; '' for the business's. */
  language: LanguageCode | ''
}

const EMPTY: Values = {
  code: '',
  name: '',
  phone: '',
  email: '',
  address: '',
  is_active: true,
  payout_method: 'cash',
  bank_name: '',
  bank_account: '',
  mobile_money_number: '',
  route_id: '',
  sms_opt_out: false,
  language: '',
}

/** How the supplier is paid (with the text key of each); the settlement's payout files take the bank and mobile money ones. */
const PAYOUT_OPTIONS: Array<{ value: PayoutMethod; label: string }> = [
  { value: 'cash', label: 'supplierForm.cash' },
  { value: 'bank_transfer', label: 'supplierForm.bankTransfer' },
  { value: 'mobile_money', label: 'supplierForm.mobileMoney' },
]

/** Deletes a supplier after asking, then opens the list; `onError` gets the message if that fails. */
export function useDeleteSupplier(onError: (message: string) => void) {
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { t } = useTranslation()
  return async (supplier: { id: string; name: string; code: string }) => {
    if (!window.confirm(t('supplierForm.confirmDelete', { name: supplier.name, code: supplier.code }))) return
    try {
      await client.suppliers.remove(supplier.id)
      toast(t('supplierForm.deleted'), 'success')
      navigate('/suppliers')
    } catch (err) {
      onError(errorMessage(err))
    }
  }
}

export function SupplierForm() {
  const { t } = useTranslation()
  const { id } = useParams()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { can } = useCan()
  const { data: supplier, isLoading } = useSupplier(id)
  const { data: all } = useSuppliers()
  const { data: routes } = useRoutes()
  // Who keeps suppliers (managers, admins) chooses their route; a collector's new supplier joins its route.
  const choosesRoute = can('supplier', 'update')

  const form = useFormState<Values>(EMPTY)
  const { values, errors, set, setValues, bind, bindCheck } = form
  const [loadedId, setLoadedId] = useState<string>()
  const deleteSupplier = useDeleteSupplier(form.setFormError)

  // Fill the form once with the stored supplier (later syncs do not overwrite what is being typed).
  useEffect(() => {
    if (id && supplier && loadedId !== id) {
      setValues({
        code: supplier.code,
        name: supplier.name,
        phone: supplier.phone ?? '',
        email: supplier.email ?? '',
        address: supplier.address ?? '',
        is_active: supplier.is_active,
        payout_method: supplier.payout_method,
        bank_name: supplier.bank_name ?? '',
        bank_account: supplier.bank_account ?? '',
        mobile_money_number: supplier.mobile_money_number ?? '',
        route_id: supplier.route_id ?? '',
        sms_opt_out: supplier.sms_opt_out ?? false,
        language: supplier.language ?? '',
      })
      setLoadedId(id)
    }
  }, [id, supplier, loadedId, setValues])

  if (id && isLoading) return <p className="loading">{t('common.loading')}</p>
  if (id && !supplier) return <NotFound kind="supplier" />

  if (id && loadedId !== id) return <p className="loading">{t('common.loading')}</p>

  const submit = codedSubmit(form, all, id, async (code) => {
    const input = {
      code,
      name: values.name.trim(),
      phone: values.phone.trim() || null,
      email: values.email.trim() || null,
      address: values.address.trim() || null,
      is_active: values.is_active,
      payout_method: values.payout_method,
      bank_name: values.bank_name.trim() || null,
      bank_account: values.bank_account.trim() || null,
      mobile_money_number: values.mobile_money_number.trim() || null,
      ...(choosesRoute ? { route_id: values.route_id || null } : {}),
      sms_opt_out: values.sms_opt_out,
      language: isLanguageCode(values.language) ? values.language : null,
    }
    const row = id ? await client.suppliers.update(id, input) : await client.suppliers.create(input)
    toast(id ? t('supplierForm.saved') : t('supplierForm.created'), 'success')
    navigate(`/suppliers/${row.id}`)
  })

  return (
    <Page title={id ? t('supplierForm.editTitle', { name: supplier?.name ?? '' }) : t('supplierForm.newTitle')}>
      <RecordForm
        form={form}
        onSubmit={submit}
        aria-label={id ? t('supplierForm.editLabel') : t('supplierForm.newTitle')}
        submitLabel={id ? t('supplierForm.saveChanges') : t('supplierForm.create')}
        cancel={id ? `/suppliers/${id}` : '/suppliers'}
        actions={
          id && can('supplier', 'delete') ? (
            <button type="button" className="danger" onClick={() => supplier && deleteSupplier(supplier)}>
              {t('supplierForm.delete')}
            </button>
          ) : null
        }
      >
        <Field
          label={t('records.code')}
          required
          autoComplete="off"
          maxLength={40}
          hint={t('supplierForm.codeHint')}
          {...bind('code')}
        />
        <Field label={t('records.name')} required maxLength={200} {...bind('name')} />
        <Field label={t('records.phone')} type="tel" autoComplete="off" maxLength={40} {...bind('phone')} />
        <Field label={t('records.email')} type="email" autoComplete="off" maxLength={200} {...bind('email')} />
        <FieldFrame
          label={t('records.address')}
          error={errors.address}
          className="sp-textarea"
          control={(props) => (
            <textarea
              {...props}
              maxLength={500}
              value={values.address}
              onChange={(e) => set({ address: e.target.value })}
            />
          )}
        />
        {choosesRoute ? (
          <SelectField
            label={t('routes.route')}
            options={[{ value: '', label: t('routes.noRoute') }, ...routeOptions(routes ?? [], supplier?.route_id)]}
            hint={t('routes.routeHint')}
            {...bind('route_id')}
          />
        ) : null}
        <SelectField
          label={t('supplierForm.paidBy')}
          options={PAYOUT_OPTIONS.map((o) => ({ value: o.value, label: t(o.label) }))}
          {...bind('payout_method')}
        />
        {values.payout_method === 'bank_transfer' ? (
          <>
            <Field label={t('supplierForm.bank')} autoComplete="off" maxLength={100} {...bind('bank_name')} />
            <Field
              label={t('supplierForm.bankAccount')}
              autoComplete="off"
              maxLength={40}
              hint={t('supplierForm.bankAccountHint')}
              {...bind('bank_account')}
            />
          </>
        ) : null}
        {values.payout_method === 'mobile_money' ? (
          <Field
            label={t('supplierForm.mobileMoneyNumber')}
            type="tel"
            autoComplete="off"
            maxLength={20}
            hint={t('supplierForm.mobileMoneyHint')}
            {...bind('mobile_money_number')}
          />
        ) : null}
        <CheckField label={t('supplierMessages.noTexts')} error={errors.sms_opt_out} {...bindCheck('sms_opt_out')} />
        {values.sms_opt_out ? null : (
          <SelectField
            label={t('supplierMessages.language')}
            options={LANGUAGES.map((l) => ({ value: l.code, label: l.name }))}
            placeholder={t('supplierMessages.businessLanguage')}
            {...bind('language')}
          />
        )}
        <CheckField label={t('records.active')} error={errors.is_active} {...bindCheck('is_active')} />
      </RecordForm>
    </Page>
  )
}
