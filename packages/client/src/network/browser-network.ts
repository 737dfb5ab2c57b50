/**
 * Browsers: `online`/`offline` events and `navigator.onLine` are hints (a
 * captive portal says online); a health probe of the server confirms when
 * the browser says online, and keeps checking while offline.
 */
import { healthProbe, OnlineManager, probeLoop } from './network-monitor'

export function createBrowserNetwork(baseUrl: string, opts: { intervalMs?: number } = {}) {
  const initial = typeof navigator === 'undefined' ? true : navigator.onLine
  return new OnlineManager(initial, (setOnline) => {
    const probe = healthProbe(baseUrl)
    let stopProbe: (() => void) | undefined
    const confirm = () => {
      stopProbe?.()
      stopProbe = probeLoop(probe, opts.intervalMs ?? 10_000, setOnline)
    }
    const offline = () => setOnline(false)
    window.addEventListener('online', confirm)
    window.addEventListener('offline', offline)
    confirm()
    return () => {
      stopProbe?.()
      window.removeEventListener('online', confirm)
      window.removeEventListener('offline', offline)
    }
  })
}
