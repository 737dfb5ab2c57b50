/**
 * Routes (collection or buying centres) for managers and admins, read only
 * for finance: search, active filter, and per route its suppliers and the
 * collectors serving it today, counted from the rows on this device (so it
 * works offline); a form to add a route (./route-form.tsx). A route's page is
 * ./route-detail.tsx. What a collector's phone holds follows its routes
 * (docs/sync-protocol.md "Scopes").
 */
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Empty, Field, Page, SelectField, SyncBadge } from '../components/ui'
import { today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { routeCounts } from '../lib/routes'
import { useRouteAssignments, useRoutes, useSuppliers } from '../lib/typed-rows'
import { RouteForm } from './route-form'
import './suppliers.css'

export function RoutesList() {
  const { t } = useTranslation()
  const { can } = useCan()
  const [search, setSearch] = useState('')
  const [active, setActive] = useState('all')
  const [creating, setCreating] = useState(false)
  const { data: routes, isLoading } = useRoutes({
    search: search.trim() || undefined,
    is_active: active === 'all' ? undefined : active === 'active',
  })
  const { data: suppliers } = useSuppliers()
  const { data: assignments } = useRouteAssignments()
  const date = today()
  const counts = useMemo(() => routeCounts(suppliers ?? [], assignments ?? [], date), [suppliers, assignments, date])
  const rows = routes ?? []

  return (
    <Page
      title={t('routes.title')}
      actions={
        can('route', 'create') && !creating ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('routes.new')}
          </button>
        ) : undefined
      }
    >
      {creating ? <RouteForm onDone={() => setCreating(false)} /> : null}
      <p className="hint">{t('routes.hint')}</p>
      <search className="filters" aria-label={t('routes.find')}>
        <Field
          label={t('records.search')}
          type="search"
          placeholder={t('routes.searchPlaceholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <SelectField
          label={t('records.status')}
          value={active}
          options={[
            { value: 'all', label: t('routes.all') },
            { value: 'active', label: t('records.active') },
            { value: 'inactive', label: t('records.inactive') },
          ]}
          onChange={(e) => setActive(e.target.value)}
        />
      </search>
      <p className="sp-count" aria-live="polite">
        {isLoading ? t('common.loading') : t('routes.count', { count: rows.length })}
      </p>
      {!isLoading && rows.length === 0 ? (
        <Empty>{search || active !== 'all' ? t('routes.noMatch') : t('routes.none')}</Empty>
      ) : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="sp-table">
            <caption className="sr-only">{t('routes.caption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="sp-wide">
                  {t('records.code')}
                </th>
                <th scope="col">{t('records.name')}</th>
                <th scope="col" className="num">
                  {t('routes.suppliers')}
                </th>
                <th scope="col" className="num">
                  {t('routes.collectorsToday')}
                </th>
                <th scope="col" className="sp-wide">
                  {t('records.status')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const c = counts.get(r.id)
                return (
                  <tr key={r.id}>
                    <td className="sp-nowrap sp-wide">{r.code}</td>
                    <td>
                      <Link to={`/routes/${r.id}`}>{r.name}</Link>
                      <SyncBadge state={r._sync} />
                      <span className="sp-narrow sp-sub-line">
                        {r.code}
                        {r.is_active ? '' : ` · ${t('records.inactive')}`}
                      </span>
                    </td>
                    <td className="num">{c?.suppliers ?? 0}</td>
                    <td className="num">{c?.collectors ?? 0}</td>
                    <td className="sp-wide">
                      <span className={`badge ${r.is_active ? 'sp-on' : 'sp-off'}`}>
                        {r.is_active ? t('records.active') : t('records.inactive')}
                      </span>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  )
}
