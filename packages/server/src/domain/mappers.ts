/**
 * Row <-> wire mapping for the synced entities: minor units become decimal
 * strings, 0/1 become booleans, JSON text becomes objects. Each entity's
 * table, columns and list options live in one spec.
 */
import {
  type EntityRows,
  type EntityType,
  formatDecimal,
  MONEY_SCALE,
  parseDecimal,
  QUANTITY_SCALE,
} from '@trackvault/core'
import type { Database, SyncedColumns } from '../db/schema'

type DbRow = SyncedColumns & Record<string, unknown>

/** Table name of each synced entity type. */
export const TABLES = {
  supplier: 'suppliers',
  product: 'products',
  product_rate: 'product_rates',
  collection: 'collections',
  payment: 'payments',
} as const satisfies Record<EntityType, keyof Database>

export type EntityTable = (typeof TABLES)[EntityType]

const money = (v: unknown) => formatDecimal(v as bigint | number | string, MONEY_SCALE)
const qty = (v: unknown) => formatDecimal(v as bigint | number | string, QUANTITY_SCALE)
const bool = (v: unknown) => v === 1 || v === true || v === '1'

function common(row: DbRow) {
  return {
    id: row.id,
    version: Number(row.version),
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
    sync_metadata: row.sync_metadata ? (JSON.parse(row.sync_metadata) as Record<string, unknown>) : null,
  }
}

/** Database row -> wire row. */
export function toWire<T extends EntityType>(type: T, row: DbRow): EntityRows[T] {
  const r = row as Record<string, unknown>
  const base = common(row)
  switch (type) {
    case 'supplier':
      return {
        ...base,
        code: r.code,
        name: r.name,
        phone: r.phone,
        email: r.email,
        address: r.address,
        is_active: bool(r.is_active),
      } as EntityRows[T]
    case 'product':
      return {
        ...base,
        code: r.code,
        name: r.name,
        description: r.description,
        default_unit: r.default_unit,
        is_active: bool(r.is_active),
      } as EntityRows[T]
    case 'product_rate':
      return {
        ...base,
        product_id: r.product_id,
        unit: r.unit,
        rate: money(r.rate_minor),
        effective_date: r.effective_date,
        end_date: r.end_date,
        is_active: bool(r.is_active),
      } as EntityRows[T]
    case 'collection':
      return {
        ...base,
        supplier_id: r.supplier_id,
        product_id: r.product_id,
        user_id: r.user_id,
        collection_date: r.collection_date,
        quantity: qty(r.quantity_milli),
        unit: r.unit,
        notes: r.notes,
        product_rate_id: r.product_rate_id,
        rate_applied: money(r.rate_minor),
        total_amount: money(r.total_minor),
      } as EntityRows[T]
    case 'payment':
      return {
        ...base,
        supplier_id: r.supplier_id,
        user_id: r.user_id,
        payment_date: r.payment_date,
        amount: money(r.amount_minor),
        payment_type: r.payment_type,
        payment_method: r.payment_method,
        reference_number: r.reference_number,
        notes: r.notes,
      } as EntityRows[T]
  }
  throw new Error(`unknown entity type ${type satisfies never}`)
}

/**
 * Wire row (as the domain service builds it) -> database columns. `deviceId` is the device that
 * wrote it: kept in the table and in history for audit, never part of the row on the wire.
 */
export function toColumns(wire: EntityRows[EntityType], deviceId: string | null): Record<string, unknown> {
  const w = wire as unknown as Record<string, unknown>
  const out: Record<string, unknown> = {
    id: w.id,
    version: w.version,
    created_at: w.created_at,
    updated_at: w.updated_at,
    deleted_at: w.deleted_at,
    created_by: w.created_by,
    updated_by: w.updated_by,
    device_id: deviceId,
    sync_metadata: w.sync_metadata ? JSON.stringify(w.sync_metadata) : null,
  }
  for (const [key, value] of Object.entries(w)) {
    if (key in out) continue
    switch (key) {
      case 'is_active':
        out.is_active = value ? 1 : 0
        break
      case 'rate':
      case 'rate_applied':
        out.rate_minor = parseDecimal(value as string, MONEY_SCALE).toString()
        break
      case 'total_amount':
        out.total_minor = parseDecimal(value as string, MONEY_SCALE).toString()
        break
      case 'amount':
        out.amount_minor = parseDecimal(value as string, MONEY_SCALE).toString()
        break
      case 'quantity':
        out.quantity_milli = parseDecimal(value as string, QUANTITY_SCALE).toString()
        break
      default:
        out[key] = value
    }
  }
  return out
}
