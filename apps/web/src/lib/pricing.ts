/**
 * Collection pricing for the screens: what is typed, weighed and priced by
 * core's rules (`netQuantity`, `priceCollection`: the server's too), exactly:
 * decimal strings at the edges, BigInt minor units in between, never floats.
 *
 *   const quote = quoteCollection(rates, { product_id, unit: 'kg', date: '2024-05-01', quantity: '52',
 *     tare_per_container: '0.75', containers: '2', deduction_percent: '4' })
 *   quote.net?.net // "48.480"; quote.amount // "5817.60" with a 120.00 rate in force
 */
import {
  collectionInput,
  fieldProblem,
  formatDecimal,
  MAX_CONTAINERS,
  netQuantity,
  priceCollection,
  QUANTITY_SCALE,
  type RatePeriod,
  resolveRate,
  sumMoney,
  tryParseDecimal,
} from '@trackvault/core'

/** A unit as the server stores it: trimmed, lower case. */
export const normaliseUnit = (unit: string): string => unit.trim().toLowerCase()

export interface QuoteInput {
  product_id: string
  unit: string
  /** YYYY-MM-DD */
  date: string
  /** The gross quantity as typed, e.g. "50.5". */
  quantity: string
  /** The weighing, as typed; blank means none. */
  tare_per_container?: string
  containers?: string
  deduction_percent?: string
  /** Graded products: the grade chosen ('' or undefined: none). */
  grade?: string
  /** Quality products: the readings as typed. */
  fat_percent?: string
  snf_percent?: string
}

/** The typed fields of a collection a quote checks. */
export type QuoteField =
  | 'quantity'
  | 'tare_per_container'
  | 'containers'
  | 'deduction_percent'
  | 'fat_percent'
  | 'snf_percent'

/** The collection's fields as a device sends them (normalised by core's schema), from what is typed. */
export interface WeighedFields {
  quantity: string
  tare_per_container: string
  containers: number
  deduction_percent: string
  grade: string | null
  fat_percent: string | null
  snf_percent: string | null
}

export interface Quote<R extends RatePeriod = RatePeriod> {
  /** The rate in force for product, unit (grade) and date, if one is known locally. */
  rate: R | undefined
  /** The rate per unit it gives this collection (a quality formula's result); undefined without one. */
  perUnit: string | undefined
  /** Gross less tare and deduction, when the weighing is usable. */
  net: { net: string; tare: string; deduction: string } | undefined
  /** Why a typed field cannot be used, per field (blank counts as fine: the form reports "required"). */
  problems: Partial<Record<QuoteField, string>>
  /** The quantity's problem (also a total over the maximum amount); undefined when blank or fine. */
  quantityProblem: string | undefined
  /** net x rate rounded half up to cents, as a money string; undefined without a rate or a usable weighing. */
  amount: string | undefined
  /** The fields to send, when every typed field is usable. */
  fields: WeighedFields | undefined
}

const SHAPE = collectionInput.shape

/** A typed decimal checked by core's schema of `field`: its normalised value, or the problem. */
function checked(field: QuoteField, text: string): { value?: string; problem?: string } {
  const parsed = SHAPE[field].safeParse(text.trim())
  if (parsed.success) return { value: parsed.data as string }
  return { problem: parsed.error.issues[0]?.message ?? fieldProblem('not_a_number') }
}

/** Why a typed quantity is unusable, or undefined (blank counts as fine: the form reports "required" on save). */
export function quantityProblem(text: string): string | undefined {
  if (text.trim() === '') return undefined
  return checked('quantity', text).problem
}

/** The typed fields, each checked by core's schema: the values to send, or the problems per field. */
export function weighedFields(input: QuoteInput): {
  fields: WeighedFields | undefined
  problems: Partial<Record<QuoteField, string>>
} {
  const problems: Partial<Record<QuoteField, string>> = {}
  const decimal = (field: QuoteField, text: string | undefined, blank: string | null) => {
    if (!text?.trim()) return blank
    const out = checked(field, text)
    if (out.problem) problems[field] = out.problem
    return out.value ?? blank
  }
  const quantity = input.quantity.trim() ? decimal('quantity', input.quantity, null) : null
  const tare = decimal('tare_per_container', input.tare_per_container, '0.000') as string
  const deduction = decimal('deduction_percent', input.deduction_percent, '0.00') as string
  const fat = decimal('fat_percent', input.fat_percent, null)
  const snf = decimal('snf_percent', input.snf_percent, null)
  const containersText = input.containers?.trim() ?? ''
  const containers = SHAPE.containers.safeParse(containersText === '' ? 0 : Number(containersText))
  if (!/^\d*$/.test(containersText) || !containers.success)
    problems.containers = fieldProblem('whole_number_up_to', { max: MAX_CONTAINERS })
  if (quantity === null || Object.keys(problems).length > 0) return { fields: undefined, problems }
  return {
    fields: {
      quantity,
      tare_per_container: tare,
      containers: containers.success ? containers.data : 0,
      deduction_percent: deduction,
      grade: input.grade?.trim() ? input.grade.trim() : null,
      fat_percent: fat,
      snf_percent: snf,
    },
    problems,
  }
}

/** The net quantity, the rate in force and the amount for what is typed in the collection form (core's rules). */
export function quoteCollection<R extends RatePeriod>(rates: Iterable<R>, input: QuoteInput): Quote<R> {
  const unit = normaliseUnit(input.unit)
  const grade = input.grade?.trim() ? input.grade.trim() : null
  const rate =
    input.product_id && unit && input.date ? resolveRate(rates, input.product_id, unit, input.date, grade) : undefined
  const { fields, problems } = weighedFields(input)
  const none = { rate, perUnit: undefined, net: undefined, amount: undefined }
  if (!fields) return { ...none, problems, quantityProblem: problems.quantity, fields }
  const weighed = netQuantity(fields)
  if (!weighed.ok) {
    const all = { ...problems, [weighed.field]: weighed.message }
    return { ...none, problems: all, quantityProblem: undefined, fields: undefined }
  }
  const net = { net: weighed.net, tare: weighed.tare, deduction: weighed.deduction }
  const price = rate
    ? priceCollection([rate], {
        ...fields,
        product_id: input.product_id,
        unit,
        collection_date: input.date,
        quantity: net.net,
      })
    : undefined
  if (!price?.ok) {
    // The server refuses a total over the maximum amount; the form says so before saving.
    const tooLarge = price?.reason === 'too_large' ? price.message : undefined
    const all = tooLarge ? { ...problems, quantity: tooLarge } : problems
    return { ...none, net, problems: all, quantityProblem: tooLarge, fields: tooLarge ? undefined : fields }
  }
  return {
    rate,
    perUnit: price.price.rate_applied,
    net,
    problems,
    quantityProblem: undefined,
    amount: price.price.total_amount,
    fields,
  }
}

/** A collection's weighing as its receipt reads it: quantities without trailing zeros. */
export interface WeighingText {
  gross: string
  containers: number
  tarePerContainer: string
  /** tare x containers */
  tare: string
  deductionPercent: string
  deduction: string
  net: string
}

/** The weighing of a stored (or typed) collection, net by core's rule; undefined if it does not weigh. */
export function weighingText(row: {
  quantity: string
  tare_per_container?: string | null
  containers?: number | null
  deduction_percent?: string | null
}): WeighingText | undefined {
  const weighing = {
    quantity: row.quantity,
    tare_per_container: row.tare_per_container ?? '0',
    containers: row.containers ?? 0,
    deduction_percent: row.deduction_percent ?? '0',
  }
  let out: ReturnType<typeof netQuantity>
  try {
    out = netQuantity(weighing)
  } catch {
    return undefined
  }
  if (!out.ok) return undefined
  return {
    gross: trimQuantity(weighing.quantity),
    containers: weighing.containers,
    tarePerContainer: trimQuantity(weighing.tare_per_container),
    tare: trimQuantity(out.tare),
    deductionPercent: trimQuantity(weighing.deduction_percent),
    deduction: trimQuantity(out.deduction),
    net: trimQuantity(out.net),
  }
}

/** "52 − 2 × 0.75 − 4% (2.02) = 48.48 kg"; just "12.5 kg" when nothing is taken off. */
export function weighingLine(w: WeighingText, unit: string): string {
  const parts = [w.gross]
  if (w.tare !== '0') parts.push(`${w.containers} × ${w.tarePerContainer}`)
  if (w.deductionPercent !== '0') parts.push(`${w.deductionPercent}% (${w.deduction})`)
  return parts.length === 1 ? `${w.net} ${unit}` : `${parts.join(' − ')} = ${w.net} ${unit}`
}

/** Exact quantity totals per unit, units in alphabetical order: [{ unit: 'kg', total: '75.500' }]. */
export function quantitiesByUnit(
  rows: Iterable<{ quantity: string; unit: string }>,
): Array<{ unit: string; total: string }> {
  const totals = new Map<string, bigint>()
  for (const row of rows) {
    const milli = tryParseDecimal(row.quantity, QUANTITY_SCALE)
    if (milli === undefined) continue
    totals.set(row.unit, (totals.get(row.unit) ?? 0n) + milli)
  }
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([unit, milli]) => ({ unit, total: formatDecimal(milli, QUANTITY_SCALE) }))
}

export interface CollectionTotals {
  count: number
  byUnit: Array<{ unit: string; total: string }>
  /** Sum of the priced collections. */
  amount: string
  /** Collections with no amount yet (no rate known offline). */
  unpriced: number
}

/** Count, net quantity per unit (what is paid for) and amount of a set of collections, exactly. */
export function collectionTotals(
  rows: ReadonlyArray<{ quantity: string; net_quantity?: string | null; unit: string; total_amount: string | null }>,
): CollectionTotals {
  const { total, missing } = sumMoney(rows.map((r) => r.total_amount))
  const net = rows.map((r) => ({ unit: r.unit, quantity: r.net_quantity ?? r.quantity }))
  return { count: rows.length, byUnit: quantitiesByUnit(net), amount: total, unpriced: missing }
}

/** "50.500" -> "50.5", "12.000" -> "12": quantities read better without trailing zeros. */
export function trimQuantity(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—'
  return value.includes('.') ? value.replace(/\.?0+$/, '') : value
}
