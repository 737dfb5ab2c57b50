/**
 * The scale connected while the app is open: one at a time, shared by every
 * collection form (a collector weighs one load after another without choosing
 * the scale again). The scale last chosen is remembered on the device
 * (localStorage) and opened again without the chooser when the browser still
 * allows it (Bluetooth's `getDevices`, Serial's `getPorts`); disconnecting on
 * purpose forgets it.
 */
import { useSyncExternalStore } from 'react'
import { bluetoothApi, serialApi } from './browser-apis'
import type { Scale, ScaleState, ScaleTransport } from './scale'
import { connectBluetoothScale, reconnectBluetoothScale } from './scale-bluetooth'
import { connectSerialScale, reconnectSerialScale } from './scale-serial'

export interface ConnectedScale {
  scale: Scale | undefined
  state: ScaleState | undefined
}

const REMEMBERED = 'trackvault:scale'

let snapshot: ConnectedScale = { scale: undefined, state: undefined }
const listeners = new Set<() => void>()
let stopListening: (() => void) | undefined
let reconnecting: Promise<void> | undefined

function publish(next: ConnectedScale) {
  snapshot = next
  for (const listener of listeners) listener()
}

function adopt(scale: Scale) {
  stopListening?.()
  stopListening = scale.subscribe((state) => publish({ scale, state }))
  publish({ scale, state: scale.state })
  try {
    localStorage.setItem(REMEMBERED, JSON.stringify({ transport: scale.transport, id: scale.id }))
  } catch {}
}

/** The ways this browser can reach a scale. */
export function scaleTransports(): ScaleTransport[] {
  return [...(bluetoothApi() ? ['bluetooth' as const] : []), ...(serialApi() ? ['serial' as const] : [])]
}

/** Asks the person to choose a scale (from a click) and makes it the connected one. */
export async function connectScale(transport: ScaleTransport): Promise<Scale> {
  const scale = transport === 'bluetooth' ? await connectBluetoothScale() : await connectSerialScale()
  const previous = snapshot.scale
  adopt(scale)
  if (previous && previous !== scale) void previous.disconnect().catch(() => undefined)
  return scale
}

/** Disconnects the scale, and forgets it on this device. */
export async function disconnectScale(): Promise<void> {
  const scale = snapshot.scale
  stopListening?.()
  stopListening = undefined
  try {
    localStorage.removeItem(REMEMBERED)
  } catch {}
  publish({ scale: undefined, state: undefined })
  await scale?.disconnect().catch(() => undefined)
}

/** Opens the remembered scale again without asking, if none is connected and the browser allows it. */
export function reconnectRememberedScale(): Promise<void> {
  if (snapshot.scale?.state.connected || reconnecting) return reconnecting ?? Promise.resolve()
  reconnecting = (async () => {
    try {
      const { transport, id } = JSON.parse(localStorage.getItem(REMEMBERED) ?? 'null') ?? {}
      if (typeof id !== 'string') return
      const scale =
        transport === 'bluetooth'
          ? await reconnectBluetoothScale(id)
          : transport === 'serial'
            ? await reconnectSerialScale(id)
            : undefined
      if (scale && !snapshot.scale?.state.connected) adopt(scale)
    } catch {
      // Out of range, unplugged, or no longer allowed: the person connects it by hand.
    } finally {
      reconnecting = undefined
    }
  })()
  return reconnecting
}

const subscribe = (listener: () => void) => {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** The connected scale and its latest state, re-rendering on every reading. */
export function useConnectedScale(): ConnectedScale {
  return useSyncExternalStore(subscribe, () => snapshot)
}
