/**
 * CSV for the office's spreadsheets and the bank's portal: written with csv-stringify, read with
 * csv-parse (both of the node-csv project), RFC 4180 with CRLF line ends, and safe to open in a
 * spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be
 * run as a formula (CSV injection), so it is written with a leading `'`; a plain number
 * ("-120.50") is not a formula and stays as it is. Reading takes the `'` off again.
 *
 * The parser's sync API uses Node's `Buffer`: it runs on the server (a browser would use
 * `csv-parse/browser/esm/sync`).
 */
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'

const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/

/** A cell a spreadsheet will show as text, never run: `=1+1` -> `'=1+1`; "-5.00" stays a number. */
export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell
}

/** What {@link spreadsheetSafe} wrote, read back: `'=1+1` -> `=1+1`. */
export function unneutralise(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell
}

/** Rows of text cells as one CSV document (header first), every cell made spreadsheet-safe. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify(
    [header, ...rows].map((r) => r.map(spreadsheetSafe)),
    { record_delimiter: 'windows' },
  )
}

/** A parsed CSV record and the line of the file it starts on (the header is line 1). */
export interface CsvRecord {
  line: number
  cells: string[]
}

/**
 * A CSV document's records (any line ends, mixed too: a file edited in two programs), blank lines skipped, a byte-order mark ignored, cells trimmed; rows may
 * have fewer or more cells than the header. Throws {@link CsvFormatError} on text that is not CSV
 * (an unclosed quote), naming the line.
 */
export function parseCsv(text: string): CsvRecord[] {
  try {
    const records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      trim: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>
    return records.map((r) => ({ line: r.info.lines, cells: r.record.map(unneutralise) }))
  } catch (err) {
    const e = err as { message?: string; lines?: number }
    throw new CsvFormatError(e.lines ?? 1, e.message ?? 'not a CSV file')
  }
}

/** The text is not CSV. */
export class CsvFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message)
    this.name = 'CsvFormatError'
  }
}
