/**
 * A receipt as the bytes an ESC/POS thermal printer prints, on 58 mm paper
 * (32 columns of the printer's standard font) or 80 mm (48 columns):
 *
 *   ESC @            reset the printer
 *   ESC t 0          code page 437 (PC437)
 *   ESC a 1          centred: the business's name in bold double size,
 *                    the title in bold, the business's receipt header
 *   ESC a 0          left: a rule, each line as "Label      value" across the
 *                    columns (a value too long goes under its label, to the
 *                    right), bold where asked, a rule, the signature line
 *   ESC d 4          feed four lines (past the cutter)
 *   GS V 1           partial cut
 *
 * Text is printed in code page 437, the one every ESC/POS printer has: ASCII
 * and the Latin letters it holds (é, ü, ñ...); dashes, quotes, × and spaces of
 * other kinds become their ASCII look-alikes, and anything else "?". Scripts
 * such as Sinhala and Tamil are not in any printer code page, so the printed
 * receipt is in English when the app is in one of them (the screen passes
 * English labels; docs/collection-point.md), and `unprintable` tells the
 * screen to offer the browser's print dialog for a name written in them.
 */

export type PaperWidth = 58 | 80

/** Characters a line holds in the printer's standard font (12 x 24 dots). */
export const PAPER_COLUMNS: Record<PaperWidth, number> = { 58: 32, 80: 48 }

export interface PrintableReceipt {
  /** The business's name: the receipt's head. */
  business: string
  /** "Collection receipt". */
  title: string
  /** The business's receipt header (address, phone), if any. */
  header?: string | null
  lines: Array<{ label: string; value: string; strong?: boolean }>
  /** "Signature": the line to sign on. */
  signature: string
}

const ESC = 0x1b
const GS = 0x1d
const LF = 0x0a

/** Code page 437's upper half, 0x80 to 0xFF. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0'
const CP437 = new Map([...CP437_HIGH].map((ch, i) => [ch, 0x80 + i]))

/** Characters code page 437 lacks, written with ones it has. */
const LOOK_ALIKES: Record<string, string> = {
  '×': 'x',
  '−': '-',
  '–': '-',
  '—': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '…': '...',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u2009': ' ',
}

/** Text as code page 437 characters: look-alikes put in, anything else a "?". */
export function printableText(text: string): string {
  let out = ''
  for (const ch of text.normalize('NFC')) {
    const alike = LOOK_ALIKES[ch]
    if (alike !== undefined) out += alike
    else if (/\s/.test(ch)) out += ' '
    else if ((ch >= ' ' && ch <= '~') || CP437.has(ch)) out += ch
    else out += '?'
  }
  return out
}

/** Whether a text has characters a receipt printer would print as "?" (a name in Sinhala or Tamil letters). */
export function unprintable(text: string): boolean {
  for (const ch of text.normalize('NFC')) if (ch !== '?' && printableText(ch) === '?') return true
  return false
}

/** Every text of a receipt, one a line (to ask `unprintable` about all of it). */
export const receiptText = (r: PrintableReceipt): string =>
  [r.business, r.title, r.header ?? '', ...r.lines.flatMap((l) => [l.label, l.value]), r.signature].join('\n')

/** Code page 437 bytes of text already made printable. */
function encode(text: string): number[] {
  return [...text].map((ch) => (ch <= '~' ? ch.charCodeAt(0) : (CP437.get(ch) ?? 0x3f)))
}

/** Words of `text` in lines of at most `width` characters (a word longer than a line is cut). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word
    while (rest.length > width) {
      if (line) lines.push(line)
      line = ''
      lines.push(rest.slice(0, width))
      rest = rest.slice(width)
    }
    if (!rest) continue
    if (!line) line = rest
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`
    else {
      lines.push(line)
      line = rest
    }
  }
  if (line || lines.length === 0) lines.push(line)
  return lines
}

/** "Label      value" across `width`, or the label and then the value under it, to the right. */
export function labelledLines(label: string, value: string, width: number): string[] {
  if (label.length + 1 + value.length <= width) return [label + ' '.repeat(width - label.length - value.length) + value]
  return [...wrap(label, width), ...wrap(value, width).map((v) => v.padStart(width))]
}

/** The receipt as ESC/POS bytes for `paper`. */
export function receiptBytes(receipt: PrintableReceipt, paper: PaperWidth): Uint8Array {
  const columns = PAPER_COLUMNS[paper]
  const out: number[] = []
  const bytes = (...b: number[]) => out.push(...b)
  const line = (text: string) => {
    out.push(...encode(text.trimEnd()), LF)
  }
  const rule = () => line('-'.repeat(columns))

  bytes(ESC, 0x40) // ESC @: initialise
  bytes(ESC, 0x74, 0) // ESC t 0: code page 437
  bytes(ESC, 0x61, 1) // ESC a 1: centre
  bytes(ESC, 0x45, 1, GS, 0x21, 0x11) // ESC E 1 bold, GS ! 0x11 double width and height
  for (const l of wrap(printableText(receipt.business), columns / 2)) line(l)
  bytes(GS, 0x21, 0x00) // GS ! 0: normal size, still bold
  for (const l of wrap(printableText(receipt.title), columns)) line(l)
  bytes(ESC, 0x45, 0) // ESC E 0: bold off
  for (const part of (receipt.header ?? '').split('\n'))
    for (const l of part.trim() ? wrap(printableText(part), columns) : []) line(l)
  bytes(ESC, 0x61, 0) // ESC a 0: left
  rule()
  for (const { label, value, strong } of receipt.lines) {
    if (strong) bytes(ESC, 0x45, 1)
    for (const l of labelledLines(printableText(label), printableText(value), columns)) line(l)
    if (strong) bytes(ESC, 0x45, 0)
  }
  rule()
  line('')
  line(`${printableText(receipt.signature)}: `.padEnd(columns, '_'))
  bytes(ESC, 0x64, 4) // ESC d 4: print and feed four lines
  bytes(GS, 0x56, 1) // GS V 1: partial cut
  return Uint8Array.from(out)
}
