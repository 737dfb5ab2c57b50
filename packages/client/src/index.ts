export { requestPersistentStorage } from './browser'
export { createSyncClient, SyncClient } from './client'
export type { SyncClientOptions } from './client-options'
export { getDefaultClient, setDefaultClient, syncOfflineOperations } from './compat'
export type { Directory, DirectoryEntry } from './directory'
export { EntityApi, type EntityApis } from './entities'
export type {
  CollectionView,
  EntityInput,
  EntityView,
  EntityViews,
  PaymentView,
  ProductRateView,
  ProductView,
  SupplierView,
  View,
} from './entity-views'
export { ApiError, type FetchLike, type Session } from './http'
export type { ListFilter } from './list-query'
export { LiveQueryObserver, type LiveQueryOptions, type LiveQueryState } from './live-query-observer'
export { type NetworkMonitor, type NetworkSetup, OnlineManager } from './network/network-monitor'
export type { ConflictActions, FailedActions, ResolveChoice } from './parked-ops'
export type { OpStatus, QueuedOp } from './queue'
export type { ViewRow } from './replica'
export { makeDeviceId } from './session'
export { type Connection, StatusStore, type SyncStatus } from './status'
export type { CommitBatch, Json, KVStore } from './storage/kv-store'
export { replaceEqualDeep } from './structural-sharing'
export type { SyncCallbacks, SyncSummary } from './sync-engine'
