/** Key layout of the local database. Zero-padded seqs keep the queue in order under string sort. */
import type { EntityType } from '@trackvault/core'

export const META = {
  deviceId: 'meta/device_id',
  session: 'meta/session',
  cursor: 'meta/cursor',
  seq: 'meta/seq',
  lastSyncAt: 'meta/last_sync_at',
  replicaUser: 'meta/replica_user',
  /** The business's settings as the last sync brought them (core's BusinessSettings). */
  settings: 'meta/settings',
  /** The users' names as the last sync brought them (core's Person; roles that see others' records). */
  people: 'meta/people',
  /** A collector's scope's balances as the last sync brought them (core's ScopeBalances). */
  balances: 'meta/balances',
  /** The epoch of the server's database, as its last answer named it (see recovery.ts). */
  epoch: 'meta/epoch',
  /** The journal's size and oldest entry (journal.ts), so pruning scans only when it must. */
  journal: 'meta/journal',
  /** Set while the device heals a restored server: the full re-pull is still to do (recovery.ts). */
  recovery: 'meta/recovery',
  /** Set when the server said this device's scope changed: the full re-pull is still to do (rescope.ts). */
  rescope: 'meta/rescope',
} as const

/** How many collections this device has numbered with `prefix` (its receipt numbers are `<prefix>-<n>`). */
export const receiptCountKey = (prefix: string) => `meta/receipt_count/${prefix}`

/**
 * A copy of the server-confirmed row, kept only while the view differs from it (queued
 * operations on the row); otherwise the view is the server row (replica.ts `serverRowOf`).
 */
export const serverKey = (type: EntityType, id: string) => `srv/${type}/${id}`
/** The row as the device shows it: server row with queued operations on top; every row has one. */
export const viewKey = (type: EntityType, id: string) => `row/${type}/${id}`
export const viewPrefix = (type: EntityType) => `row/${type}/`
/** A queued operation. */
export const opKey = (seq: number) => `op/${String(seq).padStart(12, '0')}`
export const OP_PREFIX = 'op/'
/** A settled operation kept in the journal (journal.ts). */
export const journalKey = (seq: number) => `jnl/${String(seq).padStart(12, '0')}`
export const JOURNAL_PREFIX = 'jnl/'
/** A user's offline sign-in: password verifier, wrong-guess throttle (offline-unlock.ts). Never synced. */
export const unlockKey = (userId: string) => `unlock/${userId}`
export const UNLOCK_PREFIX = 'unlock/'
export const SERVER_PREFIX = 'srv/'
export const VIEW_PREFIX = 'row/'
