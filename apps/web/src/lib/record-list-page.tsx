/**
 * The frame of the collection and payment lists: the title and "New …" (for
 * roles that may create), the date range and supplier filters (kept in the
 * URL, ./list-page.ts) plus the screen's own, and the table a page at a
 * time with a totals row, or "Loading…", or an empty state. Each row opens
 * its receipt from its date and names its supplier with its sync state; on
 * phones the wide-only columns are folded into the supplier cell. Texts: `recordList` and the
 * kind's own (`collections`, `payments`) in i18n/areas/money.ts.
 */
import type { OpStatus } from '@trackvault/client'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Empty, Field, Page, Pager, SelectField, SyncBadge } from '../components/ui'
import { supplierOptions } from './lookup'
import { pageOf } from './paging'
import { useCan } from './permissions'
import type { RecordKind } from './record-widgets'
import type { SupplierView } from './typed-rows'

const PAGE_SIZE = 20

/** A column of a record list, after its date and supplier. */
export interface RecordColumn<Row> {
  header: string
  /** Figures: aligned right. */
  num?: boolean
  /** Cells that do not wrap. */
  nowrap?: boolean
  /** Left out on phones (show it in the row's `subLine` instead). */
  wideOnly?: boolean
  cell: (row: Row) => ReactNode
  /** Its cell in the totals row. */
  total?: ReactNode
  /** The data-testid of that cell. */
  totalTestId?: string
}

/** What every listed record has. */
interface ListRow {
  id: string
  supplier_id: string
  _sync?: OpStatus
}

const classes = (...names: Array<string | false | undefined>) => names.filter(Boolean).join(' ') || undefined

export function RecordListPage<Row extends ListRow>({
  kind,
  filters,
  moreFilters,
  suppliers,
  supplierName,
  rows,
  loading,
  dateOf,
  subLine,
  columns,
  totalNote,
  notes,
}: {
  kind: RecordKind
  /** The list's filters (useRecordFilters). */
  filters: {
    values: { from: string; to: string; supplier_id: string }
    page: number
    set: (patch: { from?: string; to?: string; supplier_id?: string; page?: string }) => void
  }
  /** Filters of this list beyond date range and supplier. */
  moreFilters?: ReactNode
  suppliers: readonly SupplierView[]
  supplierName: (id: string) => string
  /** Every matching row (paged here). */
  rows: readonly Row[]
  loading: boolean
  /** The row's date: the link to its receipt. */
  dateOf: (row: Row) => string
  /** What phones show under the supplier in place of the wide-only columns. */
  subLine: (row: Row) => ReactNode
  columns: Array<RecordColumn<Row>>
  /** What phones show under "Total (n)". */
  totalNote?: ReactNode
  /** Shown under the table. */
  notes?: ReactNode
}) {
  const { t } = useTranslation()
  const { can } = useCan()
  const { values, page, set } = filters
  const shown = pageOf(rows, page, PAGE_SIZE)
  const newLink = values.supplier_id ? `/${kind}s/new?supplier_id=${values.supplier_id}` : `/${kind}s/new`

  return (
    <Page
      title={t(`${kind}s.title`)}
      actions={
        can(kind, 'create') ? (
          <Link className="rc-btn-link primary" to={newLink}>
            {t(`${kind}s.new`)}
          </Link>
        ) : null
      }
    >
      <RecordFilters kind={kind} values={values} set={set} suppliers={suppliers}>
        {moreFilters}
      </RecordFilters>

      <RecordTable
        kind={kind}
        loading={loading}
        count={rows.length}
        page={shown.page}
        pages={shown.pages}
        onPage={(p) => set({ page: String(p) })}
        notes={notes}
      >
        <thead>
          <tr>
            <th scope="col">{t('recordList.date')}</th>
            <th scope="col">{t('recordList.supplier')}</th>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={classes(c.num && 'num', c.wideOnly && 'rc-wide-only')}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.rows.map((row) => (
            <tr key={row.id}>
              <td className="rc-nowrap">
                <Link to={`/${kind}s/${row.id}`}>
                  <span className="sr-only">{t('recordList.receiptOf')}</span>
                  {dateOf(row)}
                </Link>
              </td>
              <td>
                {supplierName(row.supplier_id)}
                <SyncBadge state={row._sync} />
                <span className="rc-sub-line rc-narrow-only">{subLine(row)}</span>
              </td>
              {columns.map((c) => (
                <td key={c.header} className={cellClasses(c)}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              {t('recordList.total', { count: rows.length })}
              {totalNote !== undefined ? <span className="rc-sub-line rc-narrow-only">{totalNote}</span> : null}
            </th>
            {columns.map((c) => (
              <td key={c.header} className={cellClasses(c)} data-testid={c.totalTestId}>
                {c.total}
              </td>
            ))}
          </tr>
        </tfoot>
      </RecordTable>
    </Page>
  )
}

function cellClasses(c: RecordColumn<never>) {
  return classes(c.num && 'num', c.nowrap && 'rc-nowrap', c.wideOnly && 'rc-wide-only')
}

/** The date range and supplier filters of a record list (`children` adds more), and a notice for a reversed range. */
function RecordFilters({
  kind,
  values,
  set,
  suppliers,
  children,
}: {
  kind: RecordKind
  values: { from: string; to: string; supplier_id: string }
  set: (patch: { from?: string; to?: string; supplier_id?: string }) => void
  suppliers: readonly SupplierView[]
  children?: ReactNode
}) {
  const { t } = useTranslation()
  const badRange = values.from && values.to && values.from > values.to
  return (
    <>
      <search className="filters rc-filters" aria-label={t(`${kind}s.filter`)}>
        <Field
          label={t('recordList.from')}
          type="date"
          value={values.from}
          onChange={(e) => set({ from: e.target.value })}
        />
        <Field label={t('recordList.to')} type="date" value={values.to} onChange={(e) => set({ to: e.target.value })} />
        <SelectField
          label={t('recordList.supplier')}
          value={values.supplier_id}
          onChange={(e) => set({ supplier_id: e.target.value })}
          options={supplierOptions(suppliers, values.supplier_id || undefined)}
          placeholder={t('recordList.allSuppliers')}
        />
        {children}
      </search>
      {badRange ? <p className="rc-notice">{t('recordList.badRange')}</p> : null}
    </>
  )
}

/**
 * The body of a record list: "Loading…", an empty state, or the count, the
 * table (`children`: its thead, tbody and tfoot), `notes` and the pager.
 */
function RecordTable({
  kind,
  loading,
  count,
  page,
  pages,
  onPage,
  notes,
  children,
}: {
  kind: RecordKind
  loading: boolean
  count: number
  page: number
  pages: number
  onPage: (page: number) => void
  notes?: ReactNode
  children: ReactNode
}) {
  const { t } = useTranslation()
  if (loading) return <p>{t('common.loading')}</p>
  if (count === 0) return <Empty>{t(`${kind}s.none`)}</Empty>
  return (
    <div className="rc-list">
      <p className="rc-list-summary" aria-live="polite">
        {t(`${kind}s.count`, { count })}
      </p>
      <div className="table-wrap rc-table-wrap">
        <table className="rc-table">
          <caption className="sr-only">{t(`${kind}s.title`)}</caption>
          {children}
        </table>
      </div>
      {notes}
      <Pager page={page} pages={pages} onPage={onPage} />
    </div>
  )
}
