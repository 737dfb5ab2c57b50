/**
 * React Native: NetInfo (@react-native-community/netinfo), passed in by the
 * app so this package never imports React Native. Online means connected
 * and the internet not known to be unreachable.
 */
import { OnlineManager } from './network-monitor'

/** The part of NetInfo this needs. */
export interface NetInfoLike {
  addEventListener(
    listener: (state: { isConnected: boolean | null; isInternetReachable?: boolean | null }) => void,
  ): () => void
}

export function createReactNativeNetwork(netInfo: NetInfoLike) {
  return new OnlineManager(true, (setOnline) =>
    netInfo.addEventListener((state) => setOnline(state.isConnected === true && state.isInternetReachable !== false)),
  )
}
