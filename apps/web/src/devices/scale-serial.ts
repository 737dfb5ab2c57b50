/**
 * A scale on a serial port (USB, or an RS-232 adapter) that prints its weight
 * line by line (./scale-readings.ts reads the formats): the browser's chooser
 * lists the ports, the app opens the chosen one at `baudRate` (9600 by
 * default, 8 data bits, no parity, 1 stop bit: what most indicators send),
 * decodes the bytes as text as they come, splits them into lines and reads
 * each. The scale's id is its USB vendor and product (`usb:0403:6001`);
 * two scales of one model on one computer therefore share an id.
 */
import { type SerialApi, type SerialPort, serialApi, serialPortId } from './browser-apis'
import { type Scale, ScaleFeed } from './scale'
import { LineSplitter, parseScaleLine, type WeightUnit } from './scale-readings'

export interface SerialScaleOptions {
  baudRate?: number
  /** The unit of a weight printed with none. */
  defaultUnit?: WeightUnit
}

/** Asks the person to choose a port (call it from a click) and starts reading it. */
export async function connectSerialScale(
  options: SerialScaleOptions = {},
  api: SerialApi | undefined = serialApi(),
): Promise<Scale> {
  if (!api) throw new Error('Web Serial is not available in this browser')
  return openSerialScale(await api.requestPort(), options)
}

/** Opens the port of the scale with `id` again without asking, if the browser still allows it. */
export async function reconnectSerialScale(
  id: string,
  options: SerialScaleOptions = {},
  api: SerialApi | undefined = serialApi(),
): Promise<Scale | undefined> {
  const ports = (await api?.getPorts()) ?? []
  const port = ports.find((p) => serialPortId(p, 'serial') === id)
  return port ? openSerialScale(port, options) : undefined
}

async function openSerialScale(port: SerialPort, options: SerialScaleOptions): Promise<Scale> {
  await port.open({ baudRate: options.baudRate ?? 9600 })
  const readable = port.readable
  if (!readable) {
    await port.close()
    throw new Error('The serial port cannot be read')
  }
  const id = serialPortId(port, 'serial')
  const reader = readable.getReader()
  let stopping = false
  const feed = new ScaleFeed(id, id, 'serial', async () => {
    stopping = true
    await reader.cancel().catch(() => undefined)
    reader.releaseLock()
    await port.close().catch(() => undefined)
  })
  void (async () => {
    const decoder = new TextDecoder()
    const lines = new LineSplitter()
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        for (const line of lines.push(decoder.decode(value, { stream: true }))) {
          const reading = parseScaleLine(line, options.defaultUnit)
          if (reading) feed.push(reading, Date.now())
        }
      }
    } catch {
      // The port went away (unplugged) or was closed.
    }
    if (!stopping) feed.ended()
  })()
  return feed
}
