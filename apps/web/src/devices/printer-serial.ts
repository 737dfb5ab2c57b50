/**
 * A receipt printer on a serial port (USB, or an RS-232 adapter): the
 * browser's chooser lists the ports; each print opens the chosen one at
 * `baudRate` (9600 by default; USB printers ignore it), writes the bytes and
 * closes it again, so the port is free between receipts.
 */
import { type SerialApi, type SerialPort, serialApi, serialPortId } from './browser-apis'
import type { Printer } from './printer'

/** Asks the person to choose the printer's port (call it from a click). */
export async function connectSerialPrinter(
  options: { baudRate?: number } = {},
  api: SerialApi | undefined = serialApi(),
): Promise<Printer> {
  if (!api) throw new Error('Web Serial is not available in this browser')
  const port = await api.requestPort()
  return serialPrinter(port, options.baudRate ?? 9600)
}

function serialPrinter(port: SerialPort, baudRate: number): Printer {
  const id = serialPortId(port, 'serial')
  return {
    id,
    name: id,
    transport: 'serial',
    print: async (bytes) => {
      await port.open({ baudRate })
      try {
        const writer = port.writable?.getWriter()
        if (!writer) throw new Error('The serial port cannot be written')
        try {
          await writer.write(bytes)
        } finally {
          writer.releaseLock()
        }
      } finally {
        await port.close()
      }
    },
    disconnect: async () => undefined,
  }
}
