/**
 * `client.directory`: a collector meeting a supplier of another route (its device holds only its
 * routes' suppliers, docs/sync-protocol.md "Scopes") finds it on the server and adds it to its
 * devices. Online only: the directory is the server's. Adding pins it on the server and syncs, so
 * the supplier arrives with its deductions and statements and keeps up to date; removing lets it go.
 */
import type { Supplier } from '@trackvault/core'
import type { ApiClient } from './http'
import type { LocalDb } from './local-db'
import { serverRow } from './replica'

/** A supplier the directory found, and whether this device holds it already. */
export type DirectoryEntry = Supplier & { on_device: boolean }

export interface Directory {
  /** Active suppliers on the server whose code, name or phone matches `search` (at most `limit`). */
  search(search: string, limit?: number): Promise<DirectoryEntry[]>
  /** Adds a supplier to this user's devices, then syncs so it is here. */
  add(supplierId: string): Promise<void>
  /** Takes a supplier added from the directory off this user's devices (at the next sync). */
  remove(supplierId: string): Promise<void>
  /** The suppliers this user added, oldest first. */
  added(): Promise<Array<{ supplier_id: string; created_at: string }>>
}

export function directory(db: LocalDb, api: ApiClient, sync: () => Promise<unknown>): Directory {
  return {
    async search(search, limit = 20) {
      const q = new URLSearchParams({ search, is_active: 'true', per_page: String(limit) })
      const page = await api.request<{ data: Supplier[] }>('GET', `/api/suppliers?${q}`)
      const held = await db.read(async (tx) => {
        const out = new Set<string>()
        for (const s of page.data) if (await serverRow(tx, 'supplier', s.id)) out.add(s.id)
        return out
      })
      return page.data.map((s) => ({ ...s, on_device: held.has(s.id) }))
    },
    async add(supplierId) {
      await api.request('PUT', `/api/sync/pins/${encodeURIComponent(supplierId)}`, {})
      await sync()
    },
    async remove(supplierId) {
      await api.request('DELETE', `/api/sync/pins/${encodeURIComponent(supplierId)}`)
      await sync()
    },
    async added() {
      return (await api.request<{ data: Array<{ supplier_id: string; created_at: string }> }>('GET', '/api/sync/pins'))
        .data
    },
  }
}
