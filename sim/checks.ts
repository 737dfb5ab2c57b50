/**
 * The invariants checked after every run, once the network healed and every
 * queue drained. Each finding is an anomaly with a kind and a detail line.
 *
 * 1. Every operation a user made is applied exactly once, or its fate is the
 *    user's own visible decision (a discarded failure, a resolved conflict);
 *    the server applied nothing nobody asked for; what was applied is what
 *    the user last asked for (an edit on retry is not silently dropped).
 * 2. No duplicate rows: each created record exists once.
 * 3. Every device's replica equals the server's rows that device holds: what its
 *    user may read, and for a collector only its scope (the suppliers of the
 *    routes it serves today and unrouted ones, with their deductions and
 *    settlement lines): none of other routes (SCOPE_LEAK), none missing.
 * 4. History is gap-free: versions 1..version, the last one equals the row.
 * 5. The change log has no seq gaps and matches history one to one.
 * 6. Every balance equals its sums (the API, SQL, and a finance device):
 *    collections - payments - deductions applied by approved runs.
 * 6a. Settlement: one payout per approved line, items settled once, and the
 *    runs' money adds up per supplier (settlement-checks.ts).
 * 7. Every price is the rate in force, in commit order, when it was priced; with
 *    none in force a collection is unpriced, and none stays unpriced while a
 *    rate covers it.
 */
import type { QueuedOp, SyncClient } from '@trackvault/client'
import {
  amountFor,
  assignmentCovers,
  ENTITY_SPECS,
  ENTITY_TYPES,
  type EntityType,
  formatDecimal,
  grantFor,
  hasRouteScope,
  MONEY_SCALE,
  type OperationType,
  PRICE_INPUTS,
  parseDecimal,
  QUANTITY_SCALE,
  type RatePeriod,
  type Role,
  resolveRate,
  routeScoped,
  SYNCED_FIELDS,
  todayIn,
  UNROUTED,
} from '@trackvault/core'
import { type SyncedColumns, TABLES, toWire } from '@trackvault/server/testing'
import { httpCall, type SimServer, type SimUser } from './server'
import { checkSettlement } from './settlement-checks'

export interface Anomaly {
  kind: string
  detail: string
}

/** An operation a user made on a device, followed through re-sends under new identities. */
export interface Intent {
  id: number
  device: number
  userId: string
  type: EntityType
  entityId: string
  op: OperationType
  localIds: string[]
  /** The payload the device holds now (an edit on retry replaces it). */
  payload: Record<string, unknown>
  inQueue: boolean
  status: QueuedOp['status']
  step: number
}

/** A device as the checks read it. */
export interface DeviceRecord {
  readonly index: number
  readonly role: Role
  readonly user: SimUser
  readonly client: SyncClient
  /** Queued operations on this device's store, of every user. */
  storedOps(): QueuedOp[]
}

/**
 * What the checks read of a finished run: a plain record, so the checks do not
 * depend on the scheduler that produced it (the Simulation satisfies it).
 */
export interface RunRecord {
  readonly server: SimServer
  readonly adminToken: string
  readonly devices: readonly DeviceRecord[]
  readonly intents: readonly Intent[]
  /** local ids the user discarded. */
  readonly discarded: ReadonlySet<string>
  /** local_id -> the resolution the user chose. */
  readonly resolvedBy: ReadonlyMap<string, string>
  /** `device_id|local_id` -> `status/resolution` of the ledger rows a restore from a backup took away. */
  readonly lostInRestore: ReadonlyMap<string, string>
  /** When the final pulls began (ms since the epoch): a collector's scope is today's as of then. */
  readonly finalPullsAt?: number
  /** Counts an outcome (reported with the run). */
  note(kind: string, n?: number): void
}

type Row = Record<string, unknown> & { id: string; version: number; deleted_at: string | null }

const TYPES = ENTITY_TYPES

/** The fields a replica must agree with the server on: every field of the row but the synced bookkeeping. */
const KEY_FIELDS = Object.fromEntries(
  TYPES.map((t) => [
    t,
    Object.keys(ENTITY_SPECS[t].row.shape).filter((f) => !(SYNCED_FIELDS as readonly string[]).includes(f)),
  ]),
) as Record<EntityType, string[]>

/** JSON with sorted keys, so payloads compare by content. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  const o = v as Record<string, unknown>
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`
}

const short = (id: string) => id.slice(-8)

/** The newest stored version of every collection, by id (history is ordered by type, id, version). */
function latestCollections(history: Array<{ entity_type: string; entity_id: string; data: string }>) {
  const latest = new Map<string, Record<string, unknown>>()
  for (const h of history) if (h.entity_type === 'collection') latest.set(h.entity_id, JSON.parse(h.data))
  return latest
}

/**
 * The day the devices' scopes are checked on: today in the business's time zone, as at the final
 * pulls; undefined if midnight passed between those pulls and now (the scopes are not checked then).
 */
async function scopeDayOf(sim: RunRecord): Promise<string | undefined> {
  const res = await httpCall(sim.server.port, '/api/settings', {
    headers: { authorization: `Bearer ${sim.adminToken}` },
  })
  const zone = res.status === 200 ? (JSON.parse(res.body) as { time_zone: string }).time_zone : 'UTC'
  const now = todayIn(zone)
  if (sim.finalPullsAt !== undefined && todayIn(zone, new Date(sim.finalPullsAt)) !== now) {
    sim.note('scope_check_skipped_at_midnight')
    return undefined
  }
  return now
}

/**
 * What a device must hold of the route-scoped types (core's scope.ts), from the server's rows:
 * undefined for roles without a scope; for a collector, its assignments running on `day` decide.
 */
function deviceScope(d: DeviceRecord, rows: Record<EntityType, Row[]>, day: string) {
  if (!hasRouteScope(d.role)) return undefined
  const routes = new Set(
    rows.route_assignment
      .filter(
        (a) =>
          a.user_id === d.user.id &&
          assignmentCovers(
            { valid_from: a.valid_from as string, valid_to: a.valid_to as string | null, deleted_at: a.deleted_at },
            day,
          ),
      )
      .map((a) => a.route_id as string),
  )
  const supplierRoute = new Map(rows.supplier.map((s) => [s.id, (s.route_id as string | null) ?? null]))
  const routeOf = (type: EntityType, r: Row): string | null =>
    type === 'supplier' ? ((r.route_id as string | null) ?? null) : (supplierRoute.get(r.supplier_id as string) ?? null)
  return {
    routes,
    /** The route a row is on, for a message. */
    routeName: (type: EntityType, r: Row) => short(routeOf(type, r) ?? UNROUTED),
    describe: () => `[${[...routes].map(short).join(', ')}]`,
    holds(type: EntityType, r: Row): boolean {
      if (!routeScoped(d.role, type)) return true
      const route = routeOf(type, r)
      return route === null || routes.has(route)
    },
  }
}

export async function checkInvariants(sim: RunRecord): Promise<Anomaly[]> {
  const out: Anomaly[] = []
  const add = (kind: string, detail: string) => out.push({ kind, detail })
  const db = sim.server.handle.db

  // ---- server state
  const rows = {} as Record<EntityType, Row[]>
  for (const type of TYPES) {
    const raw = await db
      .selectFrom(TABLES[type] as 'suppliers')
      .selectAll()
      .orderBy('id')
      .execute()
    rows[type] = raw.map((r) => toWire(type, r as unknown as SyncedColumns & Record<string, unknown>) as unknown as Row)
  }
  const history = await db
    .selectFrom('entity_history')
    .select(['entity_type', 'entity_id', 'version', 'data', 'sync_operation_id', 'operation'])
    .orderBy('entity_type')
    .orderBy('entity_id')
    .orderBy('version')
    .execute()
  const changeLog = await db
    .selectFrom('change_log')
    .select(['seq', 'entity_type', 'entity_id', 'version', 'deleted'])
    .orderBy('seq')
    .execute()
  const ledger = await db.selectFrom('sync_operations').selectAll().execute()
  const counter = await db.selectFrom('counters').select('value').where('name', '=', 'change_seq').executeTakeFirst()

  // ---- 1. exactly once, or the user's visible decision
  const deviceIds = new Map(sim.devices.map((d) => [d.client.device, d.index]))
  const byLocal = new Map<string, (typeof ledger)[number]>()
  for (const op of ledger) {
    if (!deviceIds.has(op.device_id)) add('PHANTOM_DEVICE', `ledger row from unknown device ${op.device_id}`)
    byLocal.set(`${op.device_id}|${op.local_id}`, op)
  }
  // An operation writes its own record once. It may also write others on the
  // way (a new rate prices the collections that waited for it): those
  // versions name the operation too, for the audit trail, and are not doubles.
  const historyByOp = new Map<string, number>()
  const writesOfRecord = new Map<string, number>()
  for (const h of history) {
    if (!h.sync_operation_id) continue
    historyByOp.set(h.sync_operation_id, (historyByOp.get(h.sync_operation_id) ?? 0) + 1)
    const key = `${h.sync_operation_id}|${h.entity_type}|${h.entity_id}`
    writesOfRecord.set(key, (writesOfRecord.get(key) ?? 0) + 1)
  }
  for (const [key, n] of writesOfRecord) {
    if (n > 1) add('DOUBLE_WRITE', `operation ${key.split('|')[0]} wrote ${n} versions of ${key.split('|')[2]}`)
  }

  const claimed = new Set<string>()
  for (const intent of sim.intents) {
    const device = sim.devices[intent.device]
    const key = (l: string) => `${device.client.device}|${l}`
    const chain = intent.localIds.map((l) => byLocal.get(key(l))).filter((r) => r !== undefined)
    for (const l of intent.localIds) claimed.add(key(l))
    const what = `intent #${intent.id} (device ${intent.device} ${intent.op} ${intent.type} ${short(intent.entityId)}, step ${intent.step})`
    // Acknowledged as done by the server; a create re-sent with the same content is done without a write.
    const applied = chain.filter(
      (r) => r.status === 'success' || (r.status === 'resolved' && r.resolution !== 'use_server'),
    )
    // The same change written twice. (An edit on retry is another change: its first form may have landed.)
    const writes = chain.filter((r) => (historyByOp.get(r.id) ?? 0) > 0)
    const writtenPayloads = new Set(writes.map((r) => canonical(JSON.parse(r.payload))))
    if (writtenPayloads.size < writes.length) {
      add('DOUBLE_APPLY', `${what}: applied ${writes.length} times (${writes.map((r) => r.local_id).join(', ')})`)
    }
    for (const r of applied) {
      const sameContentCreate = r.operation_type === 'create' && r.status === 'success'
      if (!writes.includes(r) && !sameContentCreate)
        add('APPLIED_WITHOUT_WRITE', `${what}: ${r.status} but no version names it`)
    }
    if (intent.inQueue) {
      add('NOT_DRAINED', `${what}: still queued as ${intent.status}`)
      continue
    }
    const discarded = intent.localIds.some((l) => sim.discarded.has(l))
    const resolvedLocal = intent.localIds.find((l) => sim.resolvedBy.has(l))
    if (discarded) {
      sim.note(applied.length > 0 ? 'fate_discarded_after_unknown_outcome' : 'fate_discarded')
      continue
    }
    // A resolution the restore took away is re-sent from the journal as the original change: applied
    // as it stands (then checked below like any synced change), or parked and resolved again.
    // One resolved with the server's version applied nothing and is not journaled: nothing comes back.
    const lostResolution = resolvedLocal !== undefined ? sim.lostInRestore.get(key(resolvedLocal)) : undefined
    const resolutionLost =
      lostResolution?.startsWith('resolved/') === true &&
      (lostResolution === 'resolved/use_server'
        ? [undefined, 'conflict'].includes(byLocal.get(key(resolvedLocal as string))?.status)
        : byLocal.get(key(resolvedLocal as string))?.status === 'success')
    if (resolutionLost && lostResolution === 'resolved/use_server') {
      // The person gave the change up: nothing to re-send. The restored ledger may hold the conflict
      // again (backed up before the resolution); the rows are the server's either way.
      sim.note('fate_resolved_use_server_lost_in_restore')
      continue
    }
    if (resolutionLost) sim.note('fate_resolution_lost_in_restore_resent')
    if (resolvedLocal && !resolutionLost) {
      const choice = sim.resolvedBy.get(resolvedLocal)
      const r = byLocal.get(key(resolvedLocal))
      if (r?.status !== 'resolved' || r.resolution !== choice) {
        add(
          'RESOLUTION_NOT_RECORDED',
          `${what}: resolved ${choice} on the device, ledger says ${r?.status}/${r?.resolution}`,
        )
      }
      sim.note(`fate_resolved_${choice}`)
      continue
    }
    // Settled by a sync: the server must have applied it, once, with the payload the user last gave.
    const last = byLocal.get(key(intent.localIds[intent.localIds.length - 1]))
    if (!last || !applied.includes(last)) {
      add(
        'LOST',
        `${what}: left the queue as settled, but the server has ${last ? `${last.status} ${last.error_code ?? ''}` : 'no record of it'}`,
      )
      continue
    }
    if (canonical(JSON.parse(last.payload)) !== canonical(intent.payload)) {
      add('EDIT_LOST', `${what}: applied ${last.payload}, the user last asked for ${canonical(intent.payload)}`)
    }
    sim.note('fate_applied')
  }
  for (const op of ledger) {
    if (!claimed.has(`${op.device_id}|${op.local_id}`)) {
      add('PHANTOM_OP', `ledger has ${op.operation_type} ${op.entity_type} ${short(op.entity_id)} that no user made`)
    }
  }

  // ---- 2. no duplicate rows
  const markers: Array<[EntityType, string]> = [
    ['collection', 'notes'],
    ['payment', 'reference_number'],
  ]
  for (const [type, field] of markers) {
    const seen = new Map<string, number>()
    for (const r of rows[type]) {
      const m = r[field]
      if (typeof m === 'string' && m.startsWith('sim-')) seen.set(m, (seen.get(m) ?? 0) + 1)
    }
    for (const [m, n] of seen) if (n > 1) add('DUPLICATE_ROW', `${n} ${type} rows carry ${m}`)
  }
  const liveCodes = new Map<string, number>()
  for (const r of rows.supplier)
    if (!r.deleted_at) liveCodes.set(r.code as string, (liveCodes.get(r.code as string) ?? 0) + 1)
  for (const [code, n] of liveCodes) if (n > 1) add('DUPLICATE_ROW', `${n} live suppliers with code ${code}`)

  // ---- receipts: every collection is numbered, no number twice, and no number a device printed
  // on a supplier's receipt was replaced by the server's (each device and user has its own prefix
  // and counts in the same local transaction as the write, crashes and shared phones included)
  const receipts = new Map<string, number>()
  for (const r of rows.collection) {
    const n = r.receipt_number
    if (typeof n !== 'string') {
      add('RECEIPT_MISSING', `collection ${short(r.id as string)} has no receipt number`)
      continue
    }
    receipts.set(n, (receipts.get(n) ?? 0) + 1)
    const printed = (r.sync_metadata as Record<string, unknown> | null)?.receipt_printed
    if (printed) add('RECEIPT_REPLACED', `collection ${short(r.id as string)}: printed ${printed}, numbered ${n}`)
  }
  for (const [n, count] of receipts) if (count > 1) add('RECEIPT_DUPLICATE', `${count} collections carry ${n}`)

  // ---- 3. every replica equals what its device holds: what its user may read, narrowed for a
  // collector to its scope (core's scope.ts): the suppliers of the routes it serves today and the
  // unrouted ones, and their deductions and settlement lines
  const scopeDay = await scopeDayOf(sim)
  for (const d of sim.devices) {
    const queued = d.storedOps()
    if (queued.length > 0) add('NOT_DRAINED', `device ${d.index}: ${queued.length} operations still queued`)
    const scoped = hasRouteScope(d.role)
    const scope = scopeDay === undefined ? undefined : deviceScope(d, rows, scopeDay)
    for (const type of TYPES) {
      const local = new Map(
        (await d.client.entity(type).list({ include_deleted: true })).map((r) => [
          r.id,
          r as unknown as Row & { _sync?: string },
        ]),
      )
      const grant = grantFor(d.role, type, 'read')
      for (const s of rows[type]) {
        const readable = grant === 'all' || (grant === 'own' && s.user_id === d.user.id)
        const l = local.get(s.id)
        local.delete(s.id)
        const where = `device ${d.index} (${d.role}) ${type} ${short(s.id)}`
        // Which of a collector's route-scoped rows it holds is not known across midnight: not checked then.
        if (scoped && !scope && routeScoped(d.role, type)) continue
        const held = scope ? scope.holds(type, s) : true
        if (!readable || !held) {
          if (l && !(l.deleted_at && l.revoked === true)) {
            if (readable)
              add(
                'SCOPE_LEAK',
                `${where}: holds a row of ${scope?.routeName(type, s)}, not its routes ${scope?.describe()}`,
              )
            else add('REPLICA_LEAK', `${where}: holds a row it may not read`)
          }
          continue
        }
        if (!l) {
          // A scoped device's snapshot leaves deleted rows out (sync/snapshot.ts): it holds no tombstone.
          if (s.deleted_at && scoped) continue
          add(
            'REPLICA_MISSING',
            `${where}: server has v${s.version}${s.deleted_at ? ' deleted' : ''}, device has nothing${scope && routeScoped(d.role, type) ? ` (in its scope ${scope.describe()})` : ''}`,
          )
          continue
        }
        if (l.version !== s.version || !!l.deleted_at !== !!s.deleted_at) {
          add(
            'REPLICA_STALE',
            `${where}: server v${s.version}${s.deleted_at ? ' deleted' : ''}, device v${l.version}${l.deleted_at ? ' deleted' : ''}`,
          )
          continue
        }
        const diff = KEY_FIELDS[type].filter((f) => canonical(l[f]) !== canonical(s[f]))
        if (diff.length > 0) {
          add(
            'REPLICA_DIFFERS',
            `${where} v${s.version}: ${diff.map((f) => `${f} ${canonical(l[f])} != ${canonical(s[f])}`).join('; ')}`,
          )
        }
        if (l._sync) add('REPLICA_UNSETTLED', `${where}: still marked ${l._sync}`)
      }
      for (const [id] of local) add('REPLICA_EXTRA', `device ${d.index} ${type} ${short(id)}: not on the server`)
    }
    if (scope) sim.note(`scope_routes_${scope.routes.size}`)
  }

  // ---- 4. history gap-free and equal to the row
  const versions = new Map<string, Array<{ version: number; data: Record<string, unknown> }>>()
  for (const h of history) {
    const k = `${h.entity_type}|${h.entity_id}`
    const list = versions.get(k) ?? []
    list.push({ version: Number(h.version), data: JSON.parse(h.data) })
    versions.set(k, list)
  }
  for (const type of TYPES) {
    for (const r of rows[type]) {
      const list = versions.get(`${type}|${r.id}`) ?? []
      versions.delete(`${type}|${r.id}`)
      const got = list.map((h) => h.version).join(',')
      const want = Array.from({ length: r.version }, (_, i) => i + 1).join(',')
      if (got !== want) add('HISTORY_GAP', `${type} ${short(r.id)} v${r.version}: history has versions [${got}]`)
      const last = list[list.length - 1]?.data
      if (last) {
        const diff = [...KEY_FIELDS[type], 'deleted_at', 'version'].filter(
          (f) => canonical(last[f]) !== canonical(r[f]),
        )
        if (diff.length > 0)
          add('HISTORY_DIFFERS', `${type} ${short(r.id)}: last history differs in ${diff.join(', ')}`)
      }
    }
  }
  for (const [k] of versions) add('HISTORY_ORPHAN', `history of ${k} without a row`)

  // ---- 5. change log: seq 1..head without gaps, one entry per history version
  const head = Number(counter?.value ?? 0)
  for (let i = 0; i < changeLog.length; i++) {
    if (Number(changeLog[i].seq) !== i + 1) {
      add('CHANGE_LOG_GAP', `seq ${i + 1} expected, found ${changeLog[i].seq}`)
      break
    }
  }
  if (changeLog.length !== head) add('CHANGE_LOG_GAP', `counter at ${head}, ${changeLog.length} entries`)
  if (changeLog.length !== history.length) {
    add('CHANGE_LOG_MISMATCH', `${changeLog.length} change-log entries, ${history.length} history versions`)
  }
  const seqOf = new Map<string, number>()
  for (const c of changeLog) {
    const k = `${c.entity_type}|${c.entity_id}|${c.version}`
    if (seqOf.has(k)) add('CHANGE_LOG_DUPLICATE', `${k} logged twice`)
    seqOf.set(k, Number(c.seq))
  }

  // ---- settlement: payouts once, items once, the money adds up (settlement-checks.ts)
  const items = await db.selectFrom('settlement_items').select(['entity_type', 'entity_id', 'run_id']).execute()
  out.push(...checkSettlement(rows, items, (k, n) => sim.note(k, n)))

  // ---- 6. balances: API = SQL sums = a finance (or admin) device's replica
  // Unpriced collections (no rate in force yet) are counted, not summed.
  const sums = new Map<string, bigint>()
  const unpriced = new Map<string, number>()
  for (const c of rows.collection) {
    if (c.deleted_at) continue
    const k = c.supplier_id as string
    if (c.total_amount === null) unpriced.set(k, (unpriced.get(k) ?? 0) + 1)
    else sums.set(k, (sums.get(k) ?? 0n) + parseDecimal(c.total_amount as string, MONEY_SCALE))
  }
  for (const p of rows.payment) {
    if (p.deleted_at) continue
    const k = p.supplier_id as string
    sums.set(k, (sums.get(k) ?? 0n) - parseDecimal(p.amount as string, MONEY_SCALE))
  }
  // Deductions applied by approved settlement runs (core's balanceOf): each approved line's total.
  const approvedRuns = new Set(rows.settlement_run.filter((r) => r.status === 'approved').map((r) => r.id))
  for (const l of rows.settlement_line) {
    if (l.deleted_at || !approvedRuns.has(l.run_id as string)) continue
    const k = l.supplier_id as string
    sums.set(k, (sums.get(k) ?? 0n) - parseDecimal(l.deducted as string, MONEY_SCALE))
  }
  const auditor = sim.devices.find((d) => d.role === 'finance') ?? sim.devices[0]
  const localSums = new Map<string, bigint>()
  for (const c of await auditor.client.collections.list()) {
    const k = c.supplier_id as string
    if (c.total_amount !== null) localSums.set(k, (localSums.get(k) ?? 0n) + parseDecimal(c.total_amount, MONEY_SCALE))
  }
  for (const p of await auditor.client.payments.list()) {
    const k = p.supplier_id as string
    localSums.set(k, (localSums.get(k) ?? 0n) - parseDecimal(p.amount as string, MONEY_SCALE))
  }
  const localRuns = new Set(
    (await auditor.client.settlementRuns.list()).filter((r) => r.status === 'approved').map((r) => r.id),
  )
  for (const l of await auditor.client.settlementLines.list()) {
    if (!localRuns.has(l.run_id)) continue
    localSums.set(l.supplier_id, (localSums.get(l.supplier_id) ?? 0n) - parseDecimal(l.deducted, MONEY_SCALE))
  }
  for (const s of rows.supplier) {
    if (s.deleted_at) continue
    const want = formatDecimal(sums.get(s.id) ?? 0n, MONEY_SCALE)
    const res = await httpCall(sim.server.port, `/api/suppliers/${s.id}/balance`, {
      headers: { authorization: `Bearer ${sim.adminToken}` },
    })
    const answer =
      res.status === 200 ? (JSON.parse(res.body) as { balance: string; unpriced_collections: number }) : undefined
    const got = answer ? answer.balance : `HTTP ${res.status}`
    if (got !== want) add('BALANCE', `supplier ${s.code}: API says ${got}, rows sum to ${want}`)
    if (answer && answer.unpriced_collections !== (unpriced.get(s.id) ?? 0)) {
      add(
        'BALANCE_UNPRICED',
        `supplier ${s.code}: API counts ${answer.unpriced_collections} unpriced, rows ${unpriced.get(s.id) ?? 0}`,
      )
    }
    const local = formatDecimal(localSums.get(s.id) ?? 0n, MONEY_SCALE)
    if (local !== want)
      add('BALANCE_REPLICA', `supplier ${s.code}: device ${auditor.index} sums ${local}, server ${want}`)
  }

  // ---- 7. prices: the rate in force (in commit order) when the row was priced, and the right total
  const rateVersions = new Map<string, Array<{ seq: number; data: RatePeriod }>>()
  for (const h of history) {
    if (h.entity_type !== 'product_rate') continue
    const list = rateVersions.get(h.entity_id) ?? []
    list.push({ seq: seqOf.get(`product_rate|${h.entity_id}|${h.version}`) ?? 0, data: JSON.parse(h.data) })
    rateVersions.set(h.entity_id, list)
  }
  const ratesAt = (seq: number): RatePeriod[] => {
    const out: RatePeriod[] = []
    for (const list of rateVersions.values()) {
      let best: RatePeriod | undefined
      for (const v of list) if (v.seq < seq) best = v.data
      if (best) out.push(best)
    }
    return out
  }
  let prev: Record<string, unknown> | undefined
  for (const h of history) {
    if (h.entity_type !== 'collection') continue
    const data = JSON.parse(h.data) as Record<string, unknown>
    const first = Number(h.version) === 1
    const same = prev !== undefined && prev.id === data.id
    // Priced when created, when what the price depends on changed, and on any write while unpriced.
    const repriced = first || (same && (prev?.total_amount === null || PRICE_INPUTS.some((f) => prev?.[f] !== data[f])))
    prev = data
    if (!repriced || data.deleted_at) continue
    const where = `collection ${short(h.entity_id)} v${h.version}`
    const seq = seqOf.get(`collection|${h.entity_id}|${h.version}`) ?? 0
    const inForce = resolveRate(
      ratesAt(seq),
      data.product_id as string,
      data.unit as string,
      data.collection_date as string,
    )
    if (!inForce) {
      // A delivery is a fact: with no rate in force it is recorded unpriced.
      if (data.total_amount !== null || data.rate_applied !== null || data.product_rate_id !== null) {
        add(
          'PRICE_RATE',
          `${where} (${data.collection_date}): priced at ${data.rate_applied}, but no rate was in force at seq ${seq}`,
        )
      }
      continue
    }
    if (data.total_amount === null) {
      add(
        'PRICE_MISSING',
        `${where} (${data.collection_date}): unpriced, but ${short(inForce.id)} was in force at seq ${seq}`,
      )
      continue
    }
    // Net = gross - tare x containers - deduction (percent of the weight after tare, half up to grams).
    const afterTare =
      parseDecimal(data.quantity as string, QUANTITY_SCALE) -
      parseDecimal((data.tare_per_container as string) ?? '0', QUANTITY_SCALE) *
        BigInt((data.containers as number) ?? 0)
    const deduction = (afterTare * parseDecimal((data.deduction_percent as string) ?? '0', 2) * 2n + 10_000n) / 20_000n
    const net = formatDecimal(afterTare - deduction, QUANTITY_SCALE)
    if (net !== data.net_quantity) add('NET_QUANTITY', `${where}: net should be ${net}, is ${data.net_quantity}`)
    const total = formatDecimal(
      amountFor(parseDecimal(net, QUANTITY_SCALE), parseDecimal(data.rate_applied as string, MONEY_SCALE)),
      MONEY_SCALE,
    )
    if (total !== data.total_amount)
      add('PRICE_TOTAL', `${where}: ${net} x ${data.rate_applied} is ${total}, not ${data.total_amount}`)
    if (inForce.id !== data.product_rate_id || inForce.rate !== data.rate_applied) {
      add(
        'PRICE_RATE',
        `${where} (${data.collection_date}): priced with ${short(String(data.product_rate_id))} at ${data.rate_applied}, in force at seq ${seq} was ${short(inForce.id)} at ${inForce.rate}`,
      )
    }
  }
  // No collection stays unpriced while a rate covers it: the rate prices it, or its next write does.
  const ratesNow = ratesAt(Number.POSITIVE_INFINITY)
  for (const [id, data] of latestCollections(history)) {
    if (data.deleted_at || data.total_amount !== null) continue
    const covering = resolveRate(
      ratesNow,
      data.product_id as string,
      data.unit as string,
      data.collection_date as string,
    )
    if (covering)
      add(
        'UNPRICED_COVERED',
        `collection ${short(id)} (${data.collection_date}) is unpriced, but ${short(covering.id)} covers it`,
      )
  }
  return out
}
