/**
 * The route form: new (on the routes list, then the new route opens) or edit
 * (on the route's page). The code is checked against the routes on this
 * device first (lib/coded-form.ts); saving works offline and syncs later.
 */
import { useSyncClient } from '@trackvault/react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { RecordForm } from '../components/record-form'
import { CheckField, Field, TextAreaField } from '../components/ui'
import { codedSubmit } from '../lib/coded-form'
import { useFormState } from '../lib/form-state'
import { useToast } from '../lib/toast'
import { type RouteView, useRoutes } from '../lib/typed-rows'
import './suppliers.css'

interface Values {
  code: string
  name: string
  description: string
  is_active: boolean
}

/** Edits `route`, or creates a route (and opens it) without one. */
export function RouteForm({ route, onDone }: { route?: RouteView; onDone: () => void }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { data: all } = useRoutes()
  const form = useFormState<Values>(() =>
    route
      ? { code: route.code, name: route.name, description: route.description ?? '', is_active: route.is_active }
      : { code: '', name: '', description: '', is_active: true },
  )
  const { values } = form

  const submit = codedSubmit(form, all, route?.id, async (code) => {
    const input = {
      code,
      name: values.name.trim(),
      description: values.description.trim() || null,
      is_active: values.is_active,
    }
    if (route) {
      await client.routes.update(route.id, input)
      toast(t('routeForm.saved'), 'success')
      onDone()
    } else {
      const row = await client.routes.create(input)
      toast(t('routeForm.created'), 'success')
      onDone()
      navigate(`/routes/${row.id}`)
    }
  })

  const titleId = route ? 'edit-route-title' : 'new-route-title'
  return (
    <RecordForm
      form={form}
      onSubmit={submit}
      aria-labelledby={titleId}
      submitLabel={route ? t('routeForm.save') : t('routeForm.create')}
      cancel={onDone}
    >
      <h2 id={titleId} className="sp-form-title">
        {route ? t('routeForm.editTitle', { name: route.name }) : t('routeForm.newTitle')}
      </h2>
      <Field
        label={t('records.code')}
        required
        autoComplete="off"
        maxLength={40}
        hint={t('supplierForm.codeHint')}
        {...form.bind('code')}
      />
      <Field label={t('records.name')} required maxLength={200} {...form.bind('name')} />
      <TextAreaField label={t('routeForm.descriptionOptional')} maxLength={500} {...form.bind('description')} />
      <CheckField label={t('records.active')} {...form.bindCheck('is_active')} />
      <p className="hint">{t('routeForm.activeHint')}</p>
    </RecordForm>
  )
}
