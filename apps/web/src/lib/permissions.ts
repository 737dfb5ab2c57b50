/** What the signed-in user may do, from core's permission matrix (the server enforces the same). */
import {
  type Action,
  can,
  canApproveSettlement,
  canCreateSettlement,
  canManageUsers,
  canReadReport,
  canReprice,
  type EntityType,
  grantFor,
  hasRouteScope,
} from '@trackvault/core'
import { useSession } from './session'

export function useCan() {
  const { user } = useSession()
  return {
    /** May do `action` on `type` (for a row owned by `owner`, if given). */
    can: (type: EntityType, action: Action, owner?: string) => (user ? can(user, type, action, owner) : false),
    reads: (type: EntityType) => (user ? grantFor(user.role, type, 'read') !== 'none' : false),
    /** The all-suppliers report screen. */
    reports: user ? canReadReport(user.role, 'balances_report') : false,
    users: user ? canManageUsers(user.role) : false,
    /** The business's settings screen (admins, as for users). */
    settings: user ? canManageUsers(user.role) : false,
    /** Repricing a period of a product. */
    reprice: user ? canReprice(user.role) : false,
    /** Computing a settlement run (a draft): admin, manager, finance. */
    settles: user ? canCreateSettlement(user.role) : false,
    /** Approving a run someone else computed: admin, manager. */
    approves: user ? canApproveSettlement(user.role) : false,
    /** The routes screens: the roles that see every route's assignments (admin, manager; finance reads them). */
    routes: user ? grantFor(user.role, 'route_assignment', 'read') === 'all' : false,
    /** This device holds only the user's routes (a collector's): other suppliers are found in the server's directory. */
    scoped: user ? hasRouteScope(user.role) : false,
    /** Managers and admins check collectors' work: lists name who recorded each row. */
    seesCollectors: user ? user.role === 'admin' || user.role === 'manager' : false,
  }
}
