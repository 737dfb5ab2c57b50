/**
 * The input guard (plugins/input-guard.ts): JSON nested deeper than 32
 * levels and NUL characters are refused before validation, on every route,
 * in bodies, keys, queries and paths, on both databases, and nothing is
 * written. Both were found by the fuzzer (fuzz.test.ts) as 500s.
 */
import { randomUUID } from 'node:crypto'
import { newId } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { issueToken } from '../src/auth/tokens'
import { TEST_DIALECT } from '../src/testing/test-db'
import { describeChange, listTables, type Snapshot, snapshotter } from './helpers/db-snapshot'
import { expectRawError, fieldsOf } from './helpers/error-contract'
import { rawRequest, rawWithToken } from './helpers/raw-http'
import { startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let snapshot: () => Promise<Snapshot>
let supplierId: string
/** The seq of the pushes below (each device here pushes only through them). */
let seq = 0
beforeAll(async () => {
  s = await startTestServer()
  snapshot = snapshotter(s.db.handle.db, await listTables(s.db.handle.db, TEST_DIALECT))
  supplierId = (await s.as.admin.post('/api/suppliers', { code: 'GUARD', name: 'Guarded' })).body.id
})
afterAll(() => s?.close())

const send = (method: string, path: string, body?: string, token = s.as.admin.token as string) =>
  rawWithToken(s.url, token, method, path, body)

describe('regressions found by fuzzing', () => {
  test('JSON nested deeper than 32 levels is refused whole, before any write (plugins/input-guard.ts)', async () => {
    const nested = (d: number) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`
    const device = 'deep-device'
    const token = (await issueToken(s.db.handle.db, s.users.admin.id, device, 60_000)).token
    const push = (payload: string) =>
      send(
        'POST',
        '/api/sync',
        `{"device_id":"${device}","operations":[{"local_id":"deep-${randomUUID()}","seq":${++seq},` +
          `"entity_type":"supplier","entity_id":"${newId()}","operation_type":"create","payload":${payload}}]}`,
        token,
      )
    const before = await snapshot()
    // Before the fix the pushes were 500s: the ledger stores the payload with JSON.stringify, which overflowed the stack.
    for (const depth of [40, 5_000, 50_000]) {
      const what = `depth ${depth}`
      expectRawError(
        await push(`{"code":"DEEP","name":"x","extra":${nested(depth)}}`),
        400,
        'BAD_REQUEST',
        `push ${what}`,
      )
      expectRawError(await push(`{"code":"DEEP","name":${nested(depth)}}`), 400, 'BAD_REQUEST', `push field ${what}`)
      const rest = await send('POST', '/api/suppliers', `{"code":"DEEP","name":"x","extra":${nested(depth)}}`)
      expectRawError(rest, 400, 'BAD_REQUEST', `REST ${what}`)
      const resolve = await send(
        'POST',
        '/api/sync/resolve',
        `{"device_id":"d","local_id":"l","resolution":"merge","fields":${nested(depth)}}`,
      )
      expectRawError(resolve, 400, 'BAD_REQUEST', `resolve ${what}`)
    }
    expect(describeChange(before, await snapshot())).toBe('')
    // What real clients send stays well inside the limit.
    const ok = await push(`{"code":"SHALLOW-${seq}","name":"x","extra":${nested(20)}}`)
    expect(ok.status, ok.text).toBe(200)
    expect((ok.json as { results: Array<{ status: string }> }).results[0].status).toBe('success')
  })

  test('a NUL character is refused by name on both databases: body, key, query, path, login, sync (input-guard.ts)', async () => {
    const before = await snapshot()
    // On PostgreSQL each of these was a 500 (text cannot hold NUL); SQLite stored the NUL.
    const body = await send('POST', '/api/suppliers', JSON.stringify({ code: 'NUL-1', name: 'a\u0000b' }))
    expectRawError(body, 422, 'VALIDATION_FAILED', 'body')
    expect(fieldsOf(body)).toEqual(['name'])
    const key = await send('PATCH', `/api/suppliers/${supplierId}`, '{"version":1,"a\\u0000":1}')
    expectRawError(key, 422, 'VALIDATION_FAILED', 'key')
    const query = await send('GET', '/api/suppliers?search=a%00b')
    expectRawError(query, 422, 'VALIDATION_FAILED', 'query')
    expect(fieldsOf(query)).toEqual(['querystring.search'])
    expectRawError(await send('GET', '/api/suppliers/a%00b'), 422, 'VALIDATION_FAILED', 'path')
    const login = await rawRequest(s.url, {
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin\u0000@test.local', password: 'whatever-1' }),
    })
    expectRawError(login, 422, 'VALIDATION_FAILED', 'login')
    const push = await send(
      'POST',
      '/api/sync',
      JSON.stringify({
        device_id: 'device-admin',
        operations: [
          {
            local_id: `nul-${randomUUID()}`,
            seq: ++seq,
            entity_type: 'payment',
            entity_id: newId(),
            operation_type: 'create',
            payload: { notes: 'a\u0000b' },
          },
        ],
      }),
    )
    expectRawError(push, 422, 'VALIDATION_FAILED', 'sync payload')
    expect(fieldsOf(push)).toEqual(['operations.0.payload.notes'])
    expect(describeChange(before, await snapshot())).toBe('')
  })
})
