/**
 * Whether the client thinks it is online (`client.network`: the platform's
 * hint, and a failed request also counts as offline). Subscribing also
 * starts the monitor's detection, as TanStack's onlineManager does.
 *
 *   const online = useOnlineStatus()
 *   return online ? null : <Banner>Offline: changes are saved on this device</Banner>
 */
import { useCallback, useSyncExternalStore } from 'react'
import { useSyncClient } from './sync-provider'

export function useOnlineStatus(): boolean {
  const { network } = useSyncClient()
  const subscribe = useCallback((onChange: () => void) => network.subscribe(onChange), [network])
  const getSnapshot = useCallback(() => network.isOnline(), [network])
  return useSyncExternalStore(subscribe, getSnapshot, () => true)
}
