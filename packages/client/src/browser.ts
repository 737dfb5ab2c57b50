/**
 * Browser-only helpers: tabs of one origin share one IndexedDB, so writers
 * take a Web Lock (no two tabs ever hand out the same seq), only one tab
 * syncs at a time, and tabs tell each other what changed over a
 * BroadcastChannel. Elsewhere (Node, React Native) these are undefined.
 */
import type { CrossTabLock, LocalDbOptions } from './local-db'

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable?: boolean }, fn: (lock: unknown) => Promise<T>): Promise<T>
}

function locks(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
}

/** A cross-tab writer lock, if this runtime has Web Locks. */
export function webLock(name: string): CrossTabLock | undefined {
  const manager = locks()
  if (!manager) return undefined
  return (fn) => manager.request(name, {}, () => fn())
}

/**
 * Runs `fn` only if no other tab holds `name`; otherwise returns undefined
 * at once (that tab is syncing the shared store for everyone).
 */
export async function ifLockFree<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  const manager = locks()
  if (!manager) return fn()
  return manager.request(name, { ifAvailable: true }, (lock) => (lock ? fn() : Promise.resolve(undefined)))
}

/**
 * A change channel between tabs, if this runtime has tabs: BroadcastChannel
 * and Web Locks (the writers of a shared store need both). Node has a
 * BroadcastChannel too, but there it would only join unrelated clients of
 * one process (tests, simulations, benches), each with its own store.
 */
export function tabChannel(name: string): LocalDbOptions['channel'] {
  if (!locks()) return undefined
  const BC = (globalThis as { BroadcastChannel?: new (name: string) => NonNullable<LocalDbOptions['channel']> })
    .BroadcastChannel
  return BC ? new BC(name) : undefined
}

/**
 * Asks the browser not to evict this origin's storage under pressure (queued
 * work lives there). Resolves true if granted; false where unsupported.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = (globalThis as { navigator?: { storage?: { persist?: () => Promise<boolean> } } }).navigator?.storage
  return storage?.persist ? storage.persist().catch(() => false) : false
}
