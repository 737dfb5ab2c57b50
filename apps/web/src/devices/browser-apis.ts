/**
 * The parts of Web Bluetooth and Web Serial the app uses, typed here (the DOM
 * library has neither), and where to find them. Both exist only in Chromium
 * browsers and only in a secure context (HTTPS or localhost); the screens hide
 * what needs one that is missing. Tests put a fake device behind these same
 * names (tests/web/collection-point.test.ts), nothing deeper.
 */

/** A GATT characteristic: Weight Measurement of a scale, a printer's write characteristic. */
export interface BluetoothCharacteristic extends EventTarget {
  readonly uuid: string
  readonly value?: DataView
  readonly properties: { write: boolean; writeWithoutResponse: boolean; notify: boolean; indicate: boolean }
  startNotifications(): Promise<BluetoothCharacteristic>
  stopNotifications(): Promise<BluetoothCharacteristic>
  writeValueWithResponse(value: Uint8Array): Promise<void>
  writeValueWithoutResponse(value: Uint8Array): Promise<void>
}

export interface BluetoothService {
  readonly uuid: string
  getCharacteristic(id: number | string): Promise<BluetoothCharacteristic>
  getCharacteristics(): Promise<BluetoothCharacteristic[]>
}

export interface BluetoothServer {
  readonly connected: boolean
  connect(): Promise<BluetoothServer>
  disconnect(): void
  getPrimaryService(id: number | string): Promise<BluetoothService>
  getPrimaryServices(): Promise<BluetoothService[]>
}

export interface BluetoothDevice extends EventTarget {
  readonly id: string
  readonly name?: string
  readonly gatt?: BluetoothServer
}

export interface BluetoothApi {
  requestDevice(options: {
    filters?: Array<{ services?: Array<number | string>; namePrefix?: string }>
    acceptAllDevices?: boolean
    optionalServices?: Array<number | string>
  }): Promise<BluetoothDevice>
  /** The devices this site may use again without asking (not in every browser). */
  getDevices?(): Promise<BluetoothDevice[]>
}

export interface SerialPort {
  readonly readable: ReadableStream<Uint8Array> | null
  readonly writable: WritableStream<Uint8Array> | null
  open(options: { baudRate: number }): Promise<void>
  close(): Promise<void>
  getInfo(): { usbVendorId?: number; usbProductId?: number }
}

export interface SerialApi {
  requestPort(options?: object): Promise<SerialPort>
  /** The ports this site may use again without asking. */
  getPorts(): Promise<SerialPort[]>
}

interface DeviceNavigator {
  bluetooth?: BluetoothApi
  serial?: SerialApi
}

const nav = (): DeviceNavigator => (globalThis.navigator ?? {}) as DeviceNavigator

/** Web Bluetooth, if this browser has it here. */
export const bluetoothApi = (): BluetoothApi | undefined => nav().bluetooth

/** Web Serial, if this browser has it here. */
export const serialApi = (): SerialApi | undefined => nav().serial

/** "usb:0403:6001": a serial port by its USB vendor and product, as far as the browser tells them. */
export function serialPortId(port: SerialPort, fallback: string): string {
  const { usbVendorId, usbProductId } = port.getInfo()
  if (usbVendorId === undefined) return fallback
  const hex = (n: number | undefined) => (n ?? 0).toString(16).padStart(4, '0')
  return `usb:${hex(usbVendorId)}:${hex(usbProductId)}`
}
