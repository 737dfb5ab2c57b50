/**
 * The live preview under the collection form: the net weight (gross less
 * tare and deduction), the rate in force (a quality formula worked out) and
 * the amount, or "Price pending" when no rate covers the collection yet.
 */
import type { RatePeriod } from '@trackvault/core'
import { money } from '../lib/format'
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
          Net: <strong>{weighingLine(weighing, unit)}</strong>
        </span>
      ) : null}
      {!ready ? (
        <span className="rc-muted">Choose a product, unit and date to see the rate in force.</span>
      ) : rate ? (
        <span>
          Rate in force: <strong>{quote.perUnit ? money(quote.perUnit) : money(rate.rate)}</strong> per {rate.unit}
          {rate.grade ? ` (grade ${rate.grade})` : ''}
          {rate.fat_rate || rate.snf_rate ? (
            <span className="rc-muted">
              {' '}
              = {money(rate.rate)} + fat% × {money(rate.fat_rate ?? '0.00')} + SNF% × {money(rate.snf_rate ?? '0.00')}
            </span>
          ) : null}
          <span className="rc-muted">
            {' '}
            (from {rate.effective_date}
            {rate.end_date ? ` to ${rate.end_date}` : ''})
          </span>
        </span>
      ) : (
        <span>
          No rate in force for this date. Save it anyway: the delivery is recorded and priced once a rate for this date
          is entered.
        </span>
      )}
      {ready && rate && readingsMissing ? (
        <span className="rc-muted">Enter the fat and SNF readings to price it.</span>
      ) : null}
      <span className="rc-big" data-testid="collection-amount">
        {quote.amount !== undefined
          ? `Amount: ${currency} ${money(quote.amount)}`
          : pending
            ? 'Amount: price pending'
            : 'Amount: —'}
      </span>
      {quote.amount !== undefined && !online ? (
        <span className="rc-muted">Preview from the rates on this device; confirmed when synced.</span>
      ) : null}
    </div>
  )
}
