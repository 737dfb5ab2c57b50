/** Node: no OS events; probe the server's /health, quickly while offline, slowly while online. */
import { healthProbe, OnlineManager, probeLoop } from './network-monitor'

export function createNodeNetwork(baseUrl: string, opts: { intervalMs?: number; fetch?: typeof fetch } = {}) {
  return new OnlineManager(true, (setOnline) =>
    probeLoop(healthProbe(baseUrl, opts.fetch), opts.intervalMs ?? 5000, setOnline),
  )
}
