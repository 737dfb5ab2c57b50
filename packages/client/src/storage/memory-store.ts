/** In-memory KVStore: for tests, previews and short-lived tools. Nothing survives the process. */
import type { CommitBatch, Json, KVStore } from './kv-store'

export class MemoryStore implements KVStore {
  private readonly data = new Map<string, Json>()
  private closed = false

  async get(key: string): Promise<Json | undefined> {
    this.check()
    const v = this.data.get(key)
    return v === undefined ? undefined : structuredClone(v)
  }

  async getMany(keys: string[]): Promise<Array<Json | undefined>> {
    return Promise.all(keys.map((k) => this.get(k)))
  }

  async scan(prefix: string): Promise<Array<[string, Json]>> {
    this.check()
    const out: Array<[string, Json]> = []
    for (const [k, v] of this.data) if (k.startsWith(prefix)) out.push([k, structuredClone(v)])
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  }

  async commit(batch: CommitBatch): Promise<void> {
    this.check()
    const puts = (batch.put ?? []).map(([k, v]) => [k, structuredClone(v)] as const)
    for (const k of batch.del ?? []) this.data.delete(k)
    for (const [k, v] of puts) this.data.set(k, v)
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private check() {
    if (this.closed) throw new Error('store is closed')
  }
}

/** A new, empty in-memory store. */
export function createMemoryStore(): KVStore {
  return new MemoryStore()
}
