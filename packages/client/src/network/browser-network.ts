/**
 * Browsers: `online` events and `navigator.onLine` being true are hints (a
 * captive portal says online); a health probe of the server confirms when
 * the browser says online, and keeps checking while offline. The browser
 * saying offline is taken as it is: nothing overrides it, not a probe's late
 * answer, a sync that finished after the signal went, or a live poke on a
 * stream opened before.
 */
import { healthProbe, OnlineManager, probeLoop } from './network-monitor'

export function createBrowserNetwork(baseUrl: string, opts: { intervalMs?: number } = {}) {
  const browserOnline = () => typeof navigator === 'undefined' || navigator.onLine
  const setup = (setOnline: (online: boolean) => void) => {
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
  }
  return new OnlineManager(browserOnline(), setup, browserOnline)
}
