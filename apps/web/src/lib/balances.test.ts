import { moneyOf } from '@trackvault/core'
import { describe, expect, test } from 'vitest'
import {
  balanceAfter,
  balanceAfterPayment,
  balancesBySupplier,
  balanceTotals,
  buildStatement,
  paysBeyondOwed,
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
