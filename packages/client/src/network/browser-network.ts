/**
 * Browsers: `online` events and `navigator.onLine` being true are hints (a
 * captive portal says online); a health probe of the server confirms when
 * the browser says online, and keeps checking while offline. The browser
 * saying offline is taken as it is: a probe's answer never overrides it.
 */
import { healthProbe, OnlineManager, probeLoop } from './network-monitor'

export function createBrowserNetwork(baseUrl: string, opts: { intervalMs?: number } = {}) {
  const initial = typeof navigator === 'undefined' ? true : navigator.onLine
  return new OnlineManager(initial, (setOnline) => {
    const probe = healthProbe(baseUrl)
    let stopProbe: (() => void) | undefined
    // The browser saying offline is no hint: a probe that answers after it did (one sent just before
    // the signal went) must not make the device online again.
    const fromProbe = (online: boolean) => setOnline(online && navigator.onLine)
    const confirm = () => {
      stopProbe?.()
      stopProbe = probeLoop(probe, opts.intervalMs ?? 10_000, fromProbe)
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
