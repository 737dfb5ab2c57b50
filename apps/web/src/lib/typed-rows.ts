/**
 * Typed, live views of the local replica for the supplier and product
 * screens. Rows are "view rows": the server's row with this user's queued
 * changes on top; `_sync` is set while a change is not yet accepted.
 */
import type { ListFilter } from '@trackvault/client'
import type { Collection, Payment, Product, ProductRate, Supplier } from '@trackvault/core'
import { useLiveList, useLiveQuery, useSyncClient } from '@trackvault/react'

type View<T> = T & { _sync?: string }

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
