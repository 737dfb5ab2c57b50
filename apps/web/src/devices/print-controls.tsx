/**
 * Printing a receipt: `useReceiptPrinter` gives the receipt screen its Print
 * action and the choices under the receipt: the printer (the browser's print
 * dialog, always; a Bluetooth or USB receipt printer where the browser can
 * reach one) and the paper width, both kept on the device (./printer.ts). A
 * printer chosen once stays connected while the app is open, so the next
 * receipt prints without the browser's chooser.
 */
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { SelectField } from '../components/ui'
import { errorMessage } from '../lib/format'
import { bluetoothApi, serialApi } from './browser-apis'
import { type PaperWidth, type PrintableReceipt, receiptBytes, receiptText, unprintable } from './escpos'
import {
  type Printer,
  type PrinterTransport,
  type PrintMethod,
  type PrintSetup,
  printSetup,
  savePrintSetup,
} from './printer'
import { connectBluetoothPrinter } from './printer-bluetooth'
import { connectSerialPrinter } from './printer-serial'
import './devices.css'

/** The printers chosen while the app is open, one per transport. */
const connected: Partial<Record<PrinterTransport, Printer>> = {}

const connect = (transport: PrinterTransport): Promise<Printer> =>
  transport === 'bluetooth' ? connectBluetoothPrinter() : connectSerialPrinter()

/** The ways of printing this browser has: the dialog always, Bluetooth and USB where their APIs exist. */
function methods(): PrintMethod[] {
  return ['browser', ...(bluetoothApi() ? ['bluetooth' as const] : []), ...(serialApi() ? ['serial' as const] : [])]
}

type Status = { kind: 'idle' } | { kind: 'busy' } | { kind: 'sent'; name: string } | { kind: 'failed'; message: string }

/**
 * `receipt` builds the receipt for a printer (in `printLanguage`); `inEnglish`:
 * the screen's language is one a printer cannot print, so it prints English.
 */
export function useReceiptPrinter(receipt: () => PrintableReceipt, inEnglish: boolean) {
  const { t } = useTranslation()
  const available = methods()
  const [setup, setSetup] = useState<PrintSetup>(() => {
    const stored = printSetup()
    return available.includes(stored.method) ? stored : { ...stored, method: 'browser' }
  })
  const [status, setStatus] = useState<Status>({ kind: 'idle' })
  const choose = (patch: Partial<PrintSetup>) => {
    const next = { ...setup, ...patch }
    setSetup(next)
    savePrintSetup(next)
    setStatus({ kind: 'idle' })
  }

  const print = async () => {
    const { method, paper } = setup
    if (method === 'browser') {
      window.print()
      return
    }
    setStatus({ kind: 'busy' })
    try {
      // The browser's chooser needs the click: connecting is the first thing done.
      const printer = connected[method] ?? (await connect(method))
      connected[method] = printer
      await printer.print(receiptBytes(receipt(), paper))
      setStatus({ kind: 'sent', name: printer.name })
    } catch (err) {
      // A printer that failed is chosen again next time (it may have been switched off or gone out of range).
      delete connected[method]
      setStatus({ kind: 'failed', message: errorMessage(err) })
    }
  }

  const toPrinter = setup.method !== 'browser'
  const lossy = toPrinter && unprintable(receiptText(receipt()))
  const options: ReactNode = (
    <section className="card dv-print no-print" aria-labelledby="dv-print-title">
      <h2 id="dv-print-title">{t('printing.settings')}</h2>
      <div className="dv-print-choices">
        <SelectField
          label={t('printing.printer')}
          value={setup.method}
          onChange={(e) => choose({ method: e.target.value as PrintMethod })}
          options={available.map((m) => ({ value: m, label: t(`printing.${m}`) }))}
        />
        {toPrinter ? (
          <SelectField
            label={t('printing.paper')}
            value={String(setup.paper)}
            onChange={(e) => choose({ paper: Number(e.target.value) as PaperWidth })}
            options={[
              { value: '58', label: t('printing.mm58') },
              { value: '80', label: t('printing.mm80') },
            ]}
          />
        ) : null}
      </div>
      {toPrinter && inEnglish ? <p className="hint">{t('printing.inEnglish')}</p> : null}
      {lossy ? <p className="rc-notice">{t('printing.unprintable')}</p> : null}
      <p className="dv-status" role="status" aria-live="polite">
        {status.kind === 'busy' ? t('printing.printing') : null}
        {status.kind === 'sent' ? t('printing.sent', { name: status.name }) : null}
      </p>
      {status.kind === 'failed' ? (
        <p className="error-text" role="alert">
          {t('printing.failed', { message: status.message })}
        </p>
      ) : null}
    </section>
  )
  return { print, busy: status.kind === 'busy', options }
}
