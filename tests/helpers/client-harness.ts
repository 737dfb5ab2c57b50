/**
 * End-to-end harness: a real TrackVault server process on its own database
 * (SQLite file or PostgreSQL schema), users per role, and clients whose
 * network can be cut (their fetch fails like a dead link).
 */

import type { KVStore } from '@trackvault/client'
import { createSyncClient, type SyncClient } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import type { Role } from '@trackvault/core'
import {
  createTestDb,
  createUser,
  type ServerProcess,
  startServerProcess,
  type TestDb,
} from '@trackvault/server/testing'

export const PASSWORD = 'e2e-password-1'

export interface Harness {
  server: ServerProcess
  db: TestDb
  users: Record<Role, { id: string; email: string }>
  env: Record<string, string>
  /** Starts the server again after `server.stop()`. */
  restart(): Promise<void>
  close(): Promise<void>
}

export async function startHarness(): Promise<Harness> {
  const db = await createTestDb()
  const users = {} as Harness['users']
  for (const role of ['admin', 'manager', 'finance', 'collector'] as Role[]) {
    const email = `${role}@e2e.local`
    const u = await createUser(db.handle.db, { name: `E2E ${role}`, email, password: PASSWORD, role })
    users[role] = { id: u.id, email }
  }
  const env = { ...db.env, TRACKVAULT_RATE_LIMIT: '100000' }
  const h: Harness = {
    server: await startServerProcess(env),
    db,
    users,
    env,
    restart: async () => {
      const port = new URL(h.server.url).port
      h.server = await startServerProcess({ ...env, PORT: port })
    },
    close: async () => {
      await h.server.stop('SIGKILL')
      await db.drop()
    },
  }
  return h
}

/** A client whose link can be cut and restored. */
export interface TestClient {
  client: SyncClient
  storage: KVStore
  offline: boolean
  /** Answers a request instead of the server (e.g. a 503), when it returns a Response. */
  intercept?: (url: string, init?: RequestInit) => Response | undefined
}

export function makeClient(
  h: Harness,
  storage: KVStore = createMemoryStore(),
  opts: { batchSize?: number } = {},
): TestClient {
  const tc = { storage, offline: false } as TestClient
  tc.client = createSyncClient({
    baseUrl: h.server.url,
    storage,
    retryDelayMs: 20,
    live: false,
    syncIntervalMs: 0,
    batchSize: opts.batchSize,
    fetch: (input, init) => {
      if (tc.offline) return Promise.reject(new TypeError('fetch failed: network is down'))
      const fake = tc.intercept?.(input, init)
      return fake ? Promise.resolve(fake) : fetch(input, init)
    },
  })
  return tc
}

/** Rows of the server, by entity type, as a plain comparable snapshot. */
export async function serverSnapshot(h: Harness) {
  const out: Record<string, Record<string, unknown>[]> = {}
  for (const table of ['suppliers', 'products', 'product_rates', 'collections', 'payments'] as const) {
    const rows = await h.db.handle.db.selectFrom(table).select(['id', 'version', 'deleted_at']).orderBy('id').execute()
    out[table] = rows.map((r) => ({ id: r.id, version: Number(r.version), deleted: r.deleted_at !== null }))
  }
  return out
}

/** The same snapshot from a client's replica (server rows it has confirmed). */
export async function clientSnapshot(c: SyncClient) {
  const tables = {
    suppliers: c.suppliers,
    products: c.products,
    product_rates: c.productRates,
    collections: c.collections,
    payments: c.payments,
  }
  const out: Record<string, Record<string, unknown>[]> = {}
  for (const [table, api] of Object.entries(tables)) {
    const rows = await api.list({ include_deleted: true, sort_by: 'id', sort_order: 'asc' })
    out[table] = rows.map((r) => ({ id: r.id, version: r.version, deleted: r.deleted_at !== null }))
  }
  return out
}
