/**
 * Text messages end to end (issue 20; docs/collection-point.md, "SMS"): a real `trackvault serve`
 * process with the fake provider (a real HTTP server on loopback speaking the providers' APIs).
 * A collection pushed through /api/sync reaches the provider exactly once. Then the provider goes
 * down, another collection is pushed and tried (and refused), the server is stopped gracefully and
 * started again on the same database (now configured for Twilio, as an operator might switch
 * during an outage), keeps trying through the outage, and when the provider comes back each
 * message has been received exactly once. The server's output never shows a credential.
 */
import { newId } from '@trackvault/core'
import {
  createTestDb,
  createUser,
  FakeSmsProvider,
  type ServerProcess,
  startServerProcess,
  type TestDb,
} from '@trackvault/server/testing'
import { afterAll, beforeAll, expect, test } from 'vitest'

const PASSWORD = 'correct-horse-battery'
const RECENT = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
/** Short waits, so retries happen within the test. */
const FAST = {
  TRACKVAULT_SMS_RETRY_BASE_MS: '100',
  TRACKVAULT_SMS_RETRY_MAX_MS: '400',
  TRACKVAULT_SMS_POLL_MS: '100',
  LOG_LEVEL: 'info',
}

let db: TestDb
let fake: FakeSmsProvider
let server: ServerProcess | undefined
/** Every server process started, for their output. */
const started: ServerProcess[] = []

beforeAll(async () => {
  db = await createTestDb()
  fake = await FakeSmsProvider.start()
  for (const role of ['manager', 'collector'] as const) {
    await createUser(db.handle.db, { name: `SMS ${role}`, email: `${role}@sms.test`, password: PASSWORD, role })
  }
})
afterAll(async () => {
  await server?.stop('SIGKILL')
  await fake?.close()
  await db?.drop()
})

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const s = await startServerProcess({ ...db.env, ...FAST, ...env })
  started.push(s)
  return s
}

async function call(url: string, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await res.json()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

async function login(url: string, role: string, deviceId: string): Promise<string> {
  const res = await call(url, undefined, 'POST', '/api/auth/login', {
    email: `${role}@sms.test`,
    password: PASSWORD,
    device_id: deviceId,
  })
  return res.token
}

async function outboxRow(messageId: string) {
  return db.handle.db.selectFrom('notifications').selectAll().where('message_id', '=', messageId).executeTakeFirst()
}

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

test('sync then one SMS, exactly once, across a provider outage and a server restart', async () => {
  server = await start(fake.env('africastalking'))
  const manager = await login(server.url, 'manager', 'office')
  const product = await call(server.url, manager, 'POST', '/api/products', {
    code: 'MILK',
    name: 'Milk',
    default_unit: 'l',
  })
  await call(server.url, manager, 'POST', '/api/product-rates', {
    product_id: product.id,
    unit: 'l',
    rate: '50.00',
    effective_date: '2020-01-01',
  })
  const supplier = await call(server.url, manager, 'POST', '/api/suppliers', {
    code: 'S-001',
    name: 'Wanjiru',
    phone: '+254 712 345 678',
  })

  // A collector's phone pushes a collection: the supplier's message reaches the provider.
  const deviceId = `phone-${newId()}`
  let seq = 0
  const push = async (url: string, quantity: string) => {
    const token = await login(url, 'collector', deviceId)
    const id = newId()
    const res = await call(url, token, 'POST', '/api/sync', {
      device_id: deviceId,
      operations: [
        {
          local_id: `op-${id}`,
          seq: ++seq,
          entity_type: 'collection',
          operation_type: 'create',
          entity_id: id,
          payload: {
            supplier_id: supplier.id,
            product_id: product.id,
            collection_date: RECENT,
            quantity,
            unit: 'l',
            receipt_number: `A-${seq}`,
          },
        },
      ],
    })
    expect(res.results[0].status, JSON.stringify(res)).toBe('success')
    return `collection:${id}`
  }
  const first = await push(server.url, '12.5')
  await fake.waitFor(() => fake.withKey(first).length === 1, 15_000, 'the first message')
  expect(fake.withKey(first)[0]).toMatchObject({
    provider: 'africastalking',
    to: '+254712345678',
    body: `TrackVault: receipt A-1, ${RECENT}. Milk 12.5 l: KES 625.00.`,
  })
  await until(async () => (await outboxRow(first))?.status === 'sent', 'the first message recorded sent')

  // The provider goes down; the second message is tried and refused.
  fake.down('503')
  const second = await push(server.url, '3')
  const refusals = () => fake.requests.filter((r) => r.key === second && r.status === 503).length
  await until(() => refusals() >= 1, 'a try of the second message')
  // A graceful stop, during the outage: the message stays in the outbox, pending.
  expect(await server.stop('SIGTERM')).toBe(0)
  server = undefined
  const waiting = await outboxRow(second)
  expect(waiting).toMatchObject({ status: 'pending', last_error: 'HTTP 503: Service Unavailable' })
  expect(waiting?.attempts).toBeGreaterThanOrEqual(1)
  const triedBefore = refusals()

  // Started again on the same database (now with Twilio), still in the outage: it keeps trying.
  server = await start(fake.env('twilio'))
  await until(() => refusals() > triedBefore, 'a try after the restart')
  expect(fake.withKey(second)).toEqual([])

  // The provider comes back: the second message arrives, once; the first is never sent again.
  fake.up()
  await fake.waitFor(() => fake.withKey(second).length === 1, 15_000, 'the second message')
  await until(async () => (await outboxRow(second))?.status === 'sent', 'the second message recorded sent')
  // Several polls later, still once each.
  await new Promise((r) => setTimeout(r, 500))
  expect(fake.withKey(first)).toHaveLength(1)
  expect(fake.withKey(second)).toHaveLength(1)
  expect(fake.withKey(second)[0]).toMatchObject({
    provider: 'twilio',
    to: '+254712345678',
    from: '+15005550006',
    body: `TrackVault: receipt A-2, ${RECENT}. Milk 3 l: KES 150.00.`,
  })
  const sent = await outboxRow(second)
  expect(sent).toMatchObject({ status: 'sent', provider: 'twilio', provider_message_id: fake.withKey(second)[0].id })
  expect(sent?.attempts).toBe(refusals() + 1)
  expect(fake.messages).toHaveLength(2)

  expect(await server.stop('SIGTERM')).toBe(0)
  server = undefined
  const logs = started.map((s) => s.output()).join('\n')
  expect(logs).toContain('sms: sent')
  expect(logs).toContain('sms: will retry')
  for (const secret of [fake.credentials.africastalking.apiKey, fake.credentials.twilio.authToken]) {
    expect(logs).not.toContain(secret)
  }
})
