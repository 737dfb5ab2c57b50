/**
 * The operations the server refused or that could not be sent after
 * retries, kept current, with retry (optionally edited) and discard.
 *
 *   const { failed, retry, discard } = useFailed()
 *   failed.map((op) => <FailedRow key={op.local_id} op={op} onRetry={() => retry(op.local_id)} />)
 */
import type { QueuedOp } from '@trackvault/client'
import { useCallback } from 'react'
import { useSyncClient } from './sync-provider'
import { useLiveQuery } from './use-live-query'

const NONE: QueuedOp[] = []

export interface FailedResult {
  failed: QueuedOp[]
  isLoading: boolean
  error: unknown
  /** Sends it again; `edit.payload` replaces what is sent. */
  retry: (localId: string, edit?: { payload?: Record<string, unknown> }) => Promise<void>
  /** Drops the change; the row shows the server's version again. */
  discard: (localId: string) => Promise<void>
  refresh: () => void
}

export function useFailed(): FailedResult {
  const client = useSyncClient()
  const { data, isLoading, error, refresh } = useLiveQuery((c) => c.failed.list(), [], { watchQueue: true })
  const retry = useCallback(
    (localId: string, edit?: { payload?: Record<string, unknown> }) => client.failed.retry(localId, edit),
    [client],
  )
  const discard = useCallback((localId: string) => client.failed.discard(localId), [client])
  return { failed: data ?? NONE, isLoading, error, retry, discard, refresh }
}
