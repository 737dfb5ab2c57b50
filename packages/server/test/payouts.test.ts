/**
 * Paying out an approved run: the bank and mobile money files (totals equal the run's payouts
 * exactly, suppliers missing details listed), who may, the returned results file (lines marked
 * paid or failed as new versions, a failed payout's payment deleted, all or nothing, safe to send
 * twice), and a line's statement CSV.
 *
 * The approved runs come from ./helpers/approved-run.ts, a stand-in for the approve route that is
 * being built on another branch at the same time (see that file).
 */
import { moneyOf, parseCsv, toMinor } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TEST_DIALECT } from '../src/testing/test-db'
import { insertApprovedRun } from './helpers/approved-run'
import { describeChange, listTables, type Snapshot, snapshotter } from './helpers/db-snapshot'
import { type Api, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let snapshot: () => Promise<Snapshot>
const sup: Record<string, string> = {}
let run: Awaited<ReturnType<typeof insertApprovedRun>>
const lineOf = (key: string) => run.lines.find((l) => l.supplier_id === sup[key])!

const SUPPLIERS: Record<string, Record<string, unknown>> = {
  A: { payout_method: 'bank_transfer', bank_name: 'Peoples Bank', bank_account: '0123-456 789' },
  B: { payout_method: 'bank_transfer', bank_name: 'BOC', bank_account: '987654' },
  C: { payout_method: 'bank_transfer', bank_name: 'BOC' }, // no account yet
  D: { payout_method: 'mobile_money', mobile_money_number: '+254 712-345678' },
  E: { payout_method: 'mobile_money', phone: '0722 000111' },
  F: { payout_method: 'cash' },
  G: { payout_method: 'bank_transfer', bank_account: '555', name: '=HYPERLINK("http://x","pay me")' },
  H: { payout_method: 'bank_transfer', bank_account: '777' }, // owed nothing
}
const OWED: Record<string, bigint> = {
  A: 1471375n,
  B: 1n,
  C: 25000n,
  D: 100010n,
  E: 9999n,
  F: 50000n,
  G: 1200n,
  H: 0n,
}

beforeAll(async () => {
  s = await startTestServer()
  snapshot = snapshotter(s.db.handle.db, await listTables(s.db.handle.db, TEST_DIALECT))
  for (const [key, fields] of Object.entries(SUPPLIERS)) {
    const res = await s.as.manager.post('/api/suppliers', { code: `PS-${key}`, name: `Farmer ${key}`, ...fields })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    sup[key] = res.body.id
  }
  run = await insertApprovedRun(
    s,
    '2026-05',
    Object.keys(SUPPLIERS).map((key) => ({ supplier_id: sup[key], opening: OWED[key] })),
  )
})
afterAll(() => s?.close())

const csvOf = (text: string) => parseCsv(text).map((r) => r.cells)
const sumMinor = (keys: string[]) => keys.reduce((a, k) => a + OWED[k], 0n)
const payoutsCsv = (api: Api, query: string, id = run.run.id) =>
  api.get(`/api/settlement-runs/${id}/payouts.csv?${query}`)
const sendResults = (api: Api, csv: string, id = run.run.id) =>
  api.request('POST', `/api/settlement-runs/${id}/payout-results`, csv, { 'content-type': 'text/csv' })

describe('payout files', () => {
  test('the run as approved: a pending line with a payment per payout', () => {
    expect(run.run.payout).toBe(moneyOf(sumMinor(Object.keys(OWED))))
    expect(lineOf('A')).toMatchObject({ status: 'approved', payout_status: 'pending', payout: '14713.75' })
    expect(lineOf('H')).toMatchObject({ payout_status: 'none', payment_id: null })
  })

  test('bank file: the bank-transfer suppliers with an account, totals exactly their payouts, minor units', async () => {
    const res = await payoutsCsv(s.as.finance, 'format=bank&amounts=minor')
    expect(res.status, String(res.body)).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="payouts-2026-05-bank.csv"')
    const rows = csvOf(String(res.body))
    expect(rows[0]).toEqual(['Reference', 'Name', 'Bank', 'Account number', 'Amount', 'Narration'])
    expect(rows.slice(1)).toEqual([
      ['2026-05-PS-A', 'Farmer A', 'Peoples Bank', '0123-456 789', '1471375', 'Payout 2026-05'],
      ['2026-05-PS-B', 'Farmer B', 'BOC', '987654', '1', 'Payout 2026-05'],
      ['2026-05-PS-G', '=HYPERLINK("http://x","pay me")', '', '555', '1200', 'Payout 2026-05'],
    ])
    // The formula is written as text: the raw file has it behind a quote.
    expect(String(res.body)).toContain(`"'=HYPERLINK(""http://x"",""pay me"")"`)
    const written = rows.slice(1).reduce((a, r) => a + BigInt(r[4]), 0n)
    expect(written).toBe(sumMinor(['A', 'B', 'G']))
    expect(res.headers.get('x-payout-count')).toBe('3')
    expect(res.headers.get('x-payout-total')).toBe(moneyOf(written))
    expect(res.headers.get('x-payout-missing')).toBe('1')
  })

  test('the summary lists who is missing details; the files, the missing and the cash lines add up to the run', async () => {
    const bank = await s.as.manager.get(`/api/settlement-runs/${run.run.id}/payouts?format=bank`)
    expect(bank.status, JSON.stringify(bank.body)).toBe(200)
    expect(bank.body.missing).toEqual([
      expect.objectContaining({
        supplier_code: 'PS-C',
        field: 'bank_account',
        amount: '250.00',
        line_id: lineOf('C').id,
      }),
    ])
    const mobile = await s.as.admin.get(`/api/settlement-runs/${run.run.id}/payouts?format=mobile_money`)
    expect(mobile.body.total).toEqual({ count: 2, amount: moneyOf(sumMinor(['D', 'E'])) })
    const missing = [...bank.body.missing, ...mobile.body.missing].reduce((a, m) => a + toMinor(m.amount), 0n)
    const total = toMinor(bank.body.total.amount) + toMinor(mobile.body.total.amount) + missing + OWED.F
    expect(moneyOf(total)).toBe(run.run.payout)
  })

  test('mobile money file: chosen columns, digits only, the phone when no mobile money number, major units', async () => {
    const res = await payoutsCsv(s.as.manager, 'format=mobile_money&amounts=major&columns=phone,amount,code')
    expect(res.status, String(res.body)).toBe(200)
    expect(csvOf(String(res.body))).toEqual([
      ['Phone number', 'Amount', 'Supplier code'],
      ['254712345678', '1000.10', 'PS-D'],
      ['0722000111', '99.99', 'PS-E'],
    ])
  })

  test('who may: admins, managers and finance; not collectors; not without signing in', async () => {
    for (const api of [s.as.admin, s.as.manager, s.as.finance]) {
      expect((await payoutsCsv(api, 'format=bank')).status).toBe(200)
    }
    const collector = await payoutsCsv(s.as.collector, 'format=bank')
    expect(collector.status).toBe(403)
    expect(collector.body.error.code).toBe('FORBIDDEN')
    expect((await payoutsCsv(s.anon, 'format=bank')).status).toBe(401)
    expect((await sendResults(s.as.collector, 'reference,status\n2026-05-PS-A,paid')).status).toBe(403)
  })

  test('bad requests: a format, a column, a run not approved, a run that does not exist', async () => {
    const badFormat = await payoutsCsv(s.as.finance, 'format=cheque')
    expect(badFormat.status).toBe(422)
    expect(badFormat.body.error.code).toBe('VALIDATION_FAILED')
    const badColumn = await payoutsCsv(s.as.finance, 'format=bank&columns=name,iban,amount')
    expect(badColumn.status).toBe(422)
    expect(badColumn.body.error.details.fields.columns[0]).toMatch(/unknown column iban/)
    await s.db.handle.db.updateTable('settlement_runs').set({ status: 'draft' }).where('id', '=', run.run.id).execute()
    try {
      const draft = await payoutsCsv(s.as.finance, 'format=bank')
      expect(draft.status).toBe(422)
      expect(draft.body.error.details.fields).toEqual({ run: ['the run is not approved'] })
    } finally {
      await s.db.handle.db
        .updateTable('settlement_runs')
        .set({ status: 'approved' })
        .where('id', '=', run.run.id)
        .execute()
    }
    const missing = await payoutsCsv(s.as.finance, 'format=bank', '0190f000-0000-7000-8000-00000000dead')
    expect(missing.status).toBe(404)
  })
})

describe('results file', () => {
  test('a file with a bad row records nothing: 422 naming each row', async () => {
    const before = await snapshot()
    const res = await sendResults(
      s.as.finance,
      [
        'Reference,Status,Note',
        '2026-05-PS-A,paid,',
        '2026-05-PS-Z,paid,',
        '2026-05-PS-D,bounced,',
        '2026-05-PS-A,paid,',
      ].join('\r\n'),
    )
    expect(res.status, JSON.stringify(res.body)).toBe(422)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect(res.body.error.details.rows).toEqual([
      { row: 3, reference: '2026-05-PS-Z', message: 'reference 2026-05-PS-Z is not a payout of this run' },
      { row: 4, reference: '2026-05-PS-D', message: 'status "bounced" is not paid or failed' },
      { row: 5, reference: '2026-05-PS-A', message: 'reference 2026-05-PS-A is also on line 2' },
    ])
    expect(describeChange(before, await snapshot())).toBe('')
  })

  test('not CSV, JSON, or an empty file: 422, nothing written', async () => {
    const before = await snapshot()
    expect((await sendResults(s.as.finance, '')).status).toBe(422)
    expect((await sendResults(s.as.finance, 'reference,status\n"2026-05-PS-A,paid\n')).status).toBe(422)
    const json = await s.as.finance.post(`/api/settlement-runs/${run.run.id}/payout-results`, { reference: 'x' })
    expect(json.status).toBe(422)
    expect(json.body.error.code).toBe('VALIDATION_FAILED')
    expect(describeChange(before, await snapshot())).toBe('')
  })

  test('marks lines paid and failed as new versions; a failed payout deletes its payment and keeps the note', async () => {
    const d = lineOf('D')
    const res = await sendResults(
      s.as.finance,
      'reference,status,note\n2026-05-PS-A,PAID,\n2026-05-ps-d,failed,"Account closed, call the branch"\n',
    )
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({ paid: 1, failed: 1, unchanged: 0, errors: [] })

    const a = (await s.as.manager.get(`/api/settlement-lines/${lineOf('A').id}`)).body
    expect(a).toMatchObject({ payout_status: 'paid', payout_note: null, version: 2 })
    const failed = (await s.as.manager.get(`/api/settlement-lines/${d.id}`)).body
    expect(failed).toMatchObject({
      payout_status: 'failed',
      payout_note: 'Account closed, call the branch',
      version: 2,
    })
    // The supplier is owed the payout again: its payment is gone, and the tombstone says why.
    expect((await s.as.manager.get(`/api/payments/${d.payment_id}`)).status).toBe(404)
    const history = (await s.as.manager.get(`/api/history/payment/${d.payment_id}`)).body
    const versions = Array.isArray(history) ? history : history.data
    const last = versions.find((v: { operation?: string; action?: string }) => (v.operation ?? v.action) === 'delete')
    expect(JSON.stringify(last)).toContain('payout_failed')
    // A's payment stands.
    expect((await s.as.manager.get(`/api/payments/${lineOf('A').payment_id}`)).status).toBe(200)

    // A paid line is not in the bank file any more.
    const bank = csvOf(String((await payoutsCsv(s.as.finance, 'format=bank')).body))
    expect(bank.map((r) => r[0])).toEqual(['Reference', '2026-05-PS-B', '2026-05-PS-G'])
  })

  test('the same file again changes nothing; the other result for a line already settled is refused', async () => {
    const before = await snapshot()
    const again = await sendResults(s.as.manager, 'reference,status\n2026-05-PS-A,paid\n2026-05-PS-D,failed\n')
    expect(again.body).toEqual({ paid: 0, failed: 0, unchanged: 2, errors: [] })
    expect(describeChange(before, await snapshot())).toBe('')
    const flip = await sendResults(s.as.manager, 'reference,status\n2026-05-PS-D,paid\n2026-05-PS-B,paid\n')
    expect(flip.status).toBe(422)
    expect(flip.body.error.details.rows).toEqual([
      { row: 2, reference: '2026-05-PS-D', message: 'reference 2026-05-PS-D is already failed' },
    ])
    expect(describeChange(before, await snapshot())).toBe('')
  })
})

describe('results sent twice at once', () => {
  test('one records the failure (one payment deleted), the other finds it recorded', async () => {
    const june = await insertApprovedRun(s, '2026-06', [
      { supplier_id: sup.A, opening: 1000n },
      { supplier_id: sup.B, opening: 2000n },
    ])
    const b = june.lines.find((l) => l.supplier_id === sup.B)!
    const file = 'reference,status,note\n2026-06-PS-B,failed,timeout\n2026-06-PS-A,paid,\n'
    const answers = await Promise.all([
      sendResults(s.as.finance, file, june.run.id),
      sendResults(s.as.manager, file, june.run.id),
    ])
    expect(answers.map((a) => a.status)).toEqual([200, 200])
    const sum = (k: string) => answers.reduce((n, a) => n + a.body[k], 0)
    expect([sum('paid'), sum('failed'), sum('unchanged')]).toEqual([1, 1, 2])
    const history = (await s.as.manager.get(`/api/history/payment/${b.payment_id}`)).body
    const versions: unknown[] = Array.isArray(history) ? history : history.data
    expect(versions).toHaveLength(2) // created, deleted once
    expect((await s.as.manager.get(`/api/settlement-lines/${b.id}`)).body).toMatchObject({
      version: 2,
      payout_status: 'failed',
    })
  })
})

describe('statement CSV', () => {
  test("a line's statement, for whoever reads settlement lines, ends at what is carried forward", async () => {
    const d = lineOf('D')
    const res = await s.as.collector.get(`/api/settlement-lines/${d.id}/statement.csv`)
    expect(res.status, String(res.body)).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="statement-2026-05-PS-D.csv"')
    const rows = csvOf(String(res.body))
    expect(rows[0]).toEqual(['Date', 'Kind', 'Description', 'Quantity', 'Amount', 'Balance'])
    expect(rows.slice(1).map((r) => [r[1], r[4], r[5]])).toEqual([
      ['opening', '', '1000.10'],
      ['net_payable', '1000.10', '1000.10'],
      ['payout', '-1000.10', '0.00'],
      ['carried_forward', '', '1000.10'], // the failed payout is owed again
    ])
    expect(rows[3][2]).toBe('Payout (failed): Account closed, call the branch')
    expect((await s.anon.get(`/api/settlement-lines/${d.id}/statement.csv`)).status).toBe(401)
    expect(
      (await s.as.collector.get('/api/settlement-lines/0190f000-0000-7000-8000-00000000dead/statement.csv')).status,
    ).toBe(404)
  })

  test('collections, advances and the payout from the stored line, the balance running to the carried forward', async () => {
    const product = '0190f000-0000-7000-8000-0000000000a1'
    const july = await insertApprovedRun(s, '2026-07', [
      {
        supplier_id: sup.F,
        opening: -5000n,
        collections: [
          {
            id: 'c2',
            collection_date: '2026-05-20',
            product_id: product,
            unit: 'kg',
            net_quantity: '10.500',
            total_amount: '1260.00',
          },
          {
            id: 'c1',
            collection_date: '2026-05-02',
            product_id: product,
            unit: 'kg',
            net_quantity: '4.000',
            total_amount: null,
          },
        ],
        payments: [{ id: 'p1', payment_date: '2026-05-10', amount: '300.00' }],
        extra: {
          c1: { quantity: '4.000', unit: 'kg', receipt_number: 'KB-7' },
          c2: { quantity: '10.500', unit: 'kg', receipt_number: 'KB-9' },
          p1: { payment_type: 'advance' },
        },
      },
    ])
    const res = await s.as.finance.get(`/api/settlement-lines/${july.lines[0].id}/statement.csv`)
    expect(res.status, String(res.body)).toBe(200)
    expect(
      csvOf(String(res.body))
        .slice(1)
        .map((r) => r.join('|')),
    ).toEqual([
      '2026-05-01|opening|Opening balance|||-50.00',
      '2026-05-02|collection|Receipt KB-7, price pending|4.000 kg|0.00|-50.00',
      '2026-05-20|collection|Receipt KB-9|10.500 kg|1260.00|1210.00',
      '2026-05-10|advance|Advance||-300.00|910.00',
      '2026-05-31|net_payable|Net payable||910.00|910.00',
      '2026-05-31|payout|Payout (pending)||-910.00|0.00',
      '2026-05-31|carried_forward|Carried forward|||0.00',
    ])
  })
})
