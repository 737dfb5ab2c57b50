/**
 * Payout files: an approved settlement run as the bulk-payment file a bank (bulk transfer) or a
 * mobile money provider (M-Pesa B2C, eZ Cash: bulk payment) takes, and the results file they
 * return read back into per-line results. Exact: amounts are the lines' payouts, summed in BigInt.
 *
 * The file of a format holds every line of the run that is waiting for its payout (`pending`,
 * payout > 0) whose supplier is paid that way (bank: `bank_transfer`, mobile money:
 * `mobile_money`); a supplier of that method without the details the file needs (a bank account,
 * a mobile number or a phone to fall back to) is not written and is listed in `missing`, so the
 * office fixes the supplier and exports again. `total` equals the sum of the written lines'
 * payouts exactly. Each row's reference is `<run reference>-<supplier code>`: the bank gives it
 * back in its results file, which marks each line paid or failed.
 *
 * @example
 *   const file = payoutFile(run, lines, suppliers, { format: 'bank', amounts: 'minor' })
 *   file.total // { count: 2, amount: "25713.75", amount_minor: 2571375n }
 *   file.missing // [{ supplier_code: 'S-9', field: 'bank_account', ... }]
 *   file.csv // "Reference,Name,Bank,Account number,Amount,Narration\r\n2026-05-S-1,..."
 */
import { type CsvRecord, parseCsv, toCsv } from './csv'
import type { PayoutMethod } from './entities'
import { formatDecimal, MONEY_SCALE, parseDecimal } from './money'
import type { PayoutStatus, RunStatus } from './settlement-records'

export const PAYOUT_FORMATS = ['bank', 'mobile_money'] as const
export type PayoutFormat = (typeof PAYOUT_FORMATS)[number]

/** Amounts in minor units ("2571375", what most bank portals take) or major units ("25713.75"). */
export const AMOUNT_UNITS = ['minor', 'major'] as const
export type AmountUnit = (typeof AMOUNT_UNITS)[number]

/**
 * The columns a payout file may have. `account` is the bank account in a bank file and the mobile
 * number in a mobile money file (`phone` names the same column).
 */
export const PAYOUT_COLUMNS = ['reference', 'name', 'code', 'account', 'bank', 'amount', 'narration'] as const
export type PayoutColumn = (typeof PAYOUT_COLUMNS)[number]

/** The columns of a file when none are chosen. */
export const DEFAULT_PAYOUT_COLUMNS: Record<PayoutFormat, readonly PayoutColumn[]> = {
  bank: ['reference', 'name', 'bank', 'account', 'amount', 'narration'],
  mobile_money: ['reference', 'account', 'name', 'amount', 'narration'],
}

/** The supplier's payout method a format pays. */
export const FORMAT_METHOD: Record<PayoutFormat, PayoutMethod> = {
  bank: 'bank_transfer',
  mobile_money: 'mobile_money',
}

const HEADERS: Record<PayoutFormat, Record<PayoutColumn, string>> = {
  bank: {
    reference: 'Reference',
    name: 'Name',
    code: 'Supplier code',
    account: 'Account number',
    bank: 'Bank',
    amount: 'Amount',
    narration: 'Narration',
  },
  mobile_money: {
    reference: 'Reference',
    name: 'Name',
    code: 'Supplier code',
    account: 'Phone number',
    bank: 'Bank',
    amount: 'Amount',
    narration: 'Narration',
  },
}

export interface PayoutRun {
  reference: string
  status: RunStatus
}

export interface PayoutLine {
  id: string
  supplier_id: string
  /** 2 places. */
  payout: string
  payout_status: PayoutStatus
}

export interface PayoutSupplier {
  id: string
  code: string
  name: string
  phone: string | null
  payout_method: PayoutMethod
  bank_name: string | null
  bank_account: string | null
  mobile_money_number: string | null
}

export interface PayoutFileOptions {
  format: PayoutFormat
  amounts: AmountUnit
  /** Defaults to {@link DEFAULT_PAYOUT_COLUMNS} of the format. */
  columns?: readonly PayoutColumn[]
}

export interface PayoutFileRow {
  line_id: string
  supplier_id: string
  reference: string
  /** 2 places, the line's payout. */
  amount: string
  /** The file's cells, in the order of `columns`. */
  cells: string[]
}

/** A supplier of the format's method whose payout could not be written, and what to fix. */
export interface MissingPayoutDetail {
  line_id: string
  supplier_id: string
  supplier_code: string
  supplier_name: string
  field: 'bank_account' | 'mobile_money_number'
  message: string
  /** 2 places: what the supplier is waiting for. */
  amount: string
}

export interface PayoutFile {
  format: PayoutFormat
  amounts: AmountUnit
  columns: PayoutColumn[]
  header: string[]
  rows: PayoutFileRow[]
  /** Sum of the rows' payouts (2 places and minor units), and how many rows. */
  total: { count: number; amount: string; amount_minor: bigint }
  missing: MissingPayoutDetail[]
  /** The file: the header, then the rows. */
  csv: string
}

/** The reference of a line in payout files: `<run reference>-<supplier code>`. */
export function payoutReference(runReference: string, supplierCode: string): string {
  return `${runReference}-${supplierCode}`
}

/** A payout amount as the file writes it. */
export function payoutAmount(minor: bigint, amounts: AmountUnit): string {
  return amounts === 'minor' ? minor.toString() : formatDecimal(minor, MONEY_SCALE)
}

const MOBILE = /^\+?[0-9](?:[0-9 -]*[0-9])?$/

/** A mobile number as bulk payment files take it: digits only ("+254 712-345678" -> "254712345678"). */
export function mobileDigits(number: string): string | null {
  const trimmed = number.trim()
  if (!MOBILE.test(trimmed)) return null
  const digits = trimmed.replace(/[^0-9]/g, '')
  return digits.length >= 6 && digits.length <= 15 ? digits : null
}

/**
 * Columns named in a request (`"name,account,amount"`; `phone` is `account`): each known, none
 * twice, `account` and `amount` present (a file that cannot say whom to pay how much is no file).
 * Returns the columns or the message saying what is wrong.
 */
export function parsePayoutColumns(text: string): { columns: PayoutColumn[] } | { error: string } {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .map((s) => (s === 'phone' ? 'account' : s))
  const unknown = names.filter((n) => !(PAYOUT_COLUMNS as readonly string[]).includes(n))
  if (unknown.length) return { error: `unknown column ${unknown.join(', ')}; use ${PAYOUT_COLUMNS.join(', ')}` }
  const columns = names as PayoutColumn[]
  const twice = columns.filter((c, i) => columns.indexOf(c) !== i)
  if (twice.length) return { error: `column ${twice[0]} is named twice` }
  for (const needed of ['amount', 'account'] as const) {
    if (!columns.includes(needed)) return { error: `the columns must include ${needed}` }
  }
  return { columns }
}

/** The account cell of a supplier in a file of `format`, or why it cannot be written. */
function accountOf(
  s: PayoutSupplier,
  format: PayoutFormat,
): { ok: true; account: string } | { ok: false; field: MissingPayoutDetail['field']; message: string } {
  if (format === 'bank') {
    if (!s.bank_account) return { ok: false, field: 'bank_account', message: 'no bank account' }
    return { ok: true, account: s.bank_account }
  }
  const number = s.mobile_money_number ?? s.phone
  if (!number?.trim()) return { ok: false, field: 'mobile_money_number', message: 'no mobile money number or phone' }
  const digits = mobileDigits(number)
  if (!digits) {
    const which = s.mobile_money_number ? 'mobile money number' : 'phone'
    return { ok: false, field: 'mobile_money_number', message: `the ${which} "${number}" is not a phone number` }
  }
  return { ok: true, account: digits }
}

/**
 * The payout file of an approved run in `opts.format`. Throws if the run is not approved (the
 * caller answers that first) or a line names a supplier not given.
 */
export function payoutFile(
  run: PayoutRun,
  lines: readonly PayoutLine[],
  suppliers: readonly PayoutSupplier[],
  opts: PayoutFileOptions,
): PayoutFile {
  if (run.status !== 'approved') throw new Error(`run ${run.reference} is not approved`)
  const columns = [...(opts.columns ?? DEFAULT_PAYOUT_COLUMNS[opts.format])]
  const byId = new Map(suppliers.map((s) => [s.id, s]))
  const method = FORMAT_METHOD[opts.format]
  const rows: PayoutFileRow[] = []
  const missing: MissingPayoutDetail[] = []
  let sum = 0n
  const ordered = lines
    .map((line) => {
      const supplier = byId.get(line.supplier_id)
      if (!supplier) throw new Error(`supplier ${line.supplier_id} of line ${line.id} not given`)
      return { line, supplier }
    })
    .sort((a, b) => (a.supplier.code < b.supplier.code ? -1 : a.supplier.code > b.supplier.code ? 1 : 0))
  for (const { line, supplier } of ordered) {
    const minor = parseDecimal(line.payout, MONEY_SCALE)
    if (minor <= 0n || line.payout_status !== 'pending' || supplier.payout_method !== method) continue
    const reference = payoutReference(run.reference, supplier.code)
    const account = accountOf(supplier, opts.format)
    if (!account.ok) {
      missing.push({
        line_id: line.id,
        supplier_id: supplier.id,
        supplier_code: supplier.code,
        supplier_name: supplier.name,
        field: account.field,
        message: account.message,
        amount: line.payout,
      })
      continue
    }
    const values: Record<PayoutColumn, string> = {
      reference,
      name: supplier.name,
      code: supplier.code,
      account: account.account,
      bank: supplier.bank_name ?? '',
      amount: payoutAmount(minor, opts.amounts),
      narration: `Payout ${run.reference}`,
    }
    rows.push({
      line_id: line.id,
      supplier_id: supplier.id,
      reference,
      amount: line.payout,
      cells: columns.map((c) => values[c]),
    })
    sum += minor
  }
  const header = columns.map((c) => HEADERS[opts.format][c])
  return {
    format: opts.format,
    amounts: opts.amounts,
    columns,
    header,
    rows,
    total: { count: rows.length, amount: formatDecimal(sum, MONEY_SCALE), amount_minor: sum },
    missing,
    csv: toCsv(
      header,
      rows.map((r) => r.cells),
    ),
  }
}

// ---------------------------------------------------------------------------------------------
// The results file

export const PAYOUT_RESULTS = ['paid', 'failed'] as const
export type PayoutResult = (typeof PAYOUT_RESULTS)[number]

/** A line as a results file is read against it. */
export interface ResultLine {
  id: string
  /** Its reference in the payout files ({@link payoutReference}). */
  reference: string
  payout_status: PayoutStatus
}

export interface PayoutResultRow {
  /** The line of the file (the header is line 1). */
  row: number
  line_id: string
  reference: string
  status: PayoutResult
  /** What the bank said, at most {@link MAX_PAYOUT_NOTE} characters; null when blank. */
  note: string | null
  /** `unchanged`: the line already has this status (the same file sent again). */
  change: 'mark' | 'unchanged'
}

export interface PayoutResultError {
  row: number
  reference?: string
  message: string
}

/** The longest note kept from a results file (a line's `payout_note`). */
export const MAX_PAYOUT_NOTE = 500

const NOTE_HEADERS = ['note', 'notes', 'message', 'reason', 'description']

/**
 * Reads a returned results file against a run's lines: a header naming `reference` and `status`
 * (and optionally `note`), any case and order, other columns ignored; then one row per line,
 * status `paid` or `failed` (any case). Every row is checked and every problem is reported with
 * its line in the file: an unknown reference, a status that is neither, a reference given twice,
 * a line without a payout, a line whose payout already has the other result (a paid line cannot
 * fail afterwards, nor a failed one be paid: its payout was returned to the supplier's balance).
 * A row giving a line the status it already has is `unchanged`, so sending a file twice is safe.
 */
export function parsePayoutResults(
  csv: string,
  lines: readonly ResultLine[],
): { rows: PayoutResultRow[]; errors: PayoutResultError[] } {
  let records: CsvRecord[]
  try {
    records = parseCsv(csv)
  } catch (err) {
    const line = (err as { line?: number }).line ?? 1
    return { rows: [], errors: [{ row: line, message: `not a CSV file: ${(err as Error).message}` }] }
  }
  const [head, ...body] = records
  if (!head) return { rows: [], errors: [{ row: 1, message: 'the file is empty' }] }
  const names = head.cells.map((c) => c.trim().toLowerCase())
  const col = (...accepted: string[]) => names.findIndex((n) => accepted.includes(n))
  const refCol = col('reference')
  const statusCol = col('status')
  const noteCol = col(...NOTE_HEADERS)
  if (refCol < 0 || statusCol < 0) {
    const lacking = [refCol < 0 ? 'reference' : null, statusCol < 0 ? 'status' : null].filter(Boolean)
    return { rows: [], errors: [{ row: head.line, message: `the header has no ${lacking.join(' or ')} column` }] }
  }
  if (body.length === 0) return { rows: [], errors: [{ row: head.line, message: 'the file has no results' }] }

  const byRef = new Map(lines.map((l) => [l.reference.toLowerCase(), l]))
  const seen = new Map<string, number>()
  const rows: PayoutResultRow[] = []
  const errors: PayoutResultError[] = []
  for (const { line: row, cells } of body) {
    const reference = cells[refCol] ?? ''
    const rawStatus = (cells[statusCol] ?? '').toLowerCase()
    const fail = (message: string) => errors.push({ row, ...(reference ? { reference } : {}), message })
    if (!reference) {
      fail('no reference')
      continue
    }
    const key = reference.toLowerCase()
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      fail(`reference ${reference} is also on line ${earlier}`)
      continue
    }
    seen.set(key, row)
    const line = byRef.get(key)
    if (!line) {
      fail(`reference ${reference} is not a payout of this run`)
      continue
    }
    if (!(PAYOUT_RESULTS as readonly string[]).includes(rawStatus)) {
      fail(`status "${cells[statusCol] ?? ''}" is not paid or failed`)
      continue
    }
    const status = rawStatus as PayoutResult
    if (line.payout_status === 'none') {
      fail(`reference ${reference} has no payout`)
      continue
    }
    if (line.payout_status !== 'pending' && line.payout_status !== status) {
      fail(`reference ${reference} is already ${line.payout_status}`)
      continue
    }
    const rawNote = noteCol >= 0 ? (cells[noteCol] ?? '') : ''
    rows.push({
      row,
      line_id: line.id,
      reference: line.reference,
      status,
      note: rawNote ? rawNote.slice(0, MAX_PAYOUT_NOTE) : null,
      change: line.payout_status === status ? 'unchanged' : 'mark',
    })
  }
  return { rows, errors }
}
