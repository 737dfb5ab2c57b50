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
import { useTranslation } from 'react-i18next'
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
import { runStatusLabel } from './settlements'
import './records.css'
import './settlements.css'

export function Statement() {
  const { t } = useTranslation()
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

  if (isLoading || !data) return <p className="loading">{t('common.loading')}</p>
  const { line, supplier, run } = data
  if (!line) {
    return (
      <Page title={t('statement.notFound')}>
        <Empty>{t('statement.notOnDevice')}</Empty>
        <Link to="/">{t('nav.home')}</Link>
      </Page>
    )
  }
  const name = supplier?.name ?? t('statement.supplierFallback')
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
      title={t('statement.title', { name })}
      actions={
        <>
          <button type="button" className="primary" onClick={() => window.print()}>
            {t('statement.print')}
          </button>
          <button
            type="button"
            disabled={!online}
            title={online ? undefined : t('statement.needsConnection')}
            onClick={() => void downloadCsv()}
          >
            {t('statement.downloadCsv')}
          </button>
        </>
      }
    >
      <div className="no-print">
        <FormError message={error} />
      </div>
      <article className="st-statement" aria-label={t('statement.of', { name })}>
        <header className="st-statement-head">
          <div>
            <strong>{settings.business_name}</strong>
            {settings.receipt_header ? <div className="st-pre">{settings.receipt_header}</div> : null}
          </div>
          <dl className="sp-facts">
            <dt>{t('statement.supplier')}</dt>
            <dd data-testid="statement-supplier">
              {name}
              {supplier?.code ? ` (${supplier.code})` : ''}
            </dd>
            <dt>{t('statement.period')}</dt>
            <dd data-testid="statement-period">
              {t('statement.range', { from: line.period_from, to: line.period_to })}
            </dd>
            {run ? (
              <>
                <dt>{t('statement.run')}</dt>
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
            <dt>{t('statement.status')}</dt>
            <dd>
              {line.status === 'approved' ? (
                runStatusLabel(t, line.status)
              ) : (
                <strong>{t('statement.notFinal', { status: runStatusLabel(t, line.status) })}</strong>
              )}
            </dd>
            <dt>{t('statement.printed')}</dt>
            <dd>{today()}</dd>
          </dl>
        </header>

        <table className="st-table st-summary" aria-label={t('statement.summary')}>
          <tbody>
            <SumRow label={t('statement.opening')} value={line.opening} balance />
            <SumRow label={t('statement.collectionsPriced')} value={line.gross} sign="+" />
            <SumRow label={t('statement.advances')} value={line.advances} sign="−" />
            <SumRow label={t('statement.deductionsTaken')} value={line.deducted} sign="−" />
            <SumRow label={t('statement.netPayable')} value={line.net_payable} strong testId="statement-net" />
            <SumRow label={t('statement.payout')} value={line.payout} strong testId="statement-payout" />
            <SumRow
              label={t('statement.carriedForward')}
              value={line.carried_forward}
              balance
              testId="statement-carried"
            />
          </tbody>
        </table>
        {line.unpriced > 0 ? <p className="st-flag">{t('statement.unpriced', { count: line.unpriced })}</p> : null}

        <h2>{t('statement.collections')}</h2>
        {collections.length === 0 ? (
          <p className="sp-muted">{t('statement.noCollections')}</p>
        ) : (
          <div className="table-wrap">
            <table className="st-table" aria-label={t('statement.collections')}>
              <thead>
                <tr>
                  <th scope="col">{t('statement.date')}</th>
                  <th scope="col">{t('statement.receipt')}</th>
                  <th scope="col" className="num">
                    {t('statement.quantity')}
                  </th>
                  <th scope="col" className="num">
                    {t('statement.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {collections.map((c) => (
                  <tr key={c.id} className={c.late ? 'st-late' : undefined}>
                    <td className="sp-nowrap">
                      {c.date}
                      {c.late ? <span className="badge st-flag-badge">{t('statement.late')}</span> : null}
                    </td>
                    <td>
                      {c.receipt ?? '—'}
                      {c.product ? <span className="sp-muted"> {c.product}</span> : null}
                    </td>
                    <td className="num sp-nowrap">{c.quantity ? `${c.quantity} ${c.unit ?? ''}`.trim() : '—'}</td>
                    <td className="num sp-nowrap">
                      {c.amount === null ? t('statement.pricePending') : money(c.amount)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2>{t('statement.payments')}</h2>
        {detail.payments.length === 0 ? (
          <p className="sp-muted">{t('statement.noAdvances')}</p>
        ) : (
          <div className="table-wrap">
            <table className="st-table" aria-label={t('statement.payments')}>
              <thead>
                <tr>
                  <th scope="col">{t('statement.date')}</th>
                  <th scope="col">{t('statement.type')}</th>
                  <th scope="col" className="num">
                    {t('statement.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {detail.payments.map((p) => (
                  <tr key={p.id} className={p.late ? 'st-late' : undefined}>
                    <td className="sp-nowrap">
                      {p.date}
                      {p.late ? <span className="badge st-flag-badge">{t('statement.late')}</span> : null}
                    </td>
                    <td>{p.payment_type ? paymentTypeLabel(p.payment_type) : t('statement.payment')}</td>
                    <td className="num sp-nowrap">{money(p.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2>{t('statement.deductions')}</h2>
        {detail.deductions.length === 0 ? (
          <p className="sp-muted">{t('statement.noDeductions')}</p>
        ) : (
          <div className="table-wrap">
            <table className="st-table" aria-label={t('statement.deductions')}>
              <thead>
                <tr>
                  <th scope="col">{t('statement.description')}</th>
                  <th scope="col" className="num">
                    {t('statement.charged')}
                  </th>
                  <th scope="col" className="num">
                    {t('statement.taken')}
                  </th>
                  <th scope="col" className="num">
                    {t('statement.carried')}
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
                        <span className="rc-sub-line">
                          {t('statement.broughtForward', { amount: money(d.carried_before) })}
                        </span>
                      ) : null}
                      {d.outstanding_after ? (
                        <span className="rc-sub-line">
                          {t('statement.stillToRepay', { amount: money(d.outstanding_after) })}
                        </span>
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
            {line.payout_note
              ? t('statement.payoutFailedNote', { note: line.payout_note })
              : t('statement.payoutFailed')}
          </p>
        ) : null}
        <p className="st-sign">{`${t('statement.receivedBy')}: ____________________ ${t('statement.signDate')}: __________`}</p>
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
