/**
 * Names for ids on the collection and payment screens, from the local replica
 * (so they work offline): suppliers and products, deleted ones included so old
 * records still show a name.
 */
import { useMemo } from 'react'
import { type ProductView, type SupplierView, useProducts, useSuppliers } from './typed-rows'

export interface Option {
  value: string
  label: string
}

export function supplierLabel(s: Pick<SupplierView, 'code' | 'name'>): string {
  return `${s.name} (${s.code})`
}

/**
 * Options of a supplier select (the lists' filter): active suppliers, plus
 * `keep` (the current choice) even if inactive. Forms choose a supplier with
 * components/supplier-picker.tsx, which searches.
 */
export function supplierOptions(suppliers: readonly SupplierView[], keep?: string): Option[] {
  return suppliers
    .filter((s) => !s.deleted_at)
    .filter((s) => s.id === keep || s.is_active !== false)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({ value: s.id, label: supplierLabel(s) }))
}

/** Options for a product picker: active products plus `keep`. */
export function productOptions(products: readonly ProductView[], keep?: string): Option[] {
  return products
    .filter((p) => !p.deleted_at && (p.is_active !== false || p.id === keep))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => ({ value: p.id, label: p.name }))
}

/** Who recorded a row: the signed-in user's name, or a short id for someone else (user names are not replicated). */
export function recorderName(userId: string, me: { id: string; name: string } | undefined): string {
  if (me && userId === me.id) return me.name
  return `User …${userId.slice(-8)}`
}

/** Live suppliers and products with id -> row maps. */
export function useLookups() {
  const suppliersQuery = useSuppliers({ include_deleted: true })
  const productsQuery = useProducts({ include_deleted: true })
  const suppliers = suppliersQuery.data ?? []
  const products = productsQuery.data ?? []
  const supplierById = useMemo(() => new Map(suppliers.map((s) => [s.id, s])), [suppliersQuery.data])
  const productById = useMemo(() => new Map(products.map((p) => [p.id, p])), [productsQuery.data])
  return {
    suppliers,
    products,
    supplierById,
    productById,
    loading: suppliersQuery.isLoading || productsQuery.isLoading,
    supplierName: (id: string) => supplierById.get(id)?.name ?? 'Unknown supplier',
    productName: (id: string) => productById.get(id)?.name ?? 'Unknown product',
  }
}
