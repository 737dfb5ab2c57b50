/**
 * Settlement runs on the server (issue 17; the contract is docs/api.md): compute a draft, approve it
 * exactly once, or discard it. Each in the caller's one write transaction; the run and its lines
 * are synced rows written like every other (a version, its history and change-log entry, so they
 * reach devices through the pull). The money is core's (settlement.ts: `settleSupplier`), on the
 * inputs settlement-inputs.ts reads.
 *
 * - Create: every supplier with something to settle (or those named), each with the periods its
 *   approved runs settled (rows dated in them arrive late); PERIOD_SETTLED if the period overlaps one
 *   or comes before one (settlement goes forward: the next run starts from the latest approved line).
 * - Approve (a manager or admin, never the run's creator): computed again and compared with the
 *   draft (RUN_STALE if anything changed); the collections and payments it includes, and the payout
 *   payments it records (through the entity service, so they sync), go into `settlement_items`, so
 *   no later run counts them again and their edits are refused (SETTLED). An unpriced collection is
 *   not settled: it is counted, and paid by the run after it is priced (as a late item).
 *   A second approve (a double click, a retry) answers the approved run and creates nothing: the
 *   run row is locked (PostgreSQL; SQLite has one writer) and its status read under the lock.
 * - Discard: a draft only; the run is marked discarded and its lines deleted (tombstones).
 */
import {
  AppError,
  approvalRefusal,
  canApproveSettlement,
  canCreateSettlement,
  type EntityType,
  fieldProblem,
  formatDecimal,
  lineFields,
  MAX_AMOUNT_MINOR,
  MONEY_SCALE,
  newId,
  type PAYMENT_METHODS,
  parseDecimal,
  parseOrThrow,
  runTotals,
  runTotalsFields,
  type SettlementLine,
  type SettlementLineRow,
  type SettlementPeriod,
  type SettlementRunRow,
  settlementLineInput,
  settlementRunInput,
  settleSupplier,
  todayIn,
} from '@trackvault/core'
import { forUpdate, lockNamed } from '../db/sql-helpers'
import { queueMessage } from '../sms/outbox'
import { chunks } from './change-log'
import { createEntity, VersionConflictError } from './entity-service'
import { recordHistory } from './history'
import { TABLES, toColumns, toWire } from './mappers'
import { updateRow } from './rows'
import { loadSettings } from './settings'
import { loadRunInputs, type RunInputs } from './settlement-inputs'
import { memoOf, type WriteContext } from './write-context'

type Loose = Record<string, unknown>

export interface CreateRunRequest {
  period_from: string
  period_to: string
  supplier_ids?: string[]
  reference?: string
  notes?: string | null
  pay_at_most?: string
}

export interface RunAnswer {
  run: SettlementRunRow
  lines: SettlementLineRow[]
}

/** What a run keeps in `sync_metadata` to be computed again at approval exactly as it was drafted. */
interface RunRecipe {
  /** The suppliers were chosen by the server (every one with something to settle). */
  all_suppliers: boolean
  /** The partial payout asked for, if any (2 places). */
  pay_at_most: string | null
}

const m = (v: bigint) => formatDecimal(v, MONEY_SCALE)
const min = (a: bigint, b: bigint) => (a < b ? a : b)

/** The lines of a run over `period` for the inputs read; PERIOD_SETTLED if a supplier's approved run reaches it. */
function computeLines(period: SettlementPeriod, read: RunInputs, floor: bigint, recipe: RunRecipe): SettlementLine[] {
  // Settlement goes forward: a period overlapping, or before, one an approved run settled for the supplier is
  // refused (the next run starts from the latest approved line, so an earlier one would be skipped). A run
  // over every supplier leaves such a supplier out (its records wait for its next run, late), unless that
  // is every supplier (the period was settled already).
  const clashes: { supplier_id: string; period_from: string; period_to: string }[] = []
  const ahead = new Set<string>()
  for (const id of read.suppliers) {
    for (const s of read.settled.get(id) ?? []) {
      if (s.to_date < period.from_date) continue
      clashes.push({ supplier_id: id, period_from: s.from_date, period_to: s.to_date })
      ahead.add(id)
    }
  }
  if (clashes.length > 0 && (!recipe.all_suppliers || ahead.size === read.suppliers.length)) {
    throw new AppError('PERIOD_SETTLED', undefined, { settled: clashes.slice(0, 100) })
  }
  // A payout is one payment, and a payment is at most MAX_AMOUNT_MINOR: the rest is carried.
  const cap =
    recipe.pay_at_most === null
      ? MAX_AMOUNT_MINOR
      : min(parseDecimal(recipe.pay_at_most, MONEY_SCALE), MAX_AMOUNT_MINOR)
  const lines: SettlementLine[] = []
  for (const id of read.suppliers) {
    if (ahead.has(id)) continue
    const input = read.inputs.get(id)!
    const line = settleSupplier({ period, settled: read.settled.get(id) ?? [], floor }, { ...input, pay_at_most: cap })
    if (recipe.all_suppliers && isEmpty(line)) continue
    lines.push(line)
  }
  return lines
}

/** A line with nothing on it: no items, no deduction due, nothing carried in or out. */
function isEmpty(l: SettlementLine) {
  return (
    l.collections.length === 0 &&
    l.payments.length === 0 &&
    l.deductions.length === 0 &&
    l.opening === 0n &&
    l.carried_forward === 0n
  )
}

/** A new synced row written by the server: version 1, created by the actor, recorded like every write. */
function newRow(ctx: WriteContext, id: string, fields: Loose, syncMetadata: Loose | null = null): Loose {
  return {
    id,
    version: 1,
    created_at: ctx.now,
    updated_at: ctx.now,
    deleted_at: null,
    created_by: ctx.actor.id,
    updated_by: ctx.actor.id,
    sync_metadata: syncMetadata,
    ...fields,
  }
}

/** Inserts server-written rows of one type, multi-row, each with its history and change-log entry. */
async function insertRows(ctx: WriteContext, type: EntityType, rows: Loose[]): Promise<void> {
  const table = TABLES[type]
  for (const part of chunks(rows, 100)) {
    await ctx.trx
      .insertInto(table as never)
      .values(part.map((r) => toColumns(type, r as never, ctx.actor.deviceId)) as never)
      .execute()
  }
  for (const r of rows) recordHistory(ctx, type, r as never, 'create')
}

/** Writes `changes` over `current` as its next version (a tombstone when `deleted_at` is set). */
async function updateServerRow(ctx: WriteContext, type: EntityType, current: Loose, changes: Loose): Promise<Loose> {
  const row: Loose = {
    ...current,
    ...changes,
    version: (current.version as number) + 1,
    updated_at: ctx.now,
    updated_by: ctx.actor.id,
  }
  if (!(await updateRow(ctx.trx, type, row as never, current.version as number, ctx.actor.deviceId))) {
    throw new AppError('RUN_STALE', `${type} ${String(current.id)} changed meanwhile`)
  }
  recordHistory(ctx, type, row as never, row.deleted_at ? 'delete' : 'update', current)
  return row
}

function nothingToSettle(): never {
  throw new AppError('VALIDATION_FAILED', 'No supplier has anything to settle in this period', {
    fields: { supplier_ids: [fieldProblem('nothing_to_settle')] },
  })
}

async function chooseReference(ctx: WriteContext, period: SettlementPeriod, asked?: string): Promise<string> {
  const taken = async (reference: string) =>
    ctx.trx
      .selectFrom('settlement_runs')
      .select(['id', 'status'])
      .where('reference', '=', reference)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
  const duplicate = (reference: string) =>
    new AppError('DUPLICATE', `reference ${reference} is already used by another run`, {
      fields: { reference: [fieldProblem('already_used')] },
    })
  if (asked !== undefined) {
    if (await taken(asked)) throw duplicate(asked)
    return asked
  }
  // The default; a discarded run keeps its reference, so a new draft of the period gets the next free one.
  const base = `${period.from_date}/${period.to_date}`
  for (let n = 1; ; n++) {
    const reference = n === 1 ? base : `${base} #${n}`
    const clash = await taken(reference)
    if (!clash) return reference
    if (clash.status !== 'discarded') throw duplicate(reference)
  }
}

function requireCreate(ctx: WriteContext) {
  if (!canCreateSettlement(ctx.actor.role)) {
    throw new AppError('FORBIDDEN', `A ${ctx.actor.role} may not compute settlement runs`)
  }
}

/** Computes a draft run and writes it with its lines. */
export async function createRun(ctx: WriteContext, request: CreateRunRequest): Promise<RunAnswer> {
  requireCreate(ctx)
  const period = { from_date: request.period_from, to_date: request.period_to }
  if (period.to_date < period.from_date) {
    throw new AppError('VALIDATION_FAILED', undefined, {
      fields: { period_to: [fieldProblem('not_before', { other: 'period_from' })] },
    })
  }
  const settings = await loadSettings(ctx.trx)
  const floor = parseDecimal(settings.settlement_floor, MONEY_SCALE)
  const recipe: RunRecipe = { all_suppliers: !request.supplier_ids, pay_at_most: request.pay_at_most ?? null }
  const read = await loadRunInputs(ctx.trx, period, request.supplier_ids)
  if (read.missing.length > 0) {
    throw new AppError('REFERENCE_NOT_FOUND', 'supplier_ids names suppliers that do not exist', {
      fields: { supplier_ids: read.missing.slice(0, 20).map((id) => `${id} not found`) },
    })
  }
  const lines = computeLines(period, read, floor, recipe)
  if (lines.length === 0) nothingToSettle()
  const reference = await chooseReference(ctx, period, request.reference)

  const runId = newId()
  const runFields = parseOrThrow(settlementRunInput, {
    period_from: period.from_date,
    period_to: period.to_date,
    status: 'draft',
    reference,
    floor: m(floor),
    notes: request.notes ?? null,
    ...runTotalsFields(runTotals(lines)),
  })
  const run = newRow(ctx, runId, runFields, { settlement: recipe })
  const head = { id: runId, period_from: period.from_date, period_to: period.to_date, status: 'draft' as const }
  const lineRows = lines.map((l) =>
    newRow(ctx, newId(), parseOrThrow(settlementLineInput, lineFields(head, l, read.extra))),
  )
  await insertRows(ctx, 'settlement_run', [run])
  await insertRows(ctx, 'settlement_line', lineRows)
  return { run: run as unknown as SettlementRunRow, lines: lineRows as unknown as SettlementLineRow[] }
}

/** The run `id` locked for this write (PostgreSQL), and its live lines. */
async function loadRunForWrite(ctx: WriteContext, id: string): Promise<{ run: Loose; lines: Loose[] }> {
  const stored = await forUpdate(
    ctx.trx.selectFrom('settlement_runs').selectAll().where('id', '=', id),
    ctx.caps,
  ).executeTakeFirst()
  if (!stored || stored.deleted_at) throw new AppError('NOT_FOUND', `settlement run ${id} does not exist`)
  const run = toWire('settlement_run', stored as never) as unknown as Loose
  const lines = (
    await ctx.trx
      .selectFrom('settlement_lines')
      .selectAll()
      .where('run_id', '=', id)
      .where('deleted_at', 'is', null)
      .orderBy('supplier_id')
      .execute()
  ).map((l) => toWire('settlement_line', l as never) as unknown as Loose)
  return { run, lines }
}

/** JSON with keys sorted: a stored line and a computed one compare equal when they say the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    const o = v as Loose
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

/** What a line says about money and items (not its status, payout or version). */
const COMPARED = Object.keys(settlementLineInput.shape).filter(
  (f) => !['status', 'payout_status', 'payment_id', 'payout_note'].includes(f),
)

function sameLine(stored: Loose, computed: Loose): boolean {
  return COMPARED.every((f) => canonical(stored[f]) === canonical(computed[f]))
}

function requireApprove(ctx: WriteContext) {
  if (!canApproveSettlement(ctx.actor.role)) {
    throw new AppError('FORBIDDEN', `A ${ctx.actor.role} may not approve settlement runs`)
  }
}

/**
 * Approves the draft `id` at `version`: exactly once (an approved run is answered as it is), by a
 * manager or admin who did not compute it; RUN_STALE if computing it again gives other lines.
 */
export async function approveRun(
  ctx: WriteContext,
  id: string,
  version: number,
  paymentMethod: (typeof PAYMENT_METHODS)[number] = 'bank_transfer',
): Promise<RunAnswer> {
  requireApprove(ctx)
  // One approval at a time (PostgreSQL; SQLite has one writer): two runs of one supplier approved at once
  // would each start from the same last line, and one's carried forward would be lost.
  await lockNamed(ctx.trx, ctx.caps, 'settlement-approval')
  const { run, lines } = await loadRunForWrite(ctx, id)
  if (approvalRefusal(ctx.actor, run as { created_by: string | null }) === 'SELF_APPROVAL') {
    throw new AppError('SELF_APPROVAL')
  }
  if (run.status === 'approved') return answer(run, lines)
  if (run.status !== 'draft') throw new AppError('RUN_NOT_DRAFT', `settlement run ${id} is ${String(run.status)}`)
  if (run.version !== version) throw new VersionConflictError(run as never)

  const period = { from_date: run.period_from as string, to_date: run.period_to as string }
  const recipe = ((run.sync_metadata as Loose | null)?.settlement as RunRecipe | undefined) ?? {
    all_suppliers: false,
    pay_at_most: null,
  }
  const floor = parseDecimal(run.floor as string, MONEY_SCALE)
  const read = await loadRunInputs(
    ctx.trx,
    period,
    recipe.all_suppliers ? undefined : lines.map((l) => l.supplier_id as string),
    ctx.caps,
  )
  // A supplier deleted since the draft: the run no longer describes who is paid.
  if (read.missing.length > 0)
    throw new AppError('RUN_STALE', undefined, { deleted_suppliers: read.missing.slice(0, 20) })
  const computed = computeLines(period, read, floor, recipe)
  const head = { id, period_from: period.from_date, period_to: period.to_date, status: 'draft' as const }
  const fresh = new Map(computed.map((l) => [l.supplier_id, { line: l, fields: lineFields(head, l, read.extra) }]))
  const stale =
    fresh.size !== lines.length ||
    lines.some((l) => {
      const f = fresh.get(l.supplier_id as string)
      return !f || !sameLine(l, f.fields as unknown as Loose)
    })
  if (stale) {
    throw new AppError('RUN_STALE', undefined, { suppliers: computed.length, lines: lines.length })
  }

  const settings = await loadSettings(ctx.trx)
  const paymentDate = todayIn(settings.time_zone, new Date(ctx.now))
  // The suppliers were just read live in this transaction: the payouts need not look each up again.
  const { live } = memoOf(ctx)
  for (const l of lines) live.add(`supplier/${String(l.supplier_id)}`)
  const items: { entity_type: string; entity_id: string; run_id: string; late: number }[] = []
  const approvedLines: Loose[] = []
  for (const stored of lines) {
    const { line } = fresh.get(stored.supplier_id as string)!
    let paymentId: string | null = null
    if (line.payout > 0n) {
      const payment = await createEntity(
        ctx,
        'payment',
        {
          supplier_id: line.supplier_id,
          payment_date: paymentDate,
          amount: m(line.payout),
          payment_type: 'full',
          payment_method: paymentMethod,
          reference_number: run.reference,
          notes: `Settlement ${String(run.reference)}`,
          confirmed_large: true,
        },
        newId(),
        { knownAbsent: true }, // a new id
      )
      paymentId = payment.id
      items.push({ entity_type: 'payment', entity_id: payment.id, run_id: id, late: 0 })
    }
    // An unpriced collection is counted, not settled: the run after its pricing pays it (late).
    for (const c of line.collections) {
      if (c.amount !== null)
        items.push({ entity_type: 'collection', entity_id: c.id, run_id: id, late: c.late ? 1 : 0 })
    }
    for (const p of line.payments)
      items.push({ entity_type: 'payment', entity_id: p.id, run_id: id, late: p.late ? 1 : 0 })
    approvedLines.push(
      await updateServerRow(ctx, 'settlement_line', stored, {
        status: 'approved',
        payment_id: paymentId,
        payout_status: paymentId ? 'pending' : 'none',
      }),
    )
    // The supplier is told what the run pays it (when SMS is on; nothing for a line that pays nothing).
    if (line.payout > 0n) {
      queueMessage(ctx, {
        kind: 'settlement_paid',
        run: { id, period_from: period.from_date, period_to: period.to_date },
        line: { supplier_id: line.supplier_id, payout: m(line.payout) },
      })
    }
  }
  let inserted = 0
  for (const part of chunks(items)) {
    const result = await ctx.trx
      .insertInto('settlement_items')
      .values(part)
      .onConflict((oc) => oc.columns(['entity_type', 'entity_id']).doNothing())
      .executeTakeFirst()
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0)
  }
  // Another run's approval settled one of these items meanwhile (PostgreSQL, two runs at once).
  if (inserted !== items.length) throw new AppError('RUN_STALE', 'Another run settled some of these records meanwhile')
  const approved = await updateServerRow(ctx, 'settlement_run', run, {
    status: 'approved',
    approved_by: ctx.actor.id,
    approved_at: ctx.now,
  })
  return answer(approved, approvedLines)
}

/** Discards the draft `id` at `version`: the run is marked discarded, its lines deleted. */
export async function discardRun(ctx: WriteContext, id: string, version: number): Promise<SettlementRunRow> {
  requireCreate(ctx)
  const { run, lines } = await loadRunForWrite(ctx, id)
  if (run.status !== 'draft') throw new AppError('RUN_NOT_DRAFT', `settlement run ${id} is ${String(run.status)}`)
  if (run.version !== version) throw new VersionConflictError(run as never)
  for (const l of lines) await updateServerRow(ctx, 'settlement_line', l, { status: 'discarded', deleted_at: ctx.now })
  return (await updateServerRow(ctx, 'settlement_run', run, { status: 'discarded' })) as unknown as SettlementRunRow
}

function answer(run: Loose, lines: Loose[]): RunAnswer {
  return { run: run as unknown as SettlementRunRow, lines: lines as unknown as SettlementLineRow[] }
}
