/**
 * Repricing a period on purpose (core's reprice.ts says why it exists). The plan prices every
 * live collection in the scope again, with the server's own pricing (the one a write uses), and
 * lists those whose price would change; applying it re-plans in the write transaction, refuses if
 * the plan is not the one previewed (PREVIEW_STALE), writes each change as a new version whose
 * `sync_metadata.repriced` says who, when, why and the total before, and records the repricing.
 */
import { createHash } from 'node:crypto'
import {
  AppError,
  fieldProblem,
  formatDecimal,
  MAX_REPRICE_CHANGES,
  MONEY_SCALE,
  newId,
  parseDecimal,
  type RepriceChange,
  type RepricePlan,
  type RepricePrice,
  type RepriceRequest,
  type RepriceScope,
  writableFields,
} from '@trackvault/core'
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { writePatch } from './entity-service'
import { toWire } from './mappers'
import { priceCollection } from './pricing'
import type { WriteContext } from './write-context'

type Loose = Record<string, unknown>

const minor = (amount: string | null) => (amount === null ? 0n : parseDecimal(amount, MONEY_SCALE))

async function plan(
  trx: Transaction<Database>,
  caps: DbCapabilities,
  scope: RepriceScope,
  lock: boolean,
  rates = new Map(),
): Promise<{ plan: RepricePlan; rows: Map<string, Loose> }> {
  let query = trx
    .selectFrom('collections')
    .selectAll()
    .where('product_id', '=', scope.product_id)
    .where('deleted_at', 'is', null)
    .where('collection_date', '>=', scope.from)
    .where('collection_date', '<=', scope.to)
    .orderBy('collection_date')
    .orderBy('id')
  if (scope.unit) query = query.where('unit', '=', scope.unit)
  if (scope.grade) query = query.where('grade', '=', scope.grade)
  // A collection an approved settlement run settled is left as it is (a correction is an adjustment).
  const settled = (not: boolean) => (eb: ExpressionBuilder<Database, 'collections'>) => {
    const found = eb.exists(
      eb
        .selectFrom('settlement_items as i')
        .select('i.entity_id')
        .where('i.entity_type', '=', 'collection')
        .whereRef('i.entity_id', '=', 'collections.id'),
    )
    return not ? eb.not(found) : found
  }
  const skipped = await query
    .clearSelect()
    .clearOrderBy()
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where(settled(false))
    .executeTakeFirstOrThrow()
  query = query.where(settled(true))
  const stored = await (lock && caps.rowLocks ? query.forUpdate() : query).execute()
  const changes: RepriceChange[] = []
  const refused: RepricePlan['refused'] = []
  const rows = new Map<string, Loose>()
  let before = 0n
  let after = 0n
  for (const s of stored) {
    const c = toWire('collection', s) as unknown as Loose
    const was: RepricePrice = {
      product_rate_id: c.product_rate_id as string | null,
      rate_applied: c.rate_applied as string | null,
      total_amount: c.total_amount as string | null,
    }
    let now: RepricePrice
    try {
      now = await priceCollection(
        trx,
        { ...(c as never as Parameters<typeof priceCollection>[1]), quantity: c.net_quantity as string },
        caps,
        rates,
      )
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'VALIDATION_FAILED')) throw err
      refused.push({ id: c.id as string, message: err.message })
      continue
    }
    if (
      now.product_rate_id === was.product_rate_id &&
      now.rate_applied === was.rate_applied &&
      now.total_amount === was.total_amount
    ) {
      continue
    }
    before += minor(was.total_amount)
    after += minor(now.total_amount)
    rows.set(c.id as string, c)
    changes.push({
      id: c.id as string,
      version: c.version as number,
      supplier_id: c.supplier_id as string,
      collection_date: c.collection_date as string,
      receipt_number: (c.receipt_number as string | null) ?? null,
      unit: c.unit as string,
      grade: (c.grade as string | null) ?? null,
      net_quantity: c.net_quantity as string,
      before: was,
      after: now,
    })
  }
  if (changes.length > MAX_REPRICE_CHANGES) {
    throw new AppError('VALIDATION_FAILED', `This would reprice ${changes.length} collections; split the period`, {
      fields: { to: [fieldProblem('too_many_to_reprice', { max: MAX_REPRICE_CHANGES })] },
    })
  }
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(changes.map((c) => [c.id, c.version, c.after.product_rate_id, c.after.total_amount])))
    .digest('hex')
  return {
    plan: {
      scope,
      examined: stored.length,
      settled: Number(skipped.n),
      changes,
      refused,
      total_before: formatDecimal(before, MONEY_SCALE),
      total_after: formatDecimal(after, MONEY_SCALE),
      difference: formatDecimal(after - before, MONEY_SCALE),
      fingerprint,
    },
    rows,
  }
}

/** What repricing `scope` would change, without changing it. */
export function previewReprice(db: Kysely<Database>, caps: DbCapabilities, scope: RepriceScope): Promise<RepricePlan> {
  return db.transaction().execute(async (trx) => (await plan(trx, caps, scope, false)).plan)
}

/** Applies the previewed repricing in the write transaction of `ctx`; PREVIEW_STALE if it changed since. */
export async function applyReprice(ctx: WriteContext, request: RepriceRequest): Promise<RepricePlan & { id: string }> {
  const { plan: now, rows } = await plan(ctx.trx, ctx.caps, request.scope, true)
  if (now.fingerprint !== request.fingerprint) {
    throw new AppError('PREVIEW_STALE', undefined, { changes: now.changes.length, fingerprint: now.fingerprint })
  }
  const id = newId()
  for (const change of now.changes) {
    const current = rows.get(change.id) as Loose
    const repriced = {
      id,
      by: ctx.actor.id,
      at: ctx.now,
      reason: request.reason,
      total_before: change.before.total_amount,
    }
    const fields: Loose = {}
    for (const f of writableFields('collection')) if (f in current) fields[f] = current[f]
    await writePatch(ctx, 'collection', current, fields, {
      syncMetadata: { ...((current.sync_metadata as Loose | null) ?? {}), repriced },
      reprice: true,
    })
  }
  await ctx.trx
    .insertInto('reprices')
    .values({
      id,
      product_id: request.scope.product_id,
      date_from: request.scope.from,
      date_to: request.scope.to,
      unit: request.scope.unit ?? null,
      grade: request.scope.grade ?? null,
      reason: request.reason,
      changed: now.changes.length,
      total_before_minor: minor(now.total_before),
      total_after_minor: minor(now.total_after),
      created_by: ctx.actor.id,
      created_at: ctx.now,
    })
    .execute()
  return { ...now, id }
}

/** The repricings done, newest first. */
export async function listReprices(db: Kysely<Database>, productId?: string) {
  let query = db.selectFrom('reprices').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200)
  if (productId) query = query.where('product_id', '=', productId)
  const rows = await query.execute()
  return rows.map((r) => ({
    id: r.id,
    product_id: r.product_id,
    from: r.date_from,
    to: r.date_to,
    unit: r.unit,
    grade: r.grade,
    reason: r.reason,
    changed: Number(r.changed),
    total_before: formatDecimal(BigInt(r.total_before_minor), MONEY_SCALE),
    total_after: formatDecimal(BigInt(r.total_after_minor), MONEY_SCALE),
    created_by: r.created_by,
    created_at: r.created_at,
  }))
}
