/**
 * The original app's entry points, working as its usage examples show:
 *
 *   await syncOfflineOperations(
 *     (current, total) => console.log(`${current}/${total}`),
 *     (successful, failed, conflicts) => showResults(successful, failed, conflicts),
 *   )
 *
 * They act on the default client (the first one created, or the one set).
 */
import type { SyncClient } from './client'
import type { SyncSummary } from './sync-engine'

let defaultClient: SyncClient | undefined

/** Makes `client` the one the seed-style functions use. */
export function setDefaultClient(client: SyncClient | undefined): void {
  defaultClient = client
}

export function hasDefaultClient(): boolean {
  return defaultClient !== undefined
}

export function getDefaultClient(): SyncClient {
  if (!defaultClient) throw new Error('No TrackVault client: call createSyncClient() and setDefaultClient() first')
  return defaultClient
}

/** Syncs the queued operations now, reporting progress and the outcome. */
export function syncOfflineOperations(
  onProgress?: (current: number, total: number) => void,
  onComplete?: (successful: number, failed: number, conflicts: number) => void,
): Promise<SyncSummary> {
  return getDefaultClient().sync({ onProgress, onComplete })
}
