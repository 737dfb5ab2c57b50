/**
 * @trackvault/react: thin React bindings over @trackvault/client. All sync
 * logic lives in the client (the live-query observer too); these hooks only
 * subscribe to it.
 */
export { LiveQueryObserver, type LiveQueryOptions, type LiveQueryState } from '@trackvault/client'
export { SyncProvider, type SyncProviderProps, useSyncClient } from './sync-provider'
export { type AutoSyncOptions, type SyncCompleteCallback, useAutoSync } from './use-auto-sync'
export { type ConflictsResult, useConflicts } from './use-conflicts'
export { type FailedResult, useFailed } from './use-failed'
export { type LiveQueryResult, type UseLiveQueryOptions, useLiveList, useLiveQuery } from './use-live-query'
export { useOnlineStatus } from './use-online-status'
export { useSyncStatus } from './use-sync-status'
