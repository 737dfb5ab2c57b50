/**
 * A Bluetooth (Low Energy) receipt printer. Such printers have no standard
 * service; most take ESC/POS bytes on a write characteristic of one of a few
 * vendor services (below). The browser's chooser lists every device near by
 * (printers seldom advertise their services); the app then looks for a known
 * write characteristic, else any writable one of those services, and writes
 * the receipt in chunks of at most 180 bytes (what fits a BLE packet once the
 * link has negotiated a larger MTU; 20 on old links, see `chunkSize`).
 */
import { type BluetoothApi, type BluetoothCharacteristic, type BluetoothDevice, bluetoothApi } from './browser-apis'
import { type Printer, writeInChunks } from './printer'

/** Vendor services of common BLE thermal printers, each with its usual write characteristic. */
export const PRINTER_SERVICES: ReadonlyArray<{ service: number | string; characteristic: number | string }> = [
  { service: 0x18f0, characteristic: 0x2af1 },
  { service: 'e7810a71-73ae-499d-8c15-faa9aef0c3f2', characteristic: 'bef8d6c9-9c21-4c9e-b632-bd58c1009f9f' },
  { service: '49535343-fe7d-4ae5-8fa9-9fafd205e455', characteristic: '49535343-8841-43f4-a8d4-ecbe34729bb3' },
  { service: 0xff00, characteristic: 0xff02 },
  { service: 0xffe0, characteristic: 0xffe1 },
]

/** "0x2af1" or a full UUID as Web Bluetooth writes it: "00002af1-0000-1000-8000-00805f9b34fb". */
export const uuidOf = (id: number | string): string =>
  typeof id === 'number' ? `${id.toString(16).padStart(8, '0')}-0000-1000-8000-00805f9b34fb` : id.toLowerCase()

const writable = (c: BluetoothCharacteristic) => c.properties.write || c.properties.writeWithoutResponse

/** The characteristic to write to: a known one first, else the first writable one. */
async function findWriteCharacteristic(device: BluetoothDevice): Promise<BluetoothCharacteristic> {
  if (!device.gatt) throw new Error('This Bluetooth device has no GATT server')
  const server = await device.gatt.connect()
  const services = await server.getPrimaryServices().catch(() => [])
  const known = new Set(PRINTER_SERVICES.map((s) => uuidOf(s.characteristic)))
  const candidates: BluetoothCharacteristic[] = []
  for (const service of services) {
    const characteristics = await service.getCharacteristics().catch(() => [])
    candidates.push(...characteristics.filter(writable))
  }
  const found = candidates.find((c) => known.has(c.uuid.toLowerCase())) ?? candidates[0]
  if (!found) {
    server.disconnect()
    throw new Error('No printer service found on this Bluetooth device')
  }
  return found
}

export interface BluetoothPrinterOptions {
  /** Bytes per write (180 by default; 20 for a printer that drops longer writes). */
  chunkSize?: number
}

/** Asks the person to choose the printer (call it from a click) and connects it. */
export async function connectBluetoothPrinter(
  options: BluetoothPrinterOptions = {},
  api: BluetoothApi | undefined = bluetoothApi(),
): Promise<Printer> {
  if (!api) throw new Error('Web Bluetooth is not available in this browser')
  const device = await api.requestDevice({
    acceptAllDevices: true,
    optionalServices: PRINTER_SERVICES.map((s) => s.service),
  })
  const characteristic = await findWriteCharacteristic(device)
  const size = options.chunkSize ?? 180
  return {
    id: `ble:${device.id}`,
    name: device.name || `ble:${device.id}`,
    transport: 'bluetooth',
    print: (bytes) =>
      writeInChunks(bytes, size, (chunk) =>
        // With a response where the printer offers it: the next chunk waits until it has taken this one.
        characteristic.properties.write
          ? characteristic.writeValueWithResponse(chunk)
          : characteristic.writeValueWithoutResponse(chunk),
      ),
    disconnect: async () => device.gatt?.disconnect(),
  }
}
