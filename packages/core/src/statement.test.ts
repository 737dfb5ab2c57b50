import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  balancesBy,
  balanceTotals,
  type DeductionEntry,
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
