/**
 * The typed rows the entity APIs return: core's row types as the device
 * shows them (the server row with this user's queued changes on top), so an
 * app reads `client.collections.list()` as collections without casting.
 *
 *   const rows: CollectionView[] = await client.collections.list({ supplier_id })
 *   const row = await client.entity(op.entity_type).get(op.entity_id)
 */
import type {
  Collection,
  Deduction,
  ENTITY_INPUTS,
  EntityType,
  Payment,
  Product,
  ProductRate,
  Route,
  RouteAssignment,
  SettlementLineRow,
  SettlementRunRow,
  Supplier,
} from '@trackvault/core'
import type { OpStatus } from './queue'
import type { Json } from './storage/kv-store'

/**
 * A row as the device shows it; `_sync` is set while a local change to it
 * is not accepted by the server yet. Written out as a plain object type
 * (and `sync_metadata` as the JSON it is on the device), so every view is
 * also a `ViewRow`, the untyped row code written before these types reads.
 */
export type View<T> = Plain<
  Omit<T, 'sync_metadata'> & { sync_metadata: { [key: string]: Json } | null; _sync?: OpStatus }
>
type Plain<T> = { [P in keyof T]: T[P] }

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
export type DeductionView = View<Deduction>
/** Settlement runs and lines are the server's: a device reads them, never writes them. */
export type SettlementRunView = View<SettlementRunRow>
export type SettlementLineView = View<SettlementLineRow>
export type RouteView = View<Route>
export type RouteAssignmentView = View<RouteAssignment>

/** The view type of each entity type. */
export interface EntityViews {
  supplier: SupplierView
  product: ProductView
  product_rate: ProductRateView
  collection: CollectionView
  payment: PaymentView
  deduction: DeductionView
  settlement_run: SettlementRunView
  settlement_line: SettlementLineView
  route: RouteView
  route_assignment: RouteAssignmentView
}

/** The row `client.entity(type)` returns for `type`. */
export type EntityView<K extends EntityType> = EntityViews[K]

/**
 * What `create` takes for `type`: core's input schema before its defaults
 * (server-owned fields are not in it). This is zod's `z.input`, read off the
 * schema so the client needs no zod of its own.
 */
export type EntityInput<K extends EntityType> = (typeof ENTITY_INPUTS)[K]['_zod']['input']
