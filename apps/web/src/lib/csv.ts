/**
 * CSV text (RFC 4180) and its download. A cell containing a comma, a double
 * quote, or a line break is wrapped in double quotes with inner quotes
 * doubled; rows end with CRLF.
 */

export type CsvCell = string | number | bigint | boolean | null | undefined

/** One cell, quoted if it has to be. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * Text typed by people (names, notes) that a spreadsheet would run as a
 * formula if it starts with = + - @ (CSV injection): prefixed with an
 * apostrophe. Use it for free text only, never for amounts.
 */
export function csvText(value: string | null | undefined): string {
  const text = value ?? ''
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/** Rows to CSV text (CRLF line ends, a final CRLF). */
export function toCsv(rows: CsvCell[][]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + (rows.length ? '\r\n' : '')
}

/** Makes the browser save `text` as `filename`. */
export function downloadCsv(filename: string, text: string): void {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
