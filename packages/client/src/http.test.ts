import { isTransientStatus, PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '@trackvault/core'
import { expect, test } from 'vitest'
import { ApiClient, ApiError } from './http'

test('a request is transient when nothing answered or core says the status is', () => {
  expect(new ApiError(0, 'NETWORK', 'down').transient).toBe(true)
  for (let status = 100; status < 600; status++) {
    expect(new ApiError(status, 'X', '').transient, String(status)).toBe(isTransientStatus(status))
  }
})

test("an error body's code is kept; without one the code is HTTP_<status>; no answer is NETWORK", async () => {
  const answers: Array<() => Promise<Response>> = [
    async () => new Response(JSON.stringify({ error: { code: 'NO_RATE', message: 'no rate' } }), { status: 422 }),
    async () => new Response('Bad gateway', { status: 502, statusText: 'Bad Gateway' }),
    async () => {
      throw new TypeError('fetch failed')
    },
  ]
  const api = new ApiClient('http://trackvault.test', () => (answers.shift() as () => Promise<Response>)())
  const codes: string[] = []
  for (let i = 0; i < 3; i++) {
    await api.request('GET', '/x').catch((err: ApiError) => codes.push(`${err.status} ${err.code}`))
  }
  expect(codes).toEqual(['422 NO_RATE', '502 HTTP_502', '0 NETWORK'])
})

test('every request says which sync protocol version the client speaks', async () => {
  const seen: Array<Record<string, string>> = []
  const api = new ApiClient('http://trackvault.test', async (_url, init) => {
    seen.push(init?.headers as Record<string, string>)
    return new Response('{}', { status: 200 })
  })
  await api.request('GET', '/api/sync/changes')
  await api.request('POST', '/api/sync', { device_id: 'd', operations: [] })
  expect(seen.map((h) => h[PROTOCOL_HEADER])).toEqual([String(SYNC_PROTOCOL_VERSION), String(SYNC_PROTOCOL_VERSION)])
})

test("a download sends the session's token and answers the bytes and the server's file name, or its error", async () => {
  const seen: Array<Record<string, string>> = []
  const answers = [
    new Response('name,amount\nKamau,10.00\n', {
      status: 200,
      headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="payouts-2026-05.csv"' },
    }),
    new Response(JSON.stringify({ error: { code: 'RUN_NOT_APPROVED', message: 'not approved' } }), { status: 409 }),
  ]
  const api = new ApiClient('http://trackvault.test', async (_url, init) => {
    seen.push(init?.headers as Record<string, string>)
    return answers.shift() as Response
  })
  api.token = 'secret'
  const file = await api.download('/api/settlement-runs/r/payouts.csv?format=bank')
  expect(file.filename).toBe('payouts-2026-05.csv')
  expect(await file.blob.text()).toBe('name,amount\nKamau,10.00\n')
  expect(seen[0].authorization).toBe('Bearer secret')
  const err = await api.download('/x').catch((e: ApiError) => e)
  expect([(err as ApiError).status, (err as ApiError).code]).toEqual([409, 'RUN_NOT_APPROVED'])
})

test('an upload sends the text as it is with its content type and the token; the answer or the error comes back', async () => {
  const seen: RequestInit[] = []
  const answers = [
    new Response(JSON.stringify({ paid: 1, failed: 0 }), { status: 200 }),
    new Response(
      JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: 'bad rows', details: { rows: [1] } } }),
      {
        status: 422,
      },
    ),
  ]
  const api = new ApiClient('http://trackvault.test', async (_url, init) => {
    seen.push(init as RequestInit)
    return answers.shift() as Response
  })
  api.token = 'secret'
  const csv = 'reference,status,note\nR-1,paid,\n'
  expect(await api.upload('/api/settlement-runs/r/payout-results', csv)).toEqual({ paid: 1, failed: 0 })
  expect(seen[0].body).toBe(csv)
  const headers = seen[0].headers as Record<string, string>
  expect([headers['content-type'], headers.authorization, seen[0].method]).toEqual([
    'text/csv',
    'Bearer secret',
    'POST',
  ])
  const err = (await api.upload('/x', 'junk').catch((e: ApiError) => e)) as ApiError
  expect([err.status, err.code, err.details]).toEqual([422, 'VALIDATION_FAILED', { rows: [1] }])
})
