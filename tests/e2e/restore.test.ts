/**
 * Restore from a backup loses nothing that any phone still holds (issue 15): five devices sync, the
 * server is backed up, the devices write 200 more operations and sync them, the server is stopped
 * and restored from the backup (a new epoch), and the devices reconnect. Afterwards the server holds
 * every operation exactly once (ledger and rows counted), every device's view equals the server's,
 * and nothing is left unsurfaced. On SQLite (`trackvault backup`/`restore`) and PostgreSQL (pg_dump,
 * pg_restore, `trackvault restore --mark-restored`).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { SyncClient } from '@trackvault/client'
import { createUser, SERVER_CLI, TEST_DIALECT } from '@trackvault/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  clientSnapshot,
  type Harness,
  makeClient,
  PASSWORD,
  serverSnapshot,
  startHarness,
  type TestClient,
} from '../helpers/client-harness'

const run = promisify(execFile)

let h: Harness
let dir: string
let productId: string

/** What the server must hold of each row: how many changes applied to it, and whether it is deleted. */
const expected = new Map<string, { table: string; version: number; deleted: boolean; owner?: string }>()
let opsMade = 0

function applied(table: string, id: string, kind: 'create' | 'update' | 'delete', owner?: string) {
  opsMade += 1
  const row = expected.get(id)
  if (kind === 'create') expected.set(id, { table, version: 1, deleted: false, owner })
  else if (row) {
    row.version += 1
    if (kind === 'delete') row.deleted = true
  }
}

interface Device {
  name: string
  tc: TestClient
  c: SyncClient
  suppliers: string[]
  collections: string[]
  payments: string[]
}

/** One step of a device's work: creates, updates, deletes and payments, on its own rows or others'. */
async function step(d: Device, i: number, others: Device[]) {
  const { c } = d
  const role = c.user?.role
  const sharedSupplier = () => {
    const pool = others.flatMap((o) => o.suppliers)
    return pool[i % pool.length]
  }
  if (role === 'manager') {
    const k = i % 5
    if (k === 0) {
      const s = await c.suppliers.create({ code: `${d.name}-${i}`, name: `Supplier ${d.name} ${i}` })
      d.suppliers.push(s.id)
      applied('suppliers', s.id, 'create')
    } else if (k === 1) {
      const id = d.suppliers[d.suppliers.length - 1]
      await c.suppliers.update(id, { phone: `07${i}` })
      applied('suppliers', id, 'update')
    } else if (k === 2) {
      const col = await c.collections.create({
        supplier_id: d.suppliers[d.suppliers.length - 1],
        product_id: productId,
        collection_date: '2026-06-01',
        quantity: `${i + 1}`,
        unit: 'kg',
      })
      d.collections.push(col.id)
      applied('collections', col.id, 'create', c.user?.id)
    } else if (k === 3) {
      const id = d.collections[d.collections.length - 1]
      await c.collections.update(id, { quantity: `${i + 2}.5` })
      applied('collections', id, 'update')
    } else {
      const id = d.collections[d.collections.length - 1]
      await c.collections.remove(id)
      applied('collections', id, 'delete')
    }
  } else if (role === 'finance') {
    const k = i % 4
    const last = d.payments[d.payments.length - 1]
    if (last === undefined || expected.get(last)?.deleted) {
      const p = await c.payments.create({
        supplier_id: sharedSupplier(),
        payment_date: '2026-06-02',
        amount: `${100 + i}`,
        payment_type: 'advance',
      })
      d.payments.push(p.id)
      applied('payments', p.id, 'create')
    } else if (k === 3) {
      const id = d.payments[d.payments.length - 1]
      await c.payments.remove(id)
      applied('payments', id, 'delete')
    } else {
      const id = d.payments[d.payments.length - 1]
      await c.payments.update(id, k === 1 ? { amount: `${200 + i}` } : { notes: `note ${i}` })
      applied('payments', id, 'update')
    }
  } else {
    if (i % 2 === 0 || d.collections.length === 0) {
      const col = await c.collections.create({
        supplier_id: sharedSupplier(),
        product_id: productId,
        collection_date: '2026-06-03',
        quantity: `${i + 1}`,
        unit: 'kg',
      })
      d.collections.push(col.id)
      applied('collections', col.id, 'create', c.user?.id)
    } else {
      const id = d.collections[d.collections.length - 1]
      await c.collections.update(id, { quantity: `${i + 3}` })
      applied('collections', id, 'update')
    }
  }
}

async function syncOk(d: Device) {
  const summary = await d.c.sync()
  expect(summary.error, `${d.name}: ${summary.error?.message}`).toBeUndefined()
  return summary
}

async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, [SERVER_CLI, ...args], { env: { ...process.env, ...h.env } })
  return stdout
}

/** Backs the running server's database up to `file`. */
async function backup(file: string) {
  if (TEST_DIALECT === 'sqlite') return void (await cli('backup', file))
  await run('pg_dump', [
    '--format=custom',
    `--schema=${h.env.TRACKVAULT_PG_SCHEMA}`,
    `--file=${file}`,
    h.env.DATABASE_URL,
  ])
}

/** Puts `file` back (the server is stopped) and gives the database a new epoch. */
async function restore(file: string) {
  if (TEST_DIALECT === 'sqlite') return void (await cli('restore', file))
  await run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${h.env.DATABASE_URL}`, file])
  await cli('restore', '--mark-restored')
}

const devices: Device[] = []

beforeAll(async () => {
  h = await startHarness()
  dir = mkdtempSync(join(tmpdir(), 'trackvault-restore-e2e-'))
  const manager2 = await createUser(h.db.handle.db, {
    name: 'Manager 2',
    email: 'manager2@e2e.local',
    password: PASSWORD,
    role: 'manager',
  })
  const collector2 = await createUser(h.db.handle.db, {
    name: 'Collector 2',
    email: 'collector2@e2e.local',
    password: PASSWORD,
    role: 'collector',
  })
  const logins: Array<[string, string]> = [
    ['m1', h.users.manager.email],
    ['m2', manager2.email],
    ['fin', h.users.finance.email],
    ['c1', h.users.collector.email],
    ['c2', collector2.email],
  ]
  for (const [name, email] of logins) {
    const tc = makeClient(h)
    await tc.client.login(email, PASSWORD)
    devices.push({ name, tc, c: tc.client, suppliers: [], collections: [], payments: [] })
  }
  const [m1] = devices
  const product = await m1.c.products.create({ code: 'TEA', name: 'Tea', default_unit: 'kg' })
  productId = product.id
  await m1.c.productRates.create({ product_id: productId, unit: 'kg', rate: '120', effective_date: '2020-01-01' })
  applied('products', product.id, 'create')
  opsMade += 1 // the rate
  await syncOk(m1)
}, 60_000)

afterAll(async () => {
  for (const d of devices) await d.c.close()
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe(`restore from a backup (${TEST_DIALECT})`, () => {
  test('5 devices, backup, 200 more operations, restore: every operation exactly once, every view equal', async () => {
    const managers = devices.filter((d) => d.c.user?.role === 'manager')
    // Before the backup: each manager has suppliers, everyone syncs.
    for (let i = 0; i < 5; i += 1) for (const m of managers) await step(m, i, managers)
    for (const m of managers) await syncOk(m)
    for (const d of devices) await syncOk(d)
    for (const d of devices.filter((x) => x.c.user?.role !== 'manager')) {
      for (let i = 0; i < 4; i += 1) await step(d, i, managers)
      await syncOk(d)
    }
    for (const d of devices) await syncOk(d)
    const atBackup = opsMade
    const file = join(dir, TEST_DIALECT === 'sqlite' ? 'backup.db' : 'backup.dump')
    await backup(file)

    // 200 more operations, 40 per device, synced in four rounds (managers first, so the others can use their rows).
    for (let round = 0; round < 4; round += 1) {
      for (const d of devices) {
        for (let i = 0; i < 10; i += 1) await step(d, 10 + round * 10 + i, managers)
        await syncOk(d)
      }
      for (const d of devices) await syncOk(d)
    }
    expect(opsMade - atBackup).toBe(200)
    const beforeRestore = await serverSnapshot(h)

    await h.server.stop()
    await restore(file)
    await h.restart()
    // The gap is gone from the server.
    const lost = await serverSnapshot(h)
    expect(Object.values(lost).flat().length).toBeLessThan(Object.values(beforeRestore).flat().length)

    // The devices come back, the ones that depend on others' rows first.
    const restores: Array<{ total: number; sent: number }> = []
    const stop = devices[4].c.status.subscribe((s) => {
      if (s.restore) restores.push(s.restore)
    })
    const first = []
    for (const d of [...devices].reverse()) first.push(await syncOk(d))
    stop()
    for (const s of first) expect(s.restored?.resent).toBeGreaterThan(0)
    expect(restores.length).toBeGreaterThan(0)
    expect(restores[0].total).toBeGreaterThan(0)
    for (let round = 0; round < 2; round += 1) for (const d of devices) await syncOk(d)

    // Nothing surfaced: no device had a real conflict, so every change is back and every queue empty.
    for (const d of devices) {
      const q = await d.c.queue()
      const left = q.map((o) => `${o.status} ${o.operation_type} ${o.entity_type} ${o.error?.code ?? ''}`)
      expect(left, d.name).toEqual([])
      expect(d.c.status.current).toMatchObject({ pending: 0, conflicts: 0, failed: 0, restore: null })
    }
    // Rows: exactly the rows made, each at the version its changes give it (a change applied twice would add one).
    const server = await serverSnapshot(h)
    expect(server).toEqual(beforeRestore)
    for (const [id, want] of expected) {
      const row = server[want.table].find((r) => r.id === id)
      expect(row, `${want.table} ${id}`).toEqual({ id, version: want.version, deleted: want.deleted })
    }
    expect(server.suppliers.length + server.collections.length + server.payments.length + server.products.length).toBe(
      expected.size,
    )
    // Ledger: each operation applied once (retries of refused ones were recorded as failures, never applied twice).
    const ledger = await h.db.handle.db
      .selectFrom('sync_operations')
      .select(['status'])
      .where('status', 'in', ['success', 'resolved'])
      .execute()
    expect(ledger.length).toBe(opsMade)
    const history = await h.db.handle.db
      .selectFrom('entity_history')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    const versions = Object.values(server)
      .flat()
      .reduce((n, r) => n + (r.version as number), 0)
    expect(Number(history.n)).toBe(versions)

    // Every device's view equals the server's, as far as its user may see.
    const collectionOwners = new Map(
      (await h.db.handle.db.selectFrom('collections').select(['id', 'user_id']).execute()).map((r) => [
        r.id,
        r.user_id,
      ]),
    )
    for (const d of devices) {
      const view = await clientSnapshot(d.c)
      if (d.c.user?.role === 'collector') {
        expect(view).toEqual({
          ...server,
          collections: server.collections.filter((r) => collectionOwners.get(r.id as string) === d.c.user?.id),
          payments: [],
        })
      } else {
        expect(view, d.name).toEqual(server)
      }
    }
  }, 240_000)

  test('a conflict the restored server never recorded is not lost: forcing it sends the change again', async () => {
    const [m1, m2] = devices.filter((d) => d.c.user?.role === 'manager')
    const s = await m1.c.suppliers.create({ code: 'RC-1', name: 'Before' })
    await syncOk(m1)
    await syncOk(m2)
    const file = join(dir, TEST_DIALECT === 'sqlite' ? 'backup-2.db' : 'backup-2.dump')
    await backup(file)
    await m1.c.suppliers.update(s.id, { name: 'From m1' })
    await syncOk(m1)
    await m2.c.suppliers.update(s.id, { name: 'From m2' })
    await m2.c.sync()
    const [parked] = await m2.c.conflicts.list()
    expect(parked).toMatchObject({ entity_id: s.id })

    await h.server.stop()
    await restore(file)
    await h.restart()
    await syncOk(m1) // m1's journal heals the server: 'From m1' is back
    await m2.c.sync()
    expect((await m2.c.conflicts.list()).map((c) => c.local_id)).toEqual([parked.local_id])

    // The restored server does not know m2's conflict: forcing it sends m2's change again.
    await m2.c.conflicts.resolve(parked.local_id, 'force')
    await m2.c.sync()
    // Against the healed row it is a conflict again (both changed the name): decided again, not overwritten.
    const [again] = await m2.c.conflicts.list()
    expect(again).toMatchObject({ entity_id: s.id })
    expect(again.local_id).not.toBe(parked.local_id)
    await m2.c.conflicts.resolve(again.local_id, 'force')
    await syncOk(m2)
    await syncOk(m1)
    const row = await h.db.handle.db.selectFrom('suppliers').select(['name']).where('id', '=', s.id).executeTakeFirst()
    expect(row?.name).toBe('From m2')
    expect(await m1.c.suppliers.get(s.id)).toMatchObject({ name: 'From m2' })
  }, 120_000)
})
