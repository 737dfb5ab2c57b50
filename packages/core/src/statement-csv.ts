/**
 * A supplier's statement of one settlement line as CSV, for the office's spreadsheet or to hand
 * over: the opening balance, every collection (date, receipt, net quantity, amount), every
 * advance, every deduction taken, the net payable, the payout and what is carried forward, with
 * the running balance after each. Read from the line's document (settlement-records.ts), so it is
 * what the run computed and froze; the balance after the payout is the line's carried forward.
 *
 *     Date,Kind,Description,Quantity,Amount,Balance
 *     2026-05-01,opening,Opening balance,,,0.00
 *     2026-05-03,collection,Receipt KB-12,120.000 kg,9600.00,9600.00
 *     2026-05-10,advance,Advance,,-3000.00,6600.00
 *     2026-05-31,deduction,Transport (per unit delivered),,-300.00,6300.00
 *     2026-05-31,net_payable,Net payable,,6300.00,6300.00
 *     2026-05-31,payout,Payout (pending),,-6300.00,0.00
 *     2026-05-31,carried_forward,Carried forward,,,0.00
 */
import { toCsv } from './csv'
import type { DeductionKind } from './deductions'
import { moneyOf, toMinor } from './money-format'
import type { SettlementLineFields } from './settlement-records'

export const STATEMENT_CSV_HEADER = ['Date', 'Kind', 'Description', 'Quantity', 'Amount', 'Balance'] as const

export type StatementRowKind =
  | 'opening'
  | 'collection'
  | 'advance'
  | 'deduction'
  | 'net_payable'
  | 'payout'
  | 'carried_forward'

export interface StatementCsvRow {
  date: string
  kind: StatementRowKind
  description: string
  quantity: string
  /** Signed, 2 places: what the row adds to the balance; blank for the opening and the carried forward. */
  amount: string
  /** 2 places, after the row. */
  balance: string
}

const DEDUCTION_LABELS: Partial<Record<DeductionKind | 'adjustment', string>> = {
  per_quantity: 'per unit delivered',
  per_period: 'per period',
  charge: 'charge',
  credit: 'credit instalment',
  adjustment: 'adjustment',
}

const PAYMENT_LABELS: Record<string, string> = { advance: 'Advance', partial: 'Partial payment', full: 'Payment' }

export type LineStatementSource = Pick<
  SettlementLineFields,
  | 'period_from'
  | 'period_to'
  | 'opening'
  | 'net_payable'
  | 'payout'
  | 'payout_status'
  | 'payout_note'
  | 'carried_forward'
  | 'detail'
>

/** The rows of a line's statement, the running balance in each. */
export function statementRows(line: LineStatementSource): StatementCsvRow[] {
  const rows: StatementCsvRow[] = []
  let balance = toMinor(line.opening)
  const add = (row: Omit<StatementCsvRow, 'balance' | 'amount'>, amount: bigint | null) => {
    if (amount !== null) balance += amount
    rows.push({ ...row, amount: amount === null ? '' : moneyOf(amount), balance: moneyOf(balance) })
  }
  add({ date: line.period_from, kind: 'opening', description: 'Opening balance', quantity: '' }, null)
  const byDate = <T extends { date: string; id: string }>(list: readonly T[]) =>
    [...list].sort((a, b) => (a.date === b.date ? (a.id < b.id ? -1 : 1) : a.date < b.date ? -1 : 1))
  for (const c of byDate(line.detail.collections)) {
    const what = [c.receipt_number ? `Receipt ${c.receipt_number}` : 'Collection']
    if (c.amount === null) what.push('price pending')
    if (c.late) what.push('late')
    const quantity = c.quantity ? `${c.quantity}${c.unit ? ` ${c.unit}` : ''}` : ''
    add(
      { date: c.date, kind: 'collection', description: what.join(', '), quantity },
      c.amount === null ? 0n : toMinor(c.amount),
    )
  }
  for (const p of byDate(line.detail.payments)) {
    const what = [PAYMENT_LABELS[p.payment_type ?? ''] ?? 'Payment']
    if (p.late) what.push('late')
    add(
      { date: p.date, kind: 'advance', description: what.join(', '), quantity: '' },
      p.amount === null ? 0n : -toMinor(p.amount),
    )
  }
  for (const d of line.detail.deductions) {
    let description = `${d.description} (${DEDUCTION_LABELS[d.kind] ?? d.kind})`
    if (toMinor(d.carried) !== 0n) description += `, ${d.carried} carried to the next period`
    add({ date: line.period_to, kind: 'deduction', description, quantity: '' }, -toMinor(d.applied))
  }
  const netPayable = toMinor(line.net_payable)
  rows.push({
    date: line.period_to,
    kind: 'net_payable',
    description: 'Net payable',
    quantity: '',
    amount: moneyOf(netPayable),
    balance: moneyOf(balance),
  })
  const payout = toMinor(line.payout)
  if (payout !== 0n) {
    const note = line.payout_note ? `: ${line.payout_note}` : ''
    add(
      { date: line.period_to, kind: 'payout', description: `Payout (${line.payout_status})${note}`, quantity: '' },
      -payout,
    )
  }
  const carried = toMinor(line.carried_forward)
  rows.push({
    date: line.period_to,
    kind: 'carried_forward',
    description:
      line.payout_status === 'failed'
        ? `Carried forward, with the failed payout of ${line.payout} owed again`
        : 'Carried forward',
    quantity: '',
    amount: '',
    balance: moneyOf(line.payout_status === 'failed' ? carried + payout : carried),
  })
  return rows
}

/** The statement of a line as a CSV document. */
export function statementCsv(line: LineStatementSource): string {
  return toCsv(
    STATEMENT_CSV_HEADER,
    statementRows(line).map((r) => [r.date, r.kind, r.description, r.quantity, r.amount, r.balance]),
  )
}
