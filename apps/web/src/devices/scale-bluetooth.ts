/**
 * A Bluetooth (Low Energy) scale with the standard Weight Scale Service
 * (0x181D): the browser's chooser lists the scales near by that offer it, and
 * the app listens to its Weight Measurement characteristic (0x2A9D). The
 * scale's id is `ble:` and the id the browser gives the device (the same for
 * this site on this browser every time; another phone sees another id).
 */
import { type BluetoothApi, type BluetoothDevice, bluetoothApi } from './browser-apis'
import { type Scale, ScaleFeed } from './scale'
import { parseWeightMeasurement } from './scale-readings'

export const WEIGHT_SCALE_SERVICE = 0x181d
export const WEIGHT_MEASUREMENT = 0x2a9d

/** Asks the person to choose a scale (call it from a click: the browser wants a gesture) and connects it. */
export async function connectBluetoothScale(api: BluetoothApi | undefined = bluetoothApi()): Promise<Scale> {
  if (!api) throw new Error('Web Bluetooth is not available in this browser')
  const device = await api.requestDevice({ filters: [{ services: [WEIGHT_SCALE_SERVICE] }] })
  return openBluetoothScale(device)
}

/** Connects the scale with `id` again without asking, if the browser still allows it; undefined otherwise. */
export async function reconnectBluetoothScale(
  id: string,
  api: BluetoothApi | undefined = bluetoothApi(),
): Promise<Scale | undefined> {
  const devices = (await api?.getDevices?.()) ?? []
  const device = devices.find((d) => `ble:${d.id}` === id)
  return device ? openBluetoothScale(device) : undefined
}

async function openBluetoothScale(device: BluetoothDevice): Promise<Scale> {
  if (!device.gatt) throw new Error('This Bluetooth device has no GATT server')
  const server = await device.gatt.connect()
  const service = await server.getPrimaryService(WEIGHT_SCALE_SERVICE)
  const measurement = await service.getCharacteristic(WEIGHT_MEASUREMENT)
  const id = `ble:${device.id}`
  const onValue = () => {
    const reading = measurement.value && parseWeightMeasurement(measurement.value)
    if (reading) feed.push(reading, Date.now())
  }
  const onGone = () => feed.ended()
  const feed = new ScaleFeed(id, device.name || id, 'bluetooth', async () => {
    measurement.removeEventListener('characteristicvaluechanged', onValue)
    device.removeEventListener('gattserverdisconnected', onGone)
    try {
      await measurement.stopNotifications()
    } catch {
      // Already gone.
    }
    server.disconnect()
  })
  measurement.addEventListener('characteristicvaluechanged', onValue)
  device.addEventListener('gattserverdisconnected', onGone)
  await measurement.startNotifications()
  return feed
}
