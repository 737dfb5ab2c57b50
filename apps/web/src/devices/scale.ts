/**
 * A connected scale, whatever it is connected by: its id (what a collection
 * records as `scale_id`), a stream of readings with whether each is a stable
 * weight (./stable-weight.ts), and disconnecting. `ScaleFeed` is the part
 * every connection shares: a driver (./scale-bluetooth.ts, ./scale-serial.ts)
 * opens the device, pushes what it reads into a feed and says how to stop.
 */
import type { ScaleReading } from './scale-readings'
import { StableWeight } from './stable-weight'

export type ScaleTransport = 'bluetooth' | 'serial'

export interface ScaleState {
  /** The latest reading (undefined before the first). */
  reading: ScaleReading | undefined
  /** Whether that reading is a stable weight, one to record. */
  stable: boolean
  /** False once the scale went away or was disconnected. */
  connected: boolean
}

export interface Scale {
  /** What a collection weighed on it records as `scale_id`: "ble:<device id>", "usb:<vendor>:<product>". */
  readonly id: string
  /** What the person sees: the device's name, else its id. */
  readonly name: string
  readonly transport: ScaleTransport
  readonly state: ScaleState
  /** Calls `listener` with every new state (not the current one); returns how to stop. */
  subscribe(listener: (state: ScaleState) => void): () => void
  disconnect(): Promise<void>
}

/** A scale's readings, their stability and its listeners; the driver pushes, the screens subscribe. */
export class ScaleFeed implements Scale {
  state: ScaleState = { reading: undefined, stable: false, connected: true }
  private readonly listeners = new Set<(state: ScaleState) => void>()
  private readonly stability: StableWeight

  constructor(
    readonly id: string,
    readonly name: string,
    readonly transport: ScaleTransport,
    /** Closes the device (the driver's own clean-up). */
    private readonly stop: () => Promise<void>,
    stability = new StableWeight(),
  ) {
    this.stability = stability
  }

  /** A reading made at `at` (ms). */
  push(reading: ScaleReading, at: number): void {
    if (!this.state.connected) return
    this.emit({ reading, stable: this.stability.push(reading, at), connected: true })
  }

  /** The device went away (out of range, unplugged) or was disconnected. */
  ended(): void {
    if (!this.state.connected) return
    this.stability.reset()
    this.emit({ ...this.state, stable: false, connected: false })
  }

  subscribe(listener: (state: ScaleState) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async disconnect(): Promise<void> {
    if (!this.state.connected) return
    this.ended()
    await this.stop()
  }

  private emit(state: ScaleState) {
    this.state = state
    for (const listener of this.listeners) listener(state)
  }
}
