/** The database's epoch: in every cursor and push answer, new after a restore; another epoch is refused before anything is applied. */
import { cursorEpoch, EPOCH_PATTERN, newId } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { markRestored } from '../src/domain/epoch'
import { TestDevice } from './helpers/sync-client'
import { type Reply, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let device: TestDevice

const suppliers = async () =>
  Number(
    (
      await s.db.handle.db
        .selectFrom('suppliers')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

beforeAll(async () => {
  s = await startTestServer()
  device = new TestDevice(await s.login(s.users.manager.email, undefined, 'device-epoch'), 'device-epoch')
})
afterAll(() => s?.close())

describe('epoch', () => {
  test('push answers, pull pages and cursors carry the epoch; the original app shape is unchanged', async () => {
    const pushed = await device.push([device.op('supplier', 'create', newId(), { code: 'EP-1', name: 'Epoch one' })])
    expect(pushed.status).toBe(200)
    expect(pushed.body.epoch).toMatch(EPOCH_PATTERN)
    expect(cursorEpoch(pushed.body.cursor)).toBe(pushed.body.epoch)
    const pulled = await s.as.manager.get('/api/sync/changes')
    expect(pulled.body.epoch).toBe(pushed.body.epoch)
    expect(cursorEpoch(pulled.body.cursor)).toBe(pushed.body.epoch)
    // A cursor of the same epoch, and one without any (clients from before epochs), both pull.
    expect((await s.as.manager.get(`/api/sync/changes?since=${pulled.body.cursor}`)).status).toBe(200)
    expect((await s.as.manager.get(`/api/sync/changes?since=${pulled.body.cursor.split('.')[0]}`)).status).toBe(200)
    const legacyApp = await s.login(s.users.manager.email, undefined, 'device-epoch-legacy')
    const legacy = await legacyApp.post('/api/sync', {
      device_id: 'device-epoch-legacy',
      operations: [{ local_id: -1, entity: 'supplier', operation: 'create', data: { code: 'EP-L', name: 'Legacy' } }],
    })
    expect(Object.keys(legacy.body).sort()).toEqual(['results', 'success'])
  })

  test('another epoch is refused with 409 EPOCH_CHANGED before anything is applied; a restore makes a new one', async () => {
    const before = (await s.as.manager.get('/api/sync/changes')).body
    const stale = await device.api.post('/api/sync', {
      device_id: device.deviceId,
      epoch: 'zzzzzzzzzzzz',
      operations: [device.op('supplier', 'create', newId(), { code: 'EP-2', name: 'Never applied' })],
    })
    expect(stale.status).toBe(409)
    expect(stale.body.error.code).toBe('EPOCH_CHANGED')
    expect(stale.body.error.details.epoch).toBe(before.epoch)
    const count = await suppliers()

    const restored = await markRestored(s.db.handle.db, 'test')
    expect(restored).toMatch(EPOCH_PATTERN)
    expect(restored).not.toBe(before.epoch)
    // The running app keeps its epoch until restarted; a new app over the same database reads the new one.
    const again = await startTestServerOver(s)
    try {
      const old = await again.get(`/api/sync/changes?since=${before.cursor}`)
      expect(old.status).toBe(409)
      expect(old.body.error).toMatchObject({ code: 'EPOCH_CHANGED', details: { epoch: restored } })
      const fresh = await again.get('/api/sync/changes')
      expect(fresh.body.epoch).toBe(restored)
      const known = await again.post('/api/sync', { device_id: device.deviceId, epoch: before.epoch, operations: [] })
      expect(known.status).toBe(409)
      expect(await suppliers()).toBe(count)
    } finally {
      await again.close()
    }
  })

  test('a malformed epoch is a 422, nothing written', async () => {
    const count = await suppliers()
    const res = await device.api.post('/api/sync', {
      device_id: device.deviceId,
      epoch: 'NOT AN EPOCH',
      operations: [device.op('supplier', 'create', newId(), { code: 'EP-3', name: 'Never applied' })],
    })
    expect(res.status).toBe(422)
    expect(await suppliers()).toBe(count)
  })
})

/** A second app over the same database (as after a restart), signed in as the manager. */
async function startTestServerOver(server: TestServer) {
  const { buildApp } = await import('../src/app')
  const { openDatabase } = await import('../src/db/database')
  const handle = openDatabase({
    databaseUrl: server.db.env.DATABASE_URL,
    sqliteFile: server.db.env.TRACKVAULT_DB,
    pgSchema: server.db.env.TRACKVAULT_PG_SCHEMA,
  })
  const app = await buildApp({ db: handle })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: server.users.manager.email, password: 'correct-horse-battery' }),
  })
  const token = ((await login.json()) as { token: string }).token
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, body: (await res.json()) as Reply['body'] }
  }
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    close: async () => {
      await app.close()
      await handle.close()
    },
  }
}
