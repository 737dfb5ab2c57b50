/**
 * Typed, live views of the local replica for every screen. Rows are "view
 * rows": the server's row with this user's queued changes on top; `_sync` is
 * set while a change is not yet accepted. They come from
 * `client.<entity>.list()` / `get()` as generic view rows; these types name
 * the fields the screens read (the replica holds exactly these fields).
 */
import type { ListFilter, OpStatus, ViewRow } from '@trackvault/client'
import {
  type Collection,
  PAYMENT_METHODS,
  PAYMENT_TYPES,
  type Payment,
  type Product,
  type ProductRate,
  type Supplier,
} from '@trackvault/core'
import { useLiveList, useLiveQuery, useSyncClient } from '@trackvault/react'

/** Set while a local change to the row is not accepted by the server yet. */
type View<T> = T & { _sync?: OpStatus }

export type SupplierView = View<Supplier>
export type ProductView = View<Product>
export type ProductRateView = View<ProductRate>
/** A collection as the device shows it: unpriced (nulls) until a local or server rate prices it. */
export type CollectionView = View<
  Omit<Collection, 'total_amount' | 'rate_applied' | 'product_rate_id'> & {
    total_amount: string | null
    rate_applied: string | null
    product_rate_id: string | null
  }
>
export type PaymentView = View<Payment>

/** Narrows generic view rows to one of the types above ([] while loading). */
export function asRows<T>(rows: readonly ViewRow[] | undefined): T[] {
  return (rows ?? []) as unknown as T[]
}

export function asRow<T>(row: ViewRow | undefined): T | undefined {
  return row as unknown as T | undefined
}

export function useSuppliers(filter: ListFilter = {}) {
  const result = useLiveList(useSyncClient().suppliers, filter)
  return { ...result, data: result.data as unknown as SupplierView[] | undefined }
}

export function useProducts(filter: ListFilter = {}) {
  const result = useLiveList(useSyncClient().products, filter)
  return { ...result, data: result.data as unknown as ProductView[] | undefined }
}

export function useProductRates(filter: ListFilter = {}) {
  const result = useLiveList(useSyncClient().productRates, filter)
  return { ...result, data: result.data as unknown as ProductRateView[] | undefined }
}

/** One supplier (undefined while loading, null if it does not exist or was deleted). */
export function useSupplier(id: string | undefined) {
  const result = useLiveQuery(async (c) => (id ? ((await c.suppliers.get(id)) ?? null) : null), [id], {
    types: ['supplier'],
  })
  return { ...result, data: result.data as unknown as SupplierView | null | undefined }
}

/** One product (undefined while loading, null if it does not exist or was deleted). */
export function useProduct(id: string | undefined) {
  const result = useLiveQuery(async (c) => (id ? ((await c.products.get(id)) ?? null) : null), [id], {
    types: ['product'],
  })
  return { ...result, data: result.data as unknown as ProductView | null | undefined }
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

export const paymentTypeLabel = (type: string): string => PAYMENT_TYPE_LABELS[type] ?? type
export const paymentMethodLabel = (method: string): string => PAYMENT_METHOD_LABELS[method] ?? method

/** Select options of the payment types and methods. */
export const PAYMENT_TYPE_OPTIONS = PAYMENT_TYPES.map((t) => ({ value: t, label: paymentTypeLabel(t) }))
export const PAYMENT_METHOD_OPTIONS = PAYMENT_METHODS.map((m) => ({ value: m, label: paymentMethodLabel(m) }))
