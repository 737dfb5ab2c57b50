import { describe, expect, test } from 'vitest'
import { balancesBySupplier, balanceTotals, buildStatement, moneyOf } from './balances'
import { pageOf } from './paging'
import { currentRates, overlapMessage, periodText } from './product-rates'

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

describe('paging', () => {
  test('clamps the page and counts pages', () => {
    const rows = Array.from({ length: 45 }, (_, i) => i)
    expect(pageOf(rows, 3, 20)).toEqual({ rows: [40, 41, 42, 43, 44], page: 3, pages: 3 })
    expect(pageOf(rows, 9, 20).page).toBe(3)
    expect(pageOf([], 1, 20)).toEqual({ rows: [], page: 1, pages: 1 })
  })
})

describe('rates', () => {
  const rate = (id: string, unit: string, rate: string, from: string, to: string | null, is_active = true) => ({
    id,
    product_id: 'p1',
    unit,
    rate,
    effective_date: from,
    end_date: to,
    is_active,
    deleted_at: null,
  })
  const rates = [
    rate('r1', 'kg', '100.00', '2024-01-01', '2024-06-30'),
    rate('r2', 'kg', '120.00', '2024-07-01', null),
    rate('r3', 'l', '50.00', '2024-01-01', null),
    rate('r4', 'bag', '9.00', '2024-01-01', null, false),
  ]

  test('current rate per unit, default unit first, inactive ignored', () => {
    const got = currentRates({ id: 'p1', default_unit: 'l' }, rates, '2024-08-01')
    expect(got.map((x) => [x.unit, x.rate.rate])).toEqual([
      ['l', '50.00'],
      ['kg', '120.00'],
    ])
  })

  test('overlap message names the clashing period', () => {
    const candidate = { ...rate('', 'kg', '130.00', '2024-06-01', null) }
    expect(overlapMessage(candidate, rates)).toContain('overlaps the rate from 2024-01-01 to 2024-06-30')
    expect(overlapMessage(candidate, rates)).toContain('the rate from 2024-07-01 onwards')
    expect(overlapMessage(rate('', 'kg', '1.00', '2023-01-01', '2023-12-31'), rates)).toBeUndefined()
    expect(overlapMessage(rate('', 'kg', '1.00', '2024-02-01', null, false), rates)).toBeUndefined()
    expect(periodText(rates[1])).toBe('from 2024-07-01 onwards')
  })
})
