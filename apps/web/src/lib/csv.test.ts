import { describe, expect, it } from 'vitest'
import { csvCell, csvText, toCsv } from './csv'

describe('csvCell', () => {
  it('leaves plain text and numbers alone', () => {
    expect(csvCell('Kamau Farm')).toBe('Kamau Farm')
    expect(csvCell('6060.00')).toBe('6060.00')
    expect(csvCell(12n)).toBe('12')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
  })

  it('quotes commas, quotes and line breaks, doubling inner quotes', () => {
    expect(csvCell('Kamau, Jr')).toBe('"Kamau, Jr"')
    expect(csvCell('The "Best" Farm')).toBe('"The ""Best"" Farm"')
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"')
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"')
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"')
  })
})

describe('csvText', () => {
  it('defuses spreadsheet formulas in free text', () => {
    expect(csvText('=SUM(A1)')).toBe("'=SUM(A1)")
    expect(csvText('+254700')).toBe("'+254700")
    expect(csvText('@me')).toBe("'@me")
    expect(csvText('Kamau')).toBe('Kamau')
    expect(csvText(null)).toBe('')
  })
})

describe('toCsv', () => {
  it('joins rows with CRLF and ends with one', () => {
    expect(
      toCsv([
        ['Code', 'Name'],
        ['S-1', 'Kamau, "K" Farm'],
      ]),
    ).toBe('Code,Name\r\nS-1,"Kamau, ""K"" Farm"\r\n')
    expect(toCsv([])).toBe('')
  })

  it('round-trips through a simple RFC 4180 parser', () => {
    const rows = [
      ['a,b', 'c"d', 'e\nf', ''],
      ['1', '2', '3', '4'],
    ]
    expect(parse(toCsv(rows))).toEqual(rows)
  })
})

function parse(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += ch
  }
  return rows
}
