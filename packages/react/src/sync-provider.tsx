/**
 * Hands a SyncClient to the hooks below it. Without a provider the hooks use
 * the client package's default client (the one named with
 * `setDefaultClient`), so the seed's `useAutoSync(...)` works in an app that
 * never renders a provider.
 *
 *   const client = createSyncClient({ baseUrl, storage: createIndexedDbStore() })
 *   root.render(<SyncProvider client={client}><App /></SyncProvider>)
 */
import { getDefaultClient, type SyncClient } from '@trackvault/client'
import { createContext, type ReactNode, useContext } from 'react'

const SyncClientContext = createContext<SyncClient | undefined>(undefined)

export interface SyncProviderProps {
  client: SyncClient
  children?: ReactNode
}

/** Makes `client` the one every TrackVault hook below uses. */
export function SyncProvider({ client, children }: SyncProviderProps) {
  return <SyncClientContext.Provider value={client}>{children}</SyncClientContext.Provider>
}

/**
 * The client from the nearest SyncProvider, else the default client.
 * Throws if there is neither (create a client first).
 *
 *   const client = useSyncClient()
 *   await client.collections.create({ ... })
 */
export function useSyncClient(): SyncClient {
  return useContext(SyncClientContext) ?? getDefaultClient()
}
