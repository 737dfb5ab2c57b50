import { describe, expect, it } from 'vitest'
import { gramsToKg, LineSplitter, parseScaleLine, parseWeightMeasurement, quantityIn, toGrams } from './scale-readings'

/** A Weight Measurement value: flags, the weight (uint16 LE), then `extra` bytes. */
const measurement = (flags: number, raw: number, extra: number[] = []) =>
  Uint8Array.from([flags, raw & 0xff, raw >> 8, ...extra])

const kgOf = (reading: ReturnType<typeof parseScaleLine>) =>
  reading?.kind === 'weight' ? gramsToKg(reading.grams) : reading?.kind

describe('units to grams, exactly', () => {
  it('converts kg, g, lb and oz, rounding half away from zero to the gram', () => {
    expect(toGrams('12.345', 'kg')).toBe(12345n)
    expect(toGrams('12.3456', 'kg')).toBe(12346n)
    expect(toGrams('-0.0205', 'kg')).toBe(-21n)
    expect(toGrams('850', 'g')).toBe(850n)
    expect(toGrams('850.5', 'g')).toBe(851n)
    expect(toGrams('1', 'lb')).toBe(454n) // 453.59237
    expect(toGrams('27.22', 'lb')).toBe(12347n) // 12346.784...
    expect(toGrams('16', 'oz')).toBe(454n) // 453.59237
    expect(gramsToKg(12345n)).toBe('12.345')
    expect(gramsToKg(5n)).toBe('0.005')
  })

  it("writes a weight as a collection's quantity in its unit, kg when none is chosen", () => {
    expect(quantityIn(12345n, 'kg')).toEqual({ quantity: '12.345', unit: 'kg' })
    expect(quantityIn(12345n, ' KG ')).toEqual({ quantity: '12.345', unit: 'kg' })
    expect(quantityIn(12345n, '')).toEqual({ quantity: '12.345', unit: 'kg' })
    expect(quantityIn(12345n, 'g')).toEqual({ quantity: '12345', unit: 'g' })
    expect(quantityIn(12345n, 'litre')).toBeUndefined()
  })

  it('refuses what no scale prints', () => {
    expect(toGrams('12345678', 'kg')).toBeUndefined()
    expect(toGrams('1.23456', 'kg')).toBeUndefined()
    expect(toGrams('1e3', 'kg')).toBeUndefined()
    expect(toGrams('', 'kg')).toBeUndefined()
  })
})

describe('Bluetooth Weight Measurement (0x2A9D)', () => {
  it('reads an SI weight in steps of 5 g', () => {
    // 2469 x 0.005 kg = 12.345 kg
    expect(parseWeightMeasurement(measurement(0x00, 2469))).toEqual({ kind: 'weight', grams: 12345n })
    expect(parseWeightMeasurement(measurement(0x00, 0))).toEqual({ kind: 'weight', grams: 0n })
    // The largest: 65534 x 5 g
    expect(parseWeightMeasurement(measurement(0x00, 0xfffe))).toEqual({ kind: 'weight', grams: 327670n })
  })

  it('reads an imperial weight in steps of 0.01 lb, to the gram', () => {
    // 2722 x 0.01 lb = 27.22 lb = 12346.78 g
    expect(parseWeightMeasurement(measurement(0x01, 2722))).toEqual({ kind: 'weight', grams: 12347n })
  })

  it('skips the time stamp, user id and BMI/height that its flags announce', () => {
    const stamp = [0xea, 0x07, 5, 4, 10, 30, 0] // 2026-05-04 10:30:00
    expect(parseWeightMeasurement(measurement(0x02, 2469, stamp))).toEqual({ kind: 'weight', grams: 12345n })
    expect(parseWeightMeasurement(measurement(0x0e, 2469, [...stamp, 1, 0xf4, 0x00, 0x9c, 0x06]))).toEqual({
      kind: 'weight',
      grams: 12345n,
    })
    // Reading from a DataView in the middle of a larger buffer.
    const buffer = new Uint8Array([9, 9, ...measurement(0x00, 2469)])
    expect(parseWeightMeasurement(new DataView(buffer.buffer, 2, 3))).toEqual({ kind: 'weight', grams: 12345n })
  })

  it('0xFFFF is an unsuccessful measurement', () => {
    expect(parseWeightMeasurement(measurement(0x00, 0xffff))).toEqual({ kind: 'fault' })
  })

  it('drops a value cut short: fewer bytes than its flags announce', () => {
    expect(parseWeightMeasurement(Uint8Array.from([0x00, 0xa5]))).toBeUndefined()
    expect(parseWeightMeasurement(Uint8Array.from([]))).toBeUndefined()
    expect(parseWeightMeasurement(measurement(0x02, 2469, [0xea, 0x07, 5]))).toBeUndefined()
    expect(parseWeightMeasurement(measurement(0x04, 2469))).toBeUndefined()
    expect(parseWeightMeasurement(measurement(0x08, 2469, [1, 2, 3]))).toBeUndefined()
  })
})

describe('a serial scale line', () => {
  it('reads the ST/US header formats: stable, unstable, gross, net', () => {
    expect(parseScaleLine('ST,GS,+  12.345kg')).toEqual({ kind: 'weight', grams: 12345n, stable: true })
    expect(parseScaleLine('US,GS,+  12.340kg')).toEqual({ kind: 'weight', grams: 12340n, stable: false })
    expect(parseScaleLine('ST,NT,+   9.870kg')).toEqual({ kind: 'weight', grams: 9870n, stable: true, net: true })
    expect(parseScaleLine('ST,GS,-   0.020kg')).toEqual({ kind: 'weight', grams: -20n, stable: true })
    expect(parseScaleLine('ST,+00012.345 kg')).toEqual({ kind: 'weight', grams: 12345n, stable: true })
    expect(parseScaleLine('st,gs,+  27.22lb')).toEqual({ kind: 'weight', grams: 12347n, stable: true })
    expect(parseScaleLine('ST,GS,+ 12345.0 g')).toEqual({ kind: 'weight', grams: 12345n, stable: true })
  })

  it('reads an overload, in any of its spellings', () => {
    expect(parseScaleLine('OL,GS,+99999.99kg')).toEqual({ kind: 'overload' })
    expect(parseScaleLine('OL')).toEqual({ kind: 'overload' })
    expect(parseScaleLine('  O-L ')).toEqual({ kind: 'overload' })
    expect(parseScaleLine('S +')).toEqual({ kind: 'overload' })
    expect(parseScaleLine('S -')).toEqual({ kind: 'fault' })
  })

  it("reads Mettler Toledo's MT-SICS", () => {
    expect(parseScaleLine('S S      12.345 kg')).toEqual({ kind: 'weight', grams: 12345n, stable: true })
    expect(parseScaleLine('S D      12.340 kg')).toEqual({ kind: 'weight', grams: 12340n, stable: false })
    expect(parseScaleLine('S I')).toBeUndefined()
  })

  it('reads a bare weight, with or without a unit (kg by default)', () => {
    expect(parseScaleLine('  12.345 kg')).toEqual({ kind: 'weight', grams: 12345n })
    expect(parseScaleLine('+0012.345kg')).toEqual({ kind: 'weight', grams: 12345n })
    expect(parseScaleLine('GS: 12.345kg')).toEqual({ kind: 'weight', grams: 12345n })
    expect(parseScaleLine('NT  9.870 kg')).toEqual({ kind: 'weight', grams: 9870n, net: true })
    expect(parseScaleLine('  12.345')).toEqual({ kind: 'weight', grams: 12345n })
    expect(parseScaleLine('  12.345', 'lb')).toEqual({ kind: 'weight', grams: 5600n })
    expect(parseScaleLine('850 g')).toEqual({ kind: 'weight', grams: 850n })
    expect(parseScaleLine('1.5 lbs')).toEqual({ kind: 'weight', grams: 680n })
  })

  it('takes the STX/ETX framing off', () => {
    expect(kgOf(parseScaleLine('\x02ST,GS,+  12.345kg\x03'))).toBe('12.345')
  })

  it('drops noise, frames cut short and lines that are no weight', () => {
    for (const line of [
      '',
      '   ',
      'ST,GS,+  12.3', // cut before its unit
      'ST,GS,+  12.345k', // cut inside its unit
      'ST,GS,', // cut after its header
      'ST,GS,+  12.345kgkg', // garbled after its unit
      'ST,GS,+  12.\uFFFD45kg', // a byte the decoder could not read
      'ST,GS,+  12.345kg\x00',
      '\x00\x7f\x1b',
      'T,GS,+  12.345kg', // lost its first byte
      '12345', // a whole number with no unit: a counter, a code
      'ST,TR,+   1.000kg', // a tare line, not a weight
      'hello scale',
      '12.34.5 kg',
      '123456789.5 kg',
    ])
      expect(parseScaleLine(line), JSON.stringify(line)).toBeUndefined()
  })
})

describe('the line splitter', () => {
  it('puts lines cut across chunks back together, with any line break', () => {
    const lines = new LineSplitter({ dropFirst: false })
    expect(lines.push('ST,GS,+  1')).toEqual([])
    expect(lines.push('2.345kg\r')).toEqual(['ST,GS,+  12.345kg'])
    expect(lines.push('\nUS,GS,+  12.3')).toEqual([])
    expect(lines.push('40kg\nST,GS,+  12.345kg\r\nST')).toEqual(['US,GS,+  12.340kg', 'ST,GS,+  12.345kg'])
    expect(lines.push(',GS,+  12.350kg\n\n\r\n')).toEqual(['ST,GS,+  12.350kg'])
  })

  it('drops the partial line the stream starts in', () => {
    const lines = new LineSplitter()
    expect(lines.push('.345kg\r\nST,GS,+  12.345kg\r\n')).toEqual(['ST,GS,+  12.345kg'])
    // One byte at a time, from a clean start.
    const bytewise = new LineSplitter()
    const out = [...'\r\nST,GS,+  1.000kg\r\n'].flatMap((ch) => bytewise.push(ch))
    expect(out).toEqual(['ST,GS,+  1.000kg'])
  })

  it('drops a line that grows too long with no break (noise), up to the next break', () => {
    const lines = new LineSplitter({ dropFirst: false, maxLength: 32 })
    expect(lines.push('x'.repeat(20))).toEqual([])
    expect(lines.push('y'.repeat(20))).toEqual([])
    expect(lines.push('zz\r\nST,GS,+  12.345kg\r\n')).toEqual(['ST,GS,+  12.345kg'])
  })

  it('reads a noisy stream into the weights it carries, and nothing else', () => {
    const stream = [
      '345kg\r\n', // joined in the middle of a frame
      'US,GS,+  11.9',
      '80kg\r\nUS,GS,+  12.34',
      '0kg\r\n\x00\xff\xfe\r\n', // line noise
      'ST,GS,+  12.3\r\n', // a frame cut short
      'ST,GS,+  12.345kg\r',
      '\nOL,GS,+99999.99kg\r\n',
    ]
    const lines = new LineSplitter()
    const readings = stream.flatMap((chunk) => lines.push(chunk)).map((line) => parseScaleLine(line))
    expect(readings.filter(Boolean)).toEqual([
      { kind: 'weight', grams: 11980n, stable: false },
      { kind: 'weight', grams: 12340n, stable: false },
      { kind: 'weight', grams: 12345n, stable: true },
      { kind: 'overload' },
    ])
  })
})
