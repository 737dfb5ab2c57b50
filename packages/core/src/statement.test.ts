import fc from 'fast-check'
import { describe, expect, it, test } from 'vitest'
import {
  balancesBy,
  balanceTotals,
  closingBalance,
  type DeductionEntry,
  periodBalancesBy,
  type StatementEntry,
  statementFor,
  statementLines,
} from './statement'

const entry = (
  kind: 'collection' | 'payment',
  date: string,
  amount: bigint | null,
  id: string,
  created_at = '',
): StatementEntry => ({
  kind,
  date,
  amount,
  id,
  created_at,
})

describe('statements', () => {
  test('oldest first by date, creation time, then id, with a running balance from the opening', () => {
    const s = statementLines(
      [
        entry('payment', '2026-03-02', 500n, 'p1', 'b'),
        entry('collection', '2026-03-02', 1000n, 'c2', 'a'),
        entry('collection', '2026-03-01', 2000n, 'c1', 'z'),
        entry('collection', '2026-03-02', null, 'c3', 'b'),
      ],
      100n,
    )
    expect(s.lines.map((l) => [l.entry.id, l.running])).toEqual([
      ['c1', 2100n],
      ['c2', 3100n],
      ['c3', 3100n],
      ['p1', 2600n],
    ])
    expect([s.opening, s.closing, s.collected, s.paid, s.unpriced]).toEqual([100n, 2600n, 3000n, 500n, 1])
  })

  test('the opening balance of a period is what came before it; closing = opening + collected - paid', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('collection' as const, 'payment' as const),
            day: fc.integer({ min: 1, max: 28 }),
            amount: fc.option(fc.bigInt({ min: 1n, max: 10n ** 10n }), { nil: null }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 28 }),
        (rows, a, b) => {
          const entries = rows.map((r, i) =>
            entry(
              r.kind,
              `2026-02-${String(r.day).padStart(2, '0')}`,
              r.kind === 'payment' ? (r.amount ?? 1n) : r.amount,
              `e${i}`,
            ),
          )
          const [lo, hi] = a <= b ? [a, b] : [b, a]
          const from = `2026-02-${String(lo).padStart(2, '0')}`
          const to = `2026-02-${String(hi).padStart(2, '0')}`
          const s = statementFor(entries, { from_date: from, to_date: to })
          const before = balanceTotals(entries.filter((e) => e.date < from))
          expect(s.opening).toBe(before.balance)
          expect(s.closing).toBe(s.opening + s.collected - s.paid)
          const upTo = balanceTotals(entries.filter((e) => e.date <= to))
          expect(s.closing).toBe(upTo.balance)
        },
      ),
    )
  })

  test('balances per key add up to the balance of all', () => {
    const entries = [
      entry('collection', '2026-01-01', 700n, 'a'),
      entry('payment', '2026-01-02', 200n, 'b'),
      entry('collection', '2026-01-03', null, 'c'),
    ]
    const by = balancesBy(entries, (e) => (e.id === 'a' ? 's1' : 's2'))
    expect(by.get('s1')).toEqual({ collections: 700n, payments: 0n, deducted: 0n, balance: 700n, unpriced: 0 })
    expect(by.get('s2')).toEqual({ collections: 0n, payments: 200n, deducted: 0n, balance: -200n, unpriced: 1 })
    expect(balanceTotals(entries).balance).toBe(500n)
  })

  test('deductions applied by approved settlement runs lower the balance; a negative adjustment raises it', () => {
    const run = (id: string, amount: bigint): DeductionEntry => ({
      kind: 'deduction',
      date: '2026-01-31',
      created_at: '2026-02-01T00:00:00Z',
      id,
      amount,
    })
    const entries = [
      entry('collection', '2026-01-01', 10_000n, 'a'),
      entry('payment', '2026-01-02', 2_000n, 'b'),
      run('fee', 500n),
      run('correction', -300n),
    ]
    expect(balanceTotals(entries)).toEqual({
      collections: 10_000n,
      payments: 2_000n,
      deducted: 200n,
      balance: 7_800n,
      unpriced: 0,
    })
    const s = statementFor(entries, { from_date: '2026-01-02' })
    expect(s.opening).toBe(10_000n)
    expect(s.lines.map((l) => [l.entry.id, l.deducted, l.running])).toEqual([
      ['b', 0n, 8_000n],
      ['correction', -300n, 8_300n], // same date and time: by id
      ['fee', 500n, 7_800n],
    ])
    expect([s.deducted, s.closing]).toEqual([200n, 7_800n])
  })
})

describe('periodBalancesBy', () => {
  const e = (supplier: string, kind: 'collection' | 'payment', date: string, amount: bigint | null) => ({
    kind,
    date,
    created_at: `${date}T08:00:00Z`,
    id: `${supplier}-${kind}-${date}`,
    amount,
    supplier,
  })
  const d = (supplier: string, date: string, amount: bigint) => ({
    kind: 'deduction' as const,
    date,
    created_at: `${date}T23:00:00Z`,
    id: `${supplier}-d-${date}`,
    amount,
    supplier,
  })

  it('opens with everything before the period, closes with opening plus the period, leaves out what follows', () => {
    const entries = [
      e('a', 'collection', '2026-10-05', 100000n),
      e('a', 'payment', '2026-10-20', 40000n),
      d('a', '2026-10-31', 10000n),
      e('a', 'collection', '2026-11-02', 20000n),
      e('a', 'payment', '2026-11-30', 5000n),
      e('a', 'collection', '2026-12-01', 999900n),
      e('b', 'payment', '2026-10-01', 30000n), // paid ahead before the period
      e('b', 'collection', '2026-11-10', null),
    ]
    const m = periodBalancesBy(entries, (x) => x.supplier, { from_date: '2026-11-01', to_date: '2026-11-30' })
    expect(m.get('a')).toEqual({
      opening: 50000n,
      collections: 20000n,
      payments: 5000n,
      deducted: 0n,
      balance: 15000n,
      unpriced: 0,
      closing: 65000n,
    })
    expect(m.get('b')).toMatchObject({ opening: -30000n, balance: 0n, unpriced: 1, closing: -30000n })
    expect(closingBalance(50000n, { collections: 20000n, payments: 5000n, deducted: 0n })).toBe(65000n)
  })

  it('without a start the opening is zero and closing is the balance to the end', () => {
    const m = periodBalancesBy([e('a', 'collection', '2026-10-05', 100n), d('a', '2026-10-31', 30n)], (x) => x.supplier)
    expect(m.get('a')).toMatchObject({ opening: 0n, deducted: 30n, balance: 70n, closing: 70n })
  })
})
