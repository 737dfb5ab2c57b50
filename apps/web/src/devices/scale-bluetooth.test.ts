/**
 * The Bluetooth scale driver against a fake Web Bluetooth: the outermost
 * boundary, a device whose Weight Measurement characteristic notifies.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BluetoothApi } from './browser-apis'
import type { ScaleState } from './scale'
import { connectBluetoothScale, reconnectBluetoothScale } from './scale-bluetooth'
import { gramsToKg } from './scale-readings'

/** A scale offering 0x181D/0x2A9D; `notify(raw)` sends an SI weight of raw x 5 g. */
function fakeScale() {
  const characteristic = Object.assign(new EventTarget(), {
    uuid: '00002a9d-0000-1000-8000-00805f9b34fb',
    value: undefined as DataView | undefined,
    properties: { write: false, writeWithoutResponse: false, notify: false, indicate: true },
    notifying: false,
    startNotifications: async () => {
      characteristic.notifying = true
      return characteristic
    },
    stopNotifications: async () => {
      characteristic.notifying = false
      return characteristic
    },
    writeValueWithResponse: async () => undefined,
    writeValueWithoutResponse: async () => undefined,
  })
  const asked: unknown[] = []
  const server = {
    connected: false,
    connect: async () => {
      server.connected = true
      return server
    },
    disconnect: () => {
      server.connected = false
    },
    getPrimaryService: async (id: number | string) => {
      asked.push(id)
      return {
        uuid: '0000181d-0000-1000-8000-00805f9b34fb',
        getCharacteristic: async (c: number | string) => {
          asked.push(c)
          return characteristic
        },
        getCharacteristics: async () => [characteristic],
      }
    },
    getPrimaryServices: async () => [],
  }
  const device = Object.assign(new EventTarget(), { id: 'dev-1', name: 'Platform scale', gatt: server })
  const requests: unknown[] = []
  const api: BluetoothApi = {
    requestDevice: async (options) => {
      requests.push(options)
      return device
    },
    getDevices: async () => [device],
  }
  const notify = (raw: number, at: number) => {
    vi.setSystemTime(at)
    characteristic.value = new DataView(Uint8Array.from([0, raw & 0xff, raw >> 8]).buffer)
    characteristic.dispatchEvent(new Event('characteristicvaluechanged'))
  }
  return { api, device, server, characteristic, requests, asked, notify }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('a Bluetooth scale', () => {
  it('asks for the Weight Scale Service, listens to Weight Measurement and finds a stable weight', async () => {
    const fake = fakeScale()
    const scale = await connectBluetoothScale(fake.api)
    expect(fake.requests).toEqual([{ filters: [{ services: [0x181d] }] }])
    expect(fake.asked).toEqual([0x181d, 0x2a9d])
    expect(fake.characteristic.notifying).toBe(true)
    expect(scale).toMatchObject({ id: 'ble:dev-1', name: 'Platform scale', transport: 'bluetooth' })

    const states: ScaleState[] = []
    scale.subscribe((s) => states.push(s))
    // Settling (11.2, 12.6 kg), then 12.345 kg four times over 1.2 s.
    for (const [i, raw] of [2240, 2520, 2469, 2469, 2469, 2469].entries()) fake.notify(raw, 1000 + i * 400)
    expect(states.map((s) => [s.reading?.kind === 'weight' ? gramsToKg(s.reading.grams) : null, s.stable])).toEqual([
      ['11.200', false],
      ['12.600', false],
      ['12.345', false],
      ['12.345', false],
      ['12.345', false],
      ['12.345', true],
    ])
    // A value cut short is dropped, not read.
    fake.characteristic.value = new DataView(Uint8Array.from([0, 1]).buffer)
    fake.characteristic.dispatchEvent(new Event('characteristicvaluechanged'))
    expect(states).toHaveLength(6)

    await scale.disconnect()
    expect(fake.characteristic.notifying).toBe(false)
    expect(fake.server.connected).toBe(false)
    expect(scale.state).toMatchObject({ connected: false, stable: false })
    fake.notify(2469, 5000)
    expect(states.at(-1)?.connected).toBe(false)
  })

  it('says when the scale goes away, and reconnects a scale the browser remembers', async () => {
    const fake = fakeScale()
    const scale = await connectBluetoothScale(fake.api)
    fake.device.dispatchEvent(new Event('gattserverdisconnected'))
    expect(scale.state.connected).toBe(false)
    expect(await reconnectBluetoothScale('ble:other', fake.api)).toBeUndefined()
    const again = await reconnectBluetoothScale('ble:dev-1', fake.api)
    expect(again?.state.connected).toBe(true)
    expect(fake.requests).toHaveLength(1) // no chooser the second time
  })

  it('without Web Bluetooth, says so', async () => {
    await expect(connectBluetoothScale(undefined)).rejects.toThrow(/not available/)
  })
})
