/**
 * Load and invariants for the real-process crash tests: many real
 * SyncClients (memory stores, different roles) writing and syncing against
 * a real server process while something breaks underneath (the server is
 * SIGKILLed, PostgreSQL restarts); then heal, drain, and check the
 * database directly.
 *
 * Invariants (checked by `checkInvariants`, each failure is one line):
 * 1. Exactly once: every local write left exactly one record in the server's
 *    ledger (replays answered `duplicate`), every applied record wrote exactly
 *    one version; the rows a client owns alone hold exactly the versions and
 *    the last values that client wrote (nothing lost, nothing doubled).
 *    Conflicts and failures are what the user saw and settled, counted.
 * 2. No duplicate rows: every created id exists once; nothing else exists.
 * 3. Every client's replica (list with include_deleted) equals the rows of
 *    the server it may read, field by field.
 * 4. History is gap-free: versions 1..version, the last equal to the row.
 * 5. The change log has no seq gaps, ends at the counter, and matches
 *    history one to one.
 * 6. Every balance equals its sums; every collection's total is quantity x rate.
 */

import { ApiError, createSyncClient, type SyncClient } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import {
  amountFor,
  type EntityType,
  formatDecimal,
  grantFor,
  MONEY_SCALE,
  parseDecimal,
  QUANTITY_SCALE,
  type Role,
} from '@trackvault/core'
import { type Database, type SyncedColumns, TABLES, toWire } from '@trackvault/server/testing'
import type { Kysely } from 'kysely'
import { Rng } from '../../sim/prng'

export const LOAD_PASSWORD = 'crash-password-1'

/** The simulation's seeded PRNG (mulberry32), so a run's choices can be replayed. */
export { Rng }

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const short = (id: string) => id.slice(-8)

/** What the transport saw: requests, failures, and replays answered as duplicates. */
export interface NetStats {
  requests: number
  /** Requests the server answered (any status). */
  answered: number
  /** fetch rejected: connection refused (server down) or cut mid-request (killed while answering). */
  refused: number
  cut: number
  /** 503 answers (the database is away: try again). */
  unavailable: number
  /** Other 5xx answers: an outage the server did not recognise as one. */
  internal: number
  /** Operations answered `duplicate`: sent again after a lost answer, applied once. */
  duplicates: number
}

export const newNetStats = (): NetStats => ({
  requests: 0,
  answered: 0,
  refused: 0,
  cut: 0,
  unavailable: 0,
  internal: 0,
  duplicates: 0,
})

type Loose = Record<string, unknown>

/** A row only one client writes: what it must look like on the server after the drain. */
interface OwnRow {
  type: EntityType
  /** Operations the client queued for it; each must have made exactly one version. */
  ops: number
  deleted: boolean
  expect: Record<string, string>
}

export interface Worker {
  index: number
  role: Role
  userId: string
  client: SyncClient
  rng: Rng
  own: Map<string, OwnRow>
  /** Local writes (each queued exactly one operation). */
  writes: number
  synced: { successful: number; conflicts: number; failed: number; syncErrors: number }
  resolved: { use_server: number; force: number; refused: number }
  /** Permanent failures the user saw and discarded, by code, and what they were. */
  discarded: Record<string, number>
  failures: string[]
  counter: number
  /** The resolution each parked conflict was given (a retry after a lost answer repeats it). */
  choices: Map<string, 'use_server' | 'force'>
  /** No sync before this time (after a failed one). */
  quietUntil: number
}

export interface Fixture {
  suppliers: string[]
  hotSuppliers: string[]
  hotPayments: string[]
  products: Array<{ id: string; unit: string }>
}

export interface LoadUser {
  id: string
  email: string
  role: Role
}

/** A SyncClient whose transport counts what happened to each request. */
export function loadClient(url: string, net: NetStats, batchSize = 5): SyncClient {
  return createSyncClient({
    baseUrl: url,
    storage: createMemoryStore(),
    retryDelayMs: 100,
    live: false,
    syncIntervalMs: 0,
    batchSize,
    fetch: async (input, init) => {
      net.requests += 1
      let res: Response
      try {
        res = await fetch(input, init)
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code
        if (code === 'ECONNREFUSED') net.refused += 1
        else net.cut += 1
        throw err
      }
      net.answered += 1
      if (res.status === 503) net.unavailable += 1
      else if (res.status >= 500) net.internal += 1
      if (res.ok && init?.method === 'POST' && input.endsWith('/api/sync')) {
        const body = (await res
          .clone()
          .json()
          .catch(() => null)) as { results?: Array<{ status: string }> } | null
        for (const r of body?.results ?? []) if (r.status === 'duplicate') net.duplicates += 1
      }
      return res
    },
  })
}

/** Logs in, retrying while the server restarts. */
export async function loginRetrying(client: SyncClient, email: string, password = LOAD_PASSWORD): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await client.login(email, password)
      return
    } catch (err) {
      if (i > 100 || !(err instanceof ApiError) || !err.transient) throw err
      await sleep(100)
    }
  }
}

/** Master data every worker uses: products with rates, a hot set of suppliers and payments edited by several roles. */
export async function setupFixture(admin: SyncClient): Promise<Fixture> {
  const products: Fixture['products'] = []
  for (const [code, unit, rate] of [
    ['TEA', 'kg', '100'],
    ['MILK', 'l', '45.5'],
  ] as const) {
    const p = await admin.products.create({ code, name: code, default_unit: unit })
    await admin.productRates.create({ product_id: p.id, unit, rate, effective_date: '2020-01-01' })
    products.push({ id: p.id, unit })
  }
  const suppliers: string[] = []
  for (let i = 1; i <= 4; i++)
    suppliers.push((await admin.suppliers.create({ code: `BASE${i}`, name: `Farm ${i}` })).id)
  const hotSuppliers = suppliers.slice(0, 3)
  const hotPayments: string[] = []
  for (let i = 1; i <= 2; i++) {
    const p = await admin.payments.create({
      supplier_id: suppliers[i],
      payment_date: '2026-03-01',
      amount: '10.00',
      payment_type: 'advance',
      reference_number: `HOT${i}`,
    })
    hotPayments.push(p.id)
  }
  const s = await admin.sync()
  if (s.error || (await admin.unsyncedCount()) > 0) throw new Error(`fixture did not sync: ${s.error?.message}`)
  return { suppliers, hotSuppliers, hotPayments, products }
}

function quantity(r: Rng) {
  return `${r.int(1, 400)}.${r.int(0, 999)}`
}
function amount(r: Rng) {
  return `${r.int(1, 900)}.${String(r.int(0, 99)).padStart(2, '0')}`
}
function date(r: Rng) {
  return `2026-0${r.int(1, 6)}-${String(r.int(1, 28)).padStart(2, '0')}`
}

type Action =
  | 'collection_create'
  | 'collection_update'
  | 'collection_delete'
  | 'payment_create'
  | 'payment_update'
  | 'payment_delete'
  | 'supplier_create'
  | 'supplier_update'
  | 'hot_supplier'
  | 'hot_payment'

const WEIGHTS: Record<Role, Partial<Record<Action, number>>> = {
  collector: { collection_create: 6, collection_update: 4, supplier_create: 1 },
  finance: { payment_create: 5, payment_update: 3, payment_delete: 1, hot_payment: 2 },
  manager: {
    supplier_create: 1,
    supplier_update: 2,
    hot_supplier: 3,
    collection_create: 2,
    collection_update: 1,
    collection_delete: 1,
    payment_create: 1,
    payment_update: 1,
    hot_payment: 1,
  },
  admin: {
    supplier_create: 1,
    supplier_update: 2,
    hot_supplier: 3,
    collection_create: 2,
    collection_update: 1,
    collection_delete: 1,
    payment_create: 1,
    payment_update: 1,
  },
}

function weighted(r: Rng, weights: Partial<Record<Action, number>>): Action {
  const entries = Object.entries(weights) as Array<[Action, number]>
  let x = r.next() * entries.reduce((s, [, w]) => s + w, 0)
  for (const [k, w] of entries) {
    x -= w
    if (x < 0) return k
  }
  return entries[entries.length - 1][0]
}

export function makeWorker(index: number, user: LoadUser, client: SyncClient, seed: number): Worker {
  return {
    index,
    role: user.role,
    userId: user.id,
    client,
    rng: new Rng(seed * 7919 + index * 104729),
    own: new Map(),
    writes: 0,
    synced: { successful: 0, conflicts: 0, failed: 0, syncErrors: 0 },
    resolved: { use_server: 0, force: 0, refused: 0 },
    discarded: {},
    failures: [],
    counter: 0,
    quietUntil: 0,
    choices: new Map(),
  }
}

function liveOwn(w: Worker, type: EntityType): string[] {
  return [...w.own.entries()].filter(([, o]) => o.type === type && !o.deleted).map(([id]) => id)
}

/** One local write, chosen by the worker's PRNG (skipped when it has nothing to act on). */
async function act(w: Worker, fx: Fixture): Promise<void> {
  const r = w.rng
  const c = w.client
  const tag = `w${w.index}-${++w.counter}`
  const action = weighted(r, WEIGHTS[w.role])
  const wrote = () => {
    w.writes += 1
  }
  switch (action) {
    case 'collection_create': {
      const product = r.pick(fx.products)
      const fields = {
        supplier_id: r.pick(fx.suppliers),
        product_id: product.id,
        collection_date: date(r),
        quantity: quantity(r),
        unit: product.unit,
        notes: tag,
      }
      const row = await c.collections.create(fields)
      wrote()
      w.own.set(row.id, {
        type: 'collection',
        ops: 1,
        deleted: false,
        expect: { quantity: fields.quantity, notes: tag },
      })
      return
    }
    case 'collection_update':
    case 'payment_update':
    case 'supplier_update': {
      const type = action.split('_')[0] as EntityType
      const ids = liveOwn(w, type)
      if (ids.length === 0) return
      const id = r.pick(ids)
      const own = w.own.get(id) as OwnRow
      const patch: Record<string, string> =
        type === 'collection'
          ? { quantity: quantity(r), notes: tag }
          : type === 'payment'
            ? { amount: amount(r), notes: tag }
            : { name: `Farm ${tag}`, phone: `+254${r.int(100000, 999999)}` }
      await entityApi(c, type).update(id, patch)
      wrote()
      own.ops += 1
      Object.assign(own.expect, patch)
      return
    }
    case 'collection_delete':
    case 'payment_delete': {
      const type = action.split('_')[0] as EntityType
      const ids = liveOwn(w, type)
      if (ids.length < 3) return
      const id = r.pick(ids)
      await entityApi(c, type).remove(id)
      wrote()
      const own = w.own.get(id) as OwnRow
      own.ops += 1
      own.deleted = true
      return
    }
    case 'payment_create': {
      const fields = {
        supplier_id: r.pick(fx.suppliers),
        payment_date: date(r),
        amount: amount(r),
        payment_type: r.pick(['advance', 'partial', 'full'] as const),
        reference_number: tag,
        notes: tag,
      }
      const row = await c.payments.create(fields)
      wrote()
      w.own.set(row.id, { type: 'payment', ops: 1, deleted: false, expect: { amount: fields.amount, notes: tag } })
      return
    }
    case 'supplier_create': {
      const fields = { code: `S${tag}`, name: `Farm ${tag}` }
      const row = await c.suppliers.create(fields)
      wrote()
      // A collector may create a supplier but not edit it; someone else may (it is not hot, though: nobody does).
      w.own.set(row.id, { type: 'supplier', ops: 1, deleted: false, expect: { name: fields.name } })
      return
    }
    case 'hot_supplier': {
      const id = r.pick(fx.hotSuppliers)
      if (!(await c.suppliers.get(id))) return
      const patch = r.chance(0.5) ? { name: `Hot ${tag}` } : { address: `Road ${tag}` }
      await c.suppliers.update(id, patch)
      wrote()
      return
    }
    case 'hot_payment': {
      const id = r.pick(fx.hotPayments)
      if (!(await c.payments.get(id))) return
      await c.payments.update(id, r.chance(0.5) ? { amount: amount(r) } : { notes: `Hot ${tag}` })
      wrote()
      return
    }
  }
}

function entityApi(c: SyncClient, type: EntityType) {
  return c.entity(type)
}

async function syncOnce(w: Worker): Promise<void> {
  const s = await w.client.sync()
  w.synced.successful += s.successful
  w.synced.conflicts += s.conflicts
  w.synced.failed += s.failed
  if (s.error) w.synced.syncErrors += 1
  // Like the app's triggers: after a failed sync, the next one waits (reconnection, timer); writes go on.
  w.quietUntil = s.error ? Date.now() + w.rng.int(200, 600) : 0
}

/** A person settles the parked conflicts: take the server's version or force theirs. Needs the network. */
async function resolveParked(w: Worker): Promise<void> {
  for (const op of await w.client.conflicts.list()) {
    if (w.own.has(op.entity_id)) throw new Error(`client ${w.index} conflicted with itself on ${op.entity_id}`)
    // A person who chose and saw no answer chooses the same again.
    const choice = w.choices.get(op.local_id) ?? (w.rng.chance(0.5) ? 'use_server' : 'force')
    w.choices.set(op.local_id, choice)
    try {
      await w.client.conflicts.resolve(op.local_id, choice)
      w.resolved[choice] += 1
    } catch (err) {
      if (err instanceof ApiError && err.transient) return // the server is away: later
      throw err
    }
  }
}

/** A person looks at failed operations: transient ones go out again by themselves; permanent ones are discarded. */
async function handleFailed(w: Worker): Promise<void> {
  for (const op of await w.client.failed.list()) {
    if (op.error?.transient) continue
    const code = op.error?.code ?? 'FAILED'
    w.failures.push(`${op.operation_type} ${op.entity_type} ${short(op.entity_id)}: ${code} ${op.error?.message ?? ''}`)
    w.discarded[code] = (w.discarded[code] ?? 0) + 1
    await w.client.failed.discard(op.local_id)
    w.own.delete(op.entity_id) // the user dropped a change of it: its final state is no longer known here
  }
}

const MAX_QUEUED = 80

/** Writes and syncs until `stop()` says so. */
export async function runWorker(w: Worker, fx: Fixture, stop: () => boolean): Promise<void> {
  while (!stop()) {
    const n = w.rng.int(1, 3)
    // A person enters a bounded amount of work while the server is away.
    if ((await w.client.queue()).length < MAX_QUEUED) for (let i = 0; i < n; i++) await act(w, fx)
    if (w.rng.chance(0.85) && Date.now() >= w.quietUntil) await syncOnce(w)
    if (w.rng.chance(0.3)) await resolveParked(w)
    if (w.rng.chance(0.2)) await handleFailed(w)
    await sleep(w.rng.int(30, 150))
  }
}

/** After the network healed: sync, settle conflicts and failures, until every queue is empty; then pull once more. */
export async function drain(workers: Worker[], maxRounds = 60): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    for (const w of workers) await syncOnce(w)
    let queued = 0
    for (const w of workers) {
      await resolveParked(w)
      await handleFailed(w)
      queued += (await w.client.queue()).length
    }
    if (queued === 0) {
      for (const w of workers) {
        const s = await w.client.sync()
        if (s.error) throw new Error(`final sync of client ${w.index} failed: ${s.error.code} ${s.error.message}`)
      }
      return round
    }
    await sleep(100)
  }
  const left = await Promise.all(workers.map(async (w) => (await w.client.queue()).map((op) => op.status)))
  throw new Error(`queues not drained after ${maxRounds} rounds: ${JSON.stringify(left)}`)
}

/** JSON with sorted keys (undefined dropped), so rows compare by content. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  const o = v as Loose
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`
}

const TYPES: EntityType[] = ['supplier', 'product', 'product_rate', 'collection', 'payment']

export interface CheckReport {
  anomalies: string[]
  figures: {
    rows: number
    versions: number
    changes: number
    ledger: number
    duplicatesAnswered: number
    conflictsResolved: number
    failuresDiscarded: number
  }
}

/** Checks invariants 1-6 against the database (`db`) and every client (`workers`); `setupDevices` wrote the fixture. */
export async function checkInvariants(
  db: Kysely<Database>,
  workers: Worker[],
  opts: { setupDevices: string[]; balances: Loose },
): Promise<CheckReport> {
  const out: string[] = []
  const add = (s: string) => out.push(s)

  const rows = {} as Record<EntityType, Loose[]>
  for (const type of TYPES) {
    const raw = await db
      .selectFrom(TABLES[type] as 'suppliers')
      .selectAll()
      .orderBy('id')
      .execute()
    rows[type] = raw.map((r) => toWire(type, r as unknown as SyncedColumns & Loose) as unknown as Loose)
  }
  const history = await db
    .selectFrom('entity_history')
    .select(['entity_type', 'entity_id', 'version', 'data', 'sync_operation_id'])
    .orderBy('entity_type')
    .orderBy('entity_id')
    .orderBy('version')
    .execute()
  const changes = await db
    .selectFrom('change_log')
    .select(['seq', 'entity_type', 'entity_id', 'version'])
    .orderBy('seq')
    .execute()
  const ledger = await db.selectFrom('sync_operations').selectAll().execute()
  const counter = await db
    .selectFrom('counters')
    .select('value')
    .where('name', '=', 'change_seq')
    .executeTakeFirstOrThrow()

  // ---- 1. exactly once
  // Counted per record: a rate's operation also writes the collections it
  // prices, naming itself in their history; only its own record must be once.
  const writesByOp = new Map<string, number>()
  for (const h of history) {
    if (!h.sync_operation_id) continue
    const key = `${h.sync_operation_id}|${h.entity_type}|${h.entity_id}`
    writesByOp.set(key, (writesByOp.get(key) ?? 0) + 1)
  }
  const ledgerIds = new Set(ledger.map((l) => l.id))
  for (const [key, n] of writesByOp) {
    const opId = key.split('|')[0]
    if (n > 1) add(`DOUBLE_WRITE: operation ${opId} wrote ${n} versions of ${key.split('|')[2]}`)
    if (!ledgerIds.has(opId)) add(`PHANTOM_WRITE: a version names operation ${opId}, which the ledger lacks`)
  }
  const known = new Set([...workers.map((w) => w.client.device), ...opts.setupDevices])
  for (const l of ledger) {
    if (!known.has(l.device_id)) add(`PHANTOM_DEVICE: ledger row from ${l.device_id}`)
    const n = writesByOp.get(`${l.id}|${l.entity_type}|${l.entity_id}`) ?? 0
    const expected =
      l.status === 'success' || (l.status === 'resolved' && l.resolution !== 'use_server')
        ? 1
        : l.status === 'failed' || l.status === 'resolved'
          ? 0
          : -1
    if (expected === -1) add(`UNSETTLED: ${l.operation_type} ${l.entity_type} ${short(l.entity_id)} is ${l.status}`)
    // A create that found its own identical row (sent again) succeeds without a write.
    else if (n !== expected && !(l.status === 'success' && l.operation_type === 'create' && n === 0)) {
      add(`WRITES: ${l.status} ${l.operation_type} ${short(l.entity_id)} wrote ${n} versions, expected ${expected}`)
    }
  }
  for (const w of workers) {
    const mine = ledger.filter((l) => l.device_id === w.client.device)
    const recorded = mine.filter((l) => l.error_code !== 'OUT_OF_ORDER').length
    const discarded = Object.values(w.discarded).reduce((a, b) => a + b, 0)
    if (recorded !== w.writes) {
      add(`LEDGER: client ${w.index} made ${w.writes} writes, the ledger recorded ${recorded} (discarded ${discarded})`)
    }
  }
  const byId = new Map<string, Loose>()
  for (const type of TYPES) for (const r of rows[type]) byId.set(`${type}/${r.id}`, r)
  for (const w of workers) {
    for (const [id, own] of w.own) {
      const row = byId.get(`${own.type}/${id}`)
      const what = `client ${w.index} ${own.type} ${short(id)}`
      if (!row) {
        add(`LOST: ${what} is not on the server`)
        continue
      }
      if (row.version !== own.ops) add(`VERSIONS: ${what} has version ${row.version}, the client wrote ${own.ops}`)
      if ((row.deleted_at !== null) !== own.deleted) add(`DELETED: ${what} deleted=${row.deleted_at !== null}`)
      for (const [f, v] of Object.entries(own.expect)) {
        const scale = f === 'quantity' ? QUANTITY_SCALE : f === 'amount' ? MONEY_SCALE : undefined
        const same = scale === undefined ? row[f] === v : parseDecimal(String(row[f]), scale) === parseDecimal(v, scale)
        if (!same) add(`EDIT_LOST: ${what}.${f} is ${row[f]}, the client last wrote ${v}`)
      }
    }
  }

  // ---- 2. no duplicate rows: exactly the rows somebody created
  const created = new Set<string>()
  for (const w of workers) for (const [id, own] of w.own) created.add(`${own.type}/${id}`)
  for (const l of ledger) if (l.operation_type === 'create') created.add(`${l.entity_type}/${l.entity_id}`)
  for (const key of byId.keys()) if (!created.has(key)) add(`UNEXPECTED_ROW: ${key} was never created by a client`)
  for (const [marker, type] of [
    ['reference_number', 'payment'],
    ['code', 'supplier'],
    ['code', 'product'],
  ] as const) {
    const seen = new Set<unknown>()
    for (const r of rows[type]) {
      if (seen.has(r[marker])) add(`DUPLICATE_ROW: two ${type} rows with ${marker} ${r[marker]}`)
      seen.add(r[marker])
    }
  }

  // ---- 3. every replica equals the server, for what its role may read
  for (const w of workers) {
    for (const type of TYPES) {
      const grant = grantFor(w.role, type, 'read')
      const expected = rows[type].filter((r) => grant === 'all' || (grant === 'own' && r.user_id === w.userId))
      const local = await entityApi(w.client, type).list({ include_deleted: true, sort_by: 'id', sort_order: 'asc' })
      const mine = new Map(local.map((r) => [r.id, r as Loose]))
      for (const r of expected) {
        const l = mine.get(r.id as string)
        if (!l) add(`REPLICA_MISSING: client ${w.index} lacks ${type} ${short(r.id as string)}`)
        else if (canonical({ ...l, _sync: undefined }) !== canonical(r)) {
          add(`REPLICA_DIFFERS: client ${w.index} ${type} ${short(r.id as string)}: ${canonical(l)} vs ${canonical(r)}`)
        }
        mine.delete(r.id as string)
      }
      for (const id of mine.keys()) add(`REPLICA_EXTRA: client ${w.index} has ${type} ${short(id)} it may not read`)
    }
  }

  // ---- 4. history gap-free, the last version equal to the row
  const versions = new Map<string, Array<{ version: number; data: string }>>()
  for (const h of history) {
    const key = `${h.entity_type}/${h.entity_id}`
    const list = versions.get(key) ?? []
    list.push({ version: Number(h.version), data: h.data })
    versions.set(key, list)
  }
  for (const [key, row] of byId) {
    const list = versions.get(key) ?? []
    const got = list.map((v) => v.version).join(',')
    const want = Array.from({ length: row.version as number }, (_, i) => i + 1).join(',')
    if (got !== want) add(`HISTORY_GAP: ${key} has versions [${got}], row version ${row.version}`)
    else if (canonical(JSON.parse(list[list.length - 1].data)) !== canonical(row)) {
      add(`HISTORY_DIFFERS: ${key}: the last version is not the row`)
    }
  }
  for (const key of versions.keys()) if (!byId.has(key)) add(`HISTORY_ORPHAN: history of ${key}, which has no row`)

  // ---- 5. change log: 1..counter without gaps, one entry per version
  const seqs = changes.map((c) => Number(c.seq))
  const gaps = seqs.filter((s, i) => s !== i + 1)
  if (gaps.length > 0) add(`CHANGE_LOG_GAP: first out-of-place seq ${gaps[0]}`)
  if (seqs.length !== Number(counter.value)) add(`CHANGE_LOG_COUNTER: ${seqs.length} entries, counter ${counter.value}`)
  const logged = new Map<string, number>()
  for (const c of changes) {
    const key = `${c.entity_type}/${c.entity_id}/${c.version}`
    logged.set(key, (logged.get(key) ?? 0) + 1)
  }
  for (const h of history) {
    const key = `${h.entity_type}/${h.entity_id}/${h.version}`
    if (logged.get(key) !== 1) add(`CHANGE_LOG_MATCH: ${key} is logged ${logged.get(key) ?? 0} times`)
    logged.delete(key)
  }
  for (const key of logged.keys()) add(`CHANGE_LOG_ORPHAN: ${key} has no version`)

  // ---- 6. balances equal their sums; totals equal quantity x rate
  const sums = new Map<string, { c: bigint; p: bigint }>()
  for (const s of rows.supplier) if (!s.deleted_at) sums.set(s.id as string, { c: 0n, p: 0n })
  for (const c of rows.collection) {
    const total = parseDecimal(c.total_amount as string, MONEY_SCALE)
    const priced = amountFor(
      parseDecimal(c.quantity as string, QUANTITY_SCALE),
      parseDecimal(c.rate_applied as string, MONEY_SCALE),
    )
    if (total !== priced)
      add(`PRICE: collection ${short(c.id as string)} total ${c.total_amount} is not quantity x rate`)
    const s = sums.get(c.supplier_id as string)
    if (s && !c.deleted_at) s.c += total
  }
  for (const p of rows.payment) {
    const s = sums.get(p.supplier_id as string)
    if (s && !p.deleted_at) s.p += parseDecimal(p.amount as string, MONEY_SCALE)
  }
  const reported = (opts.balances.data ?? []) as Array<Record<string, string>>
  if (reported.length !== sums.size) add(`BALANCES: ${reported.length} reported, ${sums.size} live suppliers`)
  for (const b of reported) {
    const s = sums.get(b.supplier_id)
    const money = (v: bigint) => formatDecimal(v, MONEY_SCALE)
    if (!s) add(`BALANCES: unknown supplier ${b.supplier_id}`)
    else if (b.total_collections !== money(s.c) || b.total_payments !== money(s.p) || b.balance !== money(s.c - s.p)) {
      add(`BALANCE: supplier ${short(b.supplier_id)} reports ${b.balance}, the rows sum to ${money(s.c - s.p)}`)
    }
  }

  const count = (xs: Loose[]) => xs.length
  return {
    anomalies: out,
    figures: {
      rows: TYPES.reduce((n, t) => n + count(rows[t]), 0),
      versions: history.length,
      changes: changes.length,
      ledger: ledger.length,
      duplicatesAnswered: 0,
      conflictsResolved: ledger.filter((l) => l.status === 'resolved').length,
      failuresDiscarded: workers.reduce((n, w) => n + Object.values(w.discarded).reduce((a, b) => a + b, 0), 0),
    },
  }
}
