/**
 * The operations parked on a conflict (including "review later"), kept
 * current, with the actions a conflict screen needs.
 *
 *   const { conflicts, resolve } = useConflicts()
 *   conflicts.map((op) => (
 *     <ConflictCard key={op.local_id} op={op} onUseServer={() => resolve(op.local_id, 'use_server')} />
 *   ))
 */
import type { QueuedOp, ResolveChoice } from '@trackvault/client'
import { useCallback } from 'react'
import { useSyncClient } from './sync-provider'
import { useLiveQuery } from './use-live-query'

const NONE: QueuedOp[] = []

export interface ConflictsResult {
  conflicts: QueuedOp[]
  isLoading: boolean
  error: unknown
  /** 'use_server' | 'force' | { merge } settle it on the server (needs the network); 'review_later' keeps it parked. */
  resolve: (localId: string, choice: ResolveChoice) => Promise<void>
  /** Drops the local change; the row shows the server's version again. */
  discard: (localId: string) => Promise<void>
  refresh: () => void
}

export function useConflicts(): ConflictsResult {
  const client = useSyncClient()
  // The queue is not a view: re-read on any local change and when the queue counts move.
  const { data, isLoading, error, refresh } = useLiveQuery((c) => c.conflicts.list(), [], { watchQueue: true })
  const resolve = useCallback(
    (localId: string, choice: ResolveChoice) => client.conflicts.resolve(localId, choice),
    [client],
  )
  const discard = useCallback((localId: string) => client.conflicts.discard(localId), [client])
  return { conflicts: data ?? NONE, isLoading, error, resolve, discard, refresh }
}
