/**
 * Table types for Kysely. Both dialects store the same shapes:
 * ids are UUID text, timestamps ISO-8601 UTC text, dates YYYY-MM-DD text,
 * booleans 0/1 integers, money and quantities integer minor units, JSON text.
 * Integer columns may come back as number (SQLite) or string (PostgreSQL int8);
 * the mappers in domain/ normalise them.
 */
import type { SyncedFields } from '@trackvault/core'
import type { ColumnType, Generated } from 'kysely'

type Int = number | string | bigint

/** Core's synced fields as stored: metadata as JSON text, plus the device that wrote the version. */
export interface SyncedColumns extends Omit<SyncedFields, 'sync_metadata'> {
  device_id: string | null
  sync_metadata: string | null
}

export interface UsersTable {
  id: string
  name: string
  email: string
  password_hash: string
  role: string
  is_active: number
  created_at: string
  updated_at: string
}

export interface AuthTokensTable {
  token_hash: string
  user_id: string
  device_id: string | null
  created_at: string
  expires_at: string
  revoked_at: string | null
  /** `session` (a bearer token) or `sse_ticket` (opens one event stream, once; migration 004). */
  kind: string
  /** A ticket's minting session (its token_hash); null for sessions. */
  parent_hash: string | null
}

export interface SuppliersTable extends SyncedColumns {
  code: string
  name: string
  phone: string | null
  email: string | null
  address: string | null
  is_active: number
  /** cash | bank_transfer | mobile_money (migration 013). */
  payout_method: string
  bank_name: string | null
  bank_account: string | null
  mobile_money_number: string | null
  /** The supplier's route (migration 014); null: unrouted, on every collector's device. */
  route_id: ColumnType<string | null, string | null | undefined, string | null>
  /** 1: the supplier asked for no text messages (migration 016). */
  sms_opt_out: ColumnType<number, number | undefined, number>
  /** The language of its text messages; null: the business's. */
  language: ColumnType<string | null, string | null | undefined, string | null>
}

export interface ProductsTable extends SyncedColumns {
  code: string
  name: string
  description: string | null
  default_unit: string
  is_active: number
  /** flat | graded | quality */
  pricing: ColumnType<string, string | undefined, string>
  /** JSON array of grade names. */
  grades: ColumnType<string, string | undefined, string>
}

export interface ProductRatesTable extends SyncedColumns {
  product_id: string
  unit: string
  rate_minor: Int
  effective_date: string
  end_date: string | null
  is_active: number
  grade: string | null
  fat_rate_minor: Int | null
  snf_rate_minor: Int | null
}

export interface CollectionsTable extends SyncedColumns {
  supplier_id: string
  product_id: string
  user_id: string
  collection_date: string
  quantity_milli: Int
  unit: string
  notes: string | null
  tare_milli: ColumnType<Int, Int | undefined, Int>
  containers: ColumnType<number, number | undefined, number>
  deduction_hundredths: ColumnType<Int, Int | undefined, Int>
  /** quantity - tare x containers - deduction: what is paid for. */
  net_milli: Int
  grade: string | null
  fat_hundredths: Int | null
  snf_hundredths: Int | null
  receipt_number: string | null
  confirmed_large: ColumnType<number, number | undefined, number>
  /** typed | scale (migration 016): the anti-tamper view filters typed weights. */
  weight_source: ColumnType<string, string | undefined, string>
  scale_id: ColumnType<string | null, string | null | undefined, string | null>
  /** Null while no rate covers the collection (unpriced); set once one does. */
  product_rate_id: string | null
  rate_minor: Int | null
  total_minor: Int | null
}

export interface PaymentsTable extends SyncedColumns {
  supplier_id: string
  user_id: string
  payment_date: string
  amount_minor: Int
  payment_type: string
  payment_method: string
  reference_number: string | null
  notes: string | null
  confirmed_large: ColumnType<number, number | undefined, number>
}

/** Every accepted change: the full new version of the row. Audit trail and merge base. */
export interface EntityHistoryTable {
  entity_type: string
  entity_id: string
  version: number
  operation: string
  data: string
  user_id: string | null
  device_id: string | null
  sync_operation_id: string | null
  created_at: string
}

/** Append-only log that pull reads; seq is assigned in commit order (see change-log.ts). */
export interface ChangeLogTable {
  seq: Int
  entity_type: string
  entity_id: string
  version: number
  deleted: number
  created_at: string
  /** user_id of the row at this version (collections, payments); null for other types and older entries. */
  owner_id: ColumnType<string | null, string | null | undefined, string | null>
  /** The owner before this change, when the change gave the row to someone else. */
  previous_owner_id: ColumnType<string | null, string | null | undefined, string | null>
  /**
   * The route a collector's device must hold this row for (migration 014): the supplier's route for
   * suppliers, deductions and settlement lines, `*` for an unrouted supplier's; null for other types.
   */
  scope: ColumnType<string | null, string | null | undefined, string | null>
  /** The scope before this change, when the change moved the row to another route. */
  previous_scope: ColumnType<string | null, string | null | undefined, string | null>
  /** The supplier a supplier-keyed entry is about (migration 015): a device that pinned it holds it. */
  scope_subject: ColumnType<string | null, string | null | undefined, string | null>
}

/** The database's identity: one row (id 1); `epoch` is new after every restore from a backup. */
export interface ServerIdentityTable {
  id: number
  epoch: string
  created_at: string
  restored_at: string | null
  restored_from: string | null
}

export interface CountersTable {
  name: string
  value: Int
}

/** Every operation a device pushed: the exactly-once ledger, keyed (device_id, local_id, user_id), and the record of how it ended. */
export interface SyncOperationsTable {
  id: string
  device_id: string
  local_id: string
  user_id: string
  seq: Int
  entity_type: string
  entity_id: string
  operation_type: string
  base_version: number | null
  payload: string
  client_timestamp: string | null
  /** success | conflict | failed | resolved */
  status: string
  result_version: number | null
  error_code: string | null
  error_message: string | null
  conflict_data: string | null
  /** use_server | force | merge, once a conflict is resolved */
  resolution: string | null
  attempted_at: string
  completed_at: string | null
  /**
   * SHA-256 of the operation as the device sent it (null before migration 005): a replay of the
   * same operation by another user of a shared phone is recognised by it (sync/push.ts).
   */
  fingerprint: string | null
}

/** The last seq applied per device and user (phones are shared; each user's queue is ordered). */
export interface SyncDevicesTable {
  device_id: string
  user_id: string
  last_seq: Int
  last_seen_at: string
}

/** Named JSON documents: `business` holds the business's settings (core's settings.ts). */
export interface SettingsTable {
  name: string
  value: string
  updated_at: string
  updated_by: string | null
}

/** The receipt prefix of each device and user: collections numbered on that device are `<prefix>-<n>`. */
export interface ReceiptPrefixesTable {
  device_id: string
  user_id: string
  prefix: string
  created_at: string
}

/** Each repricing of a period (reprice.ts): who, when, why, and what it changed. */
export interface RepricesTable {
  id: string
  product_id: string
  date_from: string
  date_to: string
  unit: string | null
  grade: string | null
  reason: string
  changed: number
  total_before_minor: Int
  total_after_minor: Int
  created_by: string
  created_at: string
}

export interface DeductionsTable extends SyncedColumns {
  supplier_id: string
  kind: string
  description: string
  effective_date: string
  end_date: string | null
  amount_minor: Int | null
  rate_minor: Int | null
  unit: string | null
  product_id: string | null
  purpose: string | null
  principal_minor: Int | null
  instalment_minor: Int | null
  notes: string | null
  is_active: number
}

/** A settlement run (core's settlement-records.ts); money in minor units. */
export interface SettlementRunsTable extends SyncedColumns {
  period_from: string
  period_to: string
  status: string
  reference: string
  notes: string | null
  approved_by: string | null
  approved_at: string | null
  suppliers: number
  unpriced: number
  late: number
  floor_minor: Int
  gross_minor: Int
  advances_minor: Int
  deducted_minor: Int
  net_payable_minor: Int
  payout_minor: Int
  carried_forward_minor: Int
}

/** One supplier's line of a run; `detail` is JSON (its statement's items and deductions). */
export interface SettlementLinesTable extends SyncedColumns {
  run_id: string
  supplier_id: string
  period_from: string
  period_to: string
  status: string
  unpriced: number
  late: number
  quantity_milli: Int
  payout_status: string
  payment_id: string | null
  payout_note: string | null
  detail: string
  opening_minor: Int
  gross_minor: Int
  advances_minor: Int
  available_minor: Int
  deducted_minor: Int
  net_payable_minor: Int
  payout_minor: Int
  carried_forward_minor: Int
}

export interface RoutesTable extends SyncedColumns {
  code: string
  name: string
  description: string | null
  is_active: number
}

export interface RouteAssignmentsTable extends SyncedColumns {
  route_id: string
  user_id: string
  valid_from: string
  valid_to: string | null
}

/** How often each route's suppliers changed (one moved in or out): part of a device's scope stamp. */
export interface RouteMembersTable {
  route_id: string
  version: number
}

/** A supplier a user added to its device from the directory, beyond its routes (migration 015). */
export interface ScopePinsTable {
  user_id: string
  supplier_id: string
  created_at: string
}

/**
 * The text-message outbox (migration 017; sms/): one row per message to a supplier, written with
 * what it tells of, sent by the worker. `message_id` (unique) names the event.
 */
export interface NotificationsTable {
  id: string
  message_id: string
  /** core's MESSAGE_KINDS. */
  kind: string
  supplier_id: string
  /** The phone number it goes to (E.164), as it was when the message was queued. */
  recipient: string
  language: string
  body: string
  /** pending | sending | sent | failed | skipped */
  status: string
  attempts: ColumnType<number, number | undefined, number>
  /** When the worker may (next) try it; while sending, when its lease ends. */
  next_attempt_at: string
  /** While sending: until when the worker that claimed it holds it. */
  lease_until: string | null
  last_error: string | null
  /** africastalking | twilio: which sent it (or last tried). */
  provider: string | null
  provider_message_id: string | null
  created_at: string
  sent_at: string | null
}

/** What each approved run settled: a collection or payment belongs to one run at most. */
export interface SettlementItemsTable {
  entity_type: string
  entity_id: string
  run_id: string
  late: number
}

export interface Database {
  users: UsersTable
  auth_tokens: AuthTokensTable
  suppliers: SuppliersTable
  products: ProductsTable
  product_rates: ProductRatesTable
  collections: CollectionsTable
  payments: PaymentsTable
  entity_history: EntityHistoryTable
  change_log: ChangeLogTable
  counters: CountersTable
  server_identity: ServerIdentityTable
  sync_operations: SyncOperationsTable
  sync_devices: SyncDevicesTable
  settings: SettingsTable
  receipt_prefixes: ReceiptPrefixesTable
  reprices: RepricesTable
  deductions: DeductionsTable
  settlement_runs: SettlementRunsTable
  settlement_lines: SettlementLinesTable
  settlement_items: SettlementItemsTable
  routes: RoutesTable
  route_assignments: RouteAssignmentsTable
  route_members: RouteMembersTable
  scope_pins: ScopePinsTable
  notifications: NotificationsTable
}

export type { Generated }
