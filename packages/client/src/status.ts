/**
 * What a screen needs to show about sync, as one snapshot with subscribe
 * (read it with useSyncExternalStore). Notifies only on change.
 */
import { Subscribable } from './subscribable'

/** Replicache-style connection state. */
export type Connection = 'idle' | 'syncing' | 'offline' | 'needs-auth' | 'error'

export interface SyncStatus {
  online: boolean
  syncing: boolean
  /** Operations waiting to be sent. */
  pending: number
  /** Operations parked on a conflict (including "review later"). */
  conflicts: number
  /** Operations the server refused, or that could not be sent after retries. */
  failed: number
  lastSyncAt: string | null
  connection: Connection
  progress: { current: number; total: number } | null
  /**
   * The server was restored from a backup and this device is re-sending what it had confirmed
   * (its journal): `sent` of `total` so far; null otherwise ("the server was restored; re-sending N changes").
   */
  restore: { total: number; sent: number } | null
  lastError: { code: string; message: string } | null
}

export const INITIAL_STATUS: SyncStatus = {
  online: true,
  syncing: false,
  pending: 0,
  conflicts: 0,
  failed: 0,
  lastSyncAt: null,
  connection: 'idle',
  progress: null,
  restore: null,
  lastError: null,
}

export class StatusStore extends Subscribable<(status: SyncStatus) => void> {
  private snapshot: SyncStatus = INITIAL_STATUS

  /** The current status (a new object after every change, stable otherwise). */
  get current(): SyncStatus {
    return this.snapshot
  }

  getSnapshot = (): SyncStatus => this.snapshot

  set(patch: Partial<SyncStatus>): void {
    const next = { ...this.snapshot, ...patch }
    const changed = (Object.keys(patch) as Array<keyof SyncStatus>).some(
      (k) => JSON.stringify(next[k]) !== JSON.stringify(this.snapshot[k]),
    )
    if (!changed) return
    this.snapshot = next
    this.emit(next)
  }
}
