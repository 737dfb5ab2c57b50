/**
 * The authorisation matrix, derived from core's permission table (grantFor,
 * can, mayActForOthers, canReadReport, canManageUsers) rather than written
 * out by hand, plus hard-coded spot checks so that a bug in the table cannot
 * hide itself behind its own expectations.
 *
 * - every role x every entity endpoint x own/other rows, over REST and over
 *   sync (one batch per role: each operation success or failed FORBIDDEN);
 *   whatever is refused writes nothing;
 * - every endpoint of the OpenAPI document x every kind of bad credential
 *   (none, forged, expired, revoked, deactivated user, hash as token, event
 *   ticket as token in any form): 401 and nothing written;
 * - mass assignment of server-owned fields over REST and sync;
 * - another user's device id; limits (body size, batch size, rate limit,
 *   login throttling).
 */
import { createHash, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  type Action,
  CLIENT_WRITTEN_TYPES,
  can,
  canApproveSettlement,
  canCreateSettlement,
  canManageUsers,
  canReadNotifications,
  canReadReport,
  type EntityType,
  grantFor,
  MAX_BATCH_OPERATIONS,
  mayActForOthers,
  newId,
  REPORTS,
  type Report,
  type Role,
} from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest'
import { issueToken } from '../src/auth/tokens'
import { TEST_DIALECT } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'
import { changedTables, describeChange, listTables, type Snapshot, snapshotter } from './helpers/db-snapshot'
import { rawRequest } from './helpers/raw-http'
import { TestDevice } from './helpers/sync-client'
import { Api, PASSWORD, type Reply, seedBasics, startTestServer, type TestServer } from './helpers/test-server'

const ROLES: Role[] = ['admin', 'manager', 'finance', 'collector']
const PATHS: Record<EntityType, string> = {
  supplier: '/api/suppliers',
  product: '/api/products',
  product_rate: '/api/product-rates',
  collection: '/api/collections',
  payment: '/api/payments',
  deduction: '/api/deductions',
  settlement_run: '/api/settlement-runs',
  settlement_line: '/api/settlement-lines',
  route: '/api/routes',
  route_assignment: '/api/route-assignments',
}
/** Entity types whose rows belong to a user (`user_id`): "own" and "other" differ only for these. */
const OWNED = new Set<EntityType>(['collection', 'payment', 'route_assignment'])
type Owner = 'own' | 'other'

/** Inside a collector device's window of collections (core's SYNC_WINDOW_DAYS), so its first pull holds them. */
const RECENT = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')

/** One TestDevice per role's signed-in device for the whole file: its seq must keep growing. */
const devices = new Map<Role, TestDevice>()
const deviceOf = (role: Role) => {
  if (!devices.has(role)) devices.set(role, new TestDevice(s.as[role], `device-${role}`))
  return devices.get(role) as TestDevice
}

let s: TestServer
let snapshot: () => Promise<Snapshot>
let base: Awaited<ReturnType<typeof seedBasics>>
/** Owner of the "other" rows: a collector who is none of the signed-in test users. */
let bystander: { id: string; email: string }
let counter = 0
const uniq = (p: string) => `${p}${++counter}-${Math.random().toString(36).slice(2, 6)}`
const userOf = (role: Role) => ({ id: s.users[role].id, role })
const ownerId = (role: Role, owner: Owner) => (owner === 'own' ? s.users[role].id : bystander.id)

/** A valid create body of each type (rates get a unit of their own, so they never overlap). */
function body(type: EntityType, userId?: string): Record<string, unknown> {
  switch (type) {
    case 'supplier':
      return { code: uniq('S'), name: 'Wanjiru' }
    case 'product':
      return { code: uniq('P'), name: 'Milk', default_unit: 'l' }
    case 'product_rate':
      return { product_id: base.productId, unit: uniq('u'), rate: '45.00', effective_date: '2021-01-01' }
    case 'collection':
      return {
        supplier_id: base.supplierId,
        product_id: base.productId,
        collection_date: RECENT,
        quantity: '2',
        unit: 'kg',
        ...(userId ? { user_id: userId } : {}),
      }
    case 'payment':
      return {
        supplier_id: base.supplierId,
        payment_date: '2026-02-01',
        amount: '10.00',
        payment_type: 'advance',
        ...(userId ? { user_id: userId } : {}),
      }
    case 'deduction':
      return {
        supplier_id: base.supplierId,
        kind: 'per_period',
        description: 'Society fee',
        amount: '100.00',
        effective_date: '2026-01-01',
      }
    case 'settlement_run':
    case 'settlement_line':
      // Written by the settlement routes only; refused to every role through the entity API and sync.
      return { period_from: '2026-01-01', period_to: '2026-01-31' }
    case 'route':
      return { code: uniq('R'), name: 'Ridge' }
    case 'route_assignment':
      return { route_id: base.routeId, user_id: userId ?? bystander.id, valid_from: '2026-01-01' }
  }
}

/** A harmless change of each type (keeps the row valid and priced the same). */
const PATCHES: Record<EntityType, Record<string, unknown>> = {
  supplier: { address: 'Ridge road' },
  product: { description: 'Fresh' },
  product_rate: { is_active: true },
  collection: { notes: 'checked' },
  payment: { notes: 'checked' },
  deduction: { notes: 'checked' },
  settlement_run: { notes: 'checked' },
  settlement_line: { payout_note: 'checked' },
  route: { description: 'checked' },
  route_assignment: { valid_to: '2027-12-31' },
}

/** A row made by the admin, owned by `userId` where the type has owners. */
async function fixture(type: EntityType, userId?: string): Promise<{ id: string; version: number }> {
  const res = await s.as.admin.post(PATHS[type], body(type, OWNED.has(type) ? userId : undefined))
  if (res.status !== 201) throw new Error(`${type}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

// ---------------------------------------------------------------- expectations from the permission table

/** May `role` do `action` on a row of `type` owned by `owner` (create: a row recorded for that user)? */
function allowed(role: Role, type: EntityType, action: Action, owner?: Owner): boolean {
  const id = OWNED.has(type) && owner ? ownerId(role, owner) : undefined
  if (!can(userOf(role), type, action, id)) return false
  // Recording a row for someone else needs the right to act for others.
  if (action === 'create' && OWNED.has(type) && owner === 'other') return mayActForOthers(role, type)
  return true
}

/** Status of GET one row: 403 when the type is not readable at all, 404 when only this row is not. */
function readStatus(role: Role, type: EntityType, owner?: Owner): number {
  if (grantFor(role, type, 'read') === 'none') return 403
  return allowed(role, type, 'read', owner) ? 200 : 404
}

/**
 * Hand-written spot checks of the same table (docs/api.md, "Roles"). If the
 * derived expectation ever disagrees with one of these, the table changed.
 */
const SPOT: Array<[Role, EntityType, Action, Owner | undefined, boolean]> = [
  ['admin', 'payment', 'delete', 'other', true],
  ['manager', 'product_rate', 'create', undefined, true],
  ['manager', 'collection', 'create', 'other', true],
  ['finance', 'payment', 'create', 'other', true],
  ['finance', 'payment', 'delete', 'other', true],
  ['finance', 'collection', 'create', 'own', false],
  ['finance', 'supplier', 'update', undefined, false],
  ['finance', 'product', 'read', undefined, true],
  ['collector', 'supplier', 'create', undefined, true],
  ['collector', 'supplier', 'update', undefined, false],
  ['collector', 'product', 'create', undefined, false],
  ['collector', 'collection', 'create', 'own', true],
  ['collector', 'collection', 'create', 'other', false],
  ['collector', 'collection', 'update', 'own', true],
  ['collector', 'collection', 'update', 'other', false],
  ['collector', 'collection', 'read', 'other', false],
  ['collector', 'collection', 'delete', 'own', false],
  ['collector', 'payment', 'read', 'own', false],
  ['collector', 'payment', 'create', 'own', false],
]

function expectStatus(res: Reply, status: number, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)?.slice(0, 300)}`).toBe(status)
  if (status === 403) expect(res.body.error.code, what).toBe('FORBIDDEN')
  if (status === 401) expect(res.body.error.code, what).toBe('UNAUTHENTICATED')
}

/** Runs `work` and asserts that no table changed. */
async function writesNothing<T>(what: string, work: () => Promise<T>): Promise<T> {
  const before = await snapshot()
  const out = await work()
  expect(describeChange(before, await snapshot()), `${what} wrote`).toBe('')
  return out
}

beforeAll(async () => {
  s = await startTestServer({ rateLimit: { max: 100_000, timeWindowMs: 60_000 } })
  snapshot = snapshotter(s.db.handle.db, await listTables(s.db.handle.db, TEST_DIALECT))
  base = await seedBasics(s.as.admin)
  const u = await createUser(s.db.handle.db, {
    name: 'Bystander',
    email: 'bystander@authz.test',
    password: PASSWORD,
    role: 'collector',
  })
  bystander = { id: u.id, email: u.email }
}, 60_000)
afterAll(() => s?.close())

describe('the permission table', () => {
  test.each(SPOT)('spot check: %s %s %s (%s) is %s', (role, type, action, owner, expected) => {
    expect(allowed(role, type, action, owner)).toBe(expected)
  })

  test('reports and users follow their own rules', () => {
    const readers = (report: Report) => ROLES.filter((role) => canReadReport(role, report))
    expect(readers('balances_report')).toEqual(['admin', 'manager', 'finance'])
    expect(readers('supplier_statement')).toEqual(['admin', 'manager', 'finance'])
    expect(readers('supplier_balance')).toEqual(ROLES) // collectors too: any supplier, at the gate
    expect(ROLES.filter(canManageUsers)).toEqual(['admin'])
    expect(ROLES.filter(canReadNotifications)).toEqual(['admin', 'manager', 'finance'])
  })

  // Found by attacking the server: collectors read every supplier's total_payments through balances while
  // docs/api.md promised them only their "own supplier balance". The table there is now derived from core.
  test("docs/api.md's roles table says what core's permission table grants", () => {
    const docs = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8')
    const table = docs.slice(docs.indexOf('## Roles'))
    const cells = (role: Role) => {
      const line = table.split('\n').find((l) => l.startsWith(`| ${role} `))
      if (!line) throw new Error(`docs/api.md has no roles row for ${role}`)
      return line
        .split('|')
        .slice(2, -1)
        .map((c) => c.trim())
    }
    /** How the table writes the grants of one entity type: "all", "read, create", "own: read, create, update", "–". */
    const entityCell = (role: Role, type: EntityType) => {
      const actions: Action[] = ['read', 'create', 'update', 'delete']
      const grants = actions.map((a) => grantFor(role, type, a))
      if (grants.every((g) => g === 'all')) return 'all'
      const granted = actions.filter((_, i) => grants[i] !== 'none').join(', ')
      if (!granted) return '–'
      return grants.includes('own') ? `own: ${granted}` : granted
    }
    const reportsCell = (role: Role) => {
      const granted = REPORTS.filter((r) => canReadReport(role, r))
      if (granted.length === REPORTS.length) return 'all'
      if (granted.length === 1 && granted[0] === 'supplier_balance') return 'any one supplier balance'
      return granted.length === 0 ? '–' : granted.join(', ')
    }
    for (const role of ROLES) {
      expect(entityCell(role, 'product'), role).toBe(entityCell(role, 'product_rate')) // one column for both
      expect(cells(role), role).toEqual([
        entityCell(role, 'supplier'),
        entityCell(role, 'product'),
        entityCell(role, 'collection'),
        entityCell(role, 'payment'),
        entityCell(role, 'deduction'),
        entityCell(role, 'settlement_run'),
        entityCell(role, 'settlement_line'),
        reportsCell(role),
        canManageUsers(role) ? 'yes' : '–',
      ])
    }
  })
})

describe('REST: every role x every entity endpoint x own/other rows', () => {
  test.each(ROLES)('%s', async (role) => {
    const api = s.as[role]
    let checks = 0
    for (const type of CLIENT_WRITTEN_TYPES) {
      const owners: Array<Owner | undefined> = OWNED.has(type) ? ['own', 'other'] : [undefined]
      const what = (op: string, owner?: Owner) => `${role} ${op} ${owner ?? ''} ${type}`
      const listed = await api.get(`${PATHS[type]}?per_page=100&sort_by=created_at&sort_order=desc`)
      for (const owner of owners) {
        const row = await fixture(type, owner && ownerId(role, owner))
        // Read: one row, and whether the list shows it.
        const one = await api.get(`${PATHS[type]}/${row.id}`)
        expectStatus(one, readStatus(role, type, owner), what('get', owner))
        const list = await api.get(`${PATHS[type]}?per_page=100&sort_by=created_at&sort_order=desc`)
        if (grantFor(role, type, 'read') === 'none') expectStatus(list, 403, what('list', owner))
        else {
          expectStatus(list, 200, what('list', owner))
          const ids = list.body.data.map((r: { id: string }) => r.id)
          expect(ids.includes(row.id), what('list shows', owner)).toBe(allowed(role, type, 'read', owner))
          if (grantFor(role, type, 'read') === 'own') {
            for (const r of list.body.data) expect(r.user_id, what('list only own', owner)).toBe(s.users[role].id)
          }
        }
        // Create a row for that owner.
        const id = randomUUID()
        const createOk = allowed(role, type, 'create', owner)
        const created = createOk
          ? await api.post(PATHS[type], { ...body(type, owner && ownerId(role, owner)), id })
          : await writesNothing(what('create', owner), () =>
              api.post(PATHS[type], { ...body(type, owner && ownerId(role, owner)), id }),
            )
        expectStatus(created, createOk ? 201 : 403, what('create', owner))
        if (createOk) expect(created.body.created_by, what('created_by', owner)).toBe(s.users[role].id)
        // Update with PATCH and with PUT.
        for (const method of ['PATCH', 'PUT'] as const) {
          const target = await fixture(type, owner && ownerId(role, owner))
          const updateOk = allowed(role, type, 'update', owner)
          const send = () => api.request(method, `${PATHS[type]}/${target.id}`, { ...PATCHES[type], version: 1 })
          const res = updateOk ? await send() : await writesNothing(what(method, owner), send)
          expectStatus(res, updateOk ? 200 : 403, what(method, owner))
          if (updateOk) expect(res.body.version).toBe(2)
        }
        // Delete.
        const victim = await fixture(type, owner && ownerId(role, owner))
        const deleteOk = allowed(role, type, 'delete', owner)
        const del = () => api.del(`${PATHS[type]}/${victim.id}?version=1`)
        const deleted = deleteOk ? await del() : await writesNothing(what('delete', owner), del)
        expectStatus(deleted, deleteOk ? 200 : 403, what('delete', owner))
        // History of the live and of the deleted row: readable exactly when the row is.
        const historyOk = allowed(role, type, 'read', owner)
        const live = await api.get(`/api/history/${type}/${row.id}`)
        if (historyOk) expectStatus(live, 200, what('history', owner))
        else expect([403, 404], what('history', owner)).toContain(live.status)
        const tomb = await fixture(type, owner && ownerId(role, owner))
        await s.as.admin.del(`${PATHS[type]}/${tomb.id}?version=1`)
        const gone = await api.get(`/api/history/${type}/${tomb.id}`)
        if (historyOk) expectStatus(gone, 200, what('history of deleted', owner))
        else expect([403, 404], what('history of deleted', owner)).toContain(gone.status)
        checks += 9
      }
      expect(listed.status).toBe(grantFor(role, type, 'read') === 'none' ? 403 : 200)
    }
    expect(checks).toBeGreaterThan(30)
  })

  test('reports, notifications and users: derived from canReadReport, canReadNotifications and canManageUsers', async () => {
    for (const role of ROLES) {
      const api = s.as[role]
      expectStatus(
        await api.get(`/api/suppliers/${base.supplierId}/balance`),
        canReadReport(role, 'supplier_balance') ? 200 : 403,
        `${role} balance`,
      )
      expectStatus(
        await api.get(`/api/suppliers/${base.supplierId}/statement`),
        canReadReport(role, 'supplier_statement') ? 200 : 403,
        `${role} statement`,
      )
      expectStatus(
        await api.get('/api/reports/balances'),
        canReadReport(role, 'balances_report') ? 200 : 403,
        `${role} report`,
      )
      expectStatus(await api.get('/api/notifications'), canReadNotifications(role) ? 200 : 403, `${role} notifications`)
      const users = canManageUsers(role) ? 200 : 403
      expectStatus(await api.get('/api/users'), users, `${role} users`)
      expectStatus(await api.get(`/api/users/${bystander.id}`), users, `${role} user`)
      const newUser = { name: 'N', email: `${uniq('n')}@authz.test`, password: 'password-123', role: 'admin' }
      const create = () => api.post('/api/users', newUser)
      expectStatus(
        canManageUsers(role) ? await create() : await writesNothing(`${role} create user`, create),
        canManageUsers(role) ? 201 : 403,
        `${role} create user`,
      )
      const patch = () => api.patch(`/api/users/${bystander.id}`, { name: 'Renamed' })
      expectStatus(
        canManageUsers(role) ? await patch() : await writesNothing(`${role} patch user`, patch),
        users,
        `${role} patch user`,
      )
      const reset = () => api.post(`/api/users/${bystander.id}/password`, { password: PASSWORD })
      expectStatus(
        canManageUsers(role) ? await reset() : await writesNothing(`${role} reset password`, reset),
        canManageUsers(role) ? 204 : 403,
        `${role} reset password`,
      )
    }
  })

  test('settlement runs: derived from canCreateSettlement and canApproveSettlement', async () => {
    const supplier = await fixture('supplier')
    await fixture('collection', s.users.admin.id).then(async (c) => {
      const res = await s.as.admin.patch(`${PATHS.collection}/${c.id}`, {
        supplier_id: supplier.id,
        version: c.version,
      })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
    })
    const draft = (role: Role) => () =>
      s.as[role].post(PATHS.settlement_run, {
        period_from: '2026-02-01',
        period_to: '2026-02-28',
        supplier_ids: [supplier.id],
        reference: uniq('authz'),
      })
    for (const role of ROLES) {
      const allowed = canCreateSettlement(role)
      const res = allowed ? await draft(role)() : await writesNothing(`${role} create run`, draft(role))
      expectStatus(res, allowed ? 201 : 403, `${role} create run`)
      if (!allowed) continue
      const discard = () => s.as[role].post(`${PATHS.settlement_run}/${res.body.run.id}/discard`, { version: 1 })
      expectStatus(await discard(), 200, `${role} discard run`)
    }
    const run = (await draft('finance')()).body.run
    for (const role of ROLES.filter((r) => !canApproveSettlement(r))) {
      const approve = () => s.as[role].post(`${PATHS.settlement_run}/${run.id}/approve`, { version: 1 })
      expectStatus(await writesNothing(`${role} approve run`, approve), 403, `${role} approve run`)
      const discard = () => s.as[role].post(`${PATHS.settlement_run}/${run.id}/discard`, { version: 1 })
      if (!canCreateSettlement(role))
        expectStatus(await writesNothing(`${role} discard`, discard), 403, `${role} discard`)
    }
    for (const role of ROLES.filter((r) => canApproveSettlement(r))) {
      const res = await s.as[role].post(`${PATHS.settlement_run}/${run.id}/approve`, { version: 1 })
      expectStatus(res, 200, `${role} approve run`)
      expect(res.body.run.status).toBe('approved')
    }
  })

  test("a collector's balance of a supplier is the supplier's: every collector's collections and every payment", async () => {
    const supplier = await fixture('supplier')
    const collect = (userId: string, quantity: string) =>
      s.as.admin.post(PATHS.collection, { ...body('collection', userId), supplier_id: supplier.id, quantity })
    expect((await collect(s.users.collector.id, '2')).status).toBe(201) // 2 x 120.00
    expect((await collect(bystander.id, '3')).status).toBe(201) // another collector's: 3 x 120.00
    const pay = await s.as.finance.post(PATHS.payment, {
      ...body('payment'),
      supplier_id: supplier.id,
      amount: '50.00',
    })
    expect(pay.status).toBe(201)
    const seen = await s.as.collector.get(`/api/suppliers/${supplier.id}/balance`)
    expectStatus(seen, 200, 'collector balance')
    expect(seen.body).toEqual({
      supplier_id: supplier.id,
      total_collections: '600.00',
      total_payments: '50.00',
      total_deductions: '0.00',
      balance: '550.00',
      unpriced_collections: 0,
    })
    expect((await s.as.finance.get(`/api/suppliers/${supplier.id}/balance`)).body).toEqual(seen.body)
    // Totals only: not the payments, the other collector's collection, the lines of a statement, or the report.
    expectStatus(await s.as.collector.get(`${PATHS.payment}?supplier_id=${supplier.id}`), 403, 'collector payments')
    expectStatus(await s.as.collector.get(`${PATHS.payment}/${pay.body.id}`), 403, 'collector payment')
    const mine = await s.as.collector.get(`${PATHS.collection}?supplier_id=${supplier.id}`)
    expect(mine.body.data.map((r: { user_id: string }) => r.user_id)).toEqual([s.users.collector.id])
    expectStatus(await s.as.collector.get(`/api/suppliers/${supplier.id}/statement`), 403, 'collector statement')
    expectStatus(await s.as.collector.get('/api/reports/balances'), 403, 'collector report')
  })

  test('pull: every change a role receives is one it may read; it receives every one it may', async () => {
    const rows: Record<string, { type: EntityType; userId?: string }> = {}
    for (const type of CLIENT_WRITTEN_TYPES) {
      for (const role of ROLES) {
        const row = await fixture(type, s.users[role].id)
        rows[row.id] = { type, userId: OWNED.has(type) ? s.users[role].id : undefined }
      }
    }
    for (const role of ROLES) {
      const seen = new Set<string>()
      let cursor: string | undefined
      for (;;) {
        const res = await s.as[role].get(`/api/sync/changes?limit=1000${cursor ? `&since=${cursor}` : ''}`)
        expect(res.status).toBe(200)
        for (const c of res.body.changes as Array<{
          entity_type: EntityType
          entity_id: string
          data: Record<string, unknown>
        }>) {
          if (c.data.revoked) continue
          const owner = typeof c.data.user_id === 'string' ? c.data.user_id : undefined
          expect(can(userOf(role), c.entity_type, 'read', owner), `${role} pulled ${c.entity_type} of ${owner}`).toBe(
            true,
          )
          seen.add(c.entity_id)
        }
        cursor = res.body.cursor
        if (!res.body.has_more) break
      }
      for (const [id, r] of Object.entries(rows)) {
        expect(seen.has(id), `${role} pulls ${r.type} of ${r.userId}`).toBe(can(userOf(role), r.type, 'read', r.userId))
      }
    }
  })
})

describe('sync: every operation of a batch is authorised like REST', () => {
  test.each(ROLES)('%s: per entity type x operation type x own/other', async (role) => {
    const device = deviceOf(role)
    const ops: Array<{ op: ReturnType<TestDevice['op']>; ok: boolean; what: string; target?: string }> = []
    for (const type of CLIENT_WRITTEN_TYPES) {
      const owners: Array<Owner | undefined> = OWNED.has(type) ? ['own', 'other'] : [undefined]
      for (const owner of owners) {
        const userId = owner && ownerId(role, owner)
        const what = (op: string) => `${role} sync ${op} ${owner ?? ''} ${type}`
        // Creating a collection or payment for oneself may leave user_id out; for someone else it names them.
        const payload = body(type, owner === 'other' ? userId : undefined)
        ops.push({
          op: device.op(type, 'create', newId(), payload),
          ok: allowed(role, type, 'create', owner),
          what: what('create'),
        })
        const toUpdate = await fixture(type, userId)
        ops.push({
          op: device.op(type, 'update', toUpdate.id, PATCHES[type], 1),
          ok: allowed(role, type, 'update', owner),
          what: what('update'),
          target: toUpdate.id,
        })
        const toDelete = await fixture(type, userId)
        ops.push({
          op: device.op(type, 'delete', toDelete.id, {}, 1),
          ok: allowed(role, type, 'delete', owner),
          what: what('delete'),
          target: toDelete.id,
        })
      }
    }
    const before = await snapshot()
    const res = await device.push(ops.map((o) => o.op))
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200)
    const after = await snapshot()
    const results = res.body.results as Array<{ status: string; entity_id: string; error?: { code: string } }>
    expect(results).toHaveLength(ops.length)
    for (const [i, o] of ops.entries()) {
      if (o.ok) expect(results[i].status, `${o.what}: ${JSON.stringify(results[i].error)}`).toBe('success')
      else expect(results[i], o.what).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' }, data: null })
    }
    // Refused operations wrote nothing: their targets are untouched and their creates do not exist.
    for (const [i, o] of ops.entries()) {
      if (o.ok) continue
      const id = results[i].entity_id
      const history = await s.db.handle.db
        .selectFrom('entity_history')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('entity_id', '=', id)
        .executeTakeFirstOrThrow()
      expect(Number(history.n), `${o.what}: history`).toBe(o.target ? 1 : 0)
    }
    // Exactly one history row and one change per allowed operation, one ledger row per operation.
    const allowedCount = ops.filter((o) => o.ok).length
    expect(after.entity_history.n - before.entity_history.n).toBe(allowedCount)
    expect(after.change_log.n - before.change_log.n).toBe(allowedCount)
    expect(after.sync_operations.n - before.sync_operations.n).toBe(ops.length)
    expect(changedTables(before, after).filter((t) => t === 'users' || t === 'auth_tokens')).toEqual([])
  })

  test("history of a deleted row follows the same rule as the live row (a collector's deleted payment stays hidden)", async () => {
    // A payment recorded for the collector: a collector may not read payments, deleted or not.
    const payment = await fixture('payment', s.users.collector.id)
    expectStatus(await s.as.collector.get(`/api/history/payment/${payment.id}`), 403, 'live payment history')
    await s.as.admin.del(`${PATHS.payment}/${payment.id}?version=1`)
    const deleted = await s.as.collector.get(`/api/history/payment/${payment.id}`)
    expect([403, 404], JSON.stringify(deleted.body).slice(0, 200)).toContain(deleted.status)
    expect(JSON.stringify(deleted.body)).not.toContain('10.00')
    // A supplier is readable by a collector, so is the history of a deleted one.
    const supplier = await fixture('supplier')
    await s.as.admin.del(`${PATHS.supplier}/${supplier.id}?version=1`)
    expectStatus(await s.as.collector.get(`/api/history/supplier/${supplier.id}`), 200, 'deleted supplier history')
  })

  test('spot checks over sync, written out by hand', async () => {
    const collector = new TestDevice(
      await s.login(s.users.collector.email, undefined, 'spot-collector'),
      'spot-collector',
    )
    const mine = await fixture('collection', s.users.collector.id)
    const theirs = await fixture('collection', bystander.id)
    const res = await collector.push([
      collector.op('payment', 'create', newId(), body('payment')),
      collector.op('collection', 'update', mine.id, { notes: 'mine' }, 1),
      collector.op('collection', 'update', theirs.id, { notes: 'theirs' }, 1),
      collector.op('collection', 'delete', mine.id, {}, 2),
      collector.op('product', 'create', newId(), body('product')),
      collector.op('supplier', 'create', newId(), body('supplier')),
    ])
    expect(
      res.body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status),
    ).toEqual(['FORBIDDEN', 'success', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'success'])
  })
})

describe('credentials: every endpoint x every kind of bad token', () => {
  interface Op {
    method: string
    path: string
    public: boolean
  }
  let ops: Op[]

  beforeAll(async () => {
    const doc = (await s.anon.get('/api/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>
    }
    ops = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.entries(methods).map(([m, op]) => ({
        method: m.toUpperCase(),
        path: p.replace('{entity_type}', 'supplier').replace('{id}', base.supplierId).replace(/\/$/, ''),
        public: Array.isArray(op.security) && op.security.length === 0,
      })),
    )
  })

  test('the only public operation of the API document is sign-in', () => {
    expect(ops.length).toBeGreaterThanOrEqual(45)
    expect(ops.filter((o) => o.public).map((o) => `${o.method} ${o.path}`)).toEqual(['POST /api/auth/login'])
  })

  test('none, forged, malformed, expired, revoked, deactivated, hash, ticket: 401 everywhere, nothing written', async () => {
    const db = s.db.handle.db
    // A user of their own, so deactivating them disturbs no other test.
    const victim = await createUser(db, { name: 'Gone', email: 'gone@authz.test', password: PASSWORD, role: 'admin' })
    const deactivated = await s.login(victim.email, PASSWORD, 'device-gone')
    const expired = await issueToken(db, s.users.admin.id, 'device-admin', 60_000)
    await db
      .updateTable('auth_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', sha256(expired.token))
      .execute()
    const revoked = await s.login(s.users.admin.email, PASSWORD, 'device-admin')
    expect((await revoked.post('/api/auth/logout')).status).toBe(204)
    const ticket = (await s.as.admin.post('/api/sync/events/ticket')).body.ticket as string
    await db.updateTable('users').set({ is_active: 0 }).where('id', '=', victim.id).execute()
    const kinds: Record<string, Record<string, string>> = {
      none: {},
      forged: { authorization: `Bearer ${Buffer.alloc(32, 9).toString('base64url')}` },
      'not bearer': { authorization: `Basic ${Buffer.from(`${s.users.admin.email}:${PASSWORD}`).toString('base64')}` },
      'two tokens': { authorization: `Bearer ${s.as.admin.token} ${s.as.admin.token}` },
      'empty bearer': { authorization: 'Bearer ' },
      expired: { authorization: `Bearer ${expired.token}` },
      revoked: { authorization: `Bearer ${revoked.token}` },
      deactivated: { authorization: `Bearer ${deactivated.token}` },
      'stored hash': { authorization: `Bearer ${sha256(s.as.admin.token as string)}` },
      'event ticket': { authorization: `Bearer ${ticket}` },
      // The form a ticket is stored under (its hash is in auth_tokens): a ticket is no session in any form.
      'event ticket, stored form': { authorization: `Bearer sse-ticket:${ticket}` },
      'sql in token': { authorization: "Bearer ' OR '1'='1" },
    }
    let sent = 0
    for (const op of ops.filter((o) => !o.public)) {
      const before = await snapshot()
      for (const [kind, headers] of Object.entries(kinds)) {
        const what = `${kind}: ${op.method} ${op.path}`
        const hasBody = op.method !== 'GET' && op.method !== 'DELETE'
        const res = await rawRequest(s.url, {
          method: op.method,
          path: op.method === 'DELETE' ? `${op.path}?version=1` : op.path,
          headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          body: hasBody ? '{}' : undefined,
        })
        sent++
        expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(401)
        expect((res.json as { error: { code: string } }).error.code, what).toBe('UNAUTHENTICATED')
      }
      expect(describeChange(before, await snapshot()), `${op.method} ${op.path}`).toBe('')
    }
    // The same credentials keep working where they should: the ticket once, the admin's own token always.
    expect((await s.as.admin.get('/api/auth/me')).status).toBe(200)
    const stream = await rawRequest(s.url, { method: 'GET', path: `/api/sync/events?ticket=${ticket}` })
    expect(stream.status).toBe(200)
    console.log(`[authz ${TEST_DIALECT}] bad credentials: ${sent} requests`)
  })

  test('a deactivated user stays out after reactivation until signing in again; login of an inactive user writes no token', async () => {
    const u = await createUser(s.db.handle.db, {
      name: 'Paused',
      email: 'paused@authz.test',
      password: PASSWORD,
      role: 'collector',
    })
    const api = await s.login(u.email, PASSWORD, 'device-paused')
    expect((await s.as.admin.patch(`/api/users/${u.id}`, { is_active: false })).status).toBe(200)
    expectStatus(await api.get('/api/suppliers'), 401, 'after deactivation')
    await writesNothing('inactive login', async () => {
      const res = await s.anon.post('/api/auth/login', { email: u.email, password: PASSWORD })
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS')
    })
    await s.as.admin.patch(`/api/users/${u.id}`, { is_active: true })
    expectStatus(await api.get('/api/suppliers'), 401, 'old token after reactivation')
    expect((await (await s.login(u.email, PASSWORD)).get('/api/suppliers')).status).toBe(200)
  })
})

describe('mass assignment of server-owned fields', () => {
  const FORGED = {
    version: 99,
    created_at: '2000-01-01T00:00:00.000Z',
    updated_at: '2000-01-01T00:00:00.000Z',
    deleted_at: '2000-01-01T00:00:00.000Z',
    created_by: '00000000-0000-4000-8000-000000000001',
    updated_by: '00000000-0000-4000-8000-000000000001',
    device_id: 'forged-device',
    sync_metadata: { resolved: { resolution: 'force' }, forged: true },
    rate_applied: '0.01',
    total_amount: '0.01',
    product_rate_id: '00000000-0000-4000-8000-000000000002',
  }

  /** The server-owned fields of a row the manager just wrote on device-manager, at `version`. */
  function expectServerOwned(row: Record<string, unknown>, type: EntityType, version: number, what: string) {
    expect(row, what).toMatchObject({
      version,
      deleted_at: null,
      updated_by: s.users.manager.id,
    })
    expect(row, what).not.toHaveProperty('device_id')
    expect(String(row.created_at).startsWith('2000'), what).toBe(false)
    expect(String(row.updated_at).startsWith('2000'), what).toBe(false)
    expect(row.sync_metadata === null || !('forged' in (row.sync_metadata as object)), what).toBe(true)
    if (type === 'collection') {
      expect(row, what).toMatchObject({ rate_applied: '120.00', total_amount: '240.00', product_rate_id: base.rateId })
    }
  }

  test.each(CLIENT_WRITTEN_TYPES)('REST create and update of a %s ignore them', async (type) => {
    const api = s.as.manager
    const created = await api.post(PATHS[type], { ...body(type), ...FORGED })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expectServerOwned(created.body, type, 1, `${type} create`)
    expect(created.body.created_by).toBe(s.users.manager.id)
    const updated = await api.patch(`${PATHS[type]}/${created.body.id}`, { ...PATCHES[type], ...FORGED, version: 1 })
    expect(updated.status, JSON.stringify(updated.body)).toBe(200)
    expectServerOwned(updated.body, type, 2, `${type} update`)
    expect(updated.body.created_by).toBe(s.users.manager.id)
    expect(updated.body.created_at).toBe(created.body.created_at)
  })

  test.each(CLIENT_WRITTEN_TYPES)(
    'sync create and update of a %s ignore them, and an id in the payload',
    async (type) => {
      const device = deviceOf('manager')
      const id = newId()
      const other = newId()
      const res = await device.push([
        device.op(type, 'create', id, { ...body(type), ...FORGED, id: other }),
        device.op(type, 'update', id, { ...PATCHES[type], ...FORGED, id: other, version: 7 }, 1),
      ])
      const [created, updated] = res.body.results
      expect(created.status, JSON.stringify(created)).toBe('success')
      expect(updated.status, JSON.stringify(updated)).toBe('success')
      expect(created.data.id).toBe(id)
      expectServerOwned(created.data, type, 1, `${type} sync create`)
      expectServerOwned(updated.data, type, 2, `${type} sync update`)
      expect((await s.as.admin.get(`${PATHS[type]}/${other}`)).status).toBe(404)
      expect((await s.as.admin.get(`${PATHS[type]}/${id}`)).body.deleted_at).toBeNull()
    },
  )

  test('user_id of someone else: refused for who may not act for others, REST and sync, create and update', async () => {
    const device = new TestDevice(await s.login(s.users.collector.email, undefined, 'mass-collector'), 'mass-collector')
    const mine = await fixture('collection', s.users.collector.id)
    const restCreate = await writesNothing('REST create for other', () =>
      s.as.collector.post(PATHS.collection, body('collection', bystander.id)),
    )
    expectStatus(restCreate, 403, 'REST create for other')
    const restMove = await writesNothing('REST hand over', () =>
      s.as.collector.patch(`${PATHS.collection}/${mine.id}`, { user_id: bystander.id, version: 1 }),
    )
    expectStatus(restMove, 403, 'REST hand over')
    const before = await snapshot()
    const res = await device.push([
      device.op('collection', 'create', newId(), body('collection', bystander.id)),
      device.op('collection', 'update', mine.id, { user_id: bystander.id }, 1),
      device.op('supplier', 'create', newId(), { ...body('supplier'), user_id: bystander.id }),
    ])
    expect(
      res.body.results.map((r: { status: string; error?: { code: string } }) => r.error?.code ?? r.status),
    ).toEqual(['FORBIDDEN', 'FORBIDDEN', 'success'])
    const after = await snapshot()
    expect(after.entity_history.n - before.entity_history.n).toBe(1)
    expect((await s.as.admin.get(`${PATHS.collection}/${mine.id}`)).body).toMatchObject({
      version: 1,
      user_id: s.users.collector.id,
    })
    // Finance may record a payment for someone else (the table says so), and it is recorded as such.
    const finance = await s.as.finance.post(PATHS.payment, body('payment', bystander.id))
    expect(finance.status).toBe(201)
    expect(finance.body).toMatchObject({ user_id: bystander.id, created_by: s.users.finance.id })
  })

  test('users: unknown and server-owned fields are ignored; login cannot pick a user or a role', async () => {
    const created = await s.as.admin.post('/api/users', {
      name: 'Mass',
      email: 'mass@authz.test',
      password: 'password-123',
      role: 'collector',
      id: '00000000-0000-4000-8000-000000000009',
      password_hash: 'scrypt$1$1$1$AAAA$AAAA',
      created_at: '2000-01-01T00:00:00.000Z',
    })
    expect(created.status).toBe(201)
    expect(created.body.id).not.toBe('00000000-0000-4000-8000-000000000009')
    expect(created.body.created_at.startsWith('2000')).toBe(false)
    const patched = await s.as.admin.patch(`/api/users/${created.body.id}`, {
      name: 'Mass 2',
      email: 'hijack@authz.test',
      password_hash: 'x',
      password: 'new-password-1',
    })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ name: 'Mass 2', email: 'mass@authz.test' })
    const login = await s.anon.post('/api/auth/login', {
      email: 'mass@authz.test',
      password: 'password-123',
      user_id: s.users.admin.id,
      role: 'admin',
    })
    expect(login.status).toBe(200)
    expect(login.body.user).toMatchObject({ id: created.body.id, role: 'collector' })
    expectStatus(await new Api(s.url, login.body.token).get('/api/users'), 403, 'collector reads users')
  })
})

describe("another user's device", () => {
  test("every role claiming another role's device id: the local ids it takes stay the owner's, and neither lists the other's", async () => {
    for (const role of ROLES) {
      const victimRole: Role = role === 'collector' ? 'manager' : 'collector'
      const phone = `claimed-${uniq(role)}`
      const victim = new TestDevice(await s.login(s.users[victimRole].email, undefined, phone), phone)
      const squatter = new TestDevice(await s.login(s.users[role].email, undefined, phone), phone)
      // The squatter sends operations (one failing, so it is parked) under the local ids the victim uses next.
      const mine = [
        victim.op('supplier', 'create', newId(), body('supplier')),
        victim.op('collection', 'create', newId(), body('collection', s.users[victimRole].id)),
      ]
      const squat = await squatter.push([
        { ...squatter.op('supplier', 'create', newId(), body('supplier')), local_id: mine[0].local_id },
        { ...squatter.op('collection', 'create', newId(), { quantity: 'bad' }), local_id: mine[1].local_id },
      ])
      expect(squat.status, `${role} squats`).toBe(200)
      const res = await victim.push(mine)
      expect(
        res.body.results.map((r: { status: string }) => r.status),
        `${victimRole} after ${role} squatted`,
      ).toEqual(['success', 'success'])
      const theirs = await squatter.api.get(`/api/sync/pending?device_id=${phone}`)
      const listed = theirs.body.operations.map((o: { entity_id: string }) => o.entity_id)
      expect(listed).toContain(squat.body.results[1].entity_id)
      for (const op of mine) expect(listed).not.toContain(op.entity_id)
      const victimPending = await victim.api.get(`/api/sync/pending?device_id=${phone}`)
      expect(victimPending.body.operations).toEqual([])
      // A page cursor from another user's list reads only one's own.
      const paged = await victim.api.get(`/api/sync/pending?device_id=${phone}&limit=1&after=0.${newId()}`)
      expect(paged.body.operations).toEqual([])
    }
  })

  test('a session bound to one device cannot push, in either shape, for another; nothing is written', async () => {
    for (const role of ROLES) {
      const api = s.as[role]
      const other = role === 'manager' ? 'device-admin' : 'device-manager'
      const device = new TestDevice(api, other)
      for (const operations of [
        [device.op('supplier', 'create', newId(), body('supplier'))],
        [{ local_id: -1, entity: 'supplier', operation: 'create', data: body('supplier') }],
        [],
      ]) {
        const res = await writesNothing(`${role} pushes for ${other}`, () =>
          api.post('/api/sync', { device_id: other, operations }),
        )
        expectStatus(res, 403, `${role} pushes for ${other}`)
      }
    }
  })

  test('a session without a device is bound by its first push; later pushes for another device are refused', async () => {
    const api = await s.login(s.users.manager.email)
    const first = new TestDevice(api, 'phone-one')
    expect((await first.push([first.op('supplier', 'create', newId(), body('supplier'))])).status).toBe(200)
    expect((await api.get('/api/auth/me')).body.device_id).toBe('phone-one')
    const second = new TestDevice(api, 'phone-two')
    const res = await writesNothing('push for a second device', () =>
      second.push([second.op('supplier', 'create', newId(), body('supplier'))]),
    )
    expectStatus(res, 403, 'second device')
  })

  test("resolving one's own operation from another session: history names the session's device, not the one claimed", async () => {
    const phone = new TestDevice(await s.login(s.users.manager.email, undefined, 'resolve-phone'), 'resolve-phone')
    const target = await fixture('supplier')
    await s.as.admin.patch(`${PATHS.supplier}/${target.id}`, { name: 'Server', version: 1 })
    const op = phone.op('supplier', 'update', target.id, { name: 'Phone' }, 1)
    expect((await phone.push([op])).body.results[0].status).toBe('conflict')
    const laptop = await s.login(s.users.manager.email, undefined, 'resolve-laptop')
    const res = await laptop.post('/api/sync/resolve', {
      device_id: 'resolve-phone',
      local_id: op.local_id,
      resolution: 'force',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const history = await s.as.admin.get(`/api/history/supplier/${target.id}`)
    const last = history.body.data[history.body.data.length - 1]
    expect(last).toMatchObject({ version: 3, user_id: s.users.manager.id, device_id: 'resolve-laptop' })
    expect(last.data).not.toHaveProperty('device_id')
    expect(last.data.sync_metadata.resolved).toEqual({
      resolution: 'force',
      local_id: op.local_id,
      at: expect.any(String),
    })
  })

  test("a shared phone: another user's operations are neither listed, replayed nor resolved", async () => {
    const collector = new TestDevice(await s.login(s.users.collector.email, undefined, 'shared-phone'), 'shared-phone')
    const target = await fixture('collection', s.users.collector.id)
    await s.as.admin.patch(`${PATHS.collection}/${target.id}`, { notes: 'server', version: 1 })
    const op = collector.op('collection', 'update', target.id, { notes: 'phone' }, 1)
    const pushed = await collector.push([op])
    expect(pushed.body.results[0].status).toBe('conflict')
    const manager = await s.login(s.users.manager.email, undefined, 'shared-phone')
    const pending = await manager.get('/api/sync/pending?device_id=shared-phone')
    expect(pending.body.operations).toEqual([])
    const resolve = await writesNothing("resolve another user's operation", () =>
      manager.post('/api/sync/resolve', { device_id: 'shared-phone', local_id: op.local_id, resolution: 'force' }),
    )
    expectStatus(resolve, 404, 'resolve')
    // The phone sends the collector's operation again under the manager's session: a replay, recording
    // nothing (only the manager's own per-device seq bookkeeping appears), shown as the manager may see it.
    const before = await snapshot()
    const replay = await manager.post('/api/sync', { device_id: 'shared-phone', operations: [{ ...op, seq: 99 }] })
    expect(replay.body.results[0]).toMatchObject({ status: 'duplicate', original_status: 'conflict' })
    expect(changedTables(before, await snapshot())).toEqual(['sync_devices'])
    // Another collector on that phone learns nothing of the row or its conflict.
    const peer = await s.login(bystander.email, PASSWORD, 'shared-phone')
    const hidden = await peer.post('/api/sync', { device_id: 'shared-phone', operations: [{ ...op, seq: 1 }] })
    expect(hidden.body.results[0]).toMatchObject({ status: 'duplicate', data: null })
    expect(hidden.body.results[0]).not.toHaveProperty('conflict')
  })
})

describe('limits', () => {
  const padded = (bytes: number, extra: Record<string, unknown> = {}) => {
    const bodyBase = { ...body('supplier'), ...extra, padding: '' }
    const size = JSON.stringify(bodyBase).length
    return JSON.stringify({ ...bodyBase, padding: 'x'.repeat(bytes - size) })
  }
  const post = (path: string, text: string, token = s.as.admin.token, chunked = false) =>
    rawRequest(s.url, {
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: text,
      chunked,
    })

  test('REST bodies: 1 MiB is accepted, one byte more is 413 PAYLOAD_TOO_LARGE, with or without a length', async () => {
    const limit = 1024 * 1024
    const ok = await post('/api/suppliers', padded(limit))
    expect(ok.status, ok.text.slice(0, 200)).toBe(201)
    for (const chunked of [false, true]) {
      const res = await writesNothing(`REST over the limit (chunked ${chunked})`, () =>
        post('/api/suppliers', padded(limit + 1), s.as.admin.token, chunked),
      )
      expect(res.status).toBe(413)
      expect((res.json as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE')
    }
    const login = await writesNothing('login over the limit', () =>
      rawRequest(s.url, {
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: s.users.admin.email, password: PASSWORD, pad: 'x'.repeat(limit) }),
      }),
    )
    expect(login.status).toBe(413)
  })

  test('sync bodies: up to 4 MiB is accepted (four times the REST limit), more is 413, nothing written', async () => {
    const device = 'limit-device'
    const token = (await issueToken(s.db.handle.db, s.users.admin.id, device, 60_000)).token
    const push = (bytes: number, chunked = false) => {
      const envelope = {
        device_id: device,
        operations: [
          {
            local_id: `big-${randomUUID()}`,
            seq: ++counter,
            entity_type: 'supplier',
            entity_id: newId(),
            operation_type: 'create',
            payload: { ...body('supplier'), padding: '' },
          },
        ],
      }
      const size = JSON.stringify(envelope).length
      envelope.operations[0].payload.padding = 'x'.repeat(bytes - size)
      return post('/api/sync', JSON.stringify(envelope), token, chunked)
    }
    const ok = await push(4 * 1024 * 1024)
    expect(ok.status, ok.text.slice(0, 200)).toBe(200)
    expect((ok.json as { results: Array<{ status: string }> }).results[0].status).toBe('success')
    for (const chunked of [false, true]) {
      const res = await writesNothing(`push over the limit (chunked ${chunked})`, () =>
        push(4 * 1024 * 1024 + 1, chunked),
      )
      expect(res.status).toBe(413)
      expect((res.json as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE')
    }
  })

  test(`batches: ${MAX_BATCH_OPERATIONS} operations are processed, one more is 422 for either shape, nothing written`, async () => {
    const api = await s.login(s.users.manager.email, undefined, 'batch-device')
    const device = new TestDevice(api, 'batch-device')
    // Updates of rows that do not exist: cheap to process, each answered on its own.
    const full = Array.from({ length: MAX_BATCH_OPERATIONS }, () =>
      device.op('supplier', 'update', newId(), { address: 'x' }, 1),
    )
    const ok = await device.push(full)
    expect(ok.status).toBe(200)
    expect(ok.body.results).toHaveLength(MAX_BATCH_OPERATIONS)
    expect(new Set(ok.body.results.map((r: { error?: { code: string } }) => r.error?.code))).toEqual(
      new Set(['NOT_FOUND']),
    )
    const over = Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, () =>
      device.op('supplier', 'create', newId(), body('supplier')),
    )
    const res = await writesNothing('batch over the limit', () => device.push(over))
    expectStatus(res, 422, 'batch over the limit')
    const legacy = Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, (_, i) => ({
      local_id: -i - 1,
      entity: 'supplier',
      operation: 'create',
      data: body('supplier'),
    }))
    const legacyRes = await writesNothing('legacy batch over the limit', () =>
      api.post('/api/sync', { device_id: 'batch-device', operations: legacy }),
    )
    expectStatus(legacyRes, 422, 'legacy batch over the limit')
  })

  describe('rate limit', () => {
    let r: TestServer
    let rSnapshot: () => Promise<Snapshot>
    const MAX = 4
    beforeAll(async () => {
      r = await startTestServer({ rateLimit: { max: MAX, timeWindowMs: 60_000 } })
      rSnapshot = snapshotter(r.db.handle.db, await listTables(r.db.handle.db, TEST_DIALECT))
    })
    afterAll(() => r?.close())

    /** A user of their own per endpoint, so each endpoint starts with a full allowance. */
    async function freshApi(role: Role, device: string) {
      const email = `${uniq(role)}@rate.test`
      await createUser(r.db.handle.db, { name: 'Rated', email, password: PASSWORD, role })
      return r.login(email, PASSWORD, device)
    }

    test('every kind of endpoint: the request after the allowance is 429 with Retry-After and writes nothing', async () => {
      const rBase = await seedBasics(r.as.admin)
      const cases: Array<[string, Role, (api: Api, device: string) => Promise<Reply>]> = [
        ['push', 'manager', (api, device) => api.post('/api/sync', { device_id: device, operations: [] })],
        ['REST create', 'manager', (api) => api.post('/api/suppliers', { code: uniq('R'), name: 'x' })],
        ['REST read', 'collector', (api) => api.get('/api/products')],
        ['report', 'finance', (api) => api.get('/api/reports/balances')],
        ['history', 'manager', (api) => api.get(`/api/history/supplier/${rBase.supplierId}`)],
        ['pull', 'collector', (api) => api.get('/api/sync/changes')],
        ['ticket', 'collector', (api) => api.post('/api/sync/events/ticket')],
        ['users', 'admin', (api) => api.get('/api/users')],
        ['me', 'finance', (api) => api.get('/api/auth/me')],
      ]
      for (const [what, role, call] of cases) {
        const device = `rate-${uniq('d')}`
        const api = await freshApi(role, device)
        for (let i = 0; i < MAX; i++) {
          const res = await call(api, device)
          expect(res.status, `${what} #${i + 1}: ${JSON.stringify(res.body)?.slice(0, 200)}`).toBeLessThan(300)
        }
        const before = await rSnapshot()
        const limited = await call(api, device)
        expect(describeChange(before, await rSnapshot()), `${what}: the refused request wrote`).toBe('')
        expect(limited.status, what).toBe(429)
        expect(limited.body.error.code).toBe('RATE_LIMITED')
        const retryAfter = Number(limited.headers.get('retry-after'))
        expect(retryAfter, `${what} Retry-After`).toBeGreaterThan(0)
        expect(retryAfter).toBeLessThanOrEqual(60)
        expect(limited.body.error.details.retry_after_seconds).toBe(retryAfter)
      }
    })

    test('anonymous and bad-token requests share the address allowance; sign-in, health and events are exempt', async () => {
      const statuses: number[] = []
      for (let i = 0; i < MAX + 2; i++) statuses.push((await r.anon.get(`/api/suppliers?i=${i}`)).status)
      expect(statuses.slice(0, MAX)).toEqual(Array(MAX).fill(401))
      expect(statuses.slice(MAX)).toEqual([429, 429])
      const forged = new Api(r.url, Buffer.alloc(32, 3).toString('base64url'))
      expect((await forged.get('/api/suppliers')).status).toBe(429)
      // Exempt: sign-in (it has its own throttle), health checks and the event stream.
      expect((await r.anon.post('/api/auth/login', { email: r.users.finance.email, password: PASSWORD })).status).toBe(
        200,
      )
      expect((await r.anon.get('/health')).status).toBe(200)
      expect((await r.anon.get('/api/sync/events')).status).toBe(401)
    })
  })

  describe('login throttling', () => {
    let t: TestServer
    beforeAll(async () => {
      t = await startTestServer({ loginThrottle: { freeAttempts: 3, addressFreeAttempts: 3, baseDelayMs: 1000 } })
    })
    afterAll(() => t?.close())
    const login = (email: string, password: string) => t.anon.post('/api/auth/login', { email, password })
    const tokens = async () =>
      Number(
        (
          await t.db.handle.db
            .selectFrom('auth_tokens')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )

    test('failures for different emails from one address throttle the address: no enumeration, no token', async () => {
      for (const email of ['ghost1@x.test', 'ghost2@x.test', t.users.manager.email]) {
        expect((await login(email, 'wrong-password')).status).toBe(401)
      }
      const before = await tokens()
      // Known or unknown email, right or wrong password: the same 429 with Retry-After, and no token.
      for (const [email, password] of [
        ['ghost4@x.test', 'wrong-password'],
        [t.users.finance.email, PASSWORD],
      ]) {
        const res = await login(email, password)
        expect(res.status, email).toBe(429)
        expect(res.body.error.code).toBe('RATE_LIMITED')
        expect(res.body).not.toHaveProperty('token')
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      }
      expect(await tokens()).toBe(before)
    })

    test('each further failure doubles the wait; a success after the wait clears it', async () => {
      // A server of its own: the address above is slowed down already.
      const t = await startTestServer({ loginThrottle: { freeAttempts: 3, baseDelayMs: 1000 } })
      onTestFinished(() => t.close())
      const login = (email: string, password: string) => t.anon.post('/api/auth/login', { email, password })
      let first = await login(t.users.collector.email, 'wrong-password')
      for (let i = 0; i < 5 && first.status !== 429; i++) first = await login(t.users.collector.email, 'wrong-password')
      expect(first.status).toBe(429)
      const wait1 = Number(first.headers.get('retry-after'))
      await new Promise((done) => setTimeout(done, wait1 * 1000 + 100))
      expect((await login(t.users.collector.email, 'wrong-password')).status).toBe(401)
      const second = await login(t.users.collector.email, 'wrong-password')
      expect(second.status).toBe(429)
      const wait2 = Number(second.headers.get('retry-after'))
      expect(wait2).toBeGreaterThan(wait1)
      await new Promise((done) => setTimeout(done, wait2 * 1000 + 100))
      const ok = await login(t.users.collector.email, PASSWORD)
      expect(ok.status).toBe(200)
      expect((await login(t.users.collector.email, 'wrong-password')).status).toBe(401)
    }, 20_000)
  })
})
