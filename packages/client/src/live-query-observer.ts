/**
 * The framework-free half of useLiveQuery (TanStack Query's QueryObserver,
 * which lives in query-core for the same reason: any UI layer can hold one):
 * runs an async query against a SyncClient, re-runs it when the local
 * data it reads changes, and exposes `{ subscribe, getSnapshot }` for
 * useSyncExternalStore.
 *
 *   const observer = new LiveQueryObserver({ client, query: (c) => c.suppliers.list() })
 *   const stop = observer.subscribe(() => console.log(observer.getSnapshot().data))
 *
 * - Watching starts with the first subscriber and stops with the last, so a
 *   result that arrives after unmount is dropped, never applied.
 * - One run at a time; changes during a run mark it stale and it runs again
 *   once, however many changes came in.
 * - Results are structurally shared: an equal result keeps the previous
 *   snapshot, so components do not re-render (and never loop).
 * - The entity types to watch are learnt from the entity APIs the query
 *   touches (`c.collections` or `c.entity('collection')` -> 'collection'); a
 *   query that touches none (e.g. `c.conflicts.list()`) re-runs on any change.
 */
import type { SyncClient } from './client'
import { EntityApi } from './entities'
import type { SyncStatus } from './status'
import { replaceEqualDeep } from './structural-sharing'

export interface LiveQueryOptions<T> {
  client: SyncClient
  /** Reads local data; gets the client (as a tracking proxy) to read from. */
  query: (client: SyncClient) => Promise<T>
  /** Entity types whose changes re-run the query, instead of those it touched. */
  types?: readonly string[]
  /** Also re-run when the queue counts in `client.status` move (queue-derived queries). */
  watchQueue?: boolean
}

export interface LiveQueryState<T> {
  /** The latest result; undefined until the first run finishes. */
  data: T | undefined
  /** Why the latest run failed, if it did (data keeps the last good result). */
  error: unknown
  /** True until the first result for the current query arrives. */
  isLoading: boolean
}

const LOADING: LiveQueryState<never> = { data: undefined, error: undefined, isLoading: true }

const queueKey = (s: SyncStatus) => `${s.pending}/${s.conflicts}/${s.failed}`

export class LiveQueryObserver<T> {
  private options: LiveQueryOptions<T>
  private state: LiveQueryState<T> = LOADING
  private readonly listeners = new Set<() => void>()
  private readonly touched = new Set<string>()
  private unwatch: (() => void) | undefined
  /** Bumped whenever a running query's result must be ignored (query changed, unwatched). */
  private epoch = 0
  private running: number | undefined
  private stale = false

  constructor(options: LiveQueryOptions<T>) {
    this.options = options
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.watch()
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) this.unwatchAll()
    }
  }

  getSnapshot = (): LiveQueryState<T> => this.state

  /**
   * Replaces the options. With `restart` (the query's inputs changed) the old
   * result is dropped and the query runs again; without it only the latest
   * closure is kept for the next run.
   */
  setOptions(options: LiveQueryOptions<T>, restart: boolean): void {
    const clientChanged = options.client !== this.options.client
    this.options = options
    if (!restart && !clientChanged) return
    this.touched.clear()
    this.setState(LOADING)
    if (this.unwatch) {
      this.unwatchAll()
      this.watch()
    }
  }

  /** Runs the query again now (e.g. pull-to-refresh). */
  refresh = (): void => {
    if (!this.unwatch) return
    if (this.running === this.epoch) {
      this.stale = true
      return
    }
    const epoch = this.epoch
    this.running = epoch
    this.stale = false
    this.run().then(
      (data) =>
        this.settle(epoch, { data: replaceEqualDeep(this.state.data, data), error: undefined, isLoading: false }),
      (error) => this.settle(epoch, { data: this.state.data, error, isLoading: false }),
    )
  }

  private run(): Promise<T> {
    const { client, query } = this.options
    const touched = this.touched
    // Record which entity APIs the query reads, to re-run only on their changes.
    const track = (value: unknown) => {
      if (value instanceof EntityApi) touched.add(value.type)
      return value
    }
    const tracking = new Proxy(client, {
      get(target, prop) {
        const value = track(Reflect.get(target, prop, target))
        if (typeof value !== 'function') return value
        // A method that hands out an entity API (`entity(type)`) is tracked too.
        return (...args: unknown[]) => track(value.apply(target, args))
      },
    })
    try {
      return Promise.resolve(query(tracking))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  private settle(epoch: number, next: LiveQueryState<T>): void {
    if (epoch !== this.epoch) return // unwatched or query changed meanwhile
    this.running = undefined
    const prev = this.state
    if (prev.data !== next.data || prev.error !== next.error || prev.isLoading !== next.isLoading) this.setState(next)
    if (this.stale) this.refresh()
  }

  private watch(): void {
    const { client, watchQueue } = this.options
    const stops = [
      client.onChange((changed) => {
        const watched = this.options.types ?? [...this.touched]
        if (watched.length === 0 || changed.some((t) => watched.includes(t))) this.refresh()
      }),
    ]
    if (watchQueue) {
      let last = queueKey(client.status.getSnapshot())
      stops.push(
        client.status.subscribe((status) => {
          const key = queueKey(status)
          if (key !== last) {
            last = key
            this.refresh()
          }
        }),
      )
    }
    this.unwatch = () => {
      for (const stop of stops) stop()
    }
    this.refresh()
  }

  private unwatchAll(): void {
    this.unwatch?.()
    this.unwatch = undefined
    this.epoch += 1
    this.running = undefined
    this.stale = false
  }

  private setState(next: LiveQueryState<T>): void {
    if (next === this.state) return
    this.state = next
    for (const listener of this.listeners) listener()
  }
}
