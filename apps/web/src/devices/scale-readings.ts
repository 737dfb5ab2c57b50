/**
 * What a scale says, read into one shape: a weight in whole grams (thousandths
 * of a kilogram, the app's quantity scale: integers, never a float), an
 * overload, or a fault. Two sources:
 *
 * - the Bluetooth Weight Measurement characteristic (0x2A9D of the Weight
 *   Scale Service 0x181D): a flags byte (bit 0: 0 = SI, the weight in units of
 *   0.005 kg; 1 = imperial, units of 0.01 lb; bit 1: a 7-byte time stamp
 *   follows; bit 2: a user id byte; bit 3: BMI and height, 2 bytes each), then
 *   the weight, uint16 little-endian; 0xFFFF is "measurement unsuccessful";
 * - a line of a serial scale's output, in the formats common indicators print:
 *   `ST,GS,+  12.345kg` (ST stable, US unstable, OL overload; GS gross, NT
 *   net), Mettler Toledo's MT-SICS `S S      12.345 kg` (S stable, D dynamic;
 *   `S +` overload, `S -` underload), and a bare weight `  12.345 kg` or
 *   `GS: 12.345kg` (no unit: the default unit, kg, and then it needs a decimal
 *   point: a bare whole number is too likely something else). Units kg, g, lb
 *   and oz.
 *
 * A serial stream arrives in chunks that cut lines anywhere; `LineSplitter`
 * puts them back together. Anything that is not one of these formats, has a
 * byte outside printable ASCII (line noise), or was cut short (no unit after
 * an ST/US header, too few bytes for the flags) reads as nothing: it is
 * dropped, never turned into a weight.
 */
import { divRoundHalfUp, formatDecimal, QUANTITY_SCALE } from '@trackvault/core'

export type WeightUnit = 'kg' | 'g' | 'lb' | 'oz'

export type ScaleReading =
  | {
      kind: 'weight'
      /** Thousandths of a kilogram (grams), rounded half away from zero. May be zero or negative. */
      grams: bigint
      /** What the scale said about it: stable (ST, S S), moving (US, S D), or nothing (Bluetooth, a bare weight). */
      stable?: boolean
      /** The scale shows a net weight (its own tare taken off): NT. */
      net?: boolean
    }
  | { kind: 'overload' }
  /** The scale could not weigh: Bluetooth's "measurement unsuccessful", MT-SICS underload. */
  | { kind: 'fault' }

/** A unit's size in grams as a fraction: 1 lb = 453.59237 g and 1 oz = 28.349523125 g exactly. */
const GRAMS_PER: Record<WeightUnit, { num: bigint; den: bigint }> = {
  kg: { num: 1000n, den: 1n },
  g: { num: 1n, den: 1n },
  lb: { num: 45359237n, den: 100000n },
  oz: { num: 28349523125n, den: 1000000000n },
}

/** "12.345", "kg" -> 12345n grams; a weight with more digits than a scale has (7 whole, 4 decimal) is none. */
export function toGrams(text: string, unit: WeightUnit): bigint | undefined {
  const match = /^([+-])?(\d{1,7})(?:\.(\d{1,4}))?$/.exec(text)
  if (!match) return undefined
  const [, sign, whole, fraction = ''] = match
  const { num, den } = GRAMS_PER[unit]
  const grams = divRoundHalfUp(BigInt(whole + fraction) * num, den * 10n ** BigInt(fraction.length))
  return sign === '-' ? -grams : grams
}

/** Grams as the kilograms a collection records: 12345n -> "12.345". */
export const gramsToKg = (grams: bigint): string => formatDecimal(grams, QUANTITY_SCALE)

/**
 * A weight as a collection's quantity in `unit` ("kg" -> "12.345", "g" -> "12345"), and the unit (kg when
 * none is chosen yet); undefined for a unit that is no weight a scale gives (litres).
 */
export function quantityIn(grams: bigint, unit: string): { quantity: string; unit: string } | undefined {
  const u = unit.trim().toLowerCase()
  if (u === 'kg' || u === '') return { quantity: gramsToKg(grams), unit: 'kg' }
  if (u === 'g') return { quantity: grams.toString(), unit: 'g' }
  return undefined
}

// --- Bluetooth: Weight Measurement (0x2A9D) -------------------------------------------------

const IMPERIAL = 0x01
const TIME_STAMP = 0x02
const USER_ID = 0x04
const BMI_HEIGHT = 0x08
const UNSUCCESSFUL = 0xffff

/** One Weight Measurement value; undefined when it is shorter than its flags say (cut short). */
export function parseWeightMeasurement(value: DataView | Uint8Array): ScaleReading | undefined {
  const view = value instanceof DataView ? value : new DataView(value.buffer, value.byteOffset, value.byteLength)
  if (view.byteLength < 3) return undefined
  const flags = view.getUint8(0)
  const length = 3 + (flags & TIME_STAMP ? 7 : 0) + (flags & USER_ID ? 1 : 0) + (flags & BMI_HEIGHT ? 4 : 0)
  if (view.byteLength < length) return undefined
  const raw = view.getUint16(1, true)
  if (raw === UNSUCCESSFUL) return { kind: 'fault' }
  // SI: 0.005 kg = 5 g exactly; imperial: 0.01 lb = 4.5359237 g, rounded to the gram.
  const grams = flags & IMPERIAL ? divRoundHalfUp(BigInt(raw) * 45359237n, 10000000n) : BigInt(raw) * 5n
  return { kind: 'weight', grams }
}

// --- Serial: one line ---------------------------------------------------------------------

const UNIT = '(kg|g|lbs?|oz)'
const NUMBER = '([+-])?\\s*(\\d+(?:\\.\\d+)?)'
/** `ST,GS,+  12.345kg`: stability header, optional gross/net field, the weight with its unit. */
const HEADED = /^(ST|US|OL)\s*,\s*(?:(GS|GW|NT|NW)\s*,\s*)?(.*)$/i
/** What follows the header: the weight and its unit, nothing else. */
const HEADED_WEIGHT = new RegExp(`^${NUMBER}\\s*${UNIT}$`, 'i')
/** MT-SICS: `S S      12.345 kg`, `S D      12.340 kg`. */
const SICS = new RegExp(`^S\\s+([SD])\\s+${NUMBER}\\s*${UNIT}$`, 'i')
/** A bare weight, maybe named gross or net: `  12.345 kg`, `GS: 12.345kg`, `+0012.345`. */
const BARE = new RegExp(`^(?:(GS|GW|NT|NW|WT|G|N)\\s*[:=,]?\\s*)?${NUMBER}\\s*${UNIT}?$`, 'i')
const OVERLOAD = /^(OL|O-L|OVER|OVERLOAD|S\s+\+)$/i

const unitOf = (text: string | undefined, fallback: WeightUnit): WeightUnit => {
  const unit = (text ?? fallback).toLowerCase()
  return unit === 'lbs' ? 'lb' : (unit as WeightUnit)
}
const isNet = (field: string | undefined) => field !== undefined && /^N/i.test(field)

const STX = '\x02'
const ETX = '\x03'
/** The line without the STX before it and the ETX after it. */
const unframed = (line: string) => line.slice(line.startsWith(STX) ? 1 : 0, line.endsWith(ETX) ? -1 : undefined)

/**
 * One line of a serial scale (without its line break); undefined for anything
 * else: noise, a frame cut short, a tare or counting line, a command's answer.
 */
export function parseScaleLine(line: string, defaultUnit: WeightUnit = 'kg'): ScaleReading | undefined {
  // STX/ETX framing around the line is common; any other control or non-ASCII byte is noise.
  const text = unframed(line).trim()
  if (text === '' || /[^\x20-\x7e]/.test(text)) return undefined
  if (OVERLOAD.test(text)) return { kind: 'overload' }
  if (/^S\s+-$/i.test(text)) return { kind: 'fault' }

  const headed = HEADED.exec(text)
  if (headed) {
    const [, header, field, rest] = headed
    if (header.toUpperCase() === 'OL') return { kind: 'overload' }
    // A header with no weight and unit after it, or something after the unit, was cut or garbled.
    const parts = HEADED_WEIGHT.exec(rest)
    if (!parts) return undefined
    const [, sign, digits, unit] = parts
    return weight(sign, digits, unitOf(unit, defaultUnit), header.toUpperCase() === 'ST', isNet(field))
  }
  const sics = SICS.exec(text)
  if (sics) {
    const [, state, sign, digits, unit] = sics
    return weight(sign, digits, unitOf(unit, defaultUnit), state.toUpperCase() === 'S', false)
  }
  const bare = BARE.exec(text)
  if (bare) {
    const [, field, sign, digits, unit] = bare
    // A whole number with no unit is too likely a counter or a code to be read as kilograms.
    if (unit === undefined && !digits.includes('.')) return undefined
    return weight(sign, digits, unitOf(unit, defaultUnit), undefined, isNet(field))
  }
  return undefined
}

function weight(
  sign: string | undefined,
  digits: string,
  unit: WeightUnit,
  stable: boolean | undefined,
  net: boolean,
): ScaleReading | undefined {
  const grams = toGrams(`${sign ?? ''}${digits}`, unit)
  if (grams === undefined) return undefined
  return { kind: 'weight', grams, ...(stable === undefined ? {} : { stable }), ...(net ? { net } : {}) }
}

/**
 * Puts a serial stream's chunks back into lines (ended by CR, LF or CR LF).
 * What came before the first line break is dropped (the port was opened in the
 * middle of a line), and so is a "line" longer than `maxLength` with no break
 * (noise, or a stream that is not a scale's): everything up to the next break.
 */
export class LineSplitter {
  private buffer = ''
  /** Dropping the rest of a line: the start of the stream, or one that grew too long. */
  private skipping: boolean

  constructor(private readonly options: { maxLength?: number; dropFirst?: boolean } = {}) {
    this.skipping = options.dropFirst ?? true
  }

  /** The lines `chunk` completes, without their breaks; empty lines are left out. */
  push(chunk: string): string[] {
    const max = this.options.maxLength ?? 128
    const lines: string[] = []
    const parts = (this.buffer + chunk).split(/\r\n|\r|\n/)
    this.buffer = parts.pop() ?? ''
    for (const part of parts) {
      if (this.skipping) this.skipping = false
      else if (part !== '' && part.length <= max) lines.push(part)
    }
    if (this.buffer.length > max) {
      this.buffer = ''
      this.skipping = true
    }
    return lines
  }
}
