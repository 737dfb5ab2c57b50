/**
 * Turns on automatic sync (app start, reconnection, server pokes, timer)
 * and calls `onComplete` after every finished sync, automatic or manual
 * (not after one skipped because another tab is syncing),
 * as the seed's hook did:
 *
 *   function App() {
 *     useAutoSync((successful, failed, conflicts) => {
 *       console.log(`Sync: ${successful} success, ${failed} failed`)
 *     })
 *     return <AppContent />
 *   }
 *
 * The client's triggers are never stopped on unmount: `client.start()` is
 * idempotent and the client (and its storage) belongs to the app, which
 * calls `client.close()` when it is done with it. This also keeps React
 * StrictMode's mount -> unmount -> mount in development harmless.
 */
import type { SyncSummary } from '@trackvault/client'
import { useEffect, useRef } from 'react'
import { useSyncClient } from './sync-provider'

export type SyncCompleteCallback = (successful: number, failed: number, conflicts: number, summary: SyncSummary) => void

export interface AutoSyncOptions {
  /** Start the automatic triggers (default true); false only listens for finished syncs. */
  enabled?: boolean
}

export function useAutoSync(onComplete?: SyncCompleteCallback, opts: AutoSyncOptions = {}): void {
  const client = useSyncClient()
  const enabled = opts.enabled ?? true
  // The latest callback, without re-subscribing when an inline function changes identity.
  const callback = useRef(onComplete)
  useEffect(() => {
    callback.current = onComplete
  })

  // Subscribe before starting, so the app-start sync is reported too. A sync skipped
  // because another tab holds the sync lock did nothing here (as with sync({ onComplete })).
  useEffect(
    () =>
      client.onSync((summary) => {
        if (!summary.skipped) callback.current?.(summary.successful, summary.failed, summary.conflicts, summary)
      }),
    [client],
  )

  useEffect(() => {
    if (enabled) client.start()
  }, [client, enabled])
}
