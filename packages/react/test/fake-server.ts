/**
 * A tiny in-process stand-in for the server's auth and sync endpoints,
 * injected as the client's `fetch`. Enough for the hooks' tests; the client
 * runs against real server processes in its own suites.
 */

import { SyncClient } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import type { ConflictInfo, OperationResult, PushRequest } from '@trackvault/core'

type Row = Record<string, unknown> & { id: string; version: number }

export const USER = {
  id: '0190a000-0000-7000-8000-000000000001',
  name: 'Mary Manager',
  email: 'mary@example.com',
  role: 'manager' as const,
  is_active: true,
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
}

export class FakeServer {
  readonly rows = new Map<string, Row>()
  /** Entity ids whose updates come back as conflicts. */
  readonly conflictOn = new Set<string>()
  /** Entity ids whose operations the server refuses. */
  readonly refuse = new Set<string>()
  /** While true, every request fails as if the network were gone. */
  down = false
  pushes = 0

  fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    if (this.down) throw new TypeError('fetch failed')
    const url = new URL(input)
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    const route = `${init.method ?? 'GET'} ${url.pathname}`
    switch (route) {
      case 'POST /api/auth/login':
        return json({ token: 'token', expires_at: '2999-01-01T00:00:00.000Z', user: USER })
      case 'POST /api/auth/logout':
        return json(null)
      case 'POST /api/sync':
        this.pushes += 1
        return json({ results: (body as PushRequest).operations.map((op) => this.apply(op)), cursor: 'c1' })
      case 'GET /api/sync/changes':
        return json({ changes: [], cursor: 'c1', has_more: false })
      case 'POST /api/sync/resolve': {
        const row = [...this.rows.values()].find((r) => r.last_local_id === body.local_id)
        return json({ result: { status: 'resolved', version: row?.version ?? null, data: row ?? null }, cursor: 'c1' })
      }
      default:
        return json({ error: { code: 'NOT_FOUND', message: route } }, 404)
    }
  }

  private apply(op: PushRequest['operations'][number]): OperationResult {
    const base = { local_id: op.local_id, entity_type: op.entity_type, entity_id: op.entity_id }
    const current = this.rows.get(op.entity_id)
    if (this.refuse.has(op.entity_id)) {
      return {
        ...base,
        status: 'failed',
        version: null,
        data: null,
        error: { code: 'VALIDATION_FAILED', message: 'refused' },
      }
    }
    if (current && op.operation_type !== 'create' && this.conflictOn.has(op.entity_id)) {
      current.last_local_id = op.local_id
      const conflict: ConflictInfo = {
        server_version: current.version,
        base: null,
        server: current,
        client: op.payload ?? {},
        fields: Object.keys(op.payload ?? {}),
      }
      return { ...base, status: 'conflict', version: current.version, data: null, conflict }
    }
    const now = new Date().toISOString()
    const row: Row = {
      created_at: now,
      deleted_at: null,
      ...current,
      ...op.payload,
      id: op.entity_id,
      version: (current?.version ?? 0) + 1,
      updated_at: now,
    }
    if (op.operation_type === 'delete') row.deleted_at = now
    this.rows.set(op.entity_id, row)
    return { ...base, status: 'success', version: row.version, data: row }
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/** A signed-in client over the memory store, talking to `server`; no timer, no live pokes. */
export async function signedInClient(server = new FakeServer()): Promise<{ client: SyncClient; server: FakeServer }> {
  const client = new SyncClient({
    baseUrl: 'http://trackvault.test',
    storage: createMemoryStore(),
    fetch: server.fetch,
    live: false,
    syncIntervalMs: 0,
    maxRetries: 0,
    retryDelayMs: 1,
  })
  await client.login(USER.email, 'secret')
  return { client, server }
}

let n = 0
/** Fields of a valid supplier. */
export const supplier = (name = `Supplier ${++n}`) => ({ code: `S${++n}`, name })
