/**
 * Reports (admin, manager, finance): balances of every supplier over a date
 * range: owed at the start (everything before it), collected, paid and deducted
 * in it, owed at the end (as the server's report; "In credit" when paid ahead),
 * collection, payment and deduction totals, collections over time, the weights
 * typed by hand per collector (the anti-tamper view, lib/typed-weights.ts, each
 * linked to the collections list filtered to them), print and CSV export. Everything is computed on this device from the local replica,
 * exactly (BigInt minor units), so it works offline too.
 */
import { useLiveList, useSyncClient } from '@trackvault/react'
import type { TFunction } from 'i18next'
import { useCallback, useId, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Empty, Field, FormError, Page, Stat } from '../components/ui'
import { balanceAmount, balanceWords } from '../lib/balance-words'
import { downloadCsv, toCsv } from '../lib/csv'
import { money, monthShort, today } from '../lib/format'
import { type BalancesReport, balancesCsvRows, buildBalancesReport, type ChartPoint, monthOf } from '../lib/report-data'
import { type TypedWeights, typedWeightsByCollector } from '../lib/typed-weights'
import { useUserNames } from '../lib/user-names'
import './reports.css'

function rangeText(t: TFunction, from: string, to: string): string {
  if (from && to) return t('reports.range', { from, to })
  if (from) return t('reports.rangeFrom', { from })
  if (to) return t('reports.rangeUntil', { to })
  return t('reports.rangeAll')
}

export function Reports() {
  const { t } = useTranslation()
  const client = useSyncClient()
  const thisMonth = monthOf(today())
  const [from, setFrom] = useState(thisMonth.from)
  const [to, setTo] = useState(thisMonth.to)
  const [activeOnly, setActiveOnly] = useState(false)

  const reversed = Boolean(from && to && from > to)
  const range = reversed ? { from: to, to: from } : { from, to }
  const suppliers = useLiveList(client.suppliers)
  // Everything up to the end of the range: the rows before its start make the opening balances.
  const collections = useLiveList(client.collections, { to_date: range.to || undefined })
  const payments = useLiveList(client.payments, { to_date: range.to || undefined })
  const lines = useLiveList(client.settlementLines)
  const loading = suppliers.isLoading || collections.isLoading || payments.isLoading || lines.isLoading

  const rangeFrom = range.from
  const rangeTo = range.to
  const report = useMemo(
    () =>
      buildBalancesReport(
        suppliers.data ?? [],
        collections.data ?? [],
        payments.data ?? [],
        { from: rangeFrom, to: rangeTo },
        lines.data ?? [],
      ),
    [suppliers.data, collections.data, payments.data, lines.data, rangeFrom, rangeTo],
  )
  const typed = useMemo(
    () => typedWeightsByCollector(collections.data ?? [], { from: rangeFrom, to: rangeTo }),
    [collections.data, rangeFrom, rangeTo],
  )
  const shown = activeOnly
    ? report.rows.filter(
        (r) => r.opening !== '0.00' || r.collections !== '0.00' || r.payments !== '0.00' || r.deductions !== '0.00',
      )
    : report.rows
  /** A Deductions column once an approved settlement run deducted something in the period. */
  const showDeductions = report.rows.some((r) => r.deductions !== '0.00')
  const period = rangeText(t, range.from, range.to)
  const opening = balanceWords(report.totals.opening)
  const closing = balanceWords(report.totals.closing)

  const exportCsv = () => {
    const rows = balancesCsvRows({ ...report, rows: shown })
    const name = `trackvault-balances-${range.from || 'start'}-to-${range.to || 'now'}.csv`
    downloadCsv(name, toCsv(rows))
  }

  return (
    <Page
      title={t('reports.title')}
      actions={
        <>
          <button type="button" onClick={() => window.print()}>
            {t('reports.print')}
          </button>
          <button type="button" onClick={exportCsv} disabled={loading}>
            {t('reports.exportCsv')}
          </button>
        </>
      }
    >
      <form className="filters" aria-label={t('reports.periodForm')} onSubmit={(e) => e.preventDefault()}>
        <Field
          label={t('reports.from')}
          type="date"
          value={from}
          max={to || undefined}
          onChange={(e) => setFrom(e.target.value)}
        />
        <Field
          label={t('reports.to')}
          type="date"
          value={to}
          min={from || undefined}
          onChange={(e) => setTo(e.target.value)}
        />
        <button
          type="button"
          onClick={() => {
            setFrom(thisMonth.from)
            setTo(thisMonth.to)
          }}
        >
          {t('reports.thisMonth')}
        </button>
        <button
          type="button"
          onClick={() => {
            setFrom('')
            setTo('')
          }}
        >
          {t('reports.allDates')}
        </button>
      </form>
      {reversed ? <FormError message={t('reports.reversed')} /> : null}

      <p className="report-period">
        {t('reports.period')} <strong>{period}</strong>
      </p>

      {loading ? (
        <p aria-live="polite">{t('common.loading')}</p>
      ) : (
        <>
          <section className="cards" aria-label={t('reports.totals')}>
            <Stat
              label={t('reports.collections')}
              value={money(report.totals.collections)}
              note={t('reports.collectionCount', { count: report.collection_count })}
            />
            <Stat
              label={t('reports.payments')}
              value={money(report.totals.payments)}
              note={t('reports.paymentCount', { count: report.payment_count })}
            />
            {showDeductions ? (
              <Stat
                label={t('reports.deductions')}
                value={money(report.totals.deductions)}
                note={t('reports.deductionsNote')}
              />
            ) : null}
            <Stat
              label={t(opening.credit ? 'reports.creditAtStart' : 'reports.owedAtStart')}
              value={opening.amount}
              note={range.from ? t('reports.before', { date: range.from }) : t('reports.nothingBefore')}
            />
            <Stat
              label={t(closing.credit ? 'reports.creditAtEnd' : 'reports.owedAtEnd')}
              value={closing.amount}
              note={t(showDeductions ? 'reports.closingRuleDeductions' : 'reports.closingRule')}
            />
          </section>
          <ReportNotes report={report} />

          <section className="card report-section" aria-labelledby="chart-title">
            <h2 id="chart-title">{t('reports.chartTitle')}</h2>
            <CollectionsChart points={report.chart.points} bucket={report.chart.bucket} period={period} />
          </section>

          <section className="report-section" aria-labelledby="balances-title">
            <div className="report-section-head">
              <h2 id="balances-title">{t('reports.balancesTitle')}</h2>
              <label className="report-check no-print">
                <input type="checkbox" checked={activeOnly} onChange={(e) => setActiveOnly(e.target.checked)} />{' '}
                {t('reports.onlyActive')}
              </label>
            </div>
            {shown.length === 0 ? (
              <Empty>{report.rows.length === 0 ? t('reports.noSuppliers') : t('reports.noActivity')}</Empty>
            ) : (
              <div className="table-wrap">
                <table className="report-table">
                  <caption className="sr-only">{t('reports.balancesCaption', { period })}</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="col-code">
                        {t('reports.code')}
                      </th>
                      <th scope="col">{t('reports.supplier')}</th>
                      <th scope="col" className="num">
                        {t('reports.opening')}
                      </th>
                      <th scope="col" className="num">
                        {t('reports.collections')}
                      </th>
                      <th scope="col" className="num">
                        {t('reports.payments')}
                      </th>
                      {showDeductions ? (
                        <th scope="col" className="num">
                          {t('reports.deductions')}
                        </th>
                      ) : null}
                      <th scope="col" className="num">
                        {t('reports.closing')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((r) => (
                      <tr key={r.supplier_id}>
                        <td className="col-code">{r.code}</td>
                        <th scope="row" className="row-head">
                          <Link to={`/suppliers/${r.supplier_id}`}>{r.name}</Link>
                          <span className="code-inline">{r.code}</span>
                        </th>
                        <td className="num">{balanceAmount(r.opening)}</td>
                        <td className="num">{money(r.collections)}</td>
                        <td className="num">{money(r.payments)}</td>
                        {showDeductions ? <td className="num">{money(r.deductions)}</td> : null}
                        <td className={`num${r.closing_minor < 0n ? ' negative' : ''}`}>{balanceAmount(r.closing)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <td className="col-code" />
                      <th scope="row" className="row-head">
                        {t('reports.total')}
                      </th>
                      <td className="num">{balanceAmount(report.totals.opening)}</td>
                      <td className="num">{money(report.totals.collections)}</td>
                      <td className="num">{money(report.totals.payments)}</td>
                      {showDeductions ? <td className="num">{money(report.totals.deductions)}</td> : null}
                      <td className="num">{balanceAmount(report.totals.closing)}</td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            )}
          </section>

          <TypedWeightsSection typed={typed} range={range} period={period} />
        </>
      )}
    </Page>
  )
}

/** The collections list's address for `range`, with more filters (an empty end is kept: no default). */
function collectionsLink(range: { from: string; to: string }, more: Record<string, string>): string {
  return `/collections?${new URLSearchParams({ from: range.from, to: range.to, ...more })}`
}

/** Weights typed by hand per collector in the range: the count, of how many, the share and a link to them. */
function TypedWeightsSection({
  typed,
  range,
  period,
}: {
  typed: TypedWeights
  range: { from: string; to: string }
  period: string
}) {
  const { t } = useTranslation()
  const userName = useUserNames()
  return (
    <section className="report-section" aria-labelledby="typed-title">
      <h2 id="typed-title">{t('typedWeights.title')}</h2>
      <p className="hint">{t('typedWeights.intro')}</p>
      {typed.total === 0 ? (
        <Empty>{t('typedWeights.noCollections')}</Empty>
      ) : typed.typed === 0 ? (
        <Empty>{t('typedWeights.none')}</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="report-table" data-testid="typed-weights">
              <caption className="sr-only">{t('typedWeights.caption', { period })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('typedWeights.collector')}</th>
                  <th scope="col" className="num">
                    {t('typedWeights.typed')}
                  </th>
                  <th scope="col" className="num">
                    {t('typedWeights.collections')}
                  </th>
                  <th scope="col" className="num">
                    {t('typedWeights.share')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {typed.rows.map((r) => (
                  <tr key={r.user_id}>
                    <th scope="row" className="row-head">
                      {r.typed > 0 ? (
                        <Link
                          to={collectionsLink(range, { weight_source: 'typed', user_id: r.user_id })}
                          aria-label={t('typedWeights.showOf', { name: userName(r.user_id) })}
                        >
                          {userName(r.user_id)}
                        </Link>
                      ) : (
                        userName(r.user_id)
                      )}
                    </th>
                    <td className="num">{r.typed}</td>
                    <td className="num">{r.total}</td>
                    <td className="num">{`${r.percent}%`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="no-print">
            <Link to={collectionsLink(range, { weight_source: 'typed' })}>{t('typedWeights.showAll')}</Link>
          </p>
        </>
      )}
    </section>
  )
}

function ReportNotes({ report }: { report: BalancesReport }) {
  const { t } = useTranslation()
  if (!report.unsynced && !report.unpriced) return null
  return (
    <ul className="report-notes">
      {report.unsynced ? <li>{t('reports.unsynced', { count: report.unsynced })}</li> : null}
      {report.unpriced ? <li>{t('reports.unpriced', { count: report.unpriced })}</li> : null}
    </ul>
  )
}

const H = 240
/** Room above the plot, right of it at the least, and below it (the date labels). */
const PAD = { top: 12, right: 8, bottom: 36 }
/** Room between an amount on the axis and the plot, and between two date labels. */
const GAP = 8
/** The text's width before it is measured: 12 px text, at most about 7.5 px a character. */
const guessWidth = (texts: string[]) => Math.max(0, ...texts.map((text) => text.length * 7.5))

/** The widest of the chart's texts that match `selector`, in the chart's units (rendered, hidden ones too). */
function widest(svg: SVGSVGElement, selector: string): number {
  let width = 0
  for (const text of svg.querySelectorAll<SVGTextElement>(selector))
    width = Math.max(width, text.getComputedTextLength())
  return Math.ceil(width)
}

/** The width of an element, kept current (so the chart's text stays readable on a phone). */
function useWidth(fallback: number): [(el: HTMLElement | null) => void, number] {
  const [width, setWidth] = useState(fallback)
  const ref = useCallback((el: HTMLElement | null) => {
    if (!el || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry.contentRect.width)
      if (w > 0) setWidth(w)
    })
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  return [ref, width]
}

/** A bar's label under the axis: "12-31" for a day, the month as the chosen language writes it for a month. */
function bucketLabel(key: string, bucket: 'day' | 'month'): string {
  return bucket === 'month' ? monthShort(key) : key.slice(5)
}

/**
 * A hand-made bar chart: accessible name and description, a title per bar, and the same data as a table.
 * Every text fits inside the chart, in any language and at any width: the margins are as wide as the
 * widest amount on the axis and half the widest date label (measured once drawn), and date labels are
 * spaced by their width (the last one always shown, the regular one before it left out when too close).
 */
function CollectionsChart({
  points,
  bucket,
  period,
}: {
  points: ChartPoint[]
  bucket: 'day' | 'month'
  period: string
}) {
  const { t } = useTranslation()
  const id = useId()
  const [measure, measured] = useWidth(640)
  const svgRef = useRef<SVGSVGElement>(null)
  let max = 0n
  for (const p of points) if (p.total_minor > max) max = p.total_minor
  const ticks = [max, max / 2n, 0n]
  const tickTexts = ticks.map((tick) => money(formatTick(tick)))
  const labels = points.map((p) => bucketLabel(p.key, bucket))
  const [textWidth, setTextWidth] = useState<{ tick: number; label: number }>()
  // After each drawing: the texts' own widths (a language or a locale's digits change them); drawn again if they moved.
  useLayoutEffect(() => {
    const svg = svgRef.current
    if (!svg) return
    const next = { tick: widest(svg, '.tick text'), label: widest(svg, '.x-label') }
    if (next.tick !== textWidth?.tick || next.label !== textWidth?.label) setTextWidth(next)
  })

  if (points.length === 0 || max === 0n) {
    return (
      <div ref={measure}>
        <Empty>{t('reports.noCollections')}</Empty>
      </div>
    )
  }

  const tickW = textWidth?.tick ?? guessWidth(tickTexts)
  const labelW = textWidth?.label ?? guessWidth(labels)
  const W = Math.max(280, Math.min(measured, 1000))
  // The amounts end 6 px left of the plot and start 4 px in from the edge; the first and last date labels are
  // centred under their bars, so half a label of room on each side.
  const left = Math.ceil(Math.max(tickW + 6 + 4, labelW / 2 + 2))
  const right = Math.ceil(Math.max(PAD.right, labelW / 2 + 2))
  const plotW = W - left - right
  const plotH = H - PAD.top - PAD.bottom
  const step = plotW / points.length
  const barW = Math.max(1, step * 0.8)
  // Scaling for drawing only: the ratio of two exact totals, in thousandths.
  const heightOf = (minor: bigint) => (Number((minor * 1000n) / max) / 1000) * plotH
  const labelEvery = Math.ceil(points.length / Math.max(1, Math.floor(plotW / (labelW + GAP))))
  const last = points.length - 1
  const shown = (i: number) => i === last || (i % labelEvery === 0 && last - i >= labelEvery)
  const best = points.reduce((a, b) => (b.total_minor > a.total_minor ? b : a))
  const totalsTitle = t(bucket === 'day' ? 'reports.dailyTotals' : 'reports.monthlyTotals', { period })

  return (
    <div ref={measure}>
      <svg
        ref={svgRef}
        className="bar-chart"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-t`}>{totalsTitle}</title>
        <desc id={`${id}-d`}>
          {t(bucket === 'day' ? 'reports.chartDays' : 'reports.chartMonths', {
            count: points.length,
            amount: money(best.total),
            date: best.key,
          })}
        </desc>
        {ticks.map((tick, i) => {
          const y = PAD.top + plotH - heightOf(tick)
          return (
            <g key={String(tick)} className="tick">
              <line x1={left} x2={W - right} y1={y} y2={y} />
              <text x={left - 6} y={y} dy="0.32em" textAnchor="end">
                {tickTexts[i]}
              </text>
            </g>
          )
        })}
        {points.map((p, i) => {
          const h = heightOf(p.total_minor)
          const x = left + i * step + (step - barW) / 2
          return (
            <g key={p.key}>
              <rect className="bar" x={x} y={PAD.top + plotH - h} width={barW} height={h}>
                <title>{t('reports.bar', { key: p.key, amount: money(p.total), count: p.count })}</title>
              </rect>
              {/* Every label is drawn, to be measured; those too close to the next shown one are hidden. */}
              <text
                className="x-label"
                x={left + i * step + step / 2}
                y={H - PAD.bottom + 16}
                textAnchor="middle"
                visibility={shown(i) ? undefined : 'hidden'}
              >
                {labels[i]}
              </text>
            </g>
          )
        })}
      </svg>
      <details className="chart-data">
        <summary>{t('reports.chartTable')}</summary>
        <div className="table-wrap">
          <table className="report-table">
            <caption className="sr-only">{totalsTitle}</caption>
            <thead>
              <tr>
                <th scope="col">{bucket === 'day' ? t('reports.date') : t('reports.month')}</th>
                <th scope="col" className="num">
                  {t('reports.collections')}
                </th>
                <th scope="col" className="num">
                  {t('reports.total')}
                </th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.key}>
                  <th scope="row" className="row-head">
                    {p.key}
                  </th>
                  <td className="num">{p.count}</td>
                  <td className="num">{money(p.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  )
}

/** An axis label: whole units (exact, rounded down) for readability. */
function formatTick(minor: bigint): string {
  return (minor / 100n).toString()
}
