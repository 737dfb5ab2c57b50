/**
 * A printable collection receipt: the receipt number, the collector, the
 * supplier, the weighing (gross, tare x containers, deduction, net), where
 * the weight came from (a scale, or typed by hand), the grade or the quality
 * readings, the rate and the amount, or "Price pending" while no rate covers
 * it (lib/collection-receipt-lines.ts). While the collection is not synced its
 * rate and amount are a preview from the rates on this device. Print sends it
 * to the browser's print dialog or, as ESC/POS, to a Bluetooth or USB receipt
 * printer (devices/print-controls.tsx, chosen under the receipt).
 */
import { useLiveQuery } from '@trackvault/react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { useReceiptPrinter } from '../devices/print-controls'
import { printableCollectionReceipt, printLanguage } from '../devices/receipt-print'
import { collectionReceiptLines, type ReceiptLineText } from '../lib/collection-receipt-lines'
import { supplierLabel, useLookups } from '../lib/lookup'
import { ReceiptMissing, RecordReceipt } from '../lib/record-widgets'
import { useBusinessSettings } from '../lib/settings'
import type { CollectionView } from '../lib/typed-rows'
import { useUserNames } from '../lib/user-names'
import './records.css'

/** A line as the screen shows it: the net weight in bold, the amount as the receipt's total. */
function shown({ key, label, value }: ReceiptLineText): [string, ReactNode] {
  if (key === 'net')
    return [
      label,
      <strong key="net" data-testid="receipt-net">
        {value}
      </strong>,
    ]
  if (key === 'amount')
    return [
      label,
      <span key="amount" className="rc-receipt-total" data-testid="receipt-amount">
        {value}
      </span>,
    ]
  if (key === 'weight')
    return [
      label,
      <span key="weight" data-testid="receipt-weight-source">
        {value}
      </span>,
    ]
  return [label, value]
}

export function CollectionReceipt() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const query = useLiveQuery((c) => c.collections.get(id), [id], { types: ['collection'] })
  const row = query.data

  if (query.isLoading || !row) return <ReceiptMissing kind="collection" loading={query.isLoading} />
  return <Receipt row={row} unsyncedNote={t('receipt.amountIsPreview')} />
}

function Receipt({ row, unsyncedNote }: { row: CollectionView; unsyncedNote: string }) {
  const { t, i18n } = useTranslation()
  const userName = useUserNames()
  const settings = useBusinessSettings()
  const { supplierById, productName } = useLookups()
  const supplier = supplierById.get(row.supplier_id)
  const names = {
    collector: userName(row.user_id),
    product: productName(row.product_id),
    currency: settings.currency,
  }
  const language = i18n.resolvedLanguage ?? i18n.language
  const printLang = printLanguage(language)
  const printer = useReceiptPrinter(
    () =>
      printableCollectionReceipt(row, {
        ...names,
        t: i18n.getFixedT(printLang),
        lang: printLang === language ? undefined : printLang,
        business: settings.business_name,
        header: settings.receipt_header,
        supplier: supplier ? supplierLabel(supplier) : t('receipt.unknownSupplier'),
      }),
    printLang !== language,
  )

  return (
    <RecordReceipt
      kind="collection"
      row={row}
      supplier={supplier}
      receiptNumber={row.receipt_number}
      unsyncedNote={unsyncedNote}
      signature={t('receipt.signature')}
      editable
      onPrint={() => void printer.print()}
      printing={printer.busy}
      afterReceipt={printer.options}
      lines={collectionReceiptLines(row, { ...names, t }).map(shown)}
    />
  )
}
