/**
 * Printing to a fake Bluetooth printer and a fake serial port (the browser
 * API boundary): which characteristic is written, in what chunks; the
 * device's remembered way of printing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BluetoothApi, BluetoothCharacteristic, SerialApi, SerialPort } from './browser-apis'
import { printSetup, savePrintSetup, writeInChunks } from './printer'
import { connectBluetoothPrinter, uuidOf } from './printer-bluetooth'
import { connectSerialPrinter } from './printer-serial'

type Props = BluetoothCharacteristic['properties']

function characteristic(uuid: string, props: Partial<Props>) {
  const writes: Array<{ how: 'with' | 'without'; bytes: number[] }> = []
  const c = Object.assign(new EventTarget(), {
    uuid,
    properties: { write: false, writeWithoutResponse: false, notify: false, indicate: false, ...props },
    startNotifications: async () => c,
    stopNotifications: async () => c,
    writeValueWithResponse: async (v: Uint8Array) => {
      writes.push({ how: 'with', bytes: [...v] })
    },
    writeValueWithoutResponse: async (v: Uint8Array) => {
      writes.push({ how: 'without', bytes: [...v] })
    },
  })
  return { c, writes }
}

function fakePrinter(chars: BluetoothCharacteristic[]) {
  const requests: unknown[] = []
  let connected = false
  const device = Object.assign(new EventTarget(), {
    id: 'prn-1',
    name: 'MTP-II',
    gatt: {
      get connected() {
        return connected
      },
      connect: async () => {
        connected = true
        return device.gatt
      },
      disconnect: () => {
        connected = false
      },
      getPrimaryService: async () => {
        throw new Error('not used')
      },
      getPrimaryServices: async () => [
        { uuid: uuidOf(0x18f0), getCharacteristic: async () => chars[0], getCharacteristics: async () => chars },
      ],
    },
  })
  const api: BluetoothApi = {
    requestDevice: async (options) => {
      requests.push(options)
      return device
    },
  }
  return { api, requests, isConnected: () => connected }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('writing in chunks', () => {
  it('sends every byte once, in order, in pieces of at most the size', async () => {
    const bytes = Uint8Array.from({ length: 400 }, (_, i) => i % 256)
    const chunks: number[][] = []
    await writeInChunks(bytes, 180, async (chunk) => {
      chunks.push([...chunk])
    })
    expect(chunks.map((c) => c.length)).toEqual([180, 180, 40])
    expect(chunks.flat()).toEqual([...bytes])
  })
})

describe('a Bluetooth printer', () => {
  it("asks for any device with the printers' services and writes to the known characteristic, with responses", async () => {
    const other = characteristic('0000fff1-0000-1000-8000-00805f9b34fb', { writeWithoutResponse: true })
    const known = characteristic(uuidOf(0x2af1), { write: true, writeWithoutResponse: true })
    const fake = fakePrinter([other.c, known.c])
    const printer = await connectBluetoothPrinter({}, fake.api)
    expect(fake.requests).toEqual([
      expect.objectContaining({ acceptAllDevices: true, optionalServices: expect.arrayContaining([0x18f0]) }),
    ])
    expect(printer).toMatchObject({ id: 'ble:prn-1', name: 'MTP-II', transport: 'bluetooth' })
    const bytes = Uint8Array.from({ length: 500 }, (_, i) => i % 251)
    await printer.print(bytes)
    expect(other.writes).toEqual([])
    expect(known.writes.map((w) => [w.how, w.bytes.length])).toEqual([
      ['with', 180],
      ['with', 180],
      ['with', 140],
    ])
    expect(known.writes.flatMap((w) => w.bytes)).toEqual([...bytes])
    await printer.disconnect()
    expect(fake.isConnected()).toBe(false)
  })

  it('else any writable characteristic, without responses if that is all it offers, in smaller chunks if asked', async () => {
    const notifyOnly = characteristic('0000fff2-0000-1000-8000-00805f9b34fb', { notify: true })
    const writable = characteristic('0000fff1-0000-1000-8000-00805f9b34fb', { writeWithoutResponse: true })
    const fake = fakePrinter([notifyOnly.c, writable.c])
    const printer = await connectBluetoothPrinter({ chunkSize: 20 }, fake.api)
    await printer.print(Uint8Array.from({ length: 45 }, () => 7))
    expect(writable.writes.map((w) => [w.how, w.bytes.length])).toEqual([
      ['without', 20],
      ['without', 20],
      ['without', 5],
    ])
  })

  it('refuses a device with nothing to write to', async () => {
    const fake = fakePrinter([characteristic('0000fff2-0000-1000-8000-00805f9b34fb', { notify: true }).c])
    await expect(connectBluetoothPrinter({}, fake.api)).rejects.toThrow(/No printer service/)
    expect(fake.isConnected()).toBe(false)
  })
})

describe('a serial printer', () => {
  it('opens the port for each receipt, writes it whole and closes the port', async () => {
    const written: number[][] = []
    const events: string[] = []
    const port: SerialPort = {
      readable: null,
      writable: new WritableStream<Uint8Array>({
        write: (chunk) => {
          written.push([...chunk])
        },
      }),
      open: async (o) => {
        events.push(`open ${o.baudRate}`)
      },
      close: async () => {
        events.push('close')
      },
      getInfo: () => ({ usbVendorId: 0x0416, usbProductId: 0x5011 }),
    }
    const api: SerialApi = { requestPort: async () => port, getPorts: async () => [port] }
    const printer = await connectSerialPrinter({}, api)
    expect(printer.id).toBe('usb:0416:5011')
    await printer.print(Uint8Array.from([0x1b, 0x40, 0x41]))
    await printer.print(Uint8Array.from([0x42]))
    expect(written).toEqual([[0x1b, 0x40, 0x41], [0x42]])
    expect(events).toEqual(['open 9600', 'close', 'open 9600', 'close'])
  })
})

describe("the device's way of printing", () => {
  it("is the browser's dialog on 58 mm until one is chosen, then the choice", () => {
    const store = new Map<string, string>()
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    })
    expect(printSetup()).toEqual({ method: 'browser', paper: 58 })
    savePrintSetup({ method: 'bluetooth', paper: 80 })
    expect(printSetup()).toEqual({ method: 'bluetooth', paper: 80 })
    store.set('trackvault:print-setup', '{"method":"fax","paper":57}')
    expect(printSetup()).toEqual({ method: 'browser', paper: 58 })
    store.set('trackvault:print-setup', 'not json')
    expect(printSetup()).toEqual({ method: 'browser', paper: 58 })
  })
})
