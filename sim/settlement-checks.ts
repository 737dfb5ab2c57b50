/**
 * The settlement invariants, on the server's rows after a run: every approved
 * run recorded one payout payment per line with a payout, never two, each
 * matching its line; each collection and payment is settled by one run at
 * most; per supplier, what the approved runs paid out plus what the last one
 * carried forward equals the settled priced collections less the settled
 * advances and the deductions taken, exactly.
 */
import { carriedFrom, formatDecimal, MONEY_SCALE, parseDecimal, type SettlementLineRow } from '@trackvault/core'

type Loose = Record<string, unknown>

/** The settlement invariants (see the module comment). */
export function checkSettlement(
  rows: { settlement_run: Loose[]; settlement_line: Loose[]; payment: Loose[]; collection: Loose[] },
  items: Array<{ entity_type: string; entity_id: string; run_id: string }>,
  note: (kind: string, n?: number) => void,
): Array<{ kind: string; detail: string }> {
  const out: Array<{ kind: string; detail: string }> = []
  const add = (kind: string, detail: string) => out.push({ kind, detail })
  const m = (v: unknown) => parseDecimal(v as string, MONEY_SCALE)
  const approved = rows.settlement_run.filter((r) => r.status === 'approved' && !r.deleted_at)
  const approvedIds = new Set(approved.map((r) => r.id as string))
  const lines = (rows.settlement_line as unknown as SettlementLineRow[]).filter(
    (l) => approvedIds.has(l.run_id) && !l.deleted_at,
  )
  note('settle_runs_approved', approved.length)
  // Exactly one payout payment per line with a payout, and none beside them.
  const payments = new Map(rows.payment.map((p) => [p.id as string, p]))
  for (const run of approved) {
    const runLines = lines.filter((l) => l.run_id === run.id)
    const owed = runLines.filter((l) => m(l.payout) > 0n)
    const recorded = rows.payment.filter((p) => p.reference_number === run.reference && p.payment_type === 'full')
    const expected = owed.filter((l) => l.payout_status !== 'failed').length
    const live = recorded.filter((p) => !p.deleted_at)
    if (live.length !== expected) {
      add('SETTLE_PAYOUTS', `run ${run.reference}: ${live.length} payout payments for ${expected} payouts`)
    }
    for (const l of owed) {
      const p = l.payment_id ? payments.get(l.payment_id) : undefined
      if (!p || m(p.amount) !== m(l.payout) || p.supplier_id !== l.supplier_id) {
        add('SETTLE_PAYOUT_LINK', `run ${run.reference}: line of ${l.supplier_id.slice(-8)} names no matching payment`)
      }
    }
  }
  // Each item settled once (the primary key says so; this says the items are real rows).
  const seen = new Set<string>()
  for (const i of items) {
    const k = `${i.entity_type}/${i.entity_id}`
    if (seen.has(k)) add('SETTLE_TWICE', k)
    seen.add(k)
  }
  // Per supplier: payouts + last carried = settled priced collections - settled advances - deductions taken.
  const settled = new Map(items.map((i) => [`${i.entity_type}/${i.entity_id}`, i.run_id]))
  const bySupplier = new Map<string, bigint>()
  const bump = (k: string, v: bigint) => bySupplier.set(k, (bySupplier.get(k) ?? 0n) + v)
  const payoutIds = new Set(lines.map((l) => l.payment_id).filter(Boolean))
  for (const c of rows.collection) {
    if (!settled.has(`collection/${c.id}`) || c.total_amount == null || c.deleted_at) continue
    bump(c.supplier_id as string, m(c.total_amount))
  }
  for (const p of rows.payment) {
    if (!settled.has(`payment/${p.id}`) || payoutIds.has(p.id as string) || p.deleted_at) continue
    bump(p.supplier_id as string, -m(p.amount))
  }
  const last = new Map<string, SettlementLineRow>()
  for (const l of [...lines].sort((a, b) => a.period_to.localeCompare(b.period_to))) {
    bump(l.supplier_id, -m(l.deducted))
    if (l.payout_status !== 'failed') bump(l.supplier_id, -m(l.payout))
    last.set(l.supplier_id, l)
  }
  for (const [supplier, l] of last) {
    const want = formatDecimal(bySupplier.get(supplier) ?? 0n, MONEY_SCALE)
    // A failed payout was never paid: it is owed again (the next run's opening says so).
    const got = formatDecimal(carriedFrom(l).opening, MONEY_SCALE)
    if (want !== got) add('SETTLE_IDENTITY', `supplier ${supplier.slice(-8)}: carried ${got}, sums say ${want}`)
  }
  return out
}
