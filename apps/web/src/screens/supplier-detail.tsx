/**
 * One supplier: details, balance, and a printable statement for a date range
 * (collections, payments and what approved settlement runs deducted, in date
 * order with a running balance), computed on the device from the local replica
 * so it works offline (core's balance rule, as the server's); the supplier's
 * deductions (./deductions.tsx) and a link to their last approved settlement
 * statement (a collector shows it at the gate, offline).
 */

import { moneyOf } from '@trackvault/core'
import { useLiveQuery } from '@trackvault/react'
import { useMemo, useState } from 'react'
import { Link, useParams } from 'react-router'
import { Field, FormError, NotFound, Page, Stat, SyncBadge } from '../components/ui'
import { balanceAmount, balanceWords, OWED_LABEL } from '../lib/balance-words'
import { balanceTotals, buildStatement, type SettledLine } from '../lib/balances'
import { daysAgo, money, today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { lastApprovedLine } from '../lib/settlements'
import { useLocalBalances, useServerBalances } from '../lib/supplier-balances'
import {
  type CollectionView,
  PAYMENT_METHOD_LABELS,
  type PaymentView,
  useProducts,
  useSupplier,
} from '../lib/typed-rows'
import { DeductionsSection } from './deductions'
import { useDeleteSupplier } from './supplier-form'
import './suppliers.css'

export function SupplierDetail() {
  const { id = '' } = useParams()
  const { can, reads } = useCan()
  const { data: supplier, isLoading } = useSupplier(id)
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

  if (isLoading) return <p className="loading">Loading…</p>
  if (!supplier) return <NotFound kind="supplier" />

  const describe = (line: { kind: string; row: unknown; priced: boolean; description?: string }) => {
    if (line.kind === 'deduction') return line.description ?? ''
    if (line.kind === 'collection') {
      const c = line.row as CollectionView
      const product = productName.get(c.product_id) ?? 'Product'
      return `${product}: ${c.quantity} ${c.unit}${line.priced ? ` @ ${money(c.rate_applied)}` : ' (price not known yet)'}`
    }
    const p = line.row as PaymentView
    const ref = p.reference_number ? `, ref ${p.reference_number}` : ''
    return `${p.payment_type} payment (${PAYMENT_METHOD_LABELS[p.payment_method]?.toLowerCase() ?? p.payment_method}${ref})`
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
              Edit
            </Link>
          ) : null}
          {can('supplier', 'delete') ? (
            <button type="button" className="danger" onClick={() => deleteSupplier(supplier)}>
              Delete
            </button>
          ) : null}
          <button type="button" onClick={() => window.print()}>
            Print statement
          </button>
        </>
      }
    >
      <div className="sp-print">
        <FormError message={error} />
        <div className="card">
          <dl className="sp-facts">
            <dt>Code</dt>
            <dd>
              {supplier.code}
              <SyncBadge state={supplier._sync} />
            </dd>
            <dt>Status</dt>
            <dd>{supplier.is_active ? 'Active' : 'Inactive'}</dd>
            <dt>Phone</dt>
            <dd>{supplier.phone || '—'}</dd>
            <dt>Email</dt>
            <dd>{supplier.email || '—'}</dd>
            <dt>Address</dt>
            <dd>{supplier.address || '—'}</dd>
          </dl>
        </div>

        <section className="sp-section" aria-labelledby="balance-title">
          <h2 id="balance-title">Balance</h2>
          <div className="cards" aria-live="polite">
            {local ? (
              <>
                <Stat label="Collected" value={totals ? money(moneyOf(totals.collections)) : '…'} />
                <Stat label="Paid" value={totals ? money(moneyOf(totals.payments)) : '…'} />
                {totals && totals.deducted !== 0n ? (
                  <Stat label="Deducted" value={money(moneyOf(totals.deducted))} note="By approved settlement runs" />
                ) : null}
              </>
            ) : server ? (
              <>
                <Stat label="Collected" value={money(server.total_collections)} />
                <Stat label="Paid" value={money(server.total_payments)} />
              </>
            ) : null}
            <Stat
              label={words?.label ?? OWED_LABEL}
              value={balanceText}
              note={
                local && totals?.unpriced
                  ? `${totals.unpriced} collection(s) without a price yet are not included`
                  : !local && !server
                    ? 'From the server, shown while online'
                    : undefined
              }
            />
          </div>
        </section>

        <nav className="sp-links sp-no-print" aria-label="Supplier records">
          {readsCollections ? <Link to={`/collections?supplier_id=${id}`}>Collections of this supplier</Link> : null}
          {readsPayments ? <Link to={`/payments?supplier_id=${id}`}>Payments to this supplier</Link> : null}
          {lastStatement ? (
            <Link to={`/statements/${lastStatement.id}`}>
              Last statement ({lastStatement.period_from} to {lastStatement.period_to})
            </Link>
          ) : null}
          {can('collection', 'create') ? (
            <Link to={`/collections/new?supplier_id=${id}`} className="sp-button primary">
              New collection
            </Link>
          ) : null}
          {can('payment', 'create') ? (
            <Link to={`/payments/new?supplier_id=${id}`} className="sp-button primary">
              New payment
            </Link>
          ) : null}
        </nav>

        {reads('deduction') ? <DeductionsSection supplierId={id} supplierName={supplier.name} /> : null}

        {readsCollections ? (
          <section className="sp-section" aria-labelledby="statement-title">
            <h2 id="statement-title">Statement</h2>
            <p className="sp-print-only">
              {supplier.name} ({supplier.code}) — {from || 'beginning'} to {to || 'today'}. Printed {today()}.
            </p>
            <div className="filters">
              <Field
                label="From"
                type="date"
                value={from}
                max={to || undefined}
                onChange={(e) => setFrom(e.target.value)}
              />
              <Field
                label="To"
                type="date"
                value={to}
                min={from || undefined}
                error={rangeBad ? 'must not be before From' : undefined}
                onChange={(e) => setTo(e.target.value)}
              />
            </div>
            {!showRunning ? (
              <p className="hint">
                {readsPayments
                  ? 'Only part of this supplier’s records is on this device, so no running balance is shown.'
                  : 'Only your own collections are on this device; payments and the running balance are not shown.'}
              </p>
            ) : null}
            {statement ? (
              <>
                <p className="sp-count" aria-live="polite">
                  {statement.lines.length} entr{statement.lines.length === 1 ? 'y' : 'ies'} in this period
                </p>
                <div className="table-wrap">
                  <table className="sp-table">
                    <caption className="sr-only">
                      Statement of {supplier.name} from {from || 'the beginning'} to {to || 'today'}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Date</th>
                        <th scope="col">Entry</th>
                        <th scope="col" className={`num ${wide}`}>
                          Collected
                        </th>
                        {readsPayments ? (
                          <>
                            <th scope="col" className="num sp-wide">
                              Paid
                            </th>
                            {showDeducted ? (
                              <th scope="col" className="num sp-wide">
                                Deducted
                              </th>
                            ) : null}
                            <th scope="col" className="num sp-narrow">
                              Amount
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
                          <td>Opening balance</td>
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
                                <Link to={`/statements/${settledLine.id}`}>Deduction</Link>{' '}
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
                                {isCollection ? 'Collection' : 'Payment'}
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
                          <td colSpan={7}>No collections or payments in this period.</td>
                        </tr>
                      ) : null}
                    </tbody>
                    <tfoot>
                      <tr className="sp-summary">
                        <td />
                        <td>{showRunning ? 'Totals and closing balance' : 'Totals'}</td>
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
                  <p className="hint">
                    {statement.unpriced} collection(s) have their price pending (no rate for their date yet); they are
                    not in these totals.
                  </p>
                ) : null}
              </>
            ) : rangeBad ? null : (
              <p className="loading">Loading…</p>
            )}
          </section>
        ) : null}
      </div>
    </Page>
  )
}
