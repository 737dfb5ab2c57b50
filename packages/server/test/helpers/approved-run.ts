/**
 * TEST STAND-IN for approval: an approved settlement run written straight through the write path
 * (the run and its lines with `insertChecked`, each payout's payment with `createEntity`, all in
 * history and the change log), the way the contract says `POST /api/settlement-runs/:id/approve`
 * leaves it: lines `approved`, `payout_status` pending with `payment_id` for a payout > 0, one
 * `full` bank-transfer payment per payout dated the approval day, reference = the run's.
 *
 * The approve route is built on another branch (settle-server) at the same time; when it is
 * merged, the payout tests should create their runs with POST /api/settlement-runs and /approve
 * instead, and this file goes.
 */
import {
  lineFields,
  newId,
  runTotalsFields,
  type SettlementCollection,
  type SettlementPayment,
  settleRun,
} from '@trackvault/core'
import { createEntity, insertChecked } from '../../src/domain/entity-service'
import type { TestServer } from './test-server'

export interface RunSupplier {
  supplier_id: string
  /** Carried from an earlier run, minor units: a supplier owed this much and nothing else. */
  opening?: bigint
  collections?: SettlementCollection[]
  payments?: SettlementPayment[]
  /** Extra statement fields of the items, by id (a collection's quantity, unit, receipt). */
  extra?: Record<string, Record<string, string>>
}

export const PERIOD = { from_date: '2026-05-01', to_date: '2026-05-31' }
export const APPROVAL_DAY = '2026-06-02'

export async function insertApprovedRun(s: TestServer, reference: string, suppliers: RunSupplier[]) {
  const computed = settleRun(
    { period: PERIOD, settled: [], floor: 0n },
    suppliers.map((x) => ({
      supplier_id: x.supplier_id,
      opening: x.opening ?? 0n,
      collections: x.collections ?? [],
      payments: x.payments ?? [],
      deductions: [],
    })),
  )
  const manager = { id: s.users.manager.id, role: 'manager' as const, name: 'Test manager', deviceId: null }
  const runId = newId()
  return s.app.write(manager, async (ctx) => {
    const run = await insertChecked(
      ctx,
      'settlement_run',
      {
        period_from: PERIOD.from_date,
        period_to: PERIOD.to_date,
        status: 'approved',
        reference,
        floor: '0.00',
        notes: null,
        approved_by: manager.id,
        approved_at: ctx.now,
        ...runTotalsFields(computed.totals),
      },
      runId,
    )
    const lines = []
    const extra = Object.assign({}, ...suppliers.map((x) => x.extra ?? {}))
    for (const computedLine of computed.lines) {
      const fields = lineFields({ id: runId, ...PERIOD_FIELDS, status: 'approved' }, computedLine, extra)
      if (computedLine.payout > 0n) {
        const payment = await createEntity(ctx, 'payment', {
          supplier_id: computedLine.supplier_id,
          payment_date: APPROVAL_DAY,
          amount: fields.payout,
          payment_type: 'full',
          payment_method: 'bank_transfer',
          reference_number: reference,
        })
        fields.payment_id = payment.id
      }
      lines.push(await insertChecked(ctx, 'settlement_line', fields, newId()))
    }
    return { run, lines }
  })
}

const PERIOD_FIELDS = { period_from: PERIOD.from_date, period_to: PERIOD.to_date }
