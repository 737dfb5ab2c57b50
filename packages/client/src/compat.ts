/**
 * The original app's entry points, working as its usage examples show once
 * the app names its client:
 *
 *   setDefaultClient(client)
 *   await syncOfflineOperations(
 *     (current, total) => console.log(`${current}/${total}`),
 *     (successful, failed, conflicts) => showResults(successful, failed, conflicts),
 *   )
 *
 * The default is explicit: creating a client registers nothing, so two
 * clients in one process (tests, simulations, a second account) never share
 * one by accident. React hooks outside a SyncProvider use it too.
 */
import type { SyncClient } from './client'
import type { SyncSummary } from './sync-engine'

let defaultClient: SyncClient | undefined

/** Makes `client` the one the seed-style functions (and hooks without a provider) use; undefined clears it. */
export function setDefaultClient(client: SyncClient | undefined): void {
  defaultClient = client
}

/** The client set with `setDefaultClient`; throws if none is. */
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
