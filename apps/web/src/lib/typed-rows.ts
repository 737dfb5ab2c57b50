/**
 * Live views of the local replica for the screens, and the payment labels.
 * Rows are "view rows": the server's row with this user's queued changes on
 * top; `_sync` is set while a change is not yet accepted. Their types come
 * typed from the client's entity APIs (`client.collections.list()` returns
 * `CollectionView[]`), so nothing here casts.
 */
import type { EntityView, ListFilter } from '@trackvault/client'
import { PAYMENT_METHODS, PAYMENT_TYPES } from '@trackvault/core'
import { useLiveList, useLiveQuery, useSyncClient } from '@trackvault/react'
import { i18next } from '../i18n'

export type {
  CollectionView,
  PaymentView,
  ProductRateView,
  ProductView,
  SupplierView,
} from '@trackvault/client'

export type DeductionView = EntityView<'deduction'>
/** Runs and lines are the server's: read here, never written. */
export type SettlementRunView = EntityView<'settlement_run'>
export type SettlementLineView = EntityView<'settlement_line'>
export type RouteView = EntityView<'route'>
export type RouteAssignmentView = EntityView<'route_assignment'>

export function useSuppliers(filter: ListFilter = {}) {
  return useLiveList(useSyncClient().suppliers, filter)
}

export function useProducts(filter: ListFilter = {}) {
  return useLiveList(useSyncClient().products, filter)
}

export function useProductRates(filter: ListFilter = {}) {
  return useLiveList(useSyncClient().productRates, filter)
}

export function useRoutes(filter: ListFilter = {}) {
  return useLiveList(useSyncClient().routes, filter)
}

export function useRouteAssignments(filter: ListFilter = {}) {
  return useLiveList(useSyncClient().routeAssignments, filter)
}

/** One route (undefined while loading, null if it does not exist or was deleted). */
export function useRoute(id: string | undefined) {
  return useLiveQuery(async (c) => (id ? ((await c.routes.get(id)) ?? null) : null), [id], { types: ['route'] })
}

/** One supplier (undefined while loading, null if it does not exist or was deleted). */
export function useSupplier(id: string | undefined) {
  return useLiveQuery(async (c) => (id ? ((await c.suppliers.get(id)) ?? null) : null), [id], { types: ['supplier'] })
}

/** One product (undefined while loading, null if it does not exist or was deleted). */
export function useProduct(id: string | undefined) {
  return useLiveQuery(async (c) => (id ? ((await c.products.get(id)) ?? null) : null), [id], { types: ['product'] })
}

/**
 * English names of the payment methods, for the screens not yet translated (supplier-detail.tsx).
 * @deprecated use paymentMethodLabel()
 */
export const PAYMENT_METHOD_LABELS: Record<string, string> = {
  cash: 'Cash',
  bank_transfer: 'Bank transfer',
  cheque: 'Cheque',
  mobile_payment: 'Mobile payment',
}

/** A payment type or method in the chosen language (`paymentType`, `paymentMethod` in i18n/areas/money.ts); an unknown one as it is. */
export const paymentTypeLabel = (type: string): string => i18next.t(`paymentType.${type}`, { defaultValue: type })
export const paymentMethodLabel = (method: string): string =>
  i18next.t(`paymentMethod.${method}`, { defaultValue: method })

/** Select options of the payment types and methods, in the chosen language. */
export const paymentTypeOptions = () => PAYMENT_TYPES.map((t) => ({ value: t, label: paymentTypeLabel(t) }))
export const paymentMethodOptions = () => PAYMENT_METHODS.map((m) => ({ value: m, label: paymentMethodLabel(m) }))
