/**
 * /metrics: each metric an operator pages on is there, and moves after the
 * action that should move it (a real server on loopback, each database).
 */
import { newId } from '@trackvault/core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { TEST_DIALECT } from '../src/testing/test-db'
import { connectEvents } from './helpers/sse-client'
import { TestDevice } from './helpers/sync-client'
import { startTestServer, type TestServer } from './helpers/test-server'

const METRICS_TOKEN = 'metrics-scraper-token-0123456789'
let s: TestServer
let manager: TestDevice

beforeAll(async () => {
  s = await startTestServer({ metrics: { token: METRICS_TOKEN } })
  manager = new TestDevice(s.as.manager, 'device-manager')
})
afterAll(() => s?.close())

async function scrape(): Promise<string> {
  const res = await s.anon.request('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` })
  expect(res.status).toBe(200)
  return res.body as string
}

/** The value of one series (`name{labels}`), or undefined when the series is not there. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    )
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3])
  }
  return undefined
}

const v0 = (text: string, name: string, labels: Record<string, string> = {}) => value(text, name, labels) ?? 0

test('push: operations by status and the push latency histogram move', async () => {
  const device = manager
  const before = await scrape()
  const res = await device.push([
    device.op('supplier', 'create', newId(), { code: `M-${newId().slice(-6)}`, name: 'Metric' }),
    device.op('supplier', 'create', newId(), { code: `M-${newId().slice(-6)}` }), // no name: failed
  ])
  expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['success', 'failed'])
  const after = await scrape()
  for (const status of ['success', 'failed']) {
    const name = 'trackvault_sync_operations_total'
    expect(v0(after, name, { status }) - v0(before, name, { status }), status).toBe(1)
  }
  const count = 'trackvault_sync_push_duration_seconds_count'
  expect(v0(after, count) - v0(before, count)).toBe(1)
  expect(value(after, 'trackvault_sync_push_duration_seconds_sum')).toBeGreaterThan(0)
  expect(after).toContain('# TYPE trackvault_sync_push_duration_seconds histogram')
})

test('pull: the pull latency histogram moves', async () => {
  const count = 'trackvault_sync_pull_duration_seconds_count'
  const before = v0(await scrape(), count)
  expect((await s.as.collector.get('/api/sync/changes?limit=10')).status).toBe(200)
  expect((await s.as.manager.get('/api/sync/changes?limit=10')).status).toBe(200)
  expect(v0(await scrape(), count) - before).toBe(2)
})

test('group commit: sizes of the groups of writes that share one commit', async () => {
  const count = 'trackvault_group_commit_writes_count'
  const sum = 'trackvault_group_commit_writes_sum'
  const before = await scrape()
  const writes = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      s.as.manager.post('/api/suppliers', { code: `G-${i}-${newId().slice(-6)}`, name: `Grouped ${i}` }),
    ),
  )
  expect(writes.map((w) => w.status)).toEqual(Array(12).fill(201))
  const after = await scrape()
  expect(after).toContain('# TYPE trackvault_group_commit_writes histogram')
  // Every write went through a group (how many shared one depends on when they arrived).
  expect(v0(after, sum) - v0(before, sum)).toBe(12)
  const groups = v0(after, count) - v0(before, count)
  expect(groups).toBeGreaterThanOrEqual(1)
  expect(groups).toBeLessThanOrEqual(12)
})

test('live streams open: up while a stream is open, down when it closes', async () => {
  const name = 'trackvault_live_streams_open'
  expect(value(await scrape(), name)).toBe(0)
  const token = s.as.collector.token as string
  const one = await connectEvents(s.url, { token })
  const two = await connectEvents(s.url, { token })
  await one.next('ready')
  await two.next('ready')
  expect(value(await scrape(), name)).toBe(2)
  await one.close()
  await expect.poll(async () => value(await scrape(), name)).toBe(1)
  await two.close()
  await expect.poll(async () => value(await scrape(), name)).toBe(0)
})

test('operations waiting for their user: conflicts and failed operations, counted on the database', async () => {
  const name = 'trackvault_sync_operations_waiting'
  const before = await scrape()
  expect(value(before, name, { status: 'conflict' })).toBeTypeOf('number')
  expect(value(before, name, { status: 'failed' })).toBeTypeOf('number')
  const a = manager
  const b = new TestDevice(await s.login(s.users.admin.email, undefined, 'device-admin-2'), 'device-admin-2')
  const id = newId()
  expect(
    (await a.push([a.op('supplier', 'create', id, { code: `W-${id.slice(-6)}`, name: 'Base' })])).body.results[0]
      .status,
  ).toBe('success')
  await a.push([a.op('supplier', 'update', id, { name: 'From A' }, 1)])
  const conflicted = await b.push([b.op('supplier', 'update', id, { name: 'From B' }, 1)])
  expect(conflicted.body.results[0].status).toBe('conflict')
  const failed = await b.push([b.op('supplier', 'create', newId(), { code: 'no-name' })])
  expect(failed.body.results[0].status).toBe('failed')
  const after = await scrape()
  expect(v0(after, name, { status: 'conflict' }) - v0(before, name, { status: 'conflict' })).toBe(1)
  expect(v0(after, name, { status: 'failed' }) - v0(before, name, { status: 'failed' })).toBe(1)
  // Resolving the conflict takes it off the count.
  const resolved = await b.api.post('/api/sync/resolve', {
    device_id: 'device-admin-2',
    local_id: conflicted.body.results[0].local_id,
    resolution: 'use_server',
  })
  expect(resolved.status).toBe(200)
  expect(v0(await scrape(), name, { status: 'conflict' })).toBe(v0(before, name, { status: 'conflict' }))
})

test('login failures by reason, never the email', async () => {
  const name = 'trackvault_login_failures_total'
  const before = await scrape()
  const email = 'nobody-metrics@test.local'
  expect((await s.anon.post('/api/auth/login', { email, password: 'whatever-1' })).status).toBe(401)
  expect((await s.anon.post('/api/auth/login', { email: s.users.finance.email, password: 'wrong-pass' })).status).toBe(
    401,
  )
  expect((await s.anon.post('/api/auth/login', { email: s.users.finance.email, password: 'wrong-pass' })).status).toBe(
    401,
  )
  // A deactivated account, with its right password.
  const inactive = await s.as.admin.post('/api/users', {
    name: 'Gone',
    email: 'gone-metrics@test.local',
    password: 'correct-horse-battery',
    role: 'collector',
    is_active: false,
  })
  expect(inactive.status).toBe(201)
  const gone = { email: 'gone-metrics@test.local', password: 'correct-horse-battery' }
  expect((await s.anon.post('/api/auth/login', gone)).status).toBe(401)
  // Guesses past the free ones on one account from one address are throttled.
  let throttled = 0
  for (let i = 0; i < 8; i++) {
    const res = await s.anon.post('/api/auth/login', { email: s.users.collector.email, password: `guess-${i}-x` })
    if (res.status === 429) throttled += 1
  }
  expect(throttled).toBeGreaterThan(0)
  const after = await scrape()
  const moved = (reason: string) => v0(after, name, { reason }) - v0(before, name, { reason })
  expect(moved('unknown_account')).toBe(1)
  expect(moved('wrong_password')).toBe(2 + 8 - throttled)
  expect(moved('inactive')).toBe(1)
  expect(moved('throttled')).toBe(throttled)
  for (const address of [email, s.users.finance.email, gone.email]) expect(after).not.toContain(address)
})

test('database pool use: total, idle and waiting on PostgreSQL; no pool series on SQLite', async () => {
  const text = await scrape()
  if (TEST_DIALECT === 'postgres') {
    expect(value(text, 'trackvault_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1)
    expect(value(text, 'trackvault_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(0)
    expect(value(text, 'trackvault_db_pool_waiting_requests')).toBe(0)
    expect(value(text, 'trackvault_db_pool_max_connections')).toBe(10)
  } else {
    expect(text).not.toContain('trackvault_db_pool_')
  }
})
