/**
 * Money at its bounds (core's money.ts has the arithmetic): quantity x rate
 * over the maximum amount is refused by name, never a 500 or a silent
 * rounding; payments are bounded alike; and every sum the server computes
 * (balance, balances report, statement) is exact past 2^53 and past 2^63
 * minor units, never a 500.
 */
import { randomUUID } from 'node:crypto'
import { MAX_AMOUNT, MAX_AMOUNT_MINOR, newId } from '@trackvault/core'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TEST_DIALECT } from '../src/testing/test-db'
import { RUNS, SEED } from './fuzz/config'
import { describeChange, entityDelta, listTables, type Snapshot, snapshotter } from './helpers/db-snapshot'
import { TestDevice } from './helpers/sync-client'
import { type Api, type Reply, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let m: Api
let snapshot: () => Promise<Snapshot>
let supplierId: string
beforeAll(async () => {
  s = await startTestServer()
  m = s.as.manager
  snapshot = snapshotter(s.db.handle.db, await listTables(s.db.handle.db, TEST_DIALECT))
  supplierId = await supplier()
})
afterAll(() => s?.close())

async function created(path: string, body: Record<string, unknown>, api: Api = m) {
  const res = await api.post(path, body)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}
const uniq = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}`
const supplier = async () => (await created('/api/suppliers', { code: uniq('S'), name: 'Kamau' })).id as string
/** A product with one open rate for kg. */
async function productAt(rate: string) {
  const id = (await created('/api/products', { code: uniq('P'), name: 'Tea', default_unit: 'kg' })).id as string
  await created('/api/product-rates', { product_id: id, unit: 'kg', rate, effective_date: '2020-01-01' })
  return id
}
const collection = (product_id: string, quantity: string, supplier_id = supplierId) => ({
  supplier_id,
  product_id,
  collection_date: '2025-01-01',
  quantity,
  unit: 'kg',
})

/** Runs `work` and asserts that no table changed. */
async function writesNothing<T>(what: string, work: () => Promise<T>): Promise<T> {
  const before = await snapshot()
  const out = await work()
  expect(describeChange(before, await snapshot()), `${what} wrote`).toBe('')
  return out
}

function expectRefusedOn(res: Reply, field: string, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(422)
  expect(res.body.error.code, what).toBe('VALIDATION_FAILED')
  expect(Object.keys(res.body.error.details.fields), what).toEqual([field])
}

describe('quantity x rate is bounded by the maximum amount', () => {
  test(`totals up to ${MAX_AMOUNT} are accepted and read back exactly`, async () => {
    expect(MAX_AMOUNT).toBe('100000000.00')
    const cases: Array<[rate: string, quantity: string, total: string]> = [
      ['1000.00', '100000', '100000000.00'], // exactly the maximum
      ['1000000000.00', '0.1', '100000000.00'], // the maximum rate
      ['3.00', '33333333.334', '100000000.00'], // 100000000.002 rounds down to the maximum
      ['0.01', '1000000000', '10000000.00'], // the maximum quantity
      ['90071.99', '1110.111', '99989906.89'], // 99989906.89089
    ]
    for (const [rate, quantity, total] of cases) {
      const res = await created('/api/collections', collection(await productAt(rate), quantity))
      expect(res.total_amount, `${quantity} x ${rate}`).toBe(total)
      expect((await m.get(`/api/collections/${res.id}`)).body.total_amount).toBe(total)
    }
  })

  test('over the maximum: 422 VALIDATION_FAILED on quantity over REST create and update and sync; nothing written', async () => {
    // Before the bound: max quantity x max rate was a 500 (DecimalFormatError), and a total above
    // 2^53 cents came back from SQLite rounded (the answer said ...56.79, a later GET ...56.80).
    const cases: Array<[rate: string, quantity: string]> = [
      ['1000.00', '100000.001'], // one cent over
      ['3.00', '33333333.335'], // 100000000.005 rounds up to one cent over
      ['1000000000.00', '1000000000'], // max rate x max quantity: 10^18 money units
      ['999999999.99', '999999999.999'],
      ['12345678.91', '9876543.21'], // ~1.2 x 10^14, above 2^53 cents
    ]
    const device = new TestDevice(await s.login(s.users.manager.email, undefined, 'bounds-phone'), 'bounds-phone')
    for (const [rate, quantity] of cases) {
      const what = `${quantity} x ${rate}`
      const product = await productAt(rate)
      const create = await writesNothing(what, () => m.post('/api/collections', collection(product, quantity)))
      expectRefusedOn(create, 'quantity', `create ${what}`)
      expect(create.body.error.details.fields.quantity).toEqual([
        `times the rate ${rate} must be at most ${MAX_AMOUNT}`,
      ])
      expect(create.body.error.message).toBe(`Quantity times the rate ${rate} must be at most ${MAX_AMOUNT}`)

      const row = await created('/api/collections', collection(product, '0.001'))
      const update = await writesNothing(what, () => m.patch(`/api/collections/${row.id}`, { quantity, version: 1 }))
      expectRefusedOn(update, 'quantity', `update ${what}`)
      expect((await m.get(`/api/collections/${row.id}`)).body).toEqual(row)

      const before = await snapshot()
      const pushed = await device.push([device.op('collection', 'create', newId(), collection(product, quantity))])
      expect(pushed.status).toBe(200)
      expect(pushed.body.results[0]).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } })
      expect(Object.keys(pushed.body.results[0].error.details.fields)).toEqual(['quantity'])
      const after = await snapshot()
      expect(after.collections).toEqual(before.collections)
      expect(after.entity_history).toEqual(before.entity_history)
    }
  })

  test(`a payment is at most ${MAX_AMOUNT}, over REST and sync`, async () => {
    const pay = (amount: string) => ({
      supplier_id: supplierId,
      payment_date: '2025-01-02',
      amount,
      payment_type: 'full',
    })
    expect((await created('/api/payments', pay(MAX_AMOUNT), s.as.finance)).amount).toBe(MAX_AMOUNT)
    for (const amount of ['100000000.01', '1000000000', '999999999999999']) {
      const res = await writesNothing(amount, () => s.as.finance.post('/api/payments', pay(amount)))
      expectRefusedOn(res, 'amount', amount)
      expect(res.body.error.details.fields.amount).toEqual(['must be at most 100000000'])
    }
    const device = new TestDevice(await s.login(s.users.finance.email, undefined, 'pay-phone'), 'pay-phone')
    const pushed = await device.push([device.op('payment', 'create', newId(), pay('100000000.01'))])
    expect(pushed.body.results[0]).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } })
    expect(Object.keys(pushed.body.results[0].error.details.fields)).toEqual(['amount'])
  })

  test('a payment amount that is no number, or not above zero, is refused saying what is wrong', async () => {
    const pay = (amount: string) => ({
      supplier_id: supplierId,
      payment_date: '2025-01-02',
      amount,
      payment_type: 'full',
    })
    const said: Record<string, string> = {
      '12abc': 'is not a number',
      '12,5': 'is not a number: use a point for decimals, like 12.5',
      '1.005': 'must have at most 2 decimal places',
      '-50': 'must be greater than zero',
      '0': 'must be greater than zero',
    }
    for (const [amount, message] of Object.entries(said)) {
      const res = await writesNothing(amount, () => s.as.finance.post('/api/payments', pay(amount)))
      expectRefusedOn(res, 'amount', amount)
      expect(res.body.error.details.fields.amount, amount).toEqual([message])
    }
    const device = new TestDevice(await s.login(s.users.finance.email, undefined, 'pay-phone-2'), 'pay-phone-2')
    const pushed = await device.push([device.op('payment', 'create', newId(), pay('12abc'))])
    expect(pushed.body.results[0]).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } })
    expect(pushed.body.results[0].error.details.fields.amount).toEqual(['is not a number'])
  })
})

describe('sums are exact at any size', () => {
  /** Minor units -> "12.34", independently of the server's code. */
  const money = (minor: bigint) => {
    const neg = minor < 0n
    const abs = neg ? -minor : minor
    return `${neg ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
  }

  /**
   * A supplier whose rows carry the given totals. Reaching 2^53 takes 900,719 rows at the maximum
   * amount (2^63: 922 million), too many to write in a test; each row here stands in for many, its
   * total written straight into the table after it was created through the API.
   */
  async function supplierWith(collections: bigint[], payments: bigint[]) {
    const id = await supplier()
    const product = await productAt('1.00')
    const { db } = s.db.handle
    for (const [i, total] of collections.entries()) {
      const row = await created('/api/collections', {
        ...collection(product, '1', id),
        collection_date: `2025-01-0${i + 1}`,
      })
      await db
        .updateTable('collections')
        .set({ total_minor: sql`${total.toString()}` as never })
        .where('id', '=', row.id)
        .execute()
    }
    for (const [i, amount] of payments.entries()) {
      const row = await created(
        '/api/payments',
        { supplier_id: id, payment_date: `2025-02-0${i + 1}`, amount: '1.00', payment_type: 'partial' },
        s.as.finance,
      )
      await db
        .updateTable('payments')
        .set({ amount_minor: sql`${amount.toString()}` as never })
        .where('id', '=', row.id)
        .execute()
    }
    return id
  }

  async function expectExact(id: string, collections: bigint[], payments: bigint[]) {
    const c = collections.reduce((a, b) => a + b, 0n)
    const p = payments.reduce((a, b) => a + b, 0n)
    const balance = await s.as.finance.get(`/api/suppliers/${id}/balance`)
    expect(balance.status, JSON.stringify(balance.body)).toBe(200)
    expect(balance.body).toEqual({
      supplier_id: id,
      total_collections: money(c),
      total_payments: money(p),
      total_deductions: '0.00',
      balance: money(c - p),
      unpriced_collections: 0,
    })
    const report = await s.as.finance.get('/api/reports/balances')
    expect(report.status, JSON.stringify(report.body)).toBe(200)
    expect(report.body.data.find((r: { supplier_id: string }) => r.supplier_id === id)).toMatchObject({
      total_collections: money(c),
      total_payments: money(p),
      balance: money(c - p),
    })
    const statement = await s.as.finance.get(`/api/suppliers/${id}/statement`)
    expect(statement.status, JSON.stringify(statement.body)).toBe(200)
    expect(statement.body.closing_balance).toBe(money(c - p))
    const later = await s.as.finance.get(`/api/suppliers/${id}/statement?from_date=2025-02-01`)
    expect(later.body.opening_balance).toBe(money(c))
  }

  test('past 2^53 minor units: not rounded (SQLite returned the sum as a double)', async () => {
    const rows = [2n ** 52n + 1n, 2n ** 52n + 1n, 2n ** 52n + 1n] // each exact as a double; the sum is not
    const id = await supplierWith(rows, [2n ** 52n + 3n])
    await expectExact(id, rows, [2n ** 52n + 3n])
  })

  test('past 2^63 minor units: not a 500 (SQLite sum() failed with "integer overflow")', async () => {
    // Powers of two: each row reads exactly even as a double (rows of real data are below 2^53).
    const rows = [2n ** 62n, 2n ** 62n, 2n ** 61n]
    const id = await supplierWith(rows, [2n ** 62n, 2n ** 62n])
    await expectExact(id, rows, [2n ** 62n, 2n ** 62n])
    // The grand totals over all suppliers too.
    const report = await s.as.finance.get('/api/reports/balances')
    const sum = (key: string) =>
      report.body.data.reduce((acc: bigint, r: Record<string, string>) => acc + BigInt(r[key].replace('.', '')), 0n)
    expect(report.body.totals.total_collections).toBe(money(sum('total_collections')))
    expect(report.body.totals.balance).toBe(money(sum('balance')))
    expect(sum('total_collections')).toBeGreaterThan(MAX_AMOUNT_MINOR * 900_719n)
  })
})

/**
 * The same as a property (fast-check; FUZZ_SEED and FUZZ_RUNS as for the fuzzer, fuzz/config.ts): random
 * quantities at every order of magnitude x rates up to the maximum, over REST and sync, against an oracle.
 */
describe('totals at the bounds', () => {
  /** round_half_up(quantity x rate) in cents, from the decimal strings, sharing no code with the server. */
  const oracle = (quantity: string, rate: string) => {
    const [qw, qf = ''] = quantity.split('.')
    const [rw, rf = ''] = rate.split('.')
    const n = BigInt(qw + qf.padEnd(3, '0')) * BigInt(rw + rf.padEnd(2, '0'))
    return (n + 500n) / 1000n
  }
  const money = (minor: bigint) => `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`
  /** Quantities 0.001..1e9, every order of magnitude equally likely, ending at exactly the maximum now and then. */
  const quantity = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom('1000000000', '999999999.999', '100000', '100000.001', '33333333.335') },
    {
      weight: 6,
      arbitrary: fc
        .integer({ min: 0, max: 12 })
        .chain((d) => fc.bigInt({ min: 1n, max: 10n ** BigInt(d) }))
        .map((milli) => `${milli / 1000n}.${(milli % 1000n).toString().padStart(3, '0')}`),
    },
  )
  const RATES = ['0.01', '1.00', '3.00', '120.00', '1000.00', '90071.99', '999999999.99', '1000000000.00']

  test('max quantity x max rate and everything between: exact up to the maximum amount, 422 on quantity beyond; sums exact near 2^53 and 2^63', async () => {
    const api = s.as.admin
    const supplier = (await api.post('/api/suppliers', { code: 'BOUNDS', name: 'Bounds' })).body.id as string
    const products: Record<string, string> = {}
    for (const rate of RATES) {
      const p = await api.post('/api/products', { code: `B${rate.replace('.', '')}`, name: 'B', default_unit: 'kg' })
      products[rate] = p.body.id
      const r = await api.post('/api/product-rates', {
        product_id: p.body.id,
        unit: 'kg',
        rate,
        effective_date: '2020-01-01',
      })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
    }
    const device = new TestDevice(await s.login(s.users.admin.email, undefined, 'bounds-device'), 'bounds-device')
    const accepted: bigint[] = []
    let refused = 0
    const body = (q: string, rate: string) => ({
      supplier_id: supplier,
      product_id: products[rate],
      collection_date: '2026-03-01',
      quantity: q,
      unit: 'kg',
    })
    const check = (
      status: number,
      error: { code: string; details?: { fields?: object } } | undefined,
      q: string,
      rate: string,
    ) => {
      const expected = oracle(q, rate)
      const what = `${q} x ${rate} (${money(expected)})`
      if (expected <= MAX_AMOUNT_MINOR) {
        expect(status, `${what}: ${JSON.stringify(error)}`).toBeLessThan(300)
        accepted.push(expected)
      } else {
        expect(error?.code, what).toBe('VALIDATION_FAILED')
        expect(Object.keys(error?.details?.fields ?? {}), what).toEqual(['quantity'])
        refused++
      }
      return expected
    }
    await fc.assert(
      fc.asyncProperty(quantity, fc.constantFrom(...RATES), fc.boolean(), async (q, rate, viaSync) => {
        const before = await snapshot()
        if (viaSync) {
          const res = await device.push([device.op('collection', 'create', newId(), body(q, rate))])
          expect(res.status).toBe(200)
          const [r] = res.body.results
          const expected = check(r.status === 'success' ? 200 : 422, r.error, q, rate)
          if (r.status === 'success') expect(r.data.total_amount).toBe(money(expected))
          else expect(entityDelta(before, await snapshot())).toEqual({ rows: 0, versions: 0 })
        } else {
          const res = await api.post('/api/collections', body(q, rate))
          const expected = check(res.status, res.body.error, q, rate)
          if (res.status === 201) {
            expect(res.body.total_amount).toBe(money(expected))
            expect((await api.get(`/api/collections/${res.body.id}`)).body.total_amount).toBe(money(expected))
          } else {
            expect(res.status).toBe(422)
            expect(describeChange(before, await snapshot())).toBe('')
          }
        }
      }),
      { numRuns: RUNS * 4, seed: SEED },
    )
    expect(accepted.length).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)

    // The supplier's sums, exact; then with some rows standing in for many (their totals written straight
    // into the table, as 900,719 rows at the maximum would reach 2^53), near and past 2^53 and 2^63.
    const expectSums = async (collections: bigint) => {
      const balance = await api.get(`/api/suppliers/${supplier}/balance`)
      expect(balance.status, JSON.stringify(balance.body)).toBe(200)
      expect(balance.body).toMatchObject({ total_collections: money(collections), balance: money(collections) })
      const report = await api.get('/api/reports/balances')
      expect(report.status).toBe(200)
      const row = report.body.data.find((r: { supplier_id: string }) => r.supplier_id === supplier)
      expect(row.total_collections).toBe(money(collections))
      const statement = await api.get(`/api/suppliers/${supplier}/statement`)
      expect(statement.status).toBe(200)
      expect(statement.body.closing_balance).toBe(money(collections))
    }
    let total = accepted.reduce((a, b) => a + b, 0n)
    await expectSums(total)
    const ids = (
      await s.db.handle.db
        .selectFrom('collections')
        .select(['id', 'total_minor'])
        .where('supplier_id', '=', supplier)
        .where('deleted_at', 'is', null)
        .execute()
    ).map((r) => ({ id: r.id, total: BigInt(r.total_minor ?? 0) }))
    for (const limit of [2n ** 53n, 2n ** 63n]) {
      // Three rows carry the sum to within a cent of the limit, and one cent past it: two multiples of 1024
      // (exact as doubles below 2^63, as stored rows are exact below 2^53) and one of about 10,000,000.00.
      for (const delta of [-1n, 0n, 1n]) {
        const rest = total - ids[0].total - ids[1].total - ids[2].total
        const target = limit + delta - rest
        const first = ((target - 10n ** 9n) / 2n / 1024n) * 1024n
        const second = ((target - 10n ** 9n - first) / 1024n) * 1024n
        const parts = [first, second, target - first - second]
        expect(parts[2] > 0n && parts[2] <= MAX_AMOUNT_MINOR).toBe(true)
        for (const [i, value] of parts.entries()) {
          await s.db.handle.db
            .updateTable('collections')
            .set({ total_minor: sql`${value.toString()}` as never })
            .where('id', '=', ids[i].id)
            .execute()
          ids[i].total = value
        }
        total = rest + parts.reduce((a, b) => a + b, 0n)
        expect(total).toBe(limit + delta)
        await expectSums(total)
      }
    }
  }, 120_000)
})
