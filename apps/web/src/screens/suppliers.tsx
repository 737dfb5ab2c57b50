/**
 * Suppliers: search, active and route filters, sort, paging (on the device),
 * each supplier's route and balance. Reads the local replica, so it works
 * offline. On a collector's phone (which holds its routes' suppliers) the
 * directory of all suppliers follows (components/directory.tsx), once the
 * business has routes.
 */

import { moneyOf } from '@trackvault/core'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { DirectorySection } from '../components/directory'
import { Empty, Field, Page, Pager, SelectField, SyncBadge } from '../components/ui'
import { balanceAmount, balanceWords, OWED_LABEL } from '../lib/balance-words'
import { pageOf } from '../lib/paging'
import { useCan } from '../lib/permissions'
import { routeLabel, routeOptions } from '../lib/routes'
import { useBalancesBySupplier, useLocalBalances, useServerBalances } from '../lib/supplier-balances'
import { type SupplierView, useRoutes, useSuppliers } from '../lib/typed-rows'
import './suppliers.css'

const PAGE_SIZE = 20

/** The route filter's value for suppliers on no route ('' is every route, else a route's id). */
const NO_ROUTE = 'none'

/** Each sort, with the text key of its label. */
const SORTS: Record<string, { label: string; sort_by: string; sort_order: 'asc' | 'desc' }> = {
  'name-asc': { label: 'suppliers.nameAsc', sort_by: 'name', sort_order: 'asc' },
  'name-desc': { label: 'suppliers.nameDesc', sort_by: 'name', sort_order: 'desc' },
  'code-asc': { label: 'suppliers.codeAsc', sort_by: 'code', sort_order: 'asc' },
  'code-desc': { label: 'suppliers.codeDesc', sort_by: 'code', sort_order: 'desc' },
}

export function SuppliersList() {
  const { t } = useTranslation()
  const { can, scoped } = useCan()
  const [search, setSearch] = useState('')
  const [active, setActive] = useState('all')
  const [route, setRoute] = useState('')
  const [sort, setSort] = useState('name-asc')
  const [page, setPage] = useState(1)

  const { sort_by, sort_order } = SORTS[sort] ?? SORTS['name-asc']
  const { data: suppliers, isLoading } = useSuppliers({
    search: search.trim() || undefined,
    is_active: active === 'all' ? undefined : active === 'active',
    route_id: route === '' ? undefined : route === NO_ROUTE ? null : route,
    sort_by,
    sort_order,
  })
  const rows = suppliers ?? []
  const current = pageOf(rows, page, PAGE_SIZE)
  const { data: routes } = useRoutes({ include_deleted: true })
  const hasRoutes = Boolean(routes?.some((r) => !r.deleted_at))
  const routeName = useMemo(() => new Map((routes ?? []).map((r) => [r.id, routeLabel(r)])), [routes])

  const local = useLocalBalances()
  const localBalances = useBalancesBySupplier(local)
  const pageIds = useMemo(() => current.rows.map((s) => s.id), [current.rows])
  const serverBalances = useServerBalances(pageIds, !local)

  const balanceOf = (s: SupplierView) => {
    if (local) {
      if (!localBalances) return { text: '…' }
      const own = localBalances.get(s.id)
      if (!own) return { text: balanceAmount('0.00') }
      return { text: balanceAmount(moneyOf(own.balance)), unpriced: own.unpriced, negative: own.balance < 0n }
    }
    const b = serverBalances[s.id]
    return b ? { text: balanceAmount(b.balance), negative: balanceWords(b.balance).credit } : { text: '—' }
  }

  const changeFilter = (apply: () => void) => {
    apply()
    setPage(1)
  }

  return (
    <Page
      title={t('suppliers.title')}
      actions={
        can('supplier', 'create') ? (
          <Link to="/suppliers/new" className="sp-button primary">
            {t('suppliers.new')}
          </Link>
        ) : undefined
      }
    >
      <search className="filters" aria-label={t('suppliers.find')}>
        <Field
          label={t('records.search')}
          type="search"
          placeholder={t('suppliers.searchPlaceholder')}
          value={search}
          onChange={(e) => changeFilter(() => setSearch(e.target.value))}
        />
        <SelectField
          label={t('records.status')}
          value={active}
          options={[
            { value: 'all', label: t('suppliers.all') },
            { value: 'active', label: t('records.active') },
            { value: 'inactive', label: t('records.inactive') },
          ]}
          onChange={(e) => changeFilter(() => setActive(e.target.value))}
        />
        {hasRoutes ? (
          <SelectField
            label={t('routes.route')}
            value={route}
            options={[
              { value: '', label: t('routes.allRoutes') },
              { value: NO_ROUTE, label: t('routes.noRoute') },
              ...routeOptions(routes ?? [], route, true),
            ]}
            onChange={(e) => changeFilter(() => setRoute(e.target.value))}
          />
        ) : null}
        <SelectField
          label={t('suppliers.sortBy')}
          value={sort}
          options={Object.entries(SORTS).map(([value, s]) => ({ value, label: t(s.label) }))}
          onChange={(e) => changeFilter(() => setSort(e.target.value))}
        />
      </search>

      <p className="sp-count" aria-live="polite">
        {isLoading
          ? t('common.loading')
          : `${t('suppliers.count', { count: rows.length })}${
              current.pages > 1 ? `, ${t('suppliers.pageOf', { page: current.page, pages: current.pages })}` : ''
            }`}
      </p>

      {!isLoading && rows.length === 0 ? (
        <Empty>{search || active !== 'all' || route ? t('suppliers.noMatch') : t('suppliers.none')}</Empty>
      ) : null}

      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="sp-table">
            <caption className="sr-only">{t('suppliers.caption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="sp-wide">
                  {t('records.code')}
                </th>
                <th scope="col">{t('records.name')}</th>
                <th scope="col" className="sp-wide">
                  {t('records.phone')}
                </th>
                {hasRoutes ? (
                  <th scope="col" className="sp-wide">
                    {t('routes.route')}
                  </th>
                ) : null}
                <th scope="col" className="sp-wide">
                  {t('records.status')}
                </th>
                <th scope="col" className="num">
                  {OWED_LABEL}
                </th>
              </tr>
            </thead>
            <tbody>
              {current.rows.map((s) => {
                const b = balanceOf(s)
                return (
                  <tr key={s.id}>
                    <td className="sp-nowrap sp-wide">{s.code}</td>
                    <td>
                      <Link to={`/suppliers/${s.id}`}>{s.name}</Link>
                      <SyncBadge state={s._sync} />
                      <span className="sp-narrow sp-sub-line">{s.code}</span>
                    </td>
                    <td className="sp-wide">{s.phone ?? ''}</td>
                    {hasRoutes ? (
                      <td className="sp-wide">
                        {s.route_id ? (routeName.get(s.route_id) ?? '—') : t('routes.noRoute')}
                      </td>
                    ) : null}
                    <td className="sp-wide">
                      <span className={`badge ${s.is_active ? 'sp-on' : 'sp-off'}`}>
                        {s.is_active ? t('records.active') : t('records.inactive')}
                      </span>
                    </td>
                    <td className={`num sp-nowrap${b.negative ? ' sp-negative' : ''}`}>
                      {b.text}
                      {b.unpriced ? (
                        <span className="sp-muted" title={t('suppliers.unpricedTitle', { count: b.unpriced })}>
                          {' '}
                          *<span className="sr-only"> ({t('suppliers.unpricedSr', { count: b.unpriced })})</span>
                        </span>
                      ) : null}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager page={current.page} pages={current.pages} onPage={setPage} />
      {!local ? <p className="hint">{t('suppliers.serverBalances')}</p> : null}
      {scoped && hasRoutes ? <DirectorySection /> : null}
    </Page>
  )
}
