/**
 * One supplier: details, balance, and a printable statement for a date range
 * (collections, payments and what approved settlement runs deducted, in date
 * order with a running balance), computed on the device from the local replica
 * so it works offline (core's balance rule, as the server's); the supplier's
 * deductions (./deductions.tsx) and a link to their last approved settlement
 * statement (a collector shows it at the gate, offline), and the route it
 * belongs to.
 */

import { moneyOf } from '@trackvault/core'
import { useLiveQuery } from '@trackvault/react'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { Field, FormError, NotFound, Page, Stat, SyncBadge } from '../components/ui'
import { languageName } from '../i18n/languages'
import { balanceAmount, balanceWords, OWED_LABEL } from '../lib/balance-words'
import { balanceTotals, buildStatement, type SettledLine } from '../lib/balances'
import { daysAgo, money, today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { routeLabel } from '../lib/routes'
import { lastApprovedLine } from '../lib/settlements'
import { useLocalBalances, useServerBalances } from '../lib/supplier-balances'
import {
  type CollectionView,
  type PaymentView,
  paymentMethodLabel,
  paymentTypeLabel,
  useProducts,
  useRoute,
  useSupplier,
} from '../lib/typed-rows'
import { DeductionsSection } from './deductions'
import { useDeleteSupplier } from './supplier-form'
import './suppliers.css'

export function SupplierDetail() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const { can, reads, routes } = useCan()
  const { data: supplier, isLoading } = useSupplier(id)
  const { data: route } = useRoute(supplier?.route_id ?? undefined)
  const { data: products } = useProducts({ include_deleted: true })
  const local = useLocalBalances()
  const readsCollections = reads('collection')
  const readsPayments = reads('payment')

  const [from, setFrom] = useState(() => daysAgo(30))
  const [to, setTo] = useState(() => today())
  const [error, setError] = useState<string>()
  const deleteSupplier = useDeleteSupplier(setError)

  const { data: rows } = useLiveQuery(
    async (c) => {
      const [collections, payments, lines, runs] = await Promise.all([
        readsCollections ? c.collections.list({ supplier_id: id }) : Promise.resolve([]),
        readsPayments ? c.payments.list({ supplier_id: id }) : Promise.resolve([]),
        // What approved runs deducted counts where the balance is computed here (these roles read every line and run).
        local ? c.settlementLines.list({ supplier_id: id }) : Promise.resolve([]),
        local ? c.settlementRuns.list() : Promise.resolve([]),
      ])
      return { collections, payments, settled: { lines, runs } }
    },
    [id, readsCollections, readsPayments, local],
    { types: ['collection', 'payment', 'settlement_line', 'settlement_run'] },
  )
  const readsLines = reads('settlement_line')
  const { data: lastStatement } = useLiveQuery(
    async (c) =>
      readsLines ? (lastApprovedLine(await c.settlementLines.list({ supplier_id: id }), id) ?? null) : null,
    [id, readsLines],
    { types: ['settlement_line'] },
  )
  const serverIds = useMemo(() => (id ? [id] : []), [id])
  const server = useServerBalances(serverIds, !local)[id]

  const productName = useMemo(() => new Map((products ?? []).map((p) => [p.id, p.name])), [products])
  const totals = useMemo(
    () => (rows ? balanceTotals(rows.collections, rows.payments, rows.settled) : undefined),
    [rows],
  )
  const rangeBad = Boolean(from && to && from > to)
  const statement = useMemo(
    () =>
      rows && !rangeBad
        ? buildStatement(
            rows.collections,
            rows.payments,
            { from_date: from || undefined, to_date: to || undefined },
            rows.settled,
          )
        : undefined,
    [rows, from, to, rangeBad],
  )

  if (isLoading) return <p className="loading">{t('common.loading')}</p>
  if (!supplier) return <NotFound kind="supplier" />

  const describe = (line: { kind: string; row: unknown; priced: boolean; description?: string }) => {
    if (line.kind === 'deduction') return line.description ?? ''
    if (line.kind === 'collection') {
      const c = line.row as CollectionView
      const product = productName.get(c.product_id) ?? t('supplierDetail.product')
      const terms = { product, quantity: c.quantity, unit: c.unit }
      return line.priced
        ? t('supplierDetail.collectionPriced', { ...terms, rate: money(c.rate_applied) })
        : t('supplierDetail.collectionUnpriced', terms)
    }
    const p = line.row as PaymentView
    const terms = {
      type: paymentTypeLabel(p.payment_type).toLowerCase(),
      method: paymentMethodLabel(p.payment_method).toLowerCase(),
    }
    return p.reference_number
      ? t('supplierDetail.paymentLineRef', { ...terms, ref: p.reference_number })
      : t('supplierDetail.paymentLine', terms)
  }

  const showRunning = local
  /** A Deducted column when an approved settlement run took something in the period. */
  const showDeducted = Boolean(statement?.lines.some((l) => l.kind === 'deduction'))
  /** Columns only shown on wider screens when a phone gets a combined Amount column instead. */
  const wide = readsPayments ? 'sp-wide' : ''
  /** "Owed to supplier" or "In credit" (lib/balance-words.ts), with the amount, once known. */
  const balanceValue = local ? (totals ? moneyOf(totals.balance) : undefined) : server?.balance
  const words = balanceValue === undefined ? undefined : balanceWords(balanceValue)
  const balanceText = words ? words.amount : local ? '…' : '—'

  return (
    <Page
      title={supplier.name}
      actions={
        <>
          {can('supplier', 'update') ? (
            <Link to={`/suppliers/${id}/edit`} className="sp-button">
              {t('records.edit')}
            </Link>
          ) : null}
          {can('supplier', 'delete') ? (
            <button type="button" className="danger" onClick={() => deleteSupplier(supplier)}>
              {t('supplierDetail.delete')}
            </button>
          ) : null}
          <button type="button" onClick={() => window.print()}>
            {t('supplierDetail.print')}
          </button>
        </>
      }
    >
      <div className="sp-print">
        <FormError message={error} />
        <div className="card">
          <dl className="sp-facts">
            <dt>{t('records.code')}</dt>
            <dd>
              {supplier.code}
              <SyncBadge state={supplier._sync} />
            </dd>
            <dt>{t('records.status')}</dt>
            <dd>{supplier.is_active ? t('records.active') : t('records.inactive')}</dd>
            <dt>{t('routes.route')}</dt>
            <dd>
              {!supplier.route_id ? (
                t('routes.noRoute')
              ) : route === undefined ? (
                '…'
              ) : route === null ? (
                '—'
              ) : routes ? (
                <Link to={`/routes/${route.id}`}>{routeLabel(route)}</Link>
              ) : (
                routeLabel(route)
              )}
            </dd>
            <dt>{t('records.phone')}</dt>
            <dd>{supplier.phone || '—'}</dd>
            <dt>{t('supplierMessages.texts')}</dt>
            <dd data-testid="supplier-texts">
              {supplier.sms_opt_out
                ? t('supplierMessages.off')
                : supplier.language
                  ? t('supplierMessages.on', { language: languageName(supplier.language) })
                  : t('supplierMessages.onBusiness')}
            </dd>
            <dt>{t('records.email')}</dt>
            <dd>{supplier.email || '—'}</dd>
            <dt>{t('records.address')}</dt>
            <dd>{supplier.address || '—'}</dd>
          </dl>
        </div>

        <section className="sp-section" aria-labelledby="balance-title">
          <h2 id="balance-title">{t('supplierDetail.balance')}</h2>
          <div className="cards" aria-live="polite">
            {local ? (
              <>
                <Stat label={t('supplierDetail.collected')} value={totals ? money(moneyOf(totals.collections)) : '…'} />
                <Stat label={t('supplierDetail.paid')} value={totals ? money(moneyOf(totals.payments)) : '…'} />
                {totals && totals.deducted !== 0n ? (
                  <Stat
                    label={t('supplierDetail.deducted')}
                    value={money(moneyOf(totals.deducted))}
                    note={t('supplierDetail.deductedNote')}
                  />
                ) : null}
              </>
            ) : server ? (
              <>
                <Stat label={t('supplierDetail.collected')} value={money(server.total_collections)} />
                <Stat label={t('supplierDetail.paid')} value={money(server.total_payments)} />
              </>
            ) : null}
            <Stat
              label={words?.label ?? OWED_LABEL}
              value={balanceText}
              note={
                local && totals?.unpriced
                  ? t('supplierDetail.unpriced', { count: totals.unpriced })
                  : !local && !server
                    ? t('supplierDetail.fromServer')
                    : undefined
              }
            />
          </div>
        </section>

        <nav className="sp-links sp-no-print" aria-label={t('supplierDetail.records')}>
          {readsCollections ? (
            <Link to={`/collections?supplier_id=${id}`}>{t('supplierDetail.collections')}</Link>
          ) : null}
          {readsPayments ? <Link to={`/payments?supplier_id=${id}`}>{t('supplierDetail.payments')}</Link> : null}
          {lastStatement ? (
            <Link to={`/statements/${lastStatement.id}`}>
              {t('supplierDetail.lastStatement', { from: lastStatement.period_from, to: lastStatement.period_to })}
            </Link>
          ) : null}
          {can('collection', 'create') ? (
            <Link to={`/collections/new?supplier_id=${id}`} className="sp-button primary">
              {t('supplierDetail.newCollection')}
            </Link>
          ) : null}
          {can('payment', 'create') ? (
            <Link to={`/payments/new?supplier_id=${id}`} className="sp-button primary">
              {t('supplierDetail.newPayment')}
            </Link>
          ) : null}
        </nav>

        {reads('deduction') ? <DeductionsSection supplierId={id} supplierName={supplier.name} /> : null}

        {readsCollections ? (
          <section className="sp-section" aria-labelledby="statement-title">
            <h2 id="statement-title">{t('supplierDetail.statement')}</h2>
            <p className="sp-print-only">
              {t('supplierDetail.printed', {
                name: supplier.name,
                code: supplier.code,
                from: from || t('supplierDetail.beginning'),
                to: to || t('supplierDetail.today'),
                today: today(),
              })}
            </p>
            <div className="filters">
              <Field
                label={t('supplierDetail.from')}
                type="date"
                value={from}
                max={to || undefined}
                onChange={(e) => setFrom(e.target.value)}
              />
              <Field
                label={t('supplierDetail.to')}
                type="date"
                value={to}
                min={from || undefined}
                error={rangeBad ? t('supplierDetail.toBeforeFrom') : undefined}
                onChange={(e) => setTo(e.target.value)}
              />
            </div>
            {!showRunning ? (
              <p className="hint">{readsPayments ? t('supplierDetail.partial') : t('supplierDetail.ownOnly')}</p>
            ) : null}
            {statement ? (
              <>
                <p className="sp-count" aria-live="polite">
                  {t('supplierDetail.entries', { count: statement.lines.length })}
                </p>
                <div className="table-wrap">
                  <table className="sp-table">
                    <caption className="sr-only">
                      {t('supplierDetail.caption', {
                        name: supplier.name,
                        from: from || t('supplierDetail.theBeginning'),
                        to: to || t('supplierDetail.today'),
                      })}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('supplierDetail.date')}</th>
                        <th scope="col">{t('supplierDetail.entry')}</th>
                        <th scope="col" className={`num ${wide}`}>
                          {t('supplierDetail.collected')}
                        </th>
                        {readsPayments ? (
                          <>
                            <th scope="col" className="num sp-wide">
                              {t('supplierDetail.paid')}
                            </th>
                            {showDeducted ? (
                              <th scope="col" className="num sp-wide">
                                {t('supplierDetail.deducted')}
                              </th>
                            ) : null}
                            <th scope="col" className="num sp-narrow">
                              {t('supplierDetail.amount')}
                            </th>
                          </>
                        ) : null}
                        {showRunning ? (
                          <th scope="col" className="num">
                            {OWED_LABEL}
                          </th>
                        ) : null}
                      </tr>
                    </thead>
                    <tbody>
                      {showRunning && from ? (
                        <tr className="sp-summary">
                          <td className="sp-nowrap">{from}</td>
                          <td>{t('supplierDetail.opening')}</td>
                          <td className={wide} />
                          {readsPayments ? (
                            <>
                              <td className="sp-wide" />
                              {showDeducted ? <td className="sp-wide" /> : null}
                              <td className="sp-narrow" />
                            </>
                          ) : null}
                          <td className="num sp-nowrap">{balanceAmount(moneyOf(statement.opening))}</td>
                        </tr>
                      ) : null}
                      {statement.lines.map((line) => {
                        if (line.kind === 'deduction') {
                          // What an approved run took (negative: an adjustment owed back), linked to that run's statement.
                          const settledLine = line.row as SettledLine
                          const deducted = money(moneyOf(line.deducted))
                          return (
                            <tr key={`deduction-${settledLine.id}-${line.id}`} className="sp-deduction">
                              <td className="sp-nowrap">{line.date}</td>
                              <td>
                                <Link to={`/statements/${settledLine.id}`}>{t('supplierDetail.deduction')}</Link>{' '}
                                <span className="sp-muted">{line.description}</span>
                              </td>
                              <td className={`num sp-nowrap ${wide}`} />
                              <td className="num sp-nowrap sp-wide" />
                              <td className="num sp-nowrap sp-wide">{deducted}</td>
                              <td className="num sp-nowrap sp-narrow">
                                {line.deducted < 0n ? `+${money(moneyOf(-line.deducted))}` : `−${deducted}`}
                              </td>
                              <td className="num sp-nowrap">{balanceAmount(moneyOf(line.running))}</td>
                            </tr>
                          )
                        }
                        const row = line.row as CollectionView | PaymentView
                        const isCollection = line.kind === 'collection'
                        const collected = isCollection ? (line.priced ? money(moneyOf(line.collected)) : '—') : ''
                        const paid = isCollection ? '' : money(moneyOf(line.paid))
                        return (
                          <tr key={`${line.kind}-${line.id}`}>
                            <td className="sp-nowrap">{line.date}</td>
                            <td>
                              <Link to={`/${isCollection ? 'collections' : 'payments'}/${line.id}`}>
                                {isCollection ? t('supplierDetail.collection') : t('supplierDetail.payment')}
                              </Link>{' '}
                              <span className={`sp-muted ${wide}`}>{describe(line)}</span>
                              <SyncBadge state={row._sync} />
                            </td>
                            <td className={`num sp-nowrap ${wide}`}>{collected}</td>
                            {readsPayments ? (
                              <>
                                <td className="num sp-nowrap sp-wide">{paid}</td>
                                {showDeducted ? <td className="num sp-nowrap sp-wide" /> : null}
                                <td className="num sp-nowrap sp-narrow">
                                  {isCollection ? (line.priced ? `+${collected}` : '—') : `−${paid}`}
                                </td>
                              </>
                            ) : null}
                            {showRunning ? (
                              <td className="num sp-nowrap">{balanceAmount(moneyOf(line.running))}</td>
                            ) : null}
                          </tr>
                        )
                      })}
                      {statement.lines.length === 0 ? (
                        <tr>
                          <td colSpan={7}>{t('supplierDetail.noLines')}</td>
                        </tr>
                      ) : null}
                    </tbody>
                    <tfoot>
                      <tr className="sp-summary">
                        <td />
                        <td>{showRunning ? t('supplierDetail.totalsClosing') : t('supplierDetail.totals')}</td>
                        <td className={`num sp-nowrap ${wide}`}>{money(moneyOf(statement.collected))}</td>
                        {readsPayments ? (
                          <>
                            <td className="num sp-nowrap sp-wide">{money(moneyOf(statement.paid))}</td>
                            {showDeducted ? (
                              <td className="num sp-nowrap sp-wide">{money(moneyOf(statement.deducted))}</td>
                            ) : null}
                            <td className="num sp-nowrap sp-narrow">
                              {money(moneyOf(statement.collected - statement.paid - statement.deducted))}
                            </td>
                          </>
                        ) : null}
                        {showRunning ? (
                          <td className="num sp-nowrap">{balanceAmount(moneyOf(statement.closing))}</td>
                        ) : null}
                      </tr>
                    </tfoot>
                  </table>
                </div>
                {statement.unpriced ? (
                  <p className="hint">{t('supplierDetail.unpricedStatement', { count: statement.unpriced })}</p>
                ) : null}
              </>
            ) : rangeBad ? null : (
              <p className="loading">{t('common.loading')}</p>
            )}
          </section>
        ) : null}
      </div>
    </Page>
  )
}
