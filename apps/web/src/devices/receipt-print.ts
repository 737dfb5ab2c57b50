/**
 * A collection's receipt as a receipt printer prints it (./escpos.ts): the
 * business's name and receipt header, the title, the receipt number and the
 * supplier, then the same lines as the screen (lib/collection-receipt-lines.ts),
 * net weight and amount in bold, and the line to sign on. Printers print
 * code page 437 only, so a screen in Sinhala or Tamil prints in English
 * (`printLanguage`); Kiswahili and English print as they are.
 */
import type { TFunction } from 'i18next'
import { collectionReceiptLines, type ReceiptContext } from '../lib/collection-receipt-lines'
import type { CollectionView } from '../lib/typed-rows'
import type { PrintableReceipt } from './escpos'

/** The languages whose letters a receipt printer has (Latin script). */
const PRINTED_AS_IS = new Set(['en', 'sw'])

/** The language a receipt printer prints in when the screen is in `language`. */
export const printLanguage = (language: string): string => (PRINTED_AS_IS.has(language) ? language : 'en')

export interface PrintContext extends ReceiptContext {
  business: string
  header: string | null
  supplier: string
}

export function printableCollectionReceipt(row: CollectionView, ctx: PrintContext): PrintableReceipt {
  const t: TFunction = ctx.t
  const bold = new Set(['net', 'amount'])
  return {
    business: ctx.business,
    title: t('receipt.collectionTitle'),
    header: ctx.header,
    lines: [
      { label: t('receipt.receiptNo'), value: row.receipt_number ?? t('receipt.givenWhenSynced'), strong: true },
      { label: t('receipt.supplier'), value: ctx.supplier },
      ...collectionReceiptLines(row, ctx).map(({ key, label, value }) => ({ label, value, strong: bold.has(key) })),
    ],
    signature: t('receipt.signature'),
  }
}
