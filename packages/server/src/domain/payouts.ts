/**
 * Paying an approved settlement run: its payout files (core's payout-file.ts) from the run's lines
 * and their suppliers' payout details, the results file the bank or mobile money provider returns
 * (each line marked paid or failed as a new version, in history and synced like every write), and
 * a line's statement CSV. A failed payout's payment is deleted through the entity service, so the
 * supplier's balance owes it again and the next run's opening adds it (core's `carriedFrom`).
 */
import {
  AppError,
  type PayoutLine as CorePayoutLine,
  type EntityRows,
  moneyOf,
  type PayoutFile,
  type PayoutFileOptions,
  type PayoutStatus,
  type PayoutSupplier,
  parsePayoutResults,
  payoutFile,
  payoutReference,
  type SettlementLineFields,
  statementCsv,
  writableFields,
} from '@trackvault/core'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema'
import { getEntity } from './entity-queries'
import { checkDelete, writeDelete, writePatch } from './entity-service'
import { loadRow } from './rows'
import type { Actor, WriteContext } from './write-context'

type Db = Kysely<Database> | Transaction<Database>
type Loose = Record<string, unknown>
type Line = EntityRows['settlement_line']
type Run = EntityRows['settlement_run']
type PayoutLine = CorePayoutLine & { run_id: string; payment_id: string | null }

const notApproved = () =>
  new AppError('VALIDATION_FAILED', 'Only an approved run is paid out', {
    fields: { run: ['the run is not approved'] },
  })

async function liveRun(db: Db, id: string, lock?: WriteContext['caps']): Promise<Run> {
  const run = await loadRow(db, 'settlement_run', id, lock)
  if (!run || run.deleted_at) throw new AppError('NOT_FOUND', `settlement run ${id} does not exist`)
  return run
}

/**
 * What payout files and results read of a run's lines (not their statements' detail: a run may
 * have tens of thousands); with `lock`, on PostgreSQL inside a write, the lines are locked until
 * commit too. (Two results files of one run are recorded one after the other already: each write
 * locks the run first, `liveRun`.)
 */
async function payoutLinesOf(db: Db, runId: string, lock?: WriteContext['caps']): Promise<PayoutLine[]> {
  let query = db
    .selectFrom('settlement_lines')
    .select(['id', 'run_id', 'supplier_id', 'payout_minor', 'payout_status', 'payment_id'])
    .where('run_id', '=', runId)
    .where('deleted_at', 'is', null)
    .orderBy('id')
  if (lock?.rowLocks) query = query.forUpdate()
  return (await query.execute()).map((r) => ({
    id: r.id,
    run_id: r.run_id,
    supplier_id: r.supplier_id,
    payout: moneyOf(r.payout_minor),
    payout_status: r.payout_status as PayoutStatus,
    payment_id: r.payment_id,
  }))
}

/** The suppliers of run `runId`'s lines with what a payout file needs (deleted ones too: they are still owed). */
async function suppliersOf(db: Db, runId: string): Promise<PayoutSupplier[]> {
  const rows = await db
    .selectFrom('suppliers')
    .select(['id', 'code', 'name', 'phone', 'payout_method', 'bank_name', 'bank_account', 'mobile_money_number'])
    .where('id', 'in', (q) => q.selectFrom('settlement_lines').select('supplier_id').where('run_id', '=', runId))
    .execute()
  return rows as PayoutSupplier[]
}

/** The payout file of approved run `runId`. */
export async function runPayoutFile(db: Kysely<Database>, runId: string, opts: PayoutFileOptions) {
  const run = await liveRun(db, runId)
  if (run.status !== 'approved') throw notApproved()
  const lines = await payoutLinesOf(db, runId)
  const file = payoutFile(run, lines, await suppliersOf(db, runId), opts)
  return { run, file }
}

/** A payout file as JSON: its totals, rows and the suppliers missing details, without the CSV. */
export function payoutSummary(runId: string, reference: string, file: PayoutFile) {
  return {
    run_id: runId,
    reference,
    format: file.format,
    amounts: file.amounts,
    columns: file.columns,
    total: { count: file.total.count, amount: file.total.amount },
    rows: file.rows.map(({ cells: _cells, ...row }) => row),
    missing: file.missing,
  }
}

export interface PayoutResultsSummary {
  paid: number
  failed: number
  /** Rows that gave a line the result it already had (the same file sent again). */
  unchanged: number
  errors: Array<{ row: number; reference?: string; message: string }>
}

/**
 * Records a returned results file on approved run `runId`, all or nothing: any bad row and nothing
 * is written (VALIDATION_FAILED, `details.rows` lists each). Each line the file pays or fails gets
 * a new version (`payout_status`, `payout_note`); a failed line's payment is deleted.
 */
export async function recordPayoutResults(
  ctx: WriteContext,
  runId: string,
  csv: string,
): Promise<PayoutResultsSummary> {
  const run = await liveRun(ctx.trx, runId, ctx.caps)
  if (run.status !== 'approved') throw notApproved()
  const lines = await payoutLinesOf(ctx.trx, runId, ctx.caps)
  const codes = new Map((await suppliersOf(ctx.trx, runId)).map((s) => [s.id, s.code]))
  const { rows, errors } = parsePayoutResults(
    csv,
    lines.map((l) => ({
      id: l.id,
      reference: payoutReference(run.reference, codes.get(l.supplier_id) ?? l.supplier_id),
      payout_status: l.payout_status,
    })),
  )
  if (errors.length > 0) {
    const n = errors.length
    throw new AppError(
      'VALIDATION_FAILED',
      `The results file has ${n} bad row${n === 1 ? '' : 's'}; nothing was recorded`,
      {
        fields: { file: errors.map((e) => `line ${e.row}: ${e.message}`) },
        rows: errors,
      },
    )
  }
  const byId = new Map(lines.map((l) => [l.id, l]))
  const summary: PayoutResultsSummary = { paid: 0, failed: 0, unchanged: 0, errors: [] }
  for (const result of rows) {
    if (result.change === 'unchanged') {
      summary.unchanged++
      continue
    }
    const line = byId.get(result.line_id) as PayoutLine
    const current = (await loadRow(ctx.trx, 'settlement_line', line.id)) as unknown as Loose
    const fields: Loose = {}
    for (const f of writableFields('settlement_line')) fields[f] = current[f]
    fields.payout_status = result.status
    fields.payout_note = result.note
    await writePatch(ctx, 'settlement_line', current, fields)
    if (result.status === 'failed' && line.payment_id) {
      await deletePayout(ctx, line, result.note)
    }
    summary[result.status]++
  }
  return summary
}

/** Deletes the payment that recorded a payout which failed (the tombstone says why). */
async function deletePayout(ctx: WriteContext, line: PayoutLine, note: string | null): Promise<void> {
  const payment = await loadRow(ctx.trx, 'payment', line.payment_id as string, ctx.caps)
  if (!payment || payment.deleted_at) return
  const current = payment as unknown as Loose
  checkDelete(ctx, 'payment', current)
  const payout_failed = { run_id: line.run_id, line_id: line.id, note }
  await writeDelete(ctx, 'payment', current, {
    syncMetadata: { ...(payment.sync_metadata ?? {}), payout_failed },
  })
}

/** The statement CSV of line `lineId`, as `actor` may read it, and the names its file is given. */
export async function lineStatement(db: Kysely<Database>, actor: Actor, lineId: string) {
  const line = (await getEntity(db, 'settlement_line', actor, lineId)) as Line
  const run = await loadRow(db, 'settlement_run', line.run_id)
  const supplier = await db
    .selectFrom('suppliers')
    .select(['code'])
    .where('id', '=', line.supplier_id)
    .executeTakeFirst()
  return {
    csv: statementCsv(line as SettlementLineFields),
    reference: run?.reference ?? line.period_to,
    supplierCode: supplier?.code ?? line.supplier_id,
  }
}
