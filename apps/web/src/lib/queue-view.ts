/**
 * Pure helpers of the sync center: how a queued operation is named, how a
 * conflict is laid out side by side (base, server, yours), what a per-field
 * merge sends, and how a failed operation's payload becomes an editable form
 * and back.
 */
import type { QueuedOp } from '@trackvault/client'
import { ENTITY_SPECS, ENTITY_TYPES, SYNCED_FIELDS } from '@trackvault/core'
import i18next from 'i18next'
import { knownFieldName } from './messages'

/** Fields the server owns on every row (core's entity spec); never shown as something to choose between. */
const SERVER_OWNED = new Set<string>([...SYNCED_FIELDS.filter((f) => f !== 'deleted_at'), '_sync'])

/** Fields set or priced by the server: not editable in a failed operation's form. */
const NOT_EDITABLE = new Set<string>([
  ...SERVER_OWNED,
  'deleted_at',
  ...ENTITY_TYPES.flatMap((t) => ENTITY_SPECS[t].serverFields),
])

type Row = Record<string, unknown>

/** "product_rate" -> "product rate", in the chosen language. */
export function entityLabel(type: string): string {
  return i18next.exists(`entities.${type}`) ? i18next.t(`entities.${type}`) : type.replace(/_/g, ' ')
}

/** Fields that hold the id of another row, and what the screens call that row (never its id). */
export const ID_FIELDS = { supplier_id: 'Supplier', product_id: 'Product', user_id: 'Collector' } as const
export type IdField = keyof typeof ID_FIELDS

const isIdField = (field: string): field is IdField => field in ID_FIELDS

/**
 * Names for the ids an operation holds, by field (a supplier's name for
 * `supplier_id`, ...), read from this device; undefined when not known here.
 */
export type IdNames = Partial<Record<IdField, (id: string) => string | undefined>>

/**
 * "reference_number" -> "Reference number"; "supplier_id" -> "Supplier", "user_id" -> "Collector":
 * in the chosen language (i18n `fields`), else in these words.
 */
export function fieldLabel(field: string): string {
  const known = knownFieldName(field)
  if (known) return known
  if (isIdField(field)) return ID_FIELDS[field]
  const text = field.replace(/_id$/, '').replace(/_/g, ' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** A value as shown in a cell; the id of a supplier, product or user as its name (`names`), never the id itself. */
export function displayValue(value: unknown, field?: string, names: IdNames = {}): string {
  if (value === null || value === undefined || value === '') return '—'
  if (field && isIdField(field) && typeof value === 'string') {
    return names[field]?.(value) ?? i18next.t(`syncWording.unknown_${field}`)
  }
  if (typeof value === 'boolean') return i18next.t(value ? 'syncWording.yes' : 'syncWording.no')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/**
 * A readable name of the row an operation is about: its name or code; for a
 * collection, payment or rate a short description naming its supplier and
 * product when `names` knows them ("Kamau Farm: 12.5 kg Green tea leaf on
 * 2026-11-24"); else its id.
 */
export function opSubject(op: Pick<QueuedOp, 'entity_id' | 'payload' | 'conflict'>, names: IdNames = {}): string {
  const sources = [op.conflict?.server, op.conflict?.base, op.payload, op.conflict?.client].filter((s): s is Row =>
    Boolean(s),
  )
  const pick = (key: string): string | undefined => {
    for (const s of sources) if (typeof s[key] === 'string' && s[key]) return s[key] as string
    return undefined
  }
  const name = pick('name') ?? pick('code')
  if (name) return name
  const named = (field: IdField) => {
    const id = pick(field)
    return id ? names[field]?.(id) : undefined
  }
  const [supplier, product] = [named('supplier_id'), named('product_id')]
  const whose = (text: string, owner = supplier) => (owner ? `${owner}: ${text}` : text)
  const say = (key: string, params: Record<string, string>) => i18next.t(`syncWording.${key}`, params)
  const [quantity, unit, collected] = [pick('quantity'), pick('unit'), pick('collection_date')]
  if (quantity && unit && collected) {
    const params = { quantity, unit, date: collected }
    return whose(product ? say('subjectCollectionOf', { ...params, product }) : say('subjectCollection', params))
  }
  const [amount, paid] = [pick('amount'), pick('payment_date')]
  if (amount && paid) return whose(say('subjectPayment', { amount, date: paid }))
  const [rate, from] = [pick('rate'), pick('effective_date')]
  if (rate && unit && from) return whose(say('subjectRate', { rate, unit, date: from }), product)
  return op.entity_id
}

/** Like opSubject, also reading the row as this device shows it (an update's delta may not carry the name). */
export function opSubjectWithRow(
  op: Pick<QueuedOp, 'entity_id' | 'payload' | 'conflict'>,
  row: Record<string, unknown> | undefined,
  names: IdNames = {},
): string {
  return opSubject({ ...op, payload: { ...(row ?? {}), ...op.payload } as QueuedOp['payload'] }, names)
}

export interface ConflictRow {
  field: string
  base: unknown
  server: unknown
  yours: unknown
  /** Changed on both sides (listed in conflict.fields): the ones a person must choose. */
  inConflict: boolean
  /** The device changed this field. */
  changedHere: boolean
}

/** The rows of a conflict: every field in conflict, then the other fields the device changed. */
export function conflictRows(op: Pick<QueuedOp, 'operation_type' | 'conflict'>): ConflictRow[] {
  const c = op.conflict
  if (!c) return []
  const base = (c.base ?? {}) as Row
  const server = (c.server ?? {}) as Row
  const client = (c.client ?? {}) as Row
  const fields: string[] = []
  for (const f of [...c.fields, ...Object.keys(client)]) {
    if (fields.includes(f)) continue
    if (SERVER_OWNED.has(f)) continue
    fields.push(f)
  }
  if (op.operation_type === 'delete' && !fields.includes('deleted_at')) fields.unshift('deleted_at')
  return fields.map((field) => {
    const changedHere = field in client
    let yours: unknown = changedHere ? client[field] : base[field]
    if (op.operation_type === 'delete' && field === 'deleted_at') yours = i18next.t('syncWording.deletedByYou')
    return {
      field,
      base: base[field],
      server: server[field],
      yours,
      inConflict: c.fields.includes(field),
      changedHere,
    }
  })
}

/** The server row was deleted: only "Use server data" can settle it. */
export function serverDeleted(op: Pick<QueuedOp, 'conflict'>): boolean {
  return Boolean((op.conflict?.server as Row | undefined)?.deleted_at)
}

/** A per-field merge makes sense: an update or create, fields to choose, the row still there. */
export function canMerge(op: Pick<QueuedOp, 'operation_type' | 'conflict'>): boolean {
  const c = op.conflict
  if (!c || op.operation_type === 'delete' || serverDeleted(op)) return false
  return mergeableFields(op).length > 0
}

/** The fields offered for a per-field choice. */
export function mergeableFields(op: Pick<QueuedOp, 'operation_type' | 'conflict'>): string[] {
  return conflictRows(op)
    .filter((r) => r.inConflict && r.field !== 'deleted_at')
    .map((r) => r.field)
}

export type Side = 'server' | 'yours'

/**
 * What a merge sends: the device's changes that are not in conflict (kept),
 * plus, for each field in conflict, the value chosen (server's or yours;
 * the server's when nothing was chosen).
 */
export function mergeFields(
  op: Pick<QueuedOp, 'operation_type' | 'conflict'>,
  choice: Record<string, Side>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const row of conflictRows(op)) {
    if (row.field === 'deleted_at') continue
    if (!row.inConflict) {
      if (row.changedHere) out[row.field] = row.yours
      continue
    }
    out[row.field] = choice[row.field] === 'yours' ? row.yours : row.server
  }
  return out
}

export interface EditField {
  key: string
  /** How it is edited: a checkbox, a number or text input, or the picker of a supplier, product or user (`ID_FIELDS`). */
  kind: 'boolean' | 'number' | 'text' | IdField
  /** The form's value: a string for text and number fields, a boolean for checkboxes. */
  value: string | boolean
  /** The original was null: an empty input goes back as null. */
  nullable: boolean
}

/**
 * A failed operation's payload as form fields: server-owned fields left out;
 * a supplier, product or user id as a picker (`kind` names which); other ids
 * left out too (they go back unchanged).
 */
export function payloadToForm(payload: Record<string, unknown>): EditField[] {
  return Object.entries(payload)
    .filter(([key]) => !NOT_EDITABLE.has(key) && (isIdField(key) || !key.endsWith('_id')))
    .map(([key, value]): EditField => {
      if (isIdField(key))
        return { key, kind: key, value: typeof value === 'string' ? value : '', nullable: value === null }
      if (typeof value === 'boolean') return { key, kind: 'boolean', value, nullable: false }
      if (typeof value === 'number') return { key, kind: 'number', value: String(value), nullable: false }
      if (value === null || value === undefined) return { key, kind: 'text', value: '', nullable: true }
      if (typeof value === 'object') return { key, kind: 'text', value: JSON.stringify(value), nullable: false }
      return { key, kind: 'text', value: String(value), nullable: false }
    })
}

/**
 * The edited form back to a payload: the original with each edited field
 * replaced. An emptied text field becomes null (the server says if that is
 * allowed); numbers stay numbers when they parse.
 */
export function formToPayload(
  original: Record<string, unknown>,
  fields: EditField[],
  values: Record<string, string | boolean>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...original }
  for (const f of fields) {
    const v = values[f.key] ?? f.value
    if (f.kind === 'boolean') out[f.key] = Boolean(v)
    else if (isIdField(f.kind)) out[f.key] = String(v) || (f.nullable ? null : original[f.key])
    else if (f.kind === 'number') {
      const text = String(v).trim()
      out[f.key] = text === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text
    } else {
      const text = String(v)
      out[f.key] = text.trim() === '' ? null : text
    }
  }
  return out
}
