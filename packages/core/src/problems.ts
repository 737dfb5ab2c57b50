/**
 * The one catalogue of what core says is wrong with a field: each problem's
 * stable kind and its English words, with `{{name}}` for what varies. Every
 * message core's schemas and rules write comes from here (`fieldProblem`),
 * and `readFieldProblem` reads the kind and its values back from such a
 * message, so a screen can say it in the person's language by kind: the
 * messages that cross the wire (the server's VALIDATION_FAILED details) and
 * those kept in a device's queue stay the English texts they have always
 * been.
 *
 *   fieldProblem('decimal_places', { places: 2 })      // "must have at most 2 decimal places"
 *   readFieldProblem('must have at most 2 decimal places')
 *   // { kind: 'decimal_places', params: { places: '2' } }
 *   readFieldProblem('is odd')                           // undefined: not core's words
 */
export const FIELD_PROBLEMS = {
  // A decimal (money.ts, fields.ts)
  not_a_number: 'is not a number',
  decimal_comma: 'is not a number: use a point for decimals, like 12.5',
  whole_number: 'must be a whole number',
  whole_number_up_to: 'must be a whole number up to {{max}}',
  decimal_places: 'must have at most {{places}} decimal places',
  too_large: 'is too large',
  // Before `at_most`, whose words begin the same: a message is read as the first kind it matches.
  max_length: 'must be at most {{max}} characters',
  at_most: 'must be at most {{max}}',
  greater_than_zero: 'must be greater than zero',
  not_negative: 'must not be negative',
  not_zero: 'must not be zero',
  total_too_large: 'times the rate {{rate}} must be at most {{max}}',
  // Text of a shape (fields.ts, settings.ts)
  receipt_number: 'must be a receipt number like KB-1042',
  grade_name: 'must be a short grade name like A or Best',
  date_format: 'must be a date YYYY-MM-DD',
  real_date: 'is not a real date',
  unit_name: 'must be a short unit name like kg or l',
  code_chars: 'may contain letters, digits, dot, dash and underscore',
  bank_account: 'may contain letters, digits, spaces and dashes',
  phone_number: 'must be a phone number: digits, a leading + and spaces or dashes',
  time_zone: 'is not a time zone (e.g. Africa/Nairobi)',
  locale: 'is not a locale (e.g. en-KE)',
  currency_code: 'must be an ISO 4217 code like KES or LKR',
  invalid: 'is not valid',
  min_length: 'must be at least {{min}} characters',
  email: 'is not an email address',
  // Across fields and records
  required: 'required',
  already_used: 'already used',
  not_found: 'not found',
  not_before: 'must not be before {{other}}',
  date_too_late: 'must not be after {{latest}} (today in {{zone}})',
  large_quantity: 'the net quantity is over {{limit}}: confirm it',
  large_amount: 'the amount is over {{limit}}: confirm it',
  tare_over_weight: 'the tare of the containers ({{tare}}) must be less than the weight',
  no_weight_left: 'must leave some weight to pay for',
  grade_required: 'required: one of {{grades}}',
  one_of: 'must be one of {{options}}',
  not_graded: 'this product is not priced by grade',
  quality_required: 'required for a product priced by quality',
  quality_only: 'only for a product priced by quality',
  kind_required: 'required for a deduction of kind {{kind}}',
  kind_unused: 'not used by a deduction of kind {{kind}}',
  over_principal: 'must not be more than the principal',
  settled_overlap: 'overlaps the settled period {{from}}..{{to}}',
  nothing_to_settle: 'nothing to settle in this period',
  too_many_to_reprice: 'at most {{max}} collections at once',
  scale_required: 'required for a weight read from a scale',
  typed_no_scale: 'must be empty for a typed weight',
} as const

export type FieldProblemKind = keyof typeof FIELD_PROBLEMS

/** A field's problem as data: its kind and the values its words name. */
export interface FieldProblem {
  kind: FieldProblemKind
  params: Record<string, string>
}

/** The English words of a problem, its `{{name}}`s filled in from `params`. */
export function fieldProblem(kind: FieldProblemKind, params: Record<string, string | number> = {}): string {
  return FIELD_PROBLEMS[kind].replace(/{{(\w+)}}/g, (_, name: string) => String(params[name] ?? `{{${name}}}`))
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Each kind's words as an anchored pattern, a named group per `{{name}}`. */
const PATTERNS = (Object.entries(FIELD_PROBLEMS) as Array<[FieldProblemKind, string]>).map(([kind, words]) => {
  const source = words
    .split(/({{\w+}})/)
    .map((part) => {
      const name = /^{{(\w+)}}$/.exec(part)?.[1]
      return name ? `(?<${name}>.+?)` : literal(part)
    })
    .join('')
  return { kind, pattern: new RegExp(`^${source}$`) }
})

/** The kind and values of a message core wrote (`fieldProblem`), or undefined for any other text. */
export function readFieldProblem(message: string): FieldProblem | undefined {
  for (const { kind, pattern } of PATTERNS) {
    const match = pattern.exec(message)
    if (match) return { kind, params: { ...match.groups } }
  }
  return undefined
}
