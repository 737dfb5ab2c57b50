/**
 * Row <-> wire mapping for the synced entities, derived from core's entity spec: decimals are
 * stored as integer minor units and answered as decimal strings, booleans are stored as 0/1, JSON
 * as text. A field's column has the field's name unless `COLUMNS` says otherwise.
 */
import { ENTITY_SPECS, type EntityRows, type EntityType, formatDecimal, parseDecimal } from '@trackvault/core'
import type { Database, SyncedColumns } from '../db/schema'

type DbRow = SyncedColumns & Record<string, unknown>

/** Table name of each synced entity type. */
export const TABLES = {
  supplier: 'suppliers',
  product: 'products',
  product_rate: 'product_rates',
  collection: 'collections',
  payment: 'payments',
  deduction: 'deductions',
  settlement_run: 'settlement_runs',
  settlement_line: 'settlement_lines',
  route: 'routes',
  route_assignment: 'route_assignments',
} as const satisfies Record<EntityType, keyof Database>

export type EntityTable = (typeof TABLES)[EntityType]

/** Columns named unlike their field: decimals stored in minor units say so in their name. */
const COLUMNS: Readonly<Record<string, string>> = {
  rate: 'rate_minor',
  rate_applied: 'rate_minor',
  total_amount: 'total_minor',
  amount: 'amount_minor',
  quantity: 'quantity_milli',
  tare_per_container: 'tare_milli',
  deduction_percent: 'deduction_hundredths',
  net_quantity: 'net_milli',
  fat_rate: 'fat_rate_minor',
  snf_rate: 'snf_rate_minor',
  fat_percent: 'fat_hundredths',
  snf_percent: 'snf_hundredths',
  principal: 'principal_minor',
  instalment: 'instalment_minor',
  floor: 'floor_minor',
  gross: 'gross_minor',
  advances: 'advances_minor',
  deducted: 'deducted_minor',
  net_payable: 'net_payable_minor',
  payout: 'payout_minor',
  carried_forward: 'carried_forward_minor',
  opening: 'opening_minor',
  available: 'available_minor',
}

/** The column a wire field is stored in. */
export const columnOf = (field: string): string => COLUMNS[field] ?? field

const bool = (v: unknown) => v === 1 || v === true || v === '1'

/** Database row -> wire row. */
export function toWire<T extends EntityType>(type: T, row: DbRow): EntityRows[T] {
  const spec = ENTITY_SPECS[type]
  const out: Record<string, unknown> = {
    id: row.id,
    version: Number(row.version),
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
    sync_metadata: row.sync_metadata ? (JSON.parse(row.sync_metadata) as Record<string, unknown>) : null,
  }
  for (const field of Object.keys(spec.row.shape)) {
    if (field in out) continue
    const value = row[columnOf(field)]
    const scale = spec.decimals[field]
    if (scale !== undefined)
      out[field] = value === null ? null : formatDecimal(value as bigint | number | string, scale)
    else if (spec.booleans.includes(field)) out[field] = bool(value)
    else if (spec.lists.includes(field)) out[field] = value ? JSON.parse(value as string) : []
    else out[field] = value
  }
  return out as unknown as EntityRows[T]
}

/**
 * Wire row (as the domain service builds it) -> database columns. `deviceId` is the device that
 * wrote it: kept in the table and in history for audit, never part of the row on the wire.
 */
export function toColumns(
  type: EntityType,
  wire: EntityRows[EntityType],
  deviceId: string | null,
): Record<string, unknown> {
  const spec = ENTITY_SPECS[type]
  const out: Record<string, unknown> = { device_id: deviceId }
  for (const [field, value] of Object.entries(wire as unknown as Record<string, unknown>)) {
    const scale = spec.decimals[field]
    if (field === 'sync_metadata') out[field] = value ? JSON.stringify(value) : null
    else if (scale !== undefined)
      out[columnOf(field)] = value === null ? null : parseDecimal(value as string, scale).toString()
    else if (spec.booleans.includes(field)) out[field] = value ? 1 : 0
    else if (spec.lists.includes(field)) out[field] = JSON.stringify(value ?? [])
    else out[field] = value
  }
  return out
}
