import { moneyOf } from '@trackvault/core'
import { describe, expect, test } from 'vitest'
import {
  balanceAfter,
  balanceAfterPayment,
  balancesBySupplier,
  balanceTotals,
  buildStatement,
  paysBeyondOwed,
  type SettledLine,
  supplierBalance,
} from './balances'

const col = (id: string, date: string, total: string | null, extra: Record<string, unknown> = {}) => ({
  id,
  supplier_id: 's1',
  collection_date: date,
  total_amount: total,
  created_at: `${date}T10:00:00Z`,
  deleted_at: null,
  ...extra,
})
const pay = (id: string, date: string, amount: string, extra: Record<string, unknown> = {}) => ({
  id,
  supplier_id: 's1',
  payment_date: date,
  amount,
  created_at: `${date}T12:00:00Z`,
  deleted_at: null,
  ...extra,
})

describe('balances', () => {
  test('sums exactly in minor units, where floats would drift', () => {
    const cs = Array.from({ length: 10 }, (_, i) => col(`c${i}`, '2024-01-01', '0.10'))
    const t = balanceTotals(cs, [pay('p1', '2024-01-02', '0.30')])
    expect(moneyOf(t.collections)).toBe('1.00')
    expect(moneyOf(t.balance)).toBe('0.70')
  })

  test('skips deleted rows and counts unpriced collections', () => {
    const t = balanceTotals(
      [
        col('c1', '2024-01-01', '100.00'),
        col('c2', '2024-01-01', null),
        col('c3', '2024-01-01', '5.00', { deleted_at: 'x' }),
      ],
      [pay('p1', '2024-01-01', '150.00'), pay('p2', '2024-01-01', '1.00', { deleted_at: 'x' })],
    )
    expect(moneyOf(t.balance)).toBe('-50.00')
    expect(t.unpriced).toBe(1)
  })

  test('groups by supplier', () => {
    const map = balancesBySupplier(
      [col('c1', '2024-01-01', '10.00'), col('c2', '2024-01-01', '2.50', { supplier_id: 's2' })],
      [pay('p1', '2024-01-01', '4.00')],
    )
    expect(moneyOf(map.get('s1')?.balance ?? 0n)).toBe('6.00')
    expect(moneyOf(map.get('s2')?.balance ?? 0n)).toBe('2.50')
    expect(map.has('s3')).toBe(false)
  })

  test('statement: opening balance, range, date order and running balance', () => {
    const s = buildStatement(
      [
        col('c1', '2024-01-01', '100.00'),
        col('c2', '2024-02-05', '40.00'),
        col('c3', '2024-02-01', null),
        col('c4', '2024-03-01', '999.00'),
      ],
      [pay('p1', '2024-01-15', '30.00'), pay('p2', '2024-02-05', '50.00')],
      { from_date: '2024-02-01', to_date: '2024-02-28' },
    )
    expect(moneyOf(s.opening)).toBe('70.00')
    expect(s.lines.map((l) => l.id)).toEqual(['c3', 'c2', 'p2'])
    expect(s.lines.map((l) => moneyOf(l.running))).toEqual(['70.00', '110.00', '60.00'])
    expect(moneyOf(s.closing)).toBe('60.00')
    expect(moneyOf(s.collected)).toBe('40.00')
    expect(moneyOf(s.paid)).toBe('50.00')
    expect(s.unpriced).toBe(1)
  })

  test('statement without dates covers everything; an empty range closes at the opening', () => {
    const cs = [col('c1', '2024-01-01', '1.00')]
    expect(moneyOf(buildStatement(cs, []).closing)).toBe('1.00')
    const empty = buildStatement(cs, [], { from_date: '2025-01-01' })
    expect(empty.lines).toEqual([])
    expect(moneyOf(empty.closing)).toBe('1.00')
  })
})

/** A settlement line of run `run_id` that applied `applied` ("726.25", "-10.00") of deduction `d1`. */
const line = (
  id: string,
  status: 'draft' | 'approved' | 'discarded',
  applied: string,
  extra: Partial<SettledLine> = {},
): SettledLine => ({
  id,
  supplier_id: 's1',
  run_id: `run-${id}`,
  status,
  period_to: '2024-01-31',
  created_at: '2024-02-01T09:00:00Z',
  deleted_at: null,
  detail: {
    collections: [],
    payments: [],
    excluded: [],
    deduction_state: {},
    deductions: [
      {
        deduction_id: `d-${id}`,
        kind: 'charge',
        description: 'Transport',
        carried_before: '0.00',
        charged: applied,
        due: applied,
        applied,
        carried: '0.00',
        outstanding_after: null,
      },
    ],
  },
  ...extra,
})

describe('deductions applied by settlement runs', () => {
  const cs = [col('c1', '2024-01-10', '1000.00'), col('c2', '2024-02-03', '50.00')]
  const ps = [pay('p1', '2024-01-12', '100.00')]

  test('an approved line deducts what it applied; a draft, a discarded run and a deleted line deduct nothing', () => {
    const lines = [
      line('l1', 'approved', '726.25'),
      line('l2', 'draft', '300.00'),
      line('l3', 'discarded', '300.00'),
      line('l4', 'approved', '300.00', { deleted_at: '2024-02-02T00:00:00Z' }),
    ]
    const t = balanceTotals(cs, ps, { lines })
    expect(moneyOf(t.deducted)).toBe('726.25')
    expect(moneyOf(t.balance)).toBe('223.75') // 1,050.00 - 100.00 - 726.25
    expect(moneyOf(balanceTotals(cs, ps, { lines: [line('l2', 'draft', '300.00')] }).balance)).toBe('950.00')
    expect(supplierBalance('s1', cs, ps, { lines })).toMatchObject({
      collected: '1050.00',
      paid: '100.00',
      deducted: '726.25',
      balance: '223.75',
      balanceMinor: 22375n,
    })
  })

  test('an adjustment (negative applied) adds to the balance', () => {
    const t = balanceTotals(cs, ps, { lines: [line('l1', 'approved', '-10.00')] })
    expect(moneyOf(t.deducted)).toBe('-10.00')
    expect(moneyOf(t.balance)).toBe('960.00')
  })

  test('per supplier: a line deducts from its own supplier only', () => {
    const lines = [line('l1', 'approved', '726.25'), line('l2', 'approved', '5.00', { supplier_id: 's2' })]
    const map = balancesBySupplier(cs, ps, { lines })
    expect(moneyOf(map.get('s1')?.balance ?? 0n)).toBe('223.75')
    expect(moneyOf(map.get('s2')?.balance ?? 0n)).toBe('-5.00')
    expect(supplierBalance('s1', cs, ps, { lines }).balance).toBe('223.75')
  })

  test("statement: the deduction is a line dated the run's last day, described with the run's reference", () => {
    const s = buildStatement(
      cs,
      ps,
      { from_date: '2024-01-01', to_date: '2024-02-28' },
      { lines: [line('l1', 'approved', '726.25')], runs: [{ id: 'run-l1', reference: '2024-01 / 1' }] },
    )
    expect(s.lines.map((l) => [l.kind, l.date])).toEqual([
      ['collection', '2024-01-10'],
      ['payment', '2024-01-12'],
      ['deduction', '2024-01-31'],
      ['collection', '2024-02-03'],
    ])
    const deduction = s.lines[2]
    expect(deduction.description).toBe('Transport (settlement 2024-01 / 1)')
    expect(moneyOf(deduction.deducted)).toBe('726.25')
    expect(moneyOf(deduction.running)).toBe('173.75')
    expect(moneyOf(s.deducted)).toBe('726.25')
    expect(moneyOf(s.closing)).toBe('223.75')
    // Before the period, it is in the opening balance.
    const later = buildStatement(cs, ps, { from_date: '2024-02-01' }, { lines: [line('l1', 'approved', '726.25')] })
    expect(moneyOf(later.opening)).toBe('173.75')
    expect(later.lines.map((l) => l.kind)).toEqual(['collection'])
  })

  test('the balance after a payment counts deductions settled before it', () => {
    const payments = [...ps, pay('p2', '2024-02-05', '20.00')]
    const settled = { lines: [line('l1', 'approved', '726.25')] }
    expect(balanceAfterPayment('p1', cs, payments, settled)?.balance).toBe('900.00')
    expect(balanceAfterPayment('p2', cs, payments, settled)).toMatchObject({ balance: '203.75', deducted: '726.25' })
  })
})

describe('supplierBalance', () => {
  test('is collections minus payments, exactly', () => {
    const b = supplierBalance(
      's1',
      [col('c1', '2024-01-01', '0.10'), col('c2', '2024-01-02', '0.20'), col('c3', '2024-01-03', null)],
      [pay('p1', '2024-01-02', '0.05')],
    )
    expect(b).toMatchObject({ collected: '0.30', paid: '0.05', balance: '0.25', balanceMinor: 25n, unpriced: 1 })
  })

  test('skips deleted rows and other suppliers', () => {
    const b = supplierBalance(
      's1',
      [col('c1', '2024-01-01', '100.00'), col('c2', '2024-01-01', '50.00', { deleted_at: 'x' })],
      [pay('p1', '2024-01-01', '10.00', { supplier_id: 's2' })],
    )
    expect(b.balance).toBe('100.00')
  })

  test('can go negative (paid in advance)', () => {
    expect(supplierBalance('s1', [], [pay('p1', '2024-01-01', '20.00')]).balance).toBe('-20.00')
  })
})

describe('balanceAfter', () => {
  test('subtracts a typed amount, or is undefined for bad input', () => {
    expect(balanceAfter(10000n, '25.50')).toBe('74.50')
    expect(balanceAfter(10000n, '150')).toBe('-50.00')
    expect(balanceAfter(10000n, '')).toBeUndefined()
    expect(balanceAfter(10000n, '1.234')).toBeUndefined()
  })
})

describe('paysBeyondOwed', () => {
  test('says how much a payment pays beyond the balance owed', () => {
    expect(paysBeyondOwed(10000n, '100.00')).toBeUndefined()
    expect(paysBeyondOwed(10000n, '100.01')).toBe('0.01')
    // Nothing owed (or in credit already): all of it is beyond.
    expect(paysBeyondOwed(0n, '5')).toBe('5.00')
    expect(paysBeyondOwed(-2000n, '5')).toBe('5.00')
    expect(paysBeyondOwed(10000n, '')).toBeUndefined()
    expect(paysBeyondOwed(10000n, 'abc')).toBeUndefined()
  })
})

describe('balanceAfterPayment', () => {
  test('is the running balance in statement order', () => {
    const collections = [
      col('c1', '2024-01-01', '100.00'),
      col('c2', '2024-01-05', '40.00'),
      col('c3', '2024-01-03', '10.00'),
    ]
    const payments = [pay('p1', '2024-01-03', '30.00'), pay('p2', '2024-01-06', '50.00')]
    // p1 on 01-03 at 12:00: after c1 (100) and c3 (01-03 at 10:00) -> 110 - 30
    expect(balanceAfterPayment('p1', collections, payments)?.balance).toBe('80.00')
    expect(balanceAfterPayment('p2', collections, payments)?.balance).toBe('70.00')
    expect(balanceAfterPayment('nope', collections, payments)).toBeUndefined()
  })
})
