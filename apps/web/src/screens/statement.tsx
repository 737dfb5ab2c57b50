/**
 * A supplier's statement for one settlement run (one line): opening balance, every collection
 * (date, receipt, quantity, amount, late ones marked), every payment, every deduction (charged,
 * taken, carried), net payable, payout and the balance carried forward. Read from the local
 * replica, so it opens offline (a collector shows it at the gate); Print gives a clean one-page
 * statement (settlements.css hides the navigation and the buttons), "Download CSV" the server's
 * statement.csv (online).
 */
import type { LineItem } from '@trackvault/core'
import { useLiveQuery, useSyncClient, useSyncStatus } from '@trackvault/react'
import { useMemo, useState } from 'react'
import { Link, useParams } from 'react-router'
import { Empty, FormError, Page } from '../components/ui'
import { balanceAmount } from '../lib/balance-words'
import { kindLabel } from '../lib/deductions'
import { saveDownload } from '../lib/download'
import { money, today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { useBusinessSettings } from '../lib/settings'
import { settlementErrorMessage } from '../lib/settlements'
import { paymentTypeLabel } from '../lib/typed-rows'
import { RUN_STATUS_LABELS } from './settlements'
import './records.css'
import './settlements.css'

export function Statement() {
  const { lineId = '' } = useParams()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const settings = useBusinessSettings()
  const { reads } = useCan()
  const readsRuns = reads('settlement_run')
  const [error, setError] = useState<string>()

  const { data, isLoading } = useLiveQuery(
    async (c) => {
      const line = await c.settlementLines.get(lineId)
      if (!line) return { line: null }
      const [supplier, run, collections] = await Promise.all([
        c.suppliers.get(line.supplier_id),
        readsRuns ? c.settlementRuns.get(line.run_id) : Promise.resolve(undefined),
        // What a line's detail may not carry (quantity, receipt): the collections on this device.
        Promise.all(line.detail.collections.map((i) => c.collections.get(i.id))),
      ])
      const products = await c.products.list({ include_deleted: true })
      return { line, supplier, run, collections, products }
    },
    [lineId, readsRuns],
    { types: ['settlement_line', 'settlement_run', 'supplier', 'collection', 'product'] },
  )

  const collections = useMemo(() => {
    if (!data?.line) return []
    const productName = new Map((data.products ?? []).map((p) => [p.id, p.name]))
    return data.line.detail.collections.map((item: LineItem, i: number) => {
      const row = data.collections?.[i]
      const productId = item.product_id ?? row?.product_id
      return {
        ...item,
        quantity: item.quantity ?? row?.net_quantity,
        unit: item.unit ?? row?.unit,
        receipt: item.receipt_number ?? row?.receipt_number ?? null,
        product: productId ? productName.get(productId) : undefined,
      }
    })
  }, [data])

  if (isLoading || !data) return <p className="loading">Loading…</p>
  const { line, supplier, run } = data
  if (!line) {
    return (
      <Page title="Statement not found">
        <Empty>This statement is not on this device (it may not have synced yet).</Empty>
        <Link to="/">Home</Link>
      </Page>
    )
  }
  const name = supplier?.name ?? 'Supplier'
  const { detail } = line
  const downloadCsv = async () => {
    setError(undefined)
    try {
      await saveDownload(
        client,
        `/api/settlement-lines/${line.id}/statement.csv`,
        `statement-${supplier?.code ?? line.supplier_id}-${line.period_to}.csv`,
      )
    } catch (err) {
      setError(settlementErrorMessage(err as { code?: string; message?: string; offline?: boolean }))
    }
  }

  return (
    <Page
      title={`Statement: ${name}`}
      actions={
        <>
          <button type="button" className="primary" onClick={() => window.print()}>
            Print
          </button>
          <button
            type="button"
            disabled={!online}
            title={online ? undefined : 'Needs a connection'}
            onClick={() => void downloadCsv()}
          >
            Download CSV
          </button>
        </>
      }
    >
      <div className="no-print">
        <FormError message={error} />
      </div>
      <article className="st-statement" aria-label={`Statement of ${name}`}>
        <header className="st-statement-head">
          <div>
            <strong>{settings.business_name}</strong>
            {settings.receipt_header ? <div className="st-pre">{settings.receipt_header}</div> : null}
          </div>
          <dl className="sp-facts">
            <dt>Supplier</dt>
            <dd data-testid="statement-supplier">
              {name}
              {supplier?.code ? ` (${supplier.code})` : ''}
            </dd>
            <dt>Period</dt>
            <dd data-testid="statement-period">
              {line.period_from} to {line.period_to}
            </dd>
            {run ? (
              <>
                <dt>Run</dt>
                <dd>
                  {readsRuns ? (
                    <Link className="st-screen-link" to={`/settlements/${run.id}`}>
                      {run.reference}
                    </Link>
                  ) : (
                    run.reference
                  )}
                </dd>
              </>
            ) : null}
            <dt>Status</dt>
            <dd>
              {line.status === 'approved' ? 'Approved' : <strong>{RUN_STATUS_LABELS[line.status]}: not final</strong>}
            </dd>
            <dt>Printed</dt>
            <dd>{today()}</dd>
          </dl>
        </header>

        <table className="st-table st-summary" aria-label="Summary">
          <tbody>
            <SumRow label="Opening balance" value={line.opening} balance />
            <SumRow label="Collections (priced)" value={line.gross} sign="+" />
            <SumRow label="Advances paid" value={line.advances} sign="−" />
            <SumRow label="Deductions taken" value={line.deducted} sign="−" />
            <SumRow label="Net payable" value={line.net_payable} strong testId="statement-net" />
            <SumRow label="Payout" value={line.payout} strong testId="statement-payout" />
            <SumRow label="Carried forward" value={line.carried_forward} balance testId="statement-carried" />
          </tbody>
        </table>
        {line.unpriced > 0 ? (
          <p className="st-flag">{line.unpriced} collection(s) have no price yet and are not in this total.</p>
        ) : null}

        <h2>Collections</h2>
        {collections.length === 0 ? (
          <p className="sp-muted">No collections in this period.</p>
        ) : (
          <div className="table-wrap">
            <table className="st-table" aria-label="Collections">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Receipt</th>
                  <th scope="col" className="num">
                    Quantity
                  </th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {collections.map((c) => (
                  <tr key={c.id} className={c.late ? 'st-late' : undefined}>
                    <td className="sp-nowrap">
                      {c.date}
                      {c.late ? <span className="badge st-flag-badge">Late</span> : null}
                    </td>
                    <td>
                      {c.receipt ?? '—'}
                      {c.product ? <span className="sp-muted"> {c.product}</span> : null}
                    </td>
                    <td className="num sp-nowrap">{c.quantity ? `${c.quantity} ${c.unit ?? ''}`.trim() : '—'}</td>
                    <td className="num sp-nowrap">{c.amount === null ? 'Price pending' : money(c.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2>Payments</h2>
        {detail.payments.length === 0 ? (
          <p className="sp-muted">No advances in this period.</p>
        ) : (
          <div className="table-wrap">
            <table className="st-table" aria-label="Payments">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {detail.payments.map((p) => (
                  <tr key={p.id} className={p.late ? 'st-late' : undefined}>
                    <td className="sp-nowrap">
                      {p.date}
                      {p.late ? <span className="badge st-flag-badge">Late</span> : null}
                    </td>
                    <td>{p.payment_type ? paymentTypeLabel(p.payment_type) : 'Payment'}</td>
                    <td className="num sp-nowrap">{money(p.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2>Deductions</h2>
        {detail.deductions.length === 0 ? (
          <p className="sp-muted">No deductions this period.</p>
        ) : (
          <div className="table-wrap">
            <table className="st-table" aria-label="Deductions">
              <thead>
                <tr>
                  <th scope="col">Description</th>
                  <th scope="col" className="num">
                    Charged
                  </th>
                  <th scope="col" className="num">
                    Taken
                  </th>
                  <th scope="col" className="num">
                    Carried
                  </th>
                </tr>
              </thead>
              <tbody>
                {detail.deductions.map((d) => (
                  <tr key={d.deduction_id}>
                    <td>
                      {d.description}
                      <span className="sp-muted"> {kindLabel(d.kind)}</span>
                      {d.carried_before !== '0.00' ? (
                        <span className="rc-sub-line">+ {money(d.carried_before)} brought forward</span>
                      ) : null}
                      {d.outstanding_after ? (
                        <span className="rc-sub-line">{money(d.outstanding_after)} still to repay</span>
                      ) : null}
                    </td>
                    <td className="num sp-nowrap">{money(d.charged)}</td>
                    <td className="num sp-nowrap">{money(d.applied)}</td>
                    <td className="num sp-nowrap">{money(d.carried)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {line.payout_status === 'failed' ? (
          <p className="st-flag">
            The payout failed{line.payout_note ? `: ${line.payout_note}` : ''}. It is owed again.
          </p>
        ) : null}
        <p className="st-sign">Received by: ____________________ Date: __________</p>
      </article>
    </Page>
  )
}

function SumRow({
  label,
  value,
  sign,
  strong,
  testId,
  balance,
}: {
  label: string
  value: string
  sign?: string
  strong?: boolean
  testId?: string
  /** A balance: "In credit: 300.00" when negative (lib/balance-words.ts), never a minus sign. */
  balance?: boolean
}) {
  return (
    <tr className={strong ? 'st-strong' : undefined}>
      <th scope="row">{label}</th>
      <td className="num sp-nowrap" data-testid={testId}>
        {sign ? `${sign} ` : ''}
        {balance ? balanceAmount(value) : money(value)}
      </td>
    </tr>
  )
}
