/**
 * Settlement in a run: the office's deductions (written offline on their
 * devices like any record), and month-end settlement runs computed and
 * approved over HTTP while collectors keep syncing, with the double clicks
 * and retries an approval meets. A month is settled once, in order; what
 * syncs for a settled month afterwards lands in the next run as late.
 * What must hold afterwards is settlement-checks.ts.
 */
import { DEDUCTION_KINDS, type DeductionKind, type SettlementRunRow } from '@trackvault/core'
import type { SimContext } from './context'
import type { Device } from './device'
import { date, live, pickSupplier } from './inputs'
import { office, signedIn } from './rest'

type Local = <T>(sim: SimContext, d: Device, write: () => Promise<T>) => Promise<T | undefined>

/** A deduction of a random kind for a supplier, written on an office device (offline or not). */
export async function deductionCreate(sim: SimContext, d: Device, local: Local): Promise<boolean> {
  const s = await pickSupplier(sim, d)
  if (!s) return false
  const r = d.rng
  const kind = r.pick([...DEDUCTION_KINDS]) as DeductionKind
  const base = { supplier_id: s.id, kind, description: `${kind} ${r.int(1, 99)}`, effective_date: date(sim) }
  const fields: Record<string, unknown> =
    kind === 'charge' || kind === 'per_period'
      ? { ...base, amount: `${r.int(1, 300)}.00` }
      : kind === 'per_quantity'
        ? { ...base, rate: `${r.int(0, 4)}.${String(r.int(1, 99)).padStart(2, '0')}`, unit: r.pick(sim.products).unit }
        : kind === 'credit'
          ? { ...base, purpose: r.pick(['inputs', 'loan']), principal: '3000.00', instalment: `${r.int(200, 1500)}.00` }
          : { ...base, amount: r.chance(0.5) ? `-${r.int(1, 200)}.00` : `${r.int(1, 200)}.00` }
  return !!(await local(sim, d, () => d.client.deductions.create(fields)))
}

/** An office user switches a deduction off or on, or changes its description. */
export async function deductionUpdate(sim: SimContext, d: Device, local: Local): Promise<boolean> {
  const all = live(await d.client.deductions.list({ sort_by: 'created_at' }))
  if (all.length === 0) return false
  const row = d.rng.pick(all)
  const patch = d.rng.chance(0.5) ? { is_active: !row.is_active } : { description: `changed ${d.rng.int(1, 999)}` }
  return !!(await local(sim, d, () => d.client.deductions.update(row.id, patch)))
}

/** The month a settlement run covers: the n-th month of the season (January 2026 first). */
export function monthOf(n: number): { from: string; to: string } {
  const from = new Date(Date.UTC(2026, n, 1))
  const to = new Date(Date.UTC(2026, n + 1, 0))
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) }
}

/**
 * Month end: someone in the office computes the next month's run; now and then it is discarded
 * and computed again; a manager or admin (someone else) approves it, sometimes with a double
 * click, sometimes again after the answer was lost.
 */
export async function settlementEvent(sim: SimContext & { settledMonths: number }): Promise<void> {
  if (sim.settledMonths >= 6) return
  const creators = office(sim, ['finance', 'manager'])
  const approvers = office(sim, ['admin', 'manager'])
  if (creators.length === 0) return
  const creator = sim.rng.pick(creators)
  const approver = sim.rng.pick(approvers.filter((u) => u.id !== creator.id))
  const asCreator = await signedIn(sim, creator)
  const asApprover = approver && (await signedIn(sim, approver))
  if (!asCreator || !asApprover) return
  const month = monthOf(sim.settledMonths)
  const created = await asCreator('POST', '/api/settlement-runs', {
    period_from: month.from,
    period_to: month.to,
    reference: `RUN ${month.from} at ${sim.step}`,
    // Now and then the business pays part now and carries the rest.
    ...(sim.rng.chance(0.25) ? { pay_at_most: `${sim.rng.int(100, 5000)}.00` } : {}),
  })
  const code = (created.body.error as { code?: string } | undefined)?.code
  if (
    created.status === 422 &&
    code === 'VALIDATION_FAILED' &&
    JSON.stringify(created.body).includes('nothing to settle')
  ) {
    sim.note('settle_nothing_to_settle')
    return
  }
  if (created.status !== 201) {
    sim.anomaly('SETTLE_CREATE', `${month.from}: HTTP ${created.status} ${JSON.stringify(created.body).slice(0, 200)}`)
    return
  }
  const run = created.body.run as SettlementRunRow
  sim.note('settle_draft')
  if (sim.rng.chance(0.15)) {
    const discarded = await asCreator('POST', `/api/settlement-runs/${run.id}/discard`, { version: run.version })
    if (discarded.status !== 200) sim.anomaly('SETTLE_DISCARD', `HTTP ${discarded.status}`)
    sim.note('settle_discarded')
    return
  }
  const approve = () => asApprover('POST', `/api/settlement-runs/${run.id}/approve`, { version: run.version })
  const clicks = sim.rng.chance(0.3) ? 3 : 1
  const answers = await Promise.all(Array.from({ length: clicks }, approve))
  if (sim.rng.chance(0.2)) answers.push(await approve()) // the answer was lost: the office tries again
  if (clicks > 1) sim.note('settle_double_click')
  const ok = answers.filter((a) => a.status === 200)
  const stale = answers.filter((a) => (a.body.error as { code?: string } | undefined)?.code === 'RUN_STALE')
  if (ok.length === 0 && stale.length > 0) {
    // Something synced between the draft and the approval: computed again next time.
    sim.note('settle_stale')
    return
  }
  for (const a of answers) {
    if (a.status !== 200 && (a.body.error as { code?: string } | undefined)?.code !== 'RUN_STALE') {
      sim.anomaly('SETTLE_APPROVE', `run ${run.reference}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`)
    }
  }
  if (ok.length > 0) {
    sim.settledMonths += 1
    sim.note('settle_approved')
  }
}
