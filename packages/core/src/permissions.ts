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

const MATRIX: Matrix = {
  admin: { supplier: ALL, product: ALL, product_rate: ALL, collection: ALL, payment: ALL },
  manager: { supplier: ALL, product: ALL, product_rate: ALL, collection: ALL, payment: ALL },
  finance: { supplier: READ, product: READ, product_rate: READ, collection: READ, payment: ALL },
  collector: {
    supplier: { read: 'all', create: 'all', update: 'none', delete: 'none' },
    product: READ,
    product_rate: READ,
    collection: { read: 'own', create: 'own', update: 'own', delete: 'none' },
    payment: NONE,
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
  return false
}

/** Reports of every supplier (balances report, statements). */
export function canReadReports(role: Role): boolean {
  return role !== 'collector'
}

/** A single supplier's balance: everyone signed in. */
export function canReadBalance(_role: Role): boolean {
  return true
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
