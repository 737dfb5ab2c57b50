import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parseCsv, spreadsheetSafe, toCsv } from './csv'
import { formatDecimal, MONEY_SCALE } from './money'
import {
  DEFAULT_PAYOUT_COLUMNS,
  mobileDigits,
  type PayoutLine,
  type PayoutSupplier,
  parsePayoutColumns,
  parsePayoutResults,
  payoutFile,
  payoutReference,
  type ResultLine,
} from './payout-file'

const run = { reference: '2026-05', status: 'approved' as const }

function supplier(id: string, fields: Partial<PayoutSupplier>): PayoutSupplier {
  return {
    id,
    code: id.toUpperCase(),
    name: `Farmer ${id}`,
    phone: null,
    payout_method: 'cash',
    bank_name: null,
    bank_account: null,
    mobile_money_number: null,
    ...fields,
  }
}

const suppliers: PayoutSupplier[] = [
  supplier('s1', { payout_method: 'bank_transfer', bank_name: 'Peoples Bank', bank_account: '0123-456 789' }),
  supplier('s2', { payout_method: 'bank_transfer', bank_name: 'BOC', bank_account: '987654' }),
  supplier('s3', { payout_method: 'bank_transfer', bank_name: 'BOC' }), // no account yet
  supplier('s4', { payout_method: 'mobile_money', mobile_money_number: '+254 712-345678' }),
  supplier('s5', { payout_method: 'mobile_money', phone: '0722 000111' }), // falls back to the phone
  supplier('s6', { payout_method: 'mobile_money', phone: 'ask at the gate' }),
  supplier('s7', { payout_method: 'cash' }),
  supplier('s8', { payout_method: 'bank_transfer', bank_account: '555', name: '=HYPERLINK("http://x","win")' }),
]

const line = (
  id: string,
  supplier_id: string,
  payout: string,
  payout_status: PayoutLine['payout_status'] = 'pending',
) => ({
  id,
  supplier_id,
  payout,
  payout_status,
})

const lines: PayoutLine[] = [
  line('l1', 's1', '14713.75'),
  line('l2', 's2', '0.01'),
  line('l3', 's3', '250.00'),
  line('l4', 's4', '1000.10'),
  line('l5', 's5', '99.99'),
  line('l6', 's6', '10.00'),
  line('l7', 's7', '500.00'),
  line('l8', 's8', '0.00', 'none'),
  line('l9', 's8', '40.00', 'paid'), // paid already: never again
]

describe('payoutFile', () => {
  test('bank: the bank-transfer suppliers with an account, totals equal their payouts exactly, minor units', () => {
    const file = payoutFile(run, lines, suppliers, { format: 'bank', amounts: 'minor' })
    expect(file.columns).toEqual(DEFAULT_PAYOUT_COLUMNS.bank)
    expect(file.rows.map((r) => [r.line_id, r.reference, r.amount])).toEqual([
      ['l1', '2026-05-S1', '14713.75'],
      ['l2', '2026-05-S2', '0.01'],
    ])
    expect(file.total).toEqual({ count: 2, amount: '14713.76', amount_minor: 1471376n })
    expect(file.missing).toEqual([
      expect.objectContaining({ line_id: 'l3', supplier_code: 'S3', field: 'bank_account', amount: '250.00' }),
    ])
    expect(file.csv).toBe(
      'Reference,Name,Bank,Account number,Amount,Narration\r\n' +
        '2026-05-S1,Farmer s1,Peoples Bank,0123-456 789,1471375,Payout 2026-05\r\n' +
        '2026-05-S2,Farmer s2,BOC,987654,1,Payout 2026-05\r\n',
    )
  })

  test('mobile money: digits only, the phone when there is no mobile money number, a bad number reported', () => {
    const file = payoutFile(run, lines, suppliers, {
      format: 'mobile_money',
      amounts: 'major',
      columns: ['account', 'amount', 'code'],
    })
    expect(file.header).toEqual(['Phone number', 'Amount', 'Supplier code'])
    expect(file.rows.map((r) => r.cells)).toEqual([
      ['254712345678', '1000.10', 'S4'],
      ['0722000111', '99.99', 'S5'],
    ])
    expect(file.total.amount).toBe('1100.09')
    expect(file.missing.map((m) => [m.supplier_code, m.field, m.message])).toEqual([
      ['S6', 'mobile_money_number', 'the phone "ask at the gate" is not a phone number'],
    ])
  })

  test('a formula in a name is written as text (CSV injection)', () => {
    const file = payoutFile(run, [line('x', 's8', '5.00')], suppliers, { format: 'bank', amounts: 'major' })
    expect(file.csv).toContain(`"'=HYPERLINK(""http://x"",""win"")"`)
    expect(parseCsv(file.csv)[1].cells[1]).toBe('=HYPERLINK("http://x","win")')
  })

  test('only an approved run has payout files', () => {
    expect(() =>
      payoutFile({ ...run, status: 'draft' }, lines, suppliers, { format: 'bank', amounts: 'minor' }),
    ).toThrow(/not approved/)
  })

  test('property: for any payouts, the file total is the exact sum of the written lines, in both units', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ minor: fc.bigInt({ min: 0n, max: 10n ** 12n }), bank: fc.boolean(), account: fc.boolean() }),
          {
            maxLength: 40,
          },
        ),
        fc.constantFrom('minor' as const, 'major' as const),
        (specs, amounts) => {
          const ss = specs.map((s, i) =>
            supplier(`p${i}`, {
              payout_method: s.bank ? 'bank_transfer' : 'cash',
              bank_account: s.account ? `${i}00` : null,
            }),
          )
          const ls = specs.map((s, i) =>
            line(`l${i}`, `p${i}`, formatDecimal(s.minor, MONEY_SCALE), s.minor > 0n ? 'pending' : 'none'),
          )
          const file = payoutFile(run, ls, ss, { format: 'bank', amounts })
          const expected = specs.filter((s) => s.minor > 0n && s.bank && s.account)
          const sum = expected.reduce((a, s) => a + s.minor, 0n)
          expect(file.total.count).toBe(expected.length)
          expect(file.total.amount_minor).toBe(sum)
          expect(file.missing.length).toBe(specs.filter((s) => s.minor > 0n && s.bank && !s.account).length)
          const amountCol = file.columns.indexOf('amount')
          const written = parseCsv(file.csv)
            .slice(1)
            .map((r) => r.cells[amountCol])
          const minors = written.map((a) => (amounts === 'minor' ? BigInt(a) : BigInt(a.replace('.', ''))))
          expect(minors.reduce((a, b) => a + b, 0n)).toBe(sum)
        },
      ),
    )
  })
})

describe('parsePayoutColumns', () => {
  test('known names, phone is account, any case; unknown, twice or without amount/account refused', () => {
    expect(parsePayoutColumns('Name, phone ,AMOUNT')).toEqual({ columns: ['name', 'account', 'amount'] })
    expect(parsePayoutColumns('name,iban,amount')).toEqual({ error: expect.stringMatching(/unknown column iban/) })
    expect(parsePayoutColumns('account,amount,account')).toEqual({ error: 'column account is named twice' })
    expect(parsePayoutColumns('name,account')).toEqual({ error: 'the columns must include amount' })
  })
})

test('mobileDigits', () => {
  expect(mobileDigits('+254 712-345678')).toBe('254712345678')
  expect(mobileDigits('=1+2')).toBeNull()
  expect(mobileDigits('12')).toBeNull()
})

test('spreadsheetSafe: formulas become text, numbers stay numbers', () => {
  expect(['=1+1', '+1', '-A1', '@SUM(A1)', '\tx', '-12.50', '12', 'plain'].map(spreadsheetSafe)).toEqual([
    "'=1+1",
    "'+1",
    "'-A1",
    "'@SUM(A1)",
    "'\tx",
    '-12.50',
    '12',
    'plain',
  ])
  expect(toCsv(['a'], [['x,y'], ['-1+1']])).toBe('a\r\n"x,y"\r\n\'-1+1\r\n')
})

describe('parsePayoutResults', () => {
  const resultLines: ResultLine[] = [
    { id: 'l1', reference: payoutReference('2026-05', 'S1'), payout_status: 'pending' },
    { id: 'l2', reference: payoutReference('2026-05', 'S2'), payout_status: 'pending' },
    { id: 'l4', reference: payoutReference('2026-05', 'S4'), payout_status: 'paid' },
    { id: 'l5', reference: payoutReference('2026-05', 'S5'), payout_status: 'failed' },
    { id: 'l7', reference: payoutReference('2026-05', 'S7'), payout_status: 'none' },
  ]

  test('header in any case and order, extra columns ignored, notes kept, a repeat of the same result unchanged', () => {
    const csv =
      '\uFEFFAmount,STATUS,Note,Reference\r\n' +
      '1471375,Paid,,2026-05-S1\r\n' +
      '\r\n' +
      '1,failed,"Account closed, call the branch",2026-05-s2\n' +
      '5,paid,,2026-05-S4\n'
    const { rows, errors } = parsePayoutResults(csv, resultLines)
    expect(errors).toEqual([])
    expect(rows).toEqual([
      { row: 2, line_id: 'l1', reference: '2026-05-S1', status: 'paid', note: null, change: 'mark' },
      {
        row: 4,
        line_id: 'l2',
        reference: '2026-05-S2',
        status: 'failed',
        note: 'Account closed, call the branch',
        change: 'mark',
      },
      { row: 5, line_id: 'l4', reference: '2026-05-S4', status: 'paid', note: null, change: 'unchanged' },
    ])
  })

  test('every bad row is reported with its line: unknown, bad status, twice, no payout, already the other result', () => {
    const csv = [
      'reference,status',
      '2026-05-S1,paid',
      '2026-05-S99,paid',
      '2026-05-S2,done',
      '2026-05-S1,paid',
      '2026-05-S7,paid',
      '2026-05-S4,failed',
      '2026-05-S5,paid',
      ',paid',
    ].join('\n')
    const { errors } = parsePayoutResults(csv, resultLines)
    expect(errors).toEqual([
      { row: 3, reference: '2026-05-S99', message: 'reference 2026-05-S99 is not a payout of this run' },
      { row: 4, reference: '2026-05-S2', message: 'status "done" is not paid or failed' },
      { row: 5, reference: '2026-05-S1', message: 'reference 2026-05-S1 is also on line 2' },
      { row: 6, reference: '2026-05-S7', message: 'reference 2026-05-S7 has no payout' },
      { row: 7, reference: '2026-05-S4', message: 'reference 2026-05-S4 is already paid' },
      { row: 8, reference: '2026-05-S5', message: 'reference 2026-05-S5 is already failed' },
      { row: 9, message: 'no reference' },
    ])
  })

  test('a file without the columns, an empty file, a broken quote', () => {
    expect(parsePayoutResults('ref,result\nx,paid', resultLines).errors).toEqual([
      { row: 1, message: 'the header has no reference or status column' },
    ])
    expect(parsePayoutResults('', resultLines).errors).toEqual([{ row: 1, message: 'the file is empty' }])
    expect(parsePayoutResults('reference,status\n', resultLines).errors).toEqual([
      { row: 1, message: 'the file has no results' },
    ])
    const broken = parsePayoutResults('reference,status\n"2026-05-S1,paid\n', resultLines).errors
    expect(broken).toHaveLength(1)
    expect(broken[0].message).toMatch(/^not a CSV file/)
  })

  test('a long note is cut to 500 characters', () => {
    const csv = `reference,status,note\n2026-05-S2,failed,${'x'.repeat(800)}`
    expect(parsePayoutResults(csv, resultLines).rows[0].note).toHaveLength(500)
  })
})
