/**
 * Who may do what. One table, used by the server on every route and every
 * sync operation, and by clients to hide what a role cannot do.
 *
 * "own" means the row's user_id is the caller (a collector's own collections).
 */
import type { EntityType, Role } from './entities'

export type Action = 'read' | 'create' | 'update' | 'delete'
/** Allowed for every row, only for the caller's own rows, or not at all. */
export type Grant = 'all' | 'own' | 'none'

type Matrix = Record<Role, Record<EntityType, Record<Action, Grant>>>

const ALL = { read: 'all', create: 'all', update: 'all', delete: 'all' } as const
const READ = { read: 'all', create: 'none', update: 'none', delete: 'none' } as const
const NONE = { read: 'none', create: 'none', update: 'none', delete: 'none' } as const

/**
 * Deductions are the office's (finance keeps the check-off); a collector reads them to answer a
 * supplier's "why was this taken?". Settlement runs and lines are written by the server only
 * (`canCreateSettlement`, `canApproveSettlement`); a collector reads the lines, the suppliers'
 * statements, and not the runs (the business's totals).
 */
const SETTLEMENT_OFFICE = { deduction: ALL, settlement_run: READ, settlement_line: READ } as const

/** Managers draw the routes and assign collectors; finance reads them; a collector reads the routes and its own assignments. */
const ROUTES_MANAGED = { route: ALL, route_assignment: ALL } as const

/** Admins and managers keep the master data, the records, the office's settlement rows and the routes. */
const MASTER = {
  supplier: ALL,
  product: ALL,
  product_rate: ALL,
  collection: ALL,
  payment: ALL,
  ...SETTLEMENT_OFFICE,
  ...ROUTES_MANAGED,
} as const

const MATRIX: Matrix = {
  admin: MASTER,
  manager: MASTER,
  finance: {
    supplier: READ,
    product: READ,
    product_rate: READ,
    collection: READ,
    payment: ALL,
    ...SETTLEMENT_OFFICE,
    route: READ,
    route_assignment: READ,
  },
  collector: {
    supplier: { read: 'all', create: 'all', update: 'none', delete: 'none' },
    product: READ,
    product_rate: READ,
    collection: { read: 'own', create: 'own', update: 'own', delete: 'none' },
    payment: NONE,
    deduction: READ,
    settlement_run: NONE,
    settlement_line: READ,
    route: READ,
    route_assignment: { read: 'own', create: 'none', update: 'none', delete: 'none' },
  },
}

/** The grant a role has for an action on an entity type. */
export function grantFor(role: Role, type: EntityType, action: Action): Grant {
  return MATRIX[role][type][action]
}

/** True if the role may do `action` on a row owned by `ownerId` (or any row when ownerId is undefined and the grant is "all"). */
export function can(
  user: { id: string; role: Role },
  type: EntityType,
  action: Action,
  ownerId?: string | null,
): boolean {
  const grant = grantFor(user.role, type, action)
  if (grant === 'all') return true
  if (grant === 'own') return ownerId === undefined || ownerId === user.id
  return false
}

/** Roles that may record a collection or payment on behalf of another user. */
export function mayActForOthers(role: Role, type: EntityType): boolean {
  if (type === 'collection') return role === 'admin' || role === 'manager'
  if (type === 'payment') return role === 'admin' || role === 'manager' || role === 'finance'
  if (type === 'route_assignment') return role === 'admin' || role === 'manager'
  return false
}

/** What may be read beyond the entities themselves (the routes of report-routes.ts). */
export const REPORTS = ['supplier_balance', 'supplier_statement', 'balances_report'] as const
export type Report = (typeof REPORTS)[number]

const EVERY_REPORT = { supplier_balance: true, supplier_statement: true, balances_report: true } as const

/**
 * Who may read which report.
 *
 * - `supplier_balance`: one supplier's totals (collected, paid, balance), any supplier.
 * - `supplier_statement`: one supplier's every collection and payment, with a running balance.
 * - `balances_report`: every supplier's balance and the grand totals: the business's books.
 *
 * A collector may read any supplier's balance, payments total included, and nothing more: at a
 * supplier's gate they answer "how much am I owed?", and until routes exist a collector serves
 * every supplier. The payments themselves (`payment: NONE`), a statement and the all-suppliers
 * report stay with the roles that keep the books.
 */
const REPORT_GRANTS: Record<Role, Record<Report, boolean>> = {
  admin: EVERY_REPORT,
  manager: EVERY_REPORT,
  finance: EVERY_REPORT,
  collector: { supplier_balance: true, supplier_statement: false, balances_report: false },
}

/** True if the role may read `report`. */
export function canReadReport(role: Role, report: Report): boolean {
  return REPORT_GRANTS[role][report]
}

/**
 * Which device wrote a change: audit data for those who check others' work. Rows never carry it;
 * history shows it to these roles only (a device id known to others was once a way to interfere
 * with that device's sync).
 */
export function canSeeDevices(role: Role): boolean {
  return role === 'admin' || role === 'manager'
}

/** User administration. */
export function canManageUsers(role: Role): boolean {
  return role === 'admin'
}

/**
 * Repricing a period: priced collections are frozen, and changing what suppliers were owed is a
 * decision the office takes on purpose (a corrected rate, a bonus agreed after the month).
 */
export function canReprice(role: Role): boolean {
  return role === 'admin' || role === 'manager'
}

/** Who computes a settlement run (a draft): the office that keeps the books. */
export function canCreateSettlement(role: Role): boolean {
  return role === 'admin' || role === 'manager' || role === 'finance'
}

/**
 * Who approves a run, freezing it and recording its payouts: a manager or an admin, and never the
 * person who computed it (two people see every payout before money moves; the server checks both).
 */
export function canApproveSettlement(role: Role): boolean {
  return role === 'admin' || role === 'manager'
}

/**
 * Why `user` may not approve a run computed by `run.created_by`, or undefined when they may: the
 * role (`canApproveSettlement`), or they computed it themselves (two people see every payout). The
 * server refuses with the code; the web app hides the button and says why.
 */
export function approvalRefusal(
  user: { id: string; role: Role },
  run: { created_by: string | null },
): 'FORBIDDEN' | 'SELF_APPROVAL' | undefined {
  if (!canApproveSettlement(user.role)) return 'FORBIDDEN'
  if (run.created_by === user.id) return 'SELF_APPROVAL'
  return undefined
}

/**
 * Who reads the names of the other users: those who see others' collections or payments (a list
 * shows who recorded each). Collectors see only their own records and need no one else's name.
 */
export function canListPeople(role: Role): boolean {
  return grantFor(role, 'collection', 'read') === 'all' || grantFor(role, 'payment', 'read') === 'all'
}

/**
 * Who reads the text-message outbox (GET /api/notifications: what was sent to which supplier's
 * phone, what failed and why): the office, as for the people list.
 */
export function canReadNotifications(role: Role): boolean {
  return canListPeople(role)
}
