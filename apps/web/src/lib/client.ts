/**
 * The app's one TrackVault client: IndexedDB storage, browser network
 * detection, automatic sync. Same origin as the server that serves the app.
 */
import { createSyncClient, requestPersistentStorage, setDefaultClient } from '@trackvault/client'
import { createIndexedDbStore } from '@trackvault/client/indexeddb'
import { createBrowserNetwork } from '@trackvault/client/network/browser'

const baseUrl = window.location.origin

export const client = createSyncClient({
  baseUrl,
  storage: createIndexedDbStore('trackvault'),
  network: createBrowserNetwork(baseUrl, { intervalMs: 5000 }),
  syncIntervalMs: 30_000,
})
setDefaultClient(client)

// Queued work lives in IndexedDB: ask the browser not to evict it.
void requestPersistentStorage()
