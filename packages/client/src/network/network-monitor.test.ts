import { afterEach, describe, expect, test, vi } from 'vitest'
import { createBrowserNetwork } from './browser-network'
import { OnlineManager, probeLoop } from './network-monitor'
import { createReactNativeNetwork } from './react-native-network'

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('OnlineManager', () => {
  test("a platform's word that there is no network is not overridden by evidence", () => {
    let platformOnline = false
    const m = new OnlineManager(false, undefined, () => platformOnline)
    m.setOnline(true) // a sync that finished, a live poke, a probe's late answer
    expect(m.isOnline()).toBe(false)
    platformOnline = true
    m.setOnline(true)
    expect(m.isOnline()).toBe(true)
  })

  test('in a browser, navigator.onLine false keeps the device offline whatever reports otherwise', () => {
    const navigator = { onLine: false }
    vi.stubGlobal('navigator', navigator)
    vi.stubGlobal('window', { addEventListener() {}, removeEventListener() {} })
    const network = createBrowserNetwork('http://127.0.0.1:9')
    expect(network.isOnline()).toBe(false)
    network.setOnline(true) // a sync that finished after the signal went
    expect(network.isOnline()).toBe(false)
    navigator.onLine = true
    network.setOnline(true)
    expect(network.isOnline()).toBe(true)
  })

  test('notifies only on change, and setEventListener plugs in detection while someone listens', () => {
    const m = new OnlineManager(true)
    const seen: boolean[] = []
    const unsubscribe = m.subscribe((online) => seen.push(online))
    m.setOnline(true)
    m.setOnline(false)
    m.setOnline(false)
    m.setOnline(true)
    expect(seen).toEqual([false, true])
    let report: ((online: boolean) => void) | undefined
    const cleanup = vi.fn()
    m.setEventListener((setOnline) => {
      report = setOnline
      return cleanup
    })
    report?.(false)
    expect(m.isOnline()).toBe(false)
    unsubscribe()
    expect(cleanup).toHaveBeenCalledOnce()
  })
})

describe('React Native', () => {
  test('follows NetInfo: connected and internet not known unreachable', () => {
    let emit: ((s: { isConnected: boolean | null; isInternetReachable?: boolean | null }) => void) | undefined
    const remove = vi.fn()
    // NetInfo cannot exist here: the one edge we fake.
    const network = createReactNativeNetwork({
      addEventListener: (listener) => {
        emit = listener
        return remove
      },
    })
    const states: boolean[] = []
    const stop = network.subscribe((online) => states.push(online))
    emit?.({ isConnected: true, isInternetReachable: false })
    emit?.({ isConnected: true, isInternetReachable: null })
    emit?.({ isConnected: false })
    expect(states).toEqual([false, true, false])
    stop()
    expect(remove).toHaveBeenCalledOnce()
  })
})

describe('probeLoop', () => {
  test('probes quickly while offline and reports recovery', async () => {
    vi.useFakeTimers()
    const answers = [false, false, true]
    const probe = vi.fn(async () => answers.shift() ?? true)
    const reports: boolean[] = []
    const stop = probeLoop(probe, 1000, (online) => reports.push(online))
    await vi.advanceTimersByTimeAsync(0)
    await vi.advanceTimersByTimeAsync(1000)
    await vi.advanceTimersByTimeAsync(1000)
    expect(reports).toEqual([false, false, true])
    await vi.advanceTimersByTimeAsync(1000)
    expect(probe).toHaveBeenCalledTimes(3) // online: the next probe waits 4x longer
    stop()
  })
})
