/**
 * A receipt printer the app sends ESC/POS bytes (./escpos.ts) to: over
 * Bluetooth (./printer-bluetooth.ts) or a serial port (./printer-serial.ts).
 * Without either, or by choice, a receipt goes through the browser's print
 * dialog instead (the receipt screen's print stylesheet shows the receipt
 * alone). How a device prints (browser, Bluetooth or USB) and its paper width
 * are kept on the device (`printSetup`).
 */
import type { PaperWidth } from './escpos'

export type PrinterTransport = 'bluetooth' | 'serial'
/** How a receipt is printed: the browser's dialog, or bytes to a printer. */
export type PrintMethod = 'browser' | PrinterTransport

export interface Printer {
  readonly id: string
  readonly name: string
  readonly transport: PrinterTransport
  /** Sends the bytes; resolves once the printer took them all. */
  print(bytes: Uint8Array): Promise<void>
  disconnect(): Promise<void>
}

/** Sends `bytes` to `write` in pieces of at most `size` bytes, one after another. */
export async function writeInChunks(
  bytes: Uint8Array,
  size: number,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  for (let at = 0; at < bytes.length; at += size) await write(bytes.subarray(at, at + size))
}

export interface PrintSetup {
  method: PrintMethod
  paper: PaperWidth
}

const SETUP_KEY = 'trackvault:print-setup'
const METHODS: readonly PrintMethod[] = ['browser', 'bluetooth', 'serial']

/** This device's way of printing (the browser's dialog on 58 mm paper until one is chosen). */
export function printSetup(): PrintSetup {
  try {
    const stored = JSON.parse(globalThis.localStorage?.getItem(SETUP_KEY) ?? '{}') as Partial<PrintSetup>
    return {
      method: METHODS.includes(stored.method as PrintMethod) ? (stored.method as PrintMethod) : 'browser',
      paper: stored.paper === 80 ? 80 : 58,
    }
  } catch {
    return { method: 'browser', paper: 58 }
  }
}

export function savePrintSetup(setup: PrintSetup): void {
  try {
    globalThis.localStorage?.setItem(SETUP_KEY, JSON.stringify(setup))
  } catch {
    // Private mode: the choice holds until the page closes.
  }
}
