/**
 * Typed views of the local replica's rows for the collection and payment
 * screens. Rows come from `client.<entity>.list()` / `get()` as generic view
 * rows; these interfaces name the fields the screens read.
 */
import type { OpStatus, ViewRow } from '@trackvault/client'

interface Synced {
  id: string
  version: number
  created_at: string
  updated_at?: string
  deleted_at: string | null
  /** Set while a local change to the row is not accepted by the server yet. */
  _sync?: OpStatus
}

export interface SupplierView extends Synced {
  code: string
  name: string
  phone: string | null
  is_active: boolean
}

export interface ProductView extends Synced {
  code: string
  name: string
  default_unit: string
  is_active: boolean
}

export interface RateView extends Synced {
  product_id: string
  unit: string
  rate: string
  effective_date: string
  end_date: string | null
  is_active: boolean
}

export interface CollectionView extends Synced {
  supplier_id: string
  product_id: string
  user_id: string
  collection_date: string
  quantity: string
  unit: string
  notes: string | null
  /** Null while no rate is known (an offline entry without a local rate). */
  rate_applied: string | null
  total_amount: string | null
  product_rate_id: string | null
}

export interface PaymentView extends Synced {
  supplier_id: string
  user_id: string
  payment_date: string
  amount: string
  payment_type: string
  payment_method: string
  reference_number: string | null
  notes: string | null
}

/** Narrows generic view rows to one of the interfaces above (the replica holds exactly these fields). */
export function asRows<T>(rows: readonly ViewRow[] | undefined): T[] {
  return (rows ?? []) as unknown as T[]
}

export function asRow<T>(row: ViewRow | undefined): T | undefined {
  return row as unknown as T | undefined
}

export const PAYMENT_TYPE_LABELS: Record<string, string> = {
  advance: 'Advance',
  partial: 'Partial',
  full: 'Full',
}

export const PAYMENT_METHOD_LABELS: Record<string, string> = {
  cash: 'Cash',
  bank_transfer: 'Bank transfer',
  cheque: 'Cheque',
  mobile_payment: 'Mobile payment',
}
