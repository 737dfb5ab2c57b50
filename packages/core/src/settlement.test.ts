import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { deductionErrors, deductionInput, parseDeductionInput } from './deductions'
import { AppError } from './errors'
import { moneyOf } from './money-format'
import {
  carryForward,
  DEDUCTION_PRIORITY,
  type DeductionState,
  type RunContext,
  type SettlementCollection,
  type SettlementDeduction,
  type SettlementLine,
  type SettlementPayment,
  type SettlementPeriod,
  settleRun,
  settleSupplier,
} from './settlement'

const SUPPLIER = '0190f000-0000-7000-8000-000000000001'
const TEA = '0190f000-0000-7000-8000-0000000000a1'

const may: SettlementPeriod = { from_date: '2026-05-01', to_date: '2026-05-31' }
const june: SettlementPeriod = { from_date: '2026-06-01', to_date: '2026-06-30' }
const april: SettlementPeriod = { from_date: '2026-04-01', to_date: '2026-04-30' }

const leaf = (id: string, date: string, net: string, total: string | null): SettlementCollection => ({
  id,
  collection_date: date,
  product_id: TEA,
  unit: 'kg',
  net_quantity: net,
  total_amount: total,
})
const paid = (id: string, date: string, amount: string): SettlementPayment => ({ id, payment_date: date, amount })

/** A deduction as the schema would hand it over (defaults filled in). */
function deduction(id: string, fields: Partial<SettlementDeduction> & Pick<SettlementDeduction, 'kind'>) {
  return {
    id,
    description: fields.kind,
    effective_date: '2026-05-01',
    end_date: null,
    amount: null,
    rate: null,
    unit: null,
    product_id: null,
    purpose: null,
    principal: null,
    instalment: null,
    is_active: true,
    ...fields,
  } satisfies SettlementDeduction
}

const transport = deduction('d-transport', { kind: 'per_quantity', description: 'Transport', rate: '2.50', unit: 'kg' })
const societyFee = deduction('d-fee', { kind: 'per_period', description: 'Society fee', amount: '100.00' })
const fertiliser = deduction('d-fert', {
  kind: 'credit',
  description: 'Fertiliser, 2 bags',
  purpose: 'inputs',
  principal: '9000.00',
  instalment: '1500.00',
})
const deductions = [fertiliser, societyFee, transport] // given out of order on purpose

describe('settleSupplier: a tea supplier through two months', () => {
  const mayCtx: RunContext = { period: may, settled: [april], floor: 50_000n }
  const mayLine = settleSupplier(mayCtx, {
    supplier_id: SUPPLIER,
    opening: 0n,
    collections: [
      leaf('c1', '2026-05-04', '120.000', '9600.00'),
      leaf('c2', '2026-05-18', '130.500', '10440.00'),
      leaf('c3', '2026-05-29', '40.000', null), // the May rate is not set for this grade yet
    ],
    payments: [paid('p1', '2026-05-15', '3000.00')],
    deductions,
  })

  test('gross of priced collections, unpriced counted, advances, deductions in priority order, net', () => {
    expect(moneyOf(mayLine.gross)).toBe('20040.00')
    expect(mayLine.unpriced).toBe(1)
    expect(mayLine.quantity).toBe(290_500n)
    expect(moneyOf(mayLine.advances)).toBe('3000.00')
    expect(moneyOf(mayLine.available)).toBe('17040.00')
    expect(mayLine.deductions.map((d) => [d.description, moneyOf(d.applied), moneyOf(d.carried)])).toEqual([
      ['Transport', '726.25', '0.00'], // 290.500 kg x 2.50, unpriced kilos included: they were carried
      ['Society fee', '100.00', '0.00'],
      ['Fertiliser, 2 bags', '1500.00', '0.00'],
    ])
    expect(moneyOf(mayLine.deductions[2].outstanding_after!)).toBe('7500.00')
    expect(moneyOf(mayLine.deducted)).toBe('2326.25')
    expect(moneyOf(mayLine.net_payable)).toBe('14713.75')
    expect(mayLine.payout).toBe(mayLine.net_payable)
    expect(mayLine.carried_forward).toBe(0n)
  })

  // June: a thin month. 30 kg, an advance of 1000: 1400.00 owed, the floor of 500.00 leaves 900.00 to take.
  const juneCtx: RunContext = { period: june, settled: [april, may], floor: 50_000n }
  const juneLine = settleSupplier(juneCtx, {
    supplier_id: SUPPLIER,
    ...carryForward(mayLine),
    collections: [leaf('c4', '2026-06-10', '30.000', '2400.00')],
    payments: [paid('p2', '2026-06-12', '1000.00')],
    deductions,
  })

  test('the floor: fees first, the instalment takes what is left above it, the rest is carried', () => {
    expect(moneyOf(juneLine.available)).toBe('1400.00')
    expect(juneLine.deductions.map((d) => [d.description, moneyOf(d.applied), moneyOf(d.carried)])).toEqual([
      ['Transport', '75.00', '0.00'],
      ['Society fee', '100.00', '0.00'],
      ['Fertiliser, 2 bags', '725.00', '775.00'],
    ])
    expect(moneyOf(juneLine.deductions[2].outstanding_after!)).toBe('6775.00')
    expect(moneyOf(juneLine.net_payable)).toBe('500.00')
  })

  test('July: the carried part of the instalment is due first, with July’s instalment', () => {
    const july = settleSupplier(
      { period: { from_date: '2026-07-01', to_date: '2026-07-31' }, settled: [april, may, june], floor: 50_000n },
      {
        supplier_id: SUPPLIER,
        ...carryForward(juneLine),
        collections: [leaf('c5', '2026-07-03', '100.000', '8000.00')],
        payments: [],
        deductions,
      },
    )
    const credit = july.deductions.find((d) => d.kind === 'credit')!
    expect([credit.carried_before, credit.charged, credit.due, credit.applied]).toEqual([
      77_500n,
      150_000n,
      227_500n,
      227_500n,
    ])
    expect(moneyOf(credit.outstanding_after!)).toBe('4500.00')
    expect(moneyOf(july.net_payable)).toBe('5375.00') // 8000 - 250 transport - 100 fee - 2275
  })

  test('a credit ends when repaid: the last instalment is what is left', () => {
    let state: Record<string, DeductionState> = {}
    const taken: string[] = []
    for (let month = 1; month <= 8; month++) {
      const from = `2026-${String(month).padStart(2, '0')}-01`
      const line = settleSupplier(
        { period: { from_date: from, to_date: from.replace(/01$/, '28') }, settled: [], floor: 0n },
        {
          supplier_id: SUPPLIER,
          opening: 0n,
          collections: [leaf(`c${month}`, from, '100.000', '10000.00')],
          payments: [],
          deductions: [
            deduction('loan', {
              kind: 'credit',
              purpose: 'loan',
              principal: '2000.00',
              instalment: '700.00',
              effective_date: '2026-01-01',
            }),
          ],
          deduction_state: state,
        },
      )
      taken.push(moneyOf(line.deducted))
      state = carryForward(line).deduction_state
    }
    expect(taken).toEqual(['700.00', '700.00', '600.00', '0.00', '0.00', '0.00', '0.00', '0.00'])
  })
})

describe('settleSupplier: late arrivals, partial payouts, over-advanced suppliers', () => {
  const ctx: RunContext = { period: june, settled: [april, may], floor: 0n }

  test('a collection of a settled period is included and marked late; others belong to another run', () => {
    const line = settleSupplier(ctx, {
      supplier_id: SUPPLIER,
      opening: 0n,
      collections: [
        leaf('late', '2026-05-30', '10.000', '800.00'), // synced after May was settled
        leaf('june', '2026-06-02', '10.000', '800.00'),
        leaf('july', '2026-07-01', '10.000', '800.00'),
        leaf('march', '2026-03-31', '10.000', '800.00'), // March was never settled: no later run could pay it
        { ...leaf('gone', '2026-06-03', '10.000', '800.00'), deleted_at: '2026-06-04T00:00:00Z' },
      ],
      payments: [paid('late-advance', '2026-04-20', '100.00')],
      deductions: [],
    })
    expect(line.collections.map((c) => [c.id, c.late]).sort()).toEqual([
      ['june', false],
      ['late', true],
      ['march', true],
    ])
    expect(line.payments.map((p) => [p.id, p.late])).toEqual([['late-advance', true]])
    expect(line.late).toBe(3)
    expect(line.excluded).toEqual([{ kind: 'collection', id: 'july', reason: 'after_period' }])
    expect(moneyOf(line.net_payable)).toBe('2300.00')
  })

  test('a partial payout pays part now and carries the rest into the next opening', () => {
    const line = settleSupplier(ctx, {
      supplier_id: SUPPLIER,
      opening: 25_000n,
      collections: [leaf('c', '2026-06-02', '10.000', '800.00')],
      payments: [],
      deductions: [],
      pay_at_most: 60_000n,
    })
    expect([moneyOf(line.net_payable), moneyOf(line.payout), moneyOf(line.carried_forward)]).toEqual([
      '1050.00',
      '600.00',
      '450.00',
    ])
  })

  test('advances over the gross: nothing paid, nothing deducted, the debt carried forward', () => {
    const line = settleSupplier(
      { ...ctx, floor: 10_000n },
      {
        supplier_id: SUPPLIER,
        opening: -5_000n,
        collections: [leaf('c', '2026-06-02', '10.000', '800.00')],
        payments: [paid('p', '2026-06-05', '1000.00')],
        deductions: [societyFee],
      },
    )
    expect(moneyOf(line.available)).toBe('-250.00')
    expect(line.deductions.map((d) => [moneyOf(d.applied), moneyOf(d.carried)])).toEqual([['0.00', '100.00']])
    expect([line.net_payable, line.payout, line.carried_forward]).toEqual([0n, 0n, -25_000n])
  })

  test('a one-off charge is charged once; a deduction switched off takes nothing and keeps its state', () => {
    const bags = deduction('bags', { kind: 'charge', amount: '300.00', effective_date: '2026-06-10' })
    const first = settleSupplier(
      { ...ctx, floor: 70_000n },
      {
        supplier_id: SUPPLIER,
        opening: 0n,
        collections: [leaf('c', '2026-06-02', '10.000', '800.00')],
        payments: [],
        deductions: [bags],
      },
    )
    expect(first.deductions.map((d) => [moneyOf(d.applied), moneyOf(d.carried)])).toEqual([['100.00', '200.00']])
    const next = { period: { from_date: '2026-07-01', to_date: '2026-07-31' }, settled: [april, may, june], floor: 0n }
    const input = {
      supplier_id: SUPPLIER,
      ...carryForward(first),
      collections: [leaf('d', '2026-07-02', '10.000', '800.00')],
      payments: [],
    }
    const off = settleSupplier(next, { ...input, deductions: [{ ...bags, is_active: false }] })
    expect(off.deducted).toBe(0n)
    expect(off.deduction_state.bags).toEqual({ applied: 10_000n, carried: 20_000n })
    const on = settleSupplier(next, { ...input, deductions: [bags] })
    expect(on.deductions.map((d) => [moneyOf(d.charged), moneyOf(d.applied)])).toEqual([['0.00', '200.00']])
  })

  test('adjustments: a positive one is taken once like a charge, a negative one is owed whole, whatever the floor', () => {
    const over = deduction('adj-over', { kind: 'adjustment', amount: '250.00', effective_date: '2026-05-20' })
    const under = deduction('adj-under', { kind: 'adjustment', amount: '-400.00', effective_date: '2026-05-20' })
    const input = {
      supplier_id: SUPPLIER,
      opening: 0n,
      collections: [leaf('c', '2026-05-02', '10.000', '800.00')],
      payments: [paid('p', '2026-05-03', '700.00')],
    }
    // 100.00 available, a floor of 500.00: the fee takes nothing, the negative adjustment is owed whole.
    const owed = settleSupplier({ ...ctx, floor: 50_000n }, { ...input, deductions: [societyFee, under] })
    expect(owed.deductions.map((d) => [d.kind, moneyOf(d.applied), moneyOf(d.carried)])).toEqual([
      ['adjustment', '-400.00', '0.00'],
      ['per_period', '0.00', '100.00'],
    ])
    expect([moneyOf(owed.deducted), moneyOf(owed.net_payable)]).toEqual(['-400.00', '500.00'])
    // Without a floor the room it opens is taken by the other deductions, first the positive adjustment.
    const both = settleSupplier(ctx, { ...input, deductions: [societyFee, over, under] })
    expect(both.deductions.map((d) => [d.deduction_id, moneyOf(d.applied)])).toEqual([
      ['adj-under', '-400.00'],
      ['adj-over', '250.00'],
      ['d-fee', '100.00'],
    ])
    expect(moneyOf(both.net_payable)).toBe('150.00')
    // Once: the next run charges neither again.
    const next = settleSupplier(
      { period: june, settled: [may], floor: 0n },
      { ...input, ...carryForward(both), collections: [], payments: [], deductions: [over, under] },
    )
    expect(next.deductions).toEqual([])
    // Only an adjustment's amount may be negative, and never zero.
    const base = { supplier_id: SUPPLIER, description: 'x', effective_date: '2026-05-01' }
    expect(parseDeductionInput({ ...base, kind: 'adjustment', amount: '-12.5' }).amount).toBe('-12.50')
    expect(deductionErrors(deductionInput.parse({ ...base, kind: 'charge', amount: '-1' }))).toEqual({
      amount: ['must be greater than zero'],
    })
    expect(deductionErrors(deductionInput.parse({ ...base, kind: 'adjustment', amount: '0' }))).toEqual({
      amount: ['must not be zero'],
    })
  })

  test('a run refuses a period that is backwards or already settled, and a supplier twice', () => {
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (err) {
        return err instanceof AppError ? [err.code, Object.keys((err.details as { fields: object }).fields)] : err
      }
    }
    const one = { supplier_id: SUPPLIER, opening: 0n, collections: [], payments: [], deductions: [] }
    expect(code(() => settleRun({ period: may, settled: [may], floor: 0n }, [one]))).toEqual([
      'VALIDATION_FAILED',
      ['period'],
    ])
    expect(
      code(() => settleRun({ period: { from_date: '2026-05-02', to_date: '2026-05-01' }, settled: [], floor: 0n }, [])),
    ).toEqual(['VALIDATION_FAILED', ['period.to_date']])
    expect(code(() => settleRun({ period: may, settled: [], floor: 0n }, [one, one]))).toEqual([
      'VALIDATION_FAILED',
      ['suppliers'],
    ])
  })
})

describe('deduction input', () => {
  test('each kind requires its own fields and refuses the others', () => {
    const base = { supplier_id: SUPPLIER, description: 'x', effective_date: '2026-05-01' }
    expect(parseDeductionInput({ ...base, kind: 'per_quantity', rate: '2.5', unit: 'KG' })).toMatchObject({
      rate: '2.50',
      unit: 'kg',
      end_date: null,
    })
    expect(
      deductionErrors(deductionInput.parse({ ...base, kind: 'credit', principal: '100', instalment: '150' })),
    ).toEqual({
      purpose: ['required for a deduction of kind credit'],
      instalment: ['must not be more than the principal'],
    })
    expect(() => parseDeductionInput({ ...base, kind: 'charge', amount: '10', rate: '1' })).toThrow(AppError)
    expect(
      deductionErrors(deductionInput.parse({ ...base, kind: 'per_period', amount: '10', end_date: '2026-04-30' })),
    ).toEqual({ end_date: ['must not be before effective_date'] })
    expect(() => parseDeductionInput({ ...base, kind: 'charge', amount: '0.001' })).toThrow(AppError)
  })
})

// ------------------------------------------------------------------ the property

const PERIOD_DAYS = 7
const dayToDate = (day: number) => new Date(Date.UTC(2026, 0, 5 + day)).toISOString().slice(0, 10)
const periodOf = (k: number): SettlementPeriod => ({
  from_date: dayToDate(k * PERIOD_DAYS),
  to_date: dayToDate(k * PERIOD_DAYS + PERIOD_DAYS - 1),
})
/** Independent formatting of cents and thousandths: plain string maths, no money.ts. */
const cents = (n: bigint) => {
  const s = n.toString().padStart(3, '0')
  return `${s.slice(0, -2)}.${s.slice(-2)}`
}
const milli = (n: bigint) => {
  const s = n.toString().padStart(4, '0')
  return `${s.slice(0, -3)}.${s.slice(-3)}`
}

/** The smaller of two BigInts (Math.min takes numbers). */
const least = (a: bigint, b: bigint) => (b < a ? b : a)

const amountArb = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 1n, max: 2_000_000n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 10n }) }, // up to the maximum amount
)

interface World {
  periods: number
  floor: bigint
  suppliers: {
    collections: { day: number; delay: number; qty: bigint; amount: bigint | null; unit: string; product: string }[]
    payments: { day: number; delay: number; amount: bigint }[]
    deductions: {
      kind: 'charge' | 'per_quantity' | 'per_period' | 'credit'
      start: number
      length: number | null
      amount: bigint
      rate: bigint
      unit: string
      product: string | null
      instalment: bigint
      active: boolean
    }[]
    payAtMost: (bigint | null)[]
  }[]
}

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 2, max: 5 }).chain((periods) => {
  const days = periods * PERIOD_DAYS
  const day = fc.integer({ min: 0, max: days - 1 })
  // Arrives in the run of its period, a later one (late), or before its period was run (an early sync).
  const delay = fc.oneof(
    { weight: 5, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: -1, max: 2 }) },
  )
  const supplier = fc.record({
    collections: fc.array(
      fc.record({
        day,
        delay,
        qty: fc.bigInt({ min: 1n, max: 1_000_000_000n }),
        amount: fc.option(amountArb, { freq: 5 }),
        unit: fc.constantFrom('kg', 'l'),
        product: fc.constantFrom('p1', 'p2'),
      }),
      { maxLength: 12 },
    ),
    payments: fc.array(fc.record({ day, delay, amount: amountArb }), { maxLength: 5 }),
    deductions: fc.array(
      fc.record({
        kind: fc.constantFrom('charge', 'per_quantity', 'per_period', 'credit'),
        start: day,
        length: fc.option(fc.integer({ min: 0, max: days }), { nil: null }),
        amount: amountArb,
        rate: fc.bigInt({ min: 1n, max: 100_000n }),
        unit: fc.constantFrom('kg', 'l'),
        product: fc.constantFrom(null, 'p1'),
        instalment: amountArb,
        active: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      }),
      { maxLength: 5 },
    ),
    payAtMost: fc.array(fc.option(fc.bigInt({ min: 0n, max: 3_000_000n }), { freq: 3 }), {
      minLength: periods,
      maxLength: periods,
    }),
  })
  return fc.record({
    periods: fc.constant(periods),
    floor: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 1_000_000n })),
    suppliers: fc.array(supplier, { minLength: 1, maxLength: 3 }),
  })
}) as fc.Arbitrary<World>

/** The rows of a world as the module takes them, plus when each row arrives (its run). */
function rowsOf(w: World['suppliers'][number], s: number) {
  const arrival = (day: number, delay: number) => Math.floor(day / PERIOD_DAYS) + delay
  const collections = w.collections.map((c, i) => ({
    row: {
      id: `s${s}-c${i}`,
      collection_date: dayToDate(c.day),
      product_id: c.product,
      unit: c.unit,
      net_quantity: milli(c.qty),
      total_amount: c.amount === null ? null : cents(c.amount),
    } satisfies SettlementCollection,
    src: c,
    arrives: arrival(c.day, c.delay),
  }))
  const payments = w.payments.map((p, i) => ({
    row: { id: `s${s}-p${i}`, payment_date: dayToDate(p.day), amount: cents(p.amount) } satisfies SettlementPayment,
    src: p,
    arrives: arrival(p.day, p.delay),
  }))
  const deductions = w.deductions.map((d, i) => {
    const id = `s${s}-d${i}`
    const effective_date = dayToDate(d.start)
    const end_date = d.length === null ? null : dayToDate(d.start + d.length)
    const common = { id, effective_date, is_active: d.active }
    if (d.kind === 'charge') return deduction(id, { ...common, kind: 'charge', amount: cents(d.amount) })
    if (d.kind === 'per_period')
      return deduction(id, { ...common, kind: 'per_period', amount: cents(d.amount), end_date })
    if (d.kind === 'per_quantity')
      return deduction(id, {
        ...common,
        kind: 'per_quantity',
        rate: cents(d.rate),
        unit: d.unit,
        product_id: d.product,
        end_date,
      })
    const instalment = least(d.instalment, d.amount)
    return deduction(id, {
      ...common,
      kind: 'credit',
      purpose: 'loan',
      principal: cents(d.amount),
      instalment: cents(instalment),
    })
  })
  return { collections, payments, deductions }
}

describe('settlement over consecutive runs (property)', () => {
  test('sum(payouts) + carried forward = priced collections - payments - deductions applied, exactly; the floor holds', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const suppliers = world.suppliers.map((w, s) => ({ id: `supplier-${s}`, w, ...rowsOf(w, s) }))
        const included = new Set<string>()
        const state = new Map(
          suppliers.map((s) => [s.id, { opening: 0n, deduction_state: {} as Record<string, DeductionState> }]),
        )
        const lines = new Map<string, SettlementLine[]>(suppliers.map((s) => [s.id, []]))
        const settled: SettlementPeriod[] = []
        let payouts = 0n
        // Per deduction: what the model says it charged in all, from the raw generated numbers.
        const expectedCharged = new Map<string, bigint>()

        for (let k = 0; k < world.periods; k++) {
          const period = periodOf(k)
          const run = settleRun(
            { period, settled: [...settled], floor: world.floor },
            suppliers.map((s) => ({
              supplier_id: s.id,
              ...state.get(s.id)!,
              collections: s.collections.filter((c) => c.arrives <= k && !included.has(c.row.id)).map((c) => c.row),
              payments: s.payments.filter((p) => p.arrives <= k && !included.has(p.row.id)).map((p) => p.row),
              deductions: s.deductions,
              pay_at_most: s.w.payAtMost[k] ?? undefined,
            })),
          )
          for (const [i, line] of run.lines.entries()) {
            const s = suppliers[i]
            // Which rows this run must include: arrived, not included before, dated up to the period's end.
            const wantC = s.collections.filter(
              (c) => c.arrives <= k && !included.has(c.row.id) && Math.floor(c.src.day / PERIOD_DAYS) <= k,
            )
            const wantP = s.payments.filter(
              (p) => p.arrives <= k && !included.has(p.row.id) && Math.floor(p.src.day / PERIOD_DAYS) <= k,
            )
            expect(line.collections.map((c) => [c.id, c.late])).toEqual(
              wantC.map((c) => [c.row.id, Math.floor(c.src.day / PERIOD_DAYS) < k]),
            )
            expect(line.payments.map((p) => [p.id, p.late])).toEqual(
              wantP.map((p) => [p.row.id, Math.floor(p.src.day / PERIOD_DAYS) < k]),
            )
            expect(line.excluded.every((e) => e.reason === 'after_period')).toBe(true)
            const gross = wantC.reduce((t, c) => t + (c.src.amount ?? 0n), 0n)
            const advances = wantP.reduce((t, p) => t + p.src.amount, 0n)
            expect(line.gross).toBe(gross)
            expect(line.unpriced).toBe(wantC.filter((c) => c.src.amount === null).length)
            expect(line.advances).toBe(advances)
            const available = line.opening + gross - advances
            expect(line.available).toBe(available)

            // Deductions: greedy up to the room above the floor, in priority order, exact.
            const due = line.deductions.reduce((t, d) => t + d.due, 0n)
            const room = available > world.floor ? available - world.floor : 0n
            const deducted = line.deductions.reduce((t, d) => t + d.applied, 0n)
            expect(line.deducted).toBe(deducted)
            expect(deducted).toBe(due < room ? due : room)
            const ranks = line.deductions.map((d) => DEDUCTION_PRIORITY.indexOf(d.kind))
            expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
            const firstShort = line.deductions.findIndex((d) => d.carried > 0n)
            if (firstShort >= 0) expect(line.deductions.slice(firstShort + 1).every((d) => d.applied === 0n)).toBe(true)
            for (const d of line.deductions) {
              expect(d.applied >= 0n && d.applied <= d.due && d.carried === d.due - d.applied).toBe(true)
              // The model's own charge for this run, from the raw numbers.
              const src = s.w.deductions[Number(d.deduction_id.split('-d')[1])]
              if (src.kind === 'per_quantity') {
                const end = src.length === null ? Infinity : src.start + src.length
                const q = wantC
                  .filter((c) => c.src.unit === src.unit && (src.product === null || c.src.product === src.product))
                  .filter((c) => c.src.day >= src.start && c.src.day <= end)
                  .reduce((t, c) => t + c.src.qty, 0n)
                const r = q * src.rate
                expect(d.charged).toBe(r / 1000n + ((r % 1000n) * 2n >= 1000n ? 1n : 0n))
              }
              expectedCharged.set(d.deduction_id, (expectedCharged.get(d.deduction_id) ?? 0n) + d.charged)
            }

            // The floor is never breached by deductions.
            if (available >= world.floor) expect(line.net_payable >= world.floor).toBe(true)
            else expect(deducted).toBe(0n)
            expect(line.net_payable).toBe(available - deducted > 0n ? available - deducted : 0n)
            expect(line.payout >= 0n && line.payout <= line.net_payable).toBe(true)
            expect(line.payout + line.carried_forward).toBe(available - deducted)

            // No float: every amount is a BigInt.
            for (const v of [line.gross, line.advances, line.net_payable, line.payout, line.carried_forward]) {
              expect(typeof v).toBe('bigint')
            }
            payouts += line.payout
            lines.get(s.id)!.push(line)
            state.set(s.id, carryForward(line))
            for (const c of line.collections) included.add(c.id)
            for (const p of line.payments) included.add(p.id)
          }
          expect(run.totals.payout).toBe(run.lines.reduce((t, l) => t + l.payout, 0n))
          settled.push(period)
        }

        // The identity, against sums of the raw generated numbers.
        let collections = 0n
        let payments = 0n
        let applied = 0n
        let carried = 0n
        const last = world.periods - 1
        for (const s of suppliers) {
          for (const c of s.collections) if (c.arrives <= last && c.src.amount !== null) collections += c.src.amount
          for (const p of s.payments) if (p.arrives <= last) payments += p.src.amount
          for (const l of lines.get(s.id)!) for (const d of l.deductions) applied += d.applied
          carried += state.get(s.id)!.opening

          // Each deduction: applied + still carried = what it charged; one-offs and credits never over.
          for (const [i, src] of s.w.deductions.entries()) {
            const id = `${s.id.replace('supplier-', 's')}-d${i}`
            const st = state.get(s.id)!.deduction_state[id] ?? { applied: 0n, carried: 0n }
            expect(st.applied + st.carried).toBe(expectedCharged.get(id) ?? 0n)
            if (!src.active) expect(st.applied).toBe(0n)
            const lastDay = world.periods * PERIOD_DAYS - 1
            if (src.kind === 'charge' && src.active) {
              expect(st.applied + st.carried).toBe(src.start <= lastDay ? src.amount : 0n)
            }
            if (src.kind === 'credit' && src.active) {
              const periodsInForce = BigInt(world.periods - Math.floor(src.start / PERIOD_DAYS))
              const instalment = least(src.instalment, src.amount)
              const scheduled = instalment * periodsInForce
              expect(st.applied + st.carried).toBe(least(scheduled, src.amount))
            }
            if (src.kind === 'per_period' && src.active) {
              const end = src.length === null ? lastDay : src.start + src.length
              let n = 0n
              for (let k = 0; k < world.periods; k++)
                if (src.start <= k * PERIOD_DAYS + PERIOD_DAYS - 1 && end >= k * PERIOD_DAYS) n++
              expect(st.applied + st.carried).toBe(src.amount * n)
            }
          }
        }
        expect(payouts + carried).toBe(collections - payments - applied)
      }),
      { numRuns: 300 },
    )
  })

  test('no float in the settlement rule: no Number, Math, parseFloat or toFixed in its sources', () => {
    for (const file of ['settlement.ts', 'deductions.ts']) {
      const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')
      expect(source).not.toMatch(/\bNumber\(|\bMath\.|parseFloat|parseInt|toFixed/)
    }
  })
})
