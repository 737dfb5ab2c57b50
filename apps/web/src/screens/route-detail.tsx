/**
 * One route: its details (editable by managers and admins, ./route-form.tsx),
 * its suppliers, and its collectors' dated assignments: who serves it from
 * when to when, assigning a collector (picked from the people this device
 * knows, lib/user-names.ts), ending an assignment today or deleting one made
 * by mistake. The dates' rule ("to" not before "from") is core's, checked as
 * they are typed. Everything reads and writes the device, so it works offline
 * and syncs later; a collector's phone follows at its next sync.
 */
import { useSyncClient } from '@trackvault/react'
import { type FormEvent, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { RecordForm } from '../components/record-form'
import { Empty, Field, FormError, Page, SelectField, SyncBadge } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { dateOnly, errorMessage, today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { type AssignmentState, assignmentDatesProblem, assignmentState, endToday } from '../lib/routes'
import { useToast } from '../lib/toast'
import { type RouteAssignmentView, useRoute, useRouteAssignments, useSuppliers } from '../lib/typed-rows'
import { usePeople, useUserNames } from '../lib/user-names'
import { RouteForm } from './route-form'
import './records.css'
import './suppliers.css'

/** The text key and badge of each state of an assignment. */
const STATES: Record<AssignmentState, { label: string; badge: string }> = {
  current: { label: 'routeDetail.current', badge: 'sp-on' },
  upcoming: { label: 'routeDetail.upcoming', badge: 'sp-off' },
  ended: { label: 'routeDetail.ended', badge: 'sp-off' },
}

export function RouteDetail() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const { can } = useCan()
  const { data: route, isLoading } = useRoute(id)
  const { data: suppliers } = useSuppliers({ route_id: id })
  const [editing, setEditing] = useState(false)

  if (isLoading) return <p className="loading">{t('common.loading')}</p>
  if (!route) {
    return (
      <Page title={t('routeDetail.notFound')}>
        <Empty>{t('routeDetail.notFoundText')}</Empty>
        <Link to="/routes">{t('routeDetail.back')}</Link>
      </Page>
    )
  }
  const list = suppliers ?? []

  return (
    <Page
      title={route.name}
      actions={
        can('route', 'update') && !editing ? (
          <button type="button" onClick={() => setEditing(true)}>
            {t('records.edit')}
          </button>
        ) : undefined
      }
    >
      {editing ? <RouteForm key={route.id} route={route} onDone={() => setEditing(false)} /> : null}
      <div className="card">
        <dl className="sp-facts">
          <dt>{t('records.code')}</dt>
          <dd>
            {route.code}
            <SyncBadge state={route._sync} />
          </dd>
          <dt>{t('records.status')}</dt>
          <dd>{route.is_active ? t('records.active') : t('records.inactive')}</dd>
          <dt>{t('records.description')}</dt>
          <dd>{route.description || '—'}</dd>
        </dl>
      </div>

      <section className="sp-section" aria-labelledby="route-suppliers-title">
        <h2 id="route-suppliers-title">{t('routeDetail.suppliersTitle')}</h2>
        <p className="sp-count" aria-live="polite">
          {suppliers ? t('suppliers.count', { count: list.length }) : t('common.loading')}
        </p>
        {suppliers && list.length === 0 ? <Empty>{t('routeDetail.suppliersNone')}</Empty> : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <table className="sp-table">
              <caption className="sr-only">{t('routeDetail.suppliersCaption', { name: route.name })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('records.code')}</th>
                  <th scope="col">{t('records.name')}</th>
                  <th scope="col" className="sp-wide">
                    {t('records.phone')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <tr key={s.id}>
                    <td className="sp-nowrap">{s.code}</td>
                    <td>
                      <Link to={`/suppliers/${s.id}`}>{s.name}</Link>
                      <SyncBadge state={s._sync} />
                    </td>
                    <td className="sp-wide">{s.phone ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <AssignmentsSection routeId={route.id} routeName={route.name} />
    </Page>
  )
}

function AssignmentsSection({ routeId, routeName }: { routeId: string; routeName: string }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const toast = useToast()
  const { can } = useCan()
  const nameOf = useUserNames()
  const { data: rows } = useRouteAssignments({ route_id: routeId, sort_by: 'valid_from', sort_order: 'desc' })
  const [adding, setAdding] = useState(false)
  const [error, setError] = useState<string>()
  const date = today()
  const mayUpdate = can('route_assignment', 'update')
  const mayDelete = can('route_assignment', 'delete')

  const end = async (a: RouteAssignmentView) => {
    const patch = endToday(a, date)
    if (!patch) return
    const name = nameOf(a.user_id)
    if (!window.confirm(t('routeDetail.confirmEnd', { name, date: dateOnly(date) }))) return
    setError(undefined)
    try {
      await client.routeAssignments.update(a.id, patch)
      toast(t('routeDetail.endedToast', { name }), 'success')
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  const remove = async (a: RouteAssignmentView) => {
    const name = nameOf(a.user_id)
    if (!window.confirm(t('routeDetail.confirmDelete', { name, from: dateOnly(a.valid_from) }))) return
    setError(undefined)
    try {
      await client.routeAssignments.remove(a.id)
      toast(t('routeDetail.deletedToast', { name }), 'success')
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  const list = rows ?? []
  const actions = mayUpdate || mayDelete
  return (
    <section className="sp-section" aria-labelledby="route-assignments-title">
      <h2 id="route-assignments-title">{t('routeDetail.assignments')}</h2>
      <p className="hint">{t('routeDetail.assignmentsHint')}</p>
      <FormError message={error} />
      {rows === undefined ? (
        <p className="loading">{t('common.loading')}</p>
      ) : list.length === 0 ? (
        <Empty>{t('routeDetail.assignmentsNone')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="sp-table">
            <caption className="sr-only">{t('routeDetail.assignmentsCaption', { name: routeName })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('routeDetail.collector')}</th>
                <th scope="col">{t('routeDetail.dates')}</th>
                <th scope="col" className="sp-wide">
                  {t('records.status')}
                </th>
                {actions ? <th scope="col">{t('records.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.map((a) => {
                const state = STATES[assignmentState(a, date)]
                const name = nameOf(a.user_id)
                return (
                  <tr key={a.id}>
                    <td>
                      {name}
                      <SyncBadge state={a._sync} />
                      <span className="sp-narrow sp-sub-line">{t(state.label)}</span>
                    </td>
                    <td>
                      <span className="sp-nowrap">{dateOnly(a.valid_from)}</span> –{' '}
                      <span className="sp-nowrap">{a.valid_to ? dateOnly(a.valid_to) : t('routeDetail.noEnd')}</span>
                    </td>
                    <td className="sp-wide">
                      <span className={`badge ${state.badge}`}>{t(state.label)}</span>
                    </td>
                    {actions ? (
                      <td>
                        <div className="sp-row-actions">
                          {mayUpdate && endToday(a, date) ? (
                            <button type="button" onClick={() => void end(a)}>
                              {t('routeDetail.end')}
                              <span className="sr-only"> {name}</span>
                            </button>
                          ) : null}
                          {mayDelete ? (
                            <button type="button" className="danger" onClick={() => void remove(a)}>
                              {t('routeDetail.delete')}
                              <span className="sr-only"> {name}</span>
                            </button>
                          ) : null}
                        </div>
                      </td>
                    ) : null}
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {adding ? (
        <AssignmentForm routeId={routeId} routeName={routeName} today={date} onDone={() => setAdding(false)} />
      ) : can('route_assignment', 'create') ? (
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          {t('routeDetail.add')}
        </button>
      ) : null}
    </section>
  )
}

interface AssignmentValues {
  user_id: string
  valid_from: string
  valid_to: string
}

function AssignmentForm({
  routeId,
  routeName,
  today: date,
  onDone,
}: {
  routeId: string
  routeName: string
  today: string
  onDone: () => void
}) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const toast = useToast()
  const people = usePeople()
  const form = useFormState<AssignmentValues>({ user_id: '', valid_from: date, valid_to: '' })
  const { values, bind } = form
  const collectors = useMemo(
    () =>
      (people ?? [])
        .filter((p) => p.role === 'collector' && p.is_active)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => ({ value: p.id, label: p.name })),
    [people],
  )
  // Shown as soon as both dates are there: core's rule, in the chosen language.
  const datesBad = Boolean(assignmentDatesProblem(values.valid_from, values.valid_to))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    form.setFormError(undefined)
    const missing: Record<string, string> = {}
    if (!values.user_id) missing.user_id = t('routeDetail.chooseCollectorFirst')
    if (!values.valid_from) missing.valid_from = t('routeDetail.fromRequired')
    if (Object.keys(missing).length > 0 || datesBad) {
      form.setErrors(missing)
      form.setFormError(t('records.correctFields'))
      return
    }
    await form.save(async () => {
      await client.routeAssignments.create({
        route_id: routeId,
        user_id: values.user_id,
        valid_from: values.valid_from,
        valid_to: values.valid_to || null,
      })
      const name = collectors.find((c) => c.value === values.user_id)?.label ?? ''
      toast(t('routeDetail.assigned', { name, route: routeName }), 'success')
      onDone()
    })
  }

  return (
    <RecordForm
      form={form}
      onSubmit={submit}
      aria-labelledby="assignment-form-title"
      className="card rc-form"
      submitLabel={t('routeDetail.assign')}
      cancel={onDone}
    >
      <h3 id="assignment-form-title" className="sp-form-title">
        {t('routeDetail.add')}
      </h3>
      <SelectField
        label={t('routeDetail.collector')}
        placeholder={t('routeDetail.chooseCollector')}
        options={collectors}
        {...bind('user_id')}
      />
      {people && collectors.length === 0 ? <p className="hint">{t('routeDetail.noCollectors')}</p> : null}
      <div className="rc-form-pair">
        <Field label={t('routeDetail.from')} type="date" required {...bind('valid_from')} />
        <Field
          label={t('routeDetail.toOptional')}
          type="date"
          min={values.valid_from || undefined}
          {...bind('valid_to')}
          error={form.errors.valid_to ?? (datesBad ? t('routeDetail.toBeforeFrom') : undefined)}
        />
      </div>
      <p className="hint">{t('routeDetail.toHint')}</p>
    </RecordForm>
  )
}
