/**
 * A device's "disk": data that survives a crash of the app. Each `open()`
 * returns a KVStore handle over it (like reopening a SQLite file); a crash
 * kills the handle, so work the dead client still had in flight can no
 * longer write, and a new client opens the same data again.
 *
 * Every commit is shown to an observer before it is applied, with the
 * values it replaces: the simulation follows each queued operation through
 * its life (enqueued, re-sent under a new identity, settled, discarded).
 */
import type { CommitBatch, Json, KVStore } from '@trackvault/client'

export type CommitObserver = (batch: CommitBatch, before: (key: string) => Json | undefined) => void

export class SimDisk {
  readonly data = new Map<string, Json>()
  observer: CommitObserver | undefined
  private current: DiskHandle | undefined

  /** Opens the disk; any earlier handle is dead from now on (the process that held it crashed). */
  open(): KVStore {
    this.current?.kill()
    this.current = new DiskHandle(this)
    return this.current
  }

  /** Kills the live handle without opening a new one. */
  crash(): void {
    this.current?.kill()
    this.current = undefined
  }
}

class DiskHandle implements KVStore {
  private dead = false

  constructor(private readonly disk: SimDisk) {}

  kill() {
    this.dead = true
  }

  private check() {
    if (this.dead) throw new Error('store is closed (the app crashed)')
  }

  async get(key: string): Promise<Json | undefined> {
    this.check()
    const v = this.disk.data.get(key)
    return v === undefined ? undefined : structuredClone(v)
  }

  async getMany(keys: string[]): Promise<Array<Json | undefined>> {
    return Promise.all(keys.map((k) => this.get(k)))
  }

  async scan(prefix: string): Promise<Array<[string, Json]>> {
    this.check()
    const out: Array<[string, Json]> = []
    for (const [k, v] of this.disk.data) if (k.startsWith(prefix)) out.push([k, structuredClone(v)])
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  }

  async commit(batch: CommitBatch): Promise<void> {
    this.check()
    const data = this.disk.data
    this.disk.observer?.(batch, (key) => data.get(key))
    const puts = (batch.put ?? []).map(([k, v]) => [k, structuredClone(v)] as const)
    for (const k of batch.del ?? []) data.delete(k)
    for (const [k, v] of puts) data.set(k, v)
  }

  async close(): Promise<void> {
    this.dead = true
  }
}
