/**
 * The live preview under the collection form: the net weight (gross less
 * tare and deduction), the rate in force (a quality formula worked out) and
 * the amount, or "Price pending" when no rate covers the collection yet.
 */
import type { RatePeriod } from '@trackvault/core'
import { useTranslation } from 'react-i18next'
import { dateOnly, money, moneyIn } from '../lib/format'
import type { Quote } from '../lib/pricing'
import { weighingLine, weighingText } from '../lib/pricing'

export function CollectionQuote({
  quote,
  ready,
  unit,
  currency,
  online,
  readingsMissing,
}: {
  quote: Quote<RatePeriod>
  /** Product, unit and date are chosen. */
  ready: boolean
  unit: string
  currency: string
  online: boolean
  /** A quality product without both readings yet. */
  readingsMissing: boolean
}) {
  const { t } = useTranslation()
  const { rate, net, fields } = quote
  const weighing = fields && net ? weighingText(fields) : undefined
  const pending = ready && quote.amount === undefined && !quote.quantityProblem
  return (
    <div
      id="collection-quote"
      className={`rc-quote${ready && !rate ? ' rc-warn' : ''}`}
      aria-live="polite"
      aria-atomic="true"
    >
      {weighing ? (
        <span data-testid="collection-net">
          {t('quote.net')} <strong>{weighingLine(weighing, unit)}</strong>
        </span>
      ) : null}
      {!ready ? (
        <span className="rc-muted">{t('quote.chooseFirst')}</span>
      ) : rate ? (
        <span>
          {t('quote.rateInForce')} <strong>{quote.perUnit ? money(quote.perUnit) : money(rate.rate)}</strong>{' '}
          {t('quote.perUnit', { unit: rate.unit })}
          {rate.grade ? ` ${t('quote.grade', { grade: rate.grade })}` : ''}
          {rate.fat_rate || rate.snf_rate ? (
            <span className="rc-muted">
              {' '}
              = {money(rate.rate)} + fat% × {money(rate.fat_rate ?? '0.00')} + SNF% × {money(rate.snf_rate ?? '0.00')}
            </span>
          ) : null}
          <span className="rc-muted">
            {' '}
            {rate.end_date
              ? t('quote.fromTo', { from: dateOnly(rate.effective_date), to: dateOnly(rate.end_date) })
              : t('quote.from', { from: dateOnly(rate.effective_date) })}
          </span>
        </span>
      ) : (
        <span>{t('quote.noRate')}</span>
      )}
      {ready && rate && readingsMissing ? <span className="rc-muted">{t('quote.readingsMissing')}</span> : null}
      <span className="rc-big" data-testid="collection-amount">
        {quote.amount !== undefined
          ? t('quote.amount', { amount: moneyIn(quote.amount, currency) })
          : pending
            ? t('quote.amountPending')
            : t('quote.amountNone')}
      </span>
      {quote.amount !== undefined && !online ? <span className="rc-muted">{t('quote.preview')}</span> : null}
    </div>
  )
}
