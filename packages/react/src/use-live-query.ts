/**
 * Live reads of the local replica: the component re-renders when the local
 * data the query reads changes (a local write, a pull, a settled operation).
 * One LiveQueryObserver per component, read with useSyncExternalStore.
 *
 *   const { data: collections = [] } = useLiveQuery((c) => c.collections.list({ supplier_id }), [supplier_id])
 *   const { data: suppliers } = useLiveList(client.suppliers, { is_active: true })
 */
import {
  type EntityApi,
  type EntityView,
  type ListFilter,
  LiveQueryObserver,
  type LiveQueryOptions,
  type LiveQueryState,
  type SyncClient,
} from '@trackvault/client'
import { type DependencyList, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { useSyncClient } from './sync-provider'

export interface LiveQueryResult<T> extends LiveQueryState<T> {
  /** Runs the query again now. */
  refresh: () => void
}

export type UseLiveQueryOptions = Omit<LiveQueryOptions<unknown>, 'client' | 'query'>

/**
 * Runs `query` against the client and keeps the result current. `deps` are
 * the values the query depends on (as for useEffect): when they change the
 * query starts over. Results are structurally shared, so an unchanged result
 * keeps its identity.
 */
export function useLiveQuery<T>(
  query: (client: SyncClient) => Promise<T>,
  deps: DependencyList = [],
  opts: UseLiveQueryOptions = {},
): LiveQueryResult<T> {
  const client = useSyncClient()
  const options: LiveQueryOptions<T> = { client, query, types: opts.types, watchQueue: opts.watchQueue }
  const [observer] = useState(() => new LiveQueryObserver(options))
  const lastDeps = useRef(deps)

  useEffect(() => {
    const restart = !sameDeps(lastDeps.current, deps)
    lastDeps.current = deps
    observer.setOptions(options, restart)
  })

  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot)
  return { ...state, refresh: observer.refresh }
}

/**
 * The rows of one entity type matching `filter`, kept current. The filter is
 * compared by value, so an inline object literal is fine.
 */
export function useLiveList<K extends EntityApi['type']>(
  api: EntityApi<K>,
  filter: ListFilter = {},
): LiveQueryResult<EntityView<K>[]> {
  const key = JSON.stringify(filter)
  return useLiveQuery(() => api.list(filter), [api, key], { types: [api.type] })
}

function sameDeps(a: DependencyList, b: DependencyList): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]))
}
