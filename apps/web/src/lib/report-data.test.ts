import { describe, expect, it } from 'vitest'
import { balanceText } from './balance-words'
import { balancesCsvRows, buildBalancesReport, daysBetween, MAX_DAILY_BARS, monthOf } from './report-data'

const suppliers = [
  { id: 's2', code: 'S-2', name: 'Wanjiru', deleted_at: null },
  { id: 's1', code: 'S-1', name: 'Kamau, "K" Farm', deleted_at: null },
  { id: 's3', code: 'S-3', name: 'Gone', deleted_at: '2026-01-01T00:00:00Z' },
]

const col = (supplier_id: string, collection_date: string, total_amount: string | null, extra = {}) => ({
  supplier_id,
  collection_date,
  total_amount,
  deleted_at: null,
  ...extra,
})
const pay = (supplier_id: string, payment_date: string, amount: string, extra = {}) => ({
  supplier_id,
  payment_date,
  amount,
  deleted_at: null,
  ...extra,
})

describe('buildBalancesReport', () => {
  it('sums exactly in minor units (no float drift)', () => {
    const collections = Array.from({ length: 10 }, () => col('s1', '2026-11-02', '0.10'))
    const payments = [pay('s1', '2026-11-03', '0.30')]
    const r = buildBalancesReport(suppliers, collections, payments, { from: '2026-11-01', to: '2026-11-30' })
    const s1 = r.rows.find((x) => x.supplier_id === 's1')!
    expect(s1.collections).toBe('1.00')
    expect(s1.payments).toBe('0.30')
    expect(s1.closing).toBe('0.70')
    expect(r.totals).toEqual({
      opening: '0.00',
      collections: '1.00',
      payments: '0.30',
      deductions: '0.00',
      closing: '0.70',
    })
  })

  it("subtracts what approved settlement runs deducted, dated the run's last day, as the server's report does", () => {
    const line = (
      supplier_id: string,
      status: 'draft' | 'approved',
      period_to: string,
      applied: string,
      extra = {},
    ) => ({
      supplier_id,
      status,
      period_to,
      created_at: `${period_to}T23:00:00Z`,
      deleted_at: null,
      detail: {
        collections: [],
        payments: [],
        excluded: [],
        deduction_state: {},
        deductions: [
          {
            deduction_id: `d-${supplier_id}-${period_to}`,
            kind: 'charge' as const,
            description: 'Fertiliser',
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
    const lines = [
      line('s1', 'approved', '2026-10-31', '726.25'),
      line('s1', 'approved', '2026-11-30', '-10.00'), // an adjustment owed back
      line('s1', 'draft', '2026-11-30', '300.00'),
      line('s2', 'approved', '2026-11-30', '5.00', { deleted_at: '2026-12-01T00:00:00Z' }),
      line('s3', 'approved', '2026-11-30', '5.00'), // a deleted supplier
    ]
    const all = buildBalancesReport(suppliers, [col('s1', '2026-10-02', '1000.00')], [], {}, lines)
    expect(all.rows.find((x) => x.supplier_id === 's1')).toMatchObject({ deductions: '716.25', closing: '283.75' })
    expect(all.rows.find((x) => x.supplier_id === 's2')).toMatchObject({ deductions: '0.00', closing: '0.00' })
    expect(all.totals).toMatchObject({ deductions: '716.25', closing: '283.75' })
    const november = buildBalancesReport(suppliers, [], [], { from: '2026-11-01', to: '2026-11-30' }, lines)
    // October's deduction is in November's opening balance: 0.00 - 726.25.
    expect(november.totals).toMatchObject({ opening: '-726.25', deductions: '-10.00', closing: '-716.25' })
  })

  it('keeps live suppliers only, sorted by name, with zero rows and negative balances', () => {
    const r = buildBalancesReport(
      suppliers,
      [col('s3', '2026-11-02', '100.00'), col('s2', '2026-11-02', '5.00')],
      [pay('s2', '2026-11-02', '7.50')],
      {},
    )
    expect(r.rows.map((x) => x.supplier_id)).toEqual(['s1', 's2'])
    expect(r.rows[0]).toMatchObject({ collections: '0.00', payments: '0.00', closing: '0.00' })
    expect(r.rows[1]).toMatchObject({ collections: '5.00', payments: '7.50', closing: '-2.50' })
    expect(r.totals.closing).toBe('-2.50')
  })

  it('honours the inclusive date range and ignores deleted rows', () => {
    const r = buildBalancesReport(
      suppliers,
      [
        col('s1', '2026-10-31', '1.00'),
        col('s1', '2026-11-01', '2.00'),
        col('s1', '2026-11-30', '4.00'),
        col('s1', '2026-12-01', '8.00'),
        col('s1', '2026-11-15', '16.00', { deleted_at: '2026-11-16T00:00:00Z' }),
      ],
      [pay('s1', '2026-11-30', '1.00'), pay('s1', '2026-12-01', '50.00')],
      { from: '2026-11-01', to: '2026-11-30' },
    )
    // The collection before the range is the opening balance; the rows after it are left out.
    expect(r.totals).toEqual({
      opening: '1.00',
      collections: '6.00',
      payments: '1.00',
      deductions: '0.00',
      closing: '6.00',
    })
    expect(r.collection_count).toBe(2)
    expect(r.payment_count).toBe(1)
  })

  it('counts unpriced and unsynced rows without guessing amounts', () => {
    const r = buildBalancesReport(
      suppliers,
      [col('s1', '2026-11-02', null, { _sync: 'pending' }), col('s1', '2026-11-02', '3.00')],
      [pay('s2', '2026-11-02', '1.00', { _sync: 'pending' })],
      {},
    )
    expect(r.unpriced).toBe(1)
    expect(r.unsynced).toBe(2)
    expect(r.totals.collections).toBe('3.00')
  })

  it('handles amounts beyond float precision', () => {
    const r = buildBalancesReport(
      suppliers,
      [col('s1', '2026-11-02', '900719925474099.99'), col('s1', '2026-11-02', '0.01')],
      [],
      {},
    )
    expect(r.totals.collections).toBe('900719925474100.00')
  })

  it('charts daily totals with empty days filled in', () => {
    const r = buildBalancesReport(
      suppliers,
      [col('s1', '2026-11-01', '1.50'), col('s2', '2026-11-01', '2.25'), col('s1', '2026-11-03', '1.00')],
      [],
      { from: '2026-11-01', to: '2026-11-04' },
    )
    expect(r.chart.bucket).toBe('day')
    expect(r.chart.points.map((p) => [p.key, p.total, p.count])).toEqual([
      ['2026-11-01', '3.75', 2],
      ['2026-11-02', '0.00', 0],
      ['2026-11-03', '1.00', 1],
      ['2026-11-04', '0.00', 0],
    ])
  })

  it('charts long ranges by month', () => {
    const r = buildBalancesReport(suppliers, [col('s1', '2026-01-05', '1.00'), col('s1', '2026-03-05', '2.00')], [], {
      from: '2026-01-01',
      to: '2026-12-31',
    })
    expect(r.chart.bucket).toBe('month')
    expect(r.chart.points).toHaveLength(12)
    expect(r.chart.points[2]).toMatchObject({ key: '2026-03', total: '2.00' })
  })

  it('without a range, charts from the first to the last collection', () => {
    const r = buildBalancesReport(suppliers, [col('s1', '2026-11-03', '1.00'), col('s1', '2026-11-01', '1.00')], [], {})
    expect(r.chart.points.map((p) => p.key)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03'])
  })
})

describe('buildBalancesReport over a range: opening and closing', () => {
  const range = { from: '2026-11-01', to: '2026-11-30' }
  const collections = [
    col('s1', '2026-10-05', '1000.00'),
    col('s1', '2026-11-10', '200.00'),
    col('s1', '2026-12-02', '5000.00'), // after the range: left out
    col('s2', '2026-11-12', '100.00'),
  ]
  const payments = [
    pay('s1', '2026-10-20', '400.00'),
    pay('s1', '2026-11-20', '50.00'),
    pay('s2', '2026-10-30', '500.00'),
  ]

  it('opens with everything before the range and closes with opening plus the range', () => {
    const r = buildBalancesReport(suppliers, collections, payments, range)
    expect(r.rows.find((x) => x.supplier_id === 's1')).toMatchObject({
      opening: '600.00',
      collections: '200.00',
      payments: '50.00',
      closing: '750.00',
      closing_minor: 75000n,
    })
    expect(r.collection_count).toBe(2)
    expect(r.payment_count).toBe(1)
  })

  it('a supplier paid ahead before the range closes in credit (a negative balance)', () => {
    const r = buildBalancesReport(suppliers, collections, payments, range)
    const s2 = r.rows.find((x) => x.supplier_id === 's2')!
    expect(s2).toMatchObject({ opening: '-500.00', collections: '100.00', closing: '-400.00' })
    expect(balanceText(s2.closing)).toBe('In credit: 400.00')
    expect(balanceText(r.rows.find((x) => x.supplier_id === 's1')!.closing)).toBe('Owed to supplier: 750.00')
  })

  it('totals opening and closing over every live supplier; the CSV carries both', () => {
    const r = buildBalancesReport(suppliers, [...collections, col('s3', '2026-10-01', '77.00')], payments, range)
    expect(r.totals).toEqual({
      opening: '100.00',
      collections: '300.00',
      payments: '50.00',
      deductions: '0.00',
      closing: '350.00',
    })
    const rows = balancesCsvRows(r)
    expect(rows).toContainEqual(['S-2', 'Wanjiru', '-500.00', '100.00', '0.00', '0.00', '-400.00'])
    expect(rows.at(-1)).toEqual(['', 'Total', '100.00', '300.00', '50.00', '0.00', '350.00'])
  })

  it('without a start the opening is zero', () => {
    const r = buildBalancesReport(suppliers, collections, payments, { to: '2026-11-30' })
    expect(r.totals).toMatchObject({ opening: '0.00', closing: '350.00' })
  })
})

describe('balancesCsvRows', () => {
  it('has a header, a row per supplier and totals; formulas are defused', () => {
    const r = buildBalancesReport(
      [...suppliers, { id: 's4', code: 'S-4', name: '=HYPERLINK("x")', deleted_at: null }],
      [col('s1', '2026-11-02', '10.00')],
      [],
      {},
    )
    const rows = balancesCsvRows(r)
    expect(rows[0]).toEqual([
      'Code',
      'Name',
      'Opening balance',
      'Collections',
      'Payments',
      'Deductions',
      'Closing balance',
    ])
    expect(rows).toContainEqual(['S-1', 'Kamau, "K" Farm', '0.00', '10.00', '0.00', '0.00', '10.00'])
    expect(rows).toContainEqual(['S-4', '\'=HYPERLINK("x")', '0.00', '0.00', '0.00', '0.00', '0.00'])
    expect(rows[rows.length - 1]).toEqual(['', 'Total', '0.00', '10.00', '0.00', '0.00', '10.00'])
  })
})

describe('dates', () => {
  it('monthOf gives the first and last day', () => {
    expect(monthOf('2026-02-14')).toEqual({ from: '2026-02-01', to: '2026-02-28' })
    expect(monthOf('2028-02-01')).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(monthOf('2026-12-31')).toEqual({ from: '2026-12-01', to: '2026-12-31' })
  })

  it('daysBetween is inclusive and empty when reversed', () => {
    expect(daysBetween('2026-10-30', '2026-11-02')).toEqual(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02'])
    expect(daysBetween('2026-11-02', '2026-11-01')).toEqual([])
    expect(daysBetween('2026-01-01', '2026-04-03').length).toBeGreaterThan(MAX_DAILY_BARS)
  })
})
