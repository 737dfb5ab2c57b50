import { expect, test } from 'vitest'
import { parseCsv } from './csv'
import { toMinor } from './money-format'
import { settleRun } from './settlement'
import { lineFields } from './settlement-records'
import { statementCsv, statementRows } from './statement-csv'

const SUPPLIER = '0190f000-0000-7000-8000-000000000001'
const RUN = '0190f000-0000-7000-8000-0000000000f1'
const TEA = '0190f000-0000-7000-8000-0000000000a1'

const ctx = { period: { from_date: '2026-05-01', to_date: '2026-05-31' }, settled: [], floor: 0n }
const leaf = (id: string, date: string, net: string, total: string | null) => ({
  id,
  collection_date: date,
  product_id: TEA,
  unit: 'kg',
  net_quantity: net,
  total_amount: total,
})
const transport = {
  id: 'd-transport',
  kind: 'per_quantity' as const,
  description: 'Transport',
  effective_date: '2026-05-01',
  end_date: null,
  amount: null,
  rate: '2.50',
  unit: 'kg',
  product_id: null,
  purpose: null,
  principal: null,
  instalment: null,
  is_active: true,
}

function mayLine(opening: bigint, pay_at_most?: bigint) {
  const run = settleRun(ctx, [
    {
      supplier_id: SUPPLIER,
      opening,
      collections: [
        leaf('c2', '2026-05-18', '130.500', '10440.00'),
        leaf('c1', '2026-05-04', '120.000', '9600.00'),
        leaf('c3', '2026-05-29', '40.000', null),
      ],
      payments: [{ id: 'p1', payment_date: '2026-05-15', amount: '3000.00' }],
      deductions: [transport],
      pay_at_most,
    },
  ])
  return lineFields({ id: RUN, period_from: '2026-05-01', period_to: '2026-05-31', status: 'approved' }, run.lines[0], {
    c1: { quantity: '120.000', unit: 'kg', receipt_number: 'KB-1' },
    c2: { quantity: '130.500', unit: 'kg', receipt_number: 'KB-2' },
    c3: { quantity: '40.000', unit: 'kg', receipt_number: 'KB-3' },
    p1: { payment_type: 'advance' },
  })
}

test('opening, collections by date, the advance, the deduction, net, payout, carried: the balance runs exactly', () => {
  const line = mayLine(-50000n, 1_000_000n) // owed 500.00 from April; pays 10,000.00 now
  const rows = statementRows(line)
  expect(rows.map((r) => [r.kind, r.description, r.quantity, r.amount, r.balance])).toEqual([
    ['opening', 'Opening balance', '', '', '-500.00'],
    ['collection', 'Receipt KB-1', '120.000 kg', '9600.00', '9100.00'],
    ['collection', 'Receipt KB-2', '130.500 kg', '10440.00', '19540.00'],
    ['collection', 'Receipt KB-3, price pending', '40.000 kg', '0.00', '19540.00'],
    ['advance', 'Advance', '', '-3000.00', '16540.00'],
    ['deduction', 'Transport (per unit delivered)', '', '-726.25', '15813.75'],
    ['net_payable', 'Net payable', '', '15813.75', '15813.75'],
    ['payout', 'Payout (pending)', '', '-10000.00', '5813.75'],
    ['carried_forward', 'Carried forward', '', '', '5813.75'],
  ])
  expect(toMinor(rows.at(-1)!.balance)).toBe(toMinor(line.carried_forward))
  const csv = statementCsv(line)
  expect(csv.split('\r\n')[0]).toBe('Date,Kind,Description,Quantity,Amount,Balance')
  // A negative balance is a number, not a formula: written as it is.
  expect(csv.split('\r\n')[1]).toBe('2026-05-01,opening,Opening balance,,,-500.00')
  expect(parseCsv(csv)).toHaveLength(rows.length + 1)
})

test('a failed payout: the note is shown and the payout is owed again in the carried balance', () => {
  const line = { ...mayLine(0n), payout_status: 'failed' as const, payout_note: '=account closed' }
  const rows = statementRows(line)
  expect(rows.at(-2)).toMatchObject({ kind: 'payout', description: 'Payout (failed): =account closed' })
  expect(rows.at(-1)).toMatchObject({ kind: 'carried_forward', balance: line.net_payable })
  expect(statementCsv(line)).toContain(',Payout (failed): =account closed,') // not at the start of a cell
})
