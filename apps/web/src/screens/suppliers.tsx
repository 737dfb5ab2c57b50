/**
 * Suppliers: search, active filter, sort, paging (on the device), and each
 * supplier's balance. Reads the local replica, so it works offline.
 */

import { moneyOf } from '@trackvault/core'
import { useMemo, useState } from 'react'
import { Link } from 'react-router'
import { Empty, Field, Page, Pager, SelectField, SyncBadge } from '../components/ui'
import { balanceAmount, balanceWords, OWED_LABEL } from '../lib/balance-words'
import { pageOf } from '../lib/paging'
import { useCan } from '../lib/permissions'
import { useBalancesBySupplier, useLocalBalances, useServerBalances } from '../lib/supplier-balances'
import { type SupplierView, useSuppliers } from '../lib/typed-rows'
import './suppliers.css'

const PAGE_SIZE = 20

const SORTS: Record<string, { label: string; sort_by: string; sort_order: 'asc' | 'desc' }> = {
  'name-asc': { label: 'Name A–Z', sort_by: 'name', sort_order: 'asc' },
  'name-desc': { label: 'Name Z–A', sort_by: 'name', sort_order: 'desc' },
  'code-asc': { label: 'Code A–Z', sort_by: 'code', sort_order: 'asc' },
  'code-desc': { label: 'Code Z–A', sort_by: 'code', sort_order: 'desc' },
}

const ACTIVE_OPTIONS = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive' },
]

export function SuppliersList() {
  const { can } = useCan()
  const [search, setSearch] = useState('')
  const [active, setActive] = useState('all')
  const [sort, setSort] = useState('name-asc')
  const [page, setPage] = useState(1)

  const { sort_by, sort_order } = SORTS[sort] ?? SORTS['name-asc']
  const { data: suppliers, isLoading } = useSuppliers({
    search: search.trim() || undefined,
    is_active: active === 'all' ? undefined : active === 'active',
    sort_by,
    sort_order,
  })
  const rows = suppliers ?? []
  const current = pageOf(rows, page, PAGE_SIZE)

  const local = useLocalBalances()
  const localBalances = useBalancesBySupplier(local)
  const pageIds = useMemo(() => current.rows.map((s) => s.id), [current.rows])
  const serverBalances = useServerBalances(pageIds, !local)

  const balanceOf = (s: SupplierView) => {
    if (local) {
      if (!localBalances) return { text: '…' }
      const t = localBalances.get(s.id)
      if (!t) return { text: balanceAmount('0.00') }
      return { text: balanceAmount(moneyOf(t.balance)), unpriced: t.unpriced, negative: t.balance < 0n }
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
      title="Suppliers"
      actions={
        can('supplier', 'create') ? (
          <Link to="/suppliers/new" className="sp-button primary">
            New supplier
          </Link>
        ) : undefined
      }
    >
      <search className="filters" aria-label="Find suppliers">
        <Field
          label="Search"
          type="search"
          placeholder="Name, code, phone…"
          value={search}
          onChange={(e) => changeFilter(() => setSearch(e.target.value))}
        />
        <SelectField
          label="Status"
          value={active}
          options={ACTIVE_OPTIONS}
          onChange={(e) => changeFilter(() => setActive(e.target.value))}
        />
        <SelectField
          label="Sort by"
          value={sort}
          options={Object.entries(SORTS).map(([value, s]) => ({ value, label: s.label }))}
          onChange={(e) => changeFilter(() => setSort(e.target.value))}
        />
      </search>

      <p className="sp-count" aria-live="polite">
        {isLoading
          ? 'Loading…'
          : `${rows.length} supplier${rows.length === 1 ? '' : 's'}${
              current.pages > 1 ? `, page ${current.page} of ${current.pages}` : ''
            }`}
      </p>

      {!isLoading && rows.length === 0 ? (
        <Empty>{search || active !== 'all' ? 'No supplier matches these filters.' : 'No suppliers yet.'}</Empty>
      ) : null}

      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="sp-table">
            <caption className="sr-only">Suppliers with their balance</caption>
            <thead>
              <tr>
                <th scope="col" className="sp-wide">
                  Code
                </th>
                <th scope="col">Name</th>
                <th scope="col" className="sp-wide">
                  Phone
                </th>
                <th scope="col" className="sp-wide">
                  Status
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
                    <td className="sp-wide">
                      <span className={`badge ${s.is_active ? 'sp-on' : 'sp-off'}`}>
                        {s.is_active ? 'Active' : 'Inactive'}
                      </span>
                    </td>
                    <td className={`num sp-nowrap${b.negative ? ' sp-negative' : ''}`}>
                      {b.text}
                      {b.unpriced ? (
                        <span
                          className="sp-muted"
                          title={`${b.unpriced} collection(s) not priced yet are not included`}
                        >
                          {' '}
                          *<span className="sr-only"> ({b.unpriced} unpriced collections not included)</span>
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
      {!local ? <p className="hint">Balances come from the server and show “—” while offline.</p> : null}
    </Page>
  )
}
