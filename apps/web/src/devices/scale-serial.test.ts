/**
 * The serial scale driver against a fake Web Serial port (the outermost
 * boundary): chunks of text that cut lines anywhere, with noise.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SerialApi, SerialPort } from './browser-apis'
import type { ScaleState } from './scale'
import { gramsToKg } from './scale-readings'
import { connectSerialScale, reconnectSerialScale } from './scale-serial'

function fakePort(
  info: { usbVendorId?: number; usbProductId?: number } = { usbVendorId: 0x0403, usbProductId: 0x6001 },
) {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const opened: Array<{ baudRate: number }> = []
  const port: SerialPort & { isOpen: boolean } = {
    isOpen: false,
    readable: new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c
      },
    }),
    writable: null,
    open: async (options) => {
      opened.push(options)
      port.isOpen = true
    },
    close: async () => {
      port.isOpen = false
    },
    getInfo: () => info,
  }
  const send = (text: string) => controller.enqueue(new TextEncoder().encode(text))
  const api: SerialApi = { requestPort: async () => port, getPorts: async () => [port] }
  return { port, api, opened, send, unplug: () => controller.error(new Error('device lost')) }
}

/** Lets the driver's read loop take what was sent. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('a serial scale', () => {
  it('opens the port at 9600 baud, reads lines across chunks, drops the noise and trusts ST', async () => {
    const fake = fakePort()
    const scale = await connectSerialScale({}, fake.api)
    expect(fake.opened).toEqual([{ baudRate: 9600 }])
    expect(scale).toMatchObject({ id: 'usb:0403:6001', transport: 'serial' })
    const states: ScaleState[] = []
    scale.subscribe((s) => states.push(s))

    for (const chunk of [
      '0kg\r\nUS,GS,+  12.3',
      '40kg\r\n\x00\x01garbage\r\nST,GS,+  12.3\r\n',
      'ST,GS,+  12.',
      '345kg\r\n',
    ]) {
      fake.send(chunk)
      await settle()
    }
    expect(states.map((s) => [s.reading?.kind === 'weight' ? gramsToKg(s.reading.grams) : null, s.stable])).toEqual([
      ['12.340', false],
      ['12.345', true],
    ])

    await scale.disconnect()
    expect(fake.port.isOpen).toBe(false)
    expect(scale.state.connected).toBe(false)
  })

  it('takes another baud rate and a default unit; says when the port goes away', async () => {
    const fake = fakePort({})
    const scale = await connectSerialScale({ baudRate: 2400, defaultUnit: 'lb' }, fake.api)
    expect(fake.opened).toEqual([{ baudRate: 2400 }])
    expect(scale.id).toBe('serial')
    fake.send('\n  27.22\n')
    await settle()
    expect(scale.state.reading).toEqual({ kind: 'weight', grams: 12347n })
    fake.unplug()
    await settle()
    expect(scale.state.connected).toBe(false)
  })

  it('reopens a port the browser remembers, by its id', async () => {
    const fake = fakePort()
    expect(await reconnectSerialScale('usb:1111:2222', {}, fake.api)).toBeUndefined()
    const scale = await reconnectSerialScale('usb:0403:6001', {}, fake.api)
    expect(scale?.state.connected).toBe(true)
    await scale?.disconnect()
  })
})
