/**
 * The lines of a collection's receipt, between its supplier and when it was
 * recorded: the collector, product, date, the weighing (gross, tare x
 * containers, deduction, net), where the weight came from (a scale, named, or
 * typed by hand), grade or quality readings, rate and amount (or "Price
 * pending"), notes. One list for the screen (screens/collection-receipt.tsx)
 * and the receipt printer (devices/receipt-print.ts), so both say the same;
 * `lang` writes the figures and dates in another language than the screen's
 * (the printer's English).
 */
import type { TFunction } from 'i18next'
import { dateOnly, money, moneyIn } from './format'
import { weighingText } from './pricing'
import type { CollectionView } from './typed-rows'

export interface ReceiptLineText {
  /** Which line: the screen marks `net` and `amount`, the printer prints them bold. */
  key: string
  label: string
  value: string
}

export interface ReceiptContext {
  t: TFunction
  lang?: string
  collector: string
  product: string
  currency: string
}

/** Where a collection's weight came from, in words: "From a scale (ble:…)" or "Typed by hand". */
export function weightSourceText(row: Pick<CollectionView, 'weight_source' | 'scale_id'>, t: TFunction): string {
  return row.weight_source === 'scale' ? t('weightSource.fromScale', { id: row.scale_id }) : t('weightSource.typed')
}

export function collectionReceiptLines(row: CollectionView, ctx: ReceiptContext): ReceiptLineText[] {
  const { t, lang } = ctx
  const w = weighingText(row)
  const unit = row.unit
  const unsynced = row._sync !== undefined
  const lines: Array<ReceiptLineText | false> = [
    { key: 'collector', label: t('receipt.collector'), value: ctx.collector },
    { key: 'product', label: t('receipt.product'), value: ctx.product },
    { key: 'date', label: t('receipt.date'), value: dateOnly(row.collection_date, lang) },
    {
      key: 'gross',
      label: t('receipt.gross'),
      value: w ? `${money(w.gross, lang)} ${unit}` : `${row.quantity} ${unit}`,
    },
    Boolean(w && w.tare !== '0') && {
      key: 'tare',
      label: t('receipt.tare'),
      value: w ? `${w.containers} × ${money(w.tarePerContainer, lang)} ${unit} = ${money(w.tare, lang)} ${unit}` : '',
    },
    Boolean(w && w.deductionPercent !== '0') && {
      key: 'deduction',
      label: t('receipt.deduction'),
      value: w ? `${w.deductionPercent}% = ${money(w.deduction, lang)} ${unit}` : '',
    },
    { key: 'net', label: t('receipt.net'), value: w ? `${money(w.net, lang)} ${unit}` : '—' },
    { key: 'weight', label: t('weightSource.label'), value: weightSourceText(row, t) },
    Boolean(row.grade) && { key: 'grade', label: t('receipt.grade'), value: row.grade ?? '' },
    (row.fat_percent !== null || row.snf_percent !== null) && {
      key: 'fatSnf',
      label: t('receipt.fatSnf'),
      value: `${row.fat_percent ?? '—'}% / ${row.snf_percent ?? '—'}%`,
    },
    {
      key: 'rate',
      label: t('receipt.rate'),
      value:
        row.rate_applied === null
          ? t('receipt.pricePending')
          : t('receipt.perUnit', { rate: money(row.rate_applied, lang), unit }),
    },
    {
      key: 'amount',
      label: t('receipt.amount'),
      value:
        row.total_amount === null
          ? t('receipt.pricePending')
          : `${moneyIn(row.total_amount, ctx.currency, lang)}${unsynced ? t('receipt.preview') : ''}`,
    },
    Boolean(row.notes) && { key: 'notes', label: t('receipt.notes'), value: row.notes ?? '' },
  ]
  return lines.filter((line): line is ReceiptLineText => line !== false)
}
