/**
 * The receipt's ESC/POS bytes against golden files (golden/receipt-58.bin and
 * receipt-80.bin: print one on a real printer with `cat receipt-58.bin >
 * /dev/usb/lp0`). After a deliberate change to the layout, write them again
 * with
 *
 *   UPDATE_GOLDEN=1 npx vitest run --project client apps/web/src/devices/escpos.test.ts
 *
 * and look at the change (`xxd golden/receipt-58.bin`) before committing it.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  labelledLines,
  PAPER_COLUMNS,
  type PaperWidth,
  type PrintableReceipt,
  printableText,
  receiptBytes,
  unprintable,
  wrap,
} from './escpos'

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden')

/** A collection receipt as the receipt screen builds it (lib/collection-receipt-lines.ts), in English. */
const RECEIPT: PrintableReceipt = {
  business: 'Kamau Tea Factory',
  title: 'Collection receipt',
  header: 'P.O. Box 12, Kericho\nTel. 0700 000 001',
  lines: [
    { label: 'Receipt no.', value: 'A-17', strong: true },
    { label: 'Supplier', value: 'SUP-001 · José Müller' },
    { label: 'Collector', value: 'Collector Web' },
    { label: 'Product', value: 'Green tea leaf, hand-plucked grade 1' },
    { label: 'Date', value: '2026-05-04' },
    { label: 'Gross', value: '52.5 kg' },
    { label: 'Tare', value: '2 × 0.75 kg = 1.5 kg' },
    { label: 'Net', value: '51 kg', strong: true },
    { label: 'Weight', value: 'From a scale (ble:AbC123==)' },
    { label: 'Rate', value: '120.00 per kg' },
    { label: 'Amount', value: 'KES 6,120.00', strong: true },
  ],
  signature: 'Signature',
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')

/** The printed text lines of `bytes`, the commands taken out (ESC @; ESC and GS with one argument), to read a failure. */
function textOf(bytes: Uint8Array): string[] {
  const text: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x1b) i += bytes[i + 1] === 0x40 ? 1 : 2
    else if (bytes[i] === 0x1d) i += 2
    else text.push(bytes[i])
  }
  return Buffer.from(text).toString('latin1').split('\n')
}

describe('ESC/POS receipt', () => {
  for (const paper of [58, 80] as PaperWidth[]) {
    it(`${paper} mm: the bytes are the golden file's`, () => {
      const bytes = receiptBytes(RECEIPT, paper)
      const file = join(GOLDEN, `receipt-${paper}.bin`)
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, bytes)
      const golden = new Uint8Array(readFileSync(file))
      // The text first (a readable diff), then every byte.
      expect(textOf(bytes)).toEqual(textOf(golden))
      expect(hex(bytes)).toBe(hex(golden))
    })

    it(`${paper} mm: starts with ESC @, ends with a partial cut, no line wider than ${PAPER_COLUMNS[paper]}`, () => {
      const bytes = receiptBytes(RECEIPT, paper)
      expect([...bytes.subarray(0, 2)]).toEqual([0x1b, 0x40])
      expect([...bytes.subarray(-6)]).toEqual([0x1b, 0x64, 4, 0x1d, 0x56, 1])
      const lines = textOf(bytes)
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(PAPER_COLUMNS[paper])
      expect(lines).toContain(`${'Net'.padEnd(PAPER_COLUMNS[paper] - 5)}51 kg`)
      // é and ü in code page 437; × and · as ASCII.
      expect(Buffer.from(bytes).includes(Buffer.from([0x4a, 0x6f, 0x73, 0x82]))).toBe(true) // "Jos" é
      expect(Buffer.from(bytes).includes(Buffer.from('2 x 0.75 kg', 'latin1'))).toBe(true)
    })
  }

  it('58 mm wraps what 80 mm fits on one line', () => {
    const narrow = textOf(receiptBytes(RECEIPT, 58))
    const wide = textOf(receiptBytes(RECEIPT, 80))
    expect(wide).toContain(`Product${' '.repeat(48 - 7 - 36)}Green tea leaf, hand-plucked grade 1`)
    const at = narrow.indexOf('Product')
    expect(narrow.slice(at, at + 3)).toEqual([
      'Product',
      '    Green tea leaf, hand-plucked',
      `${' '.repeat(25)}grade 1`,
    ])
  })
})

describe('text for a receipt printer', () => {
  it('keeps ASCII and the Latin letters of code page 437, writes look-alikes, and "?" for the rest', () => {
    expect(printableText('José Müller — 2 × 3 “ok”…')).toBe('José Müller - 2 x 3 "ok"...')
    expect(printableText('KES\u00a01,500.00\u202f')).toBe('KES 1,500.00 ')
    expect(printableText('line\nbreak')).toBe('line break')
    expect(printableText('කමල්')).toBe('????')
    expect(printableText('கமலா')).toBe('????')
  })

  it('says when a text has letters it cannot print', () => {
    expect(unprintable('José — 2 × 3?')).toBe(false)
    expect(unprintable('කමල් Perera')).toBe(true)
    expect(unprintable('கமலா')).toBe(true)
  })

  it('wraps words, cutting one longer than a line', () => {
    expect(wrap('Green tea leaf, first grade', 12)).toEqual(['Green tea', 'leaf, first', 'grade'])
    expect(wrap('ABCDEFGHIJKLMNOP xy', 6)).toEqual(['ABCDEF', 'GHIJKL', 'MNOP', 'xy'])
    expect(wrap('', 6)).toEqual([''])
    expect(labelledLines('Net', '51 kg', 12)).toEqual(['Net    51 kg'])
    expect(labelledLines('Net weight', '51 kg', 12)).toEqual(['Net weight', '       51 kg'])
  })
})
