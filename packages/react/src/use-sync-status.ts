/**
 * The sync status (`online, syncing, pending, conflicts, failed, lastSyncAt,
 * connection, progress, lastError`), re-rendering when it changes.
 *
 *   const { pending, syncing } = useSyncStatus()
 *   const conflicts = useSyncStatus((s) => s.conflicts) // re-renders only when the count moves
 */
import type { SyncStatus } from '@trackvault/client'
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { useSyncClient } from './sync-provider'

export function useSyncStatus(): SyncStatus
/** `select` should return a primitive or a part of the status (not a new object each call). */
export function useSyncStatus<T>(select: (status: SyncStatus) => T): T
export function useSyncStatus<T>(select?: (status: SyncStatus) => T): T | SyncStatus {
  const { status } = useSyncClient()
  const subscribe = useCallback((onChange: () => void) => status.subscribe(onChange), [status])
  const getSnapshot = useMemo((): (() => T | SyncStatus) => {
    if (!select) return status.getSnapshot
    // The status object is stable between changes: select once per status.
    let input: SyncStatus | undefined
    let output: T
    return () => {
      const current = status.getSnapshot()
      if (current !== input) {
        input = current
        output = select(current)
      }
      return output
    }
  }, [status, select])
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}
