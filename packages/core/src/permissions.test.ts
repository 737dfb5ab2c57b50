import { describe, expect, it } from 'vitest'
import { ENTITY_TYPES, type EntityType, ROLES, type Role } from './entities'
import {
  type Action,
  approvalRefusal,
  can,
  canManageUsers,
  canReadReport,
  type Grant,
  grantFor,
  mayActForOthers,
  REPORTS,
} from './permissions'

const ACTIONS: Action[] = ['read', 'create', 'update', 'delete']
const MASTER_DATA: EntityType[] = ['supplier', 'product', 'product_rate']

const me = (role: Role) => ({ id: 'user-me', role })
const OTHER = 'user-other'

/** The expected table, written from the roles described in DESIGN.md, not copied from the source. */
function expectedGrant(role: Role, type: EntityType, action: Action): Grant {
  // Settlement runs and lines are the server's to write; a collector reads the lines (statements), not the runs.
  if (type === 'settlement_run' || type === 'settlement_line') {
    if (action !== 'read') return 'none'
    return role === 'collector' && type === 'settlement_run' ? 'none' : 'all'
  }
  // Deductions are the office's: finance keeps the check-off.
  if (type === 'deduction' && role !== 'collector') return 'all'
  if (role === 'admin' || role === 'manager') return 'all'
  if (role === 'finance') return type === 'payment' || action === 'read' ? 'all' : 'none'
  // collector
  if (type === 'payment') return 'none'
  if (type === 'collection') return action === 'delete' ? 'none' : 'own'
  // Routes are drawn by managers; a collector reads them and only its own assignments.
  if (type === 'route_assignment') return action === 'read' ? 'own' : 'none'
  if (type === 'supplier') return action === 'read' || action === 'create' ? 'all' : 'none'
  return action === 'read' ? 'all' : 'none'
}

describe('grantFor', () => {
  const cases = ROLES.flatMap((role) =>
    ENTITY_TYPES.flatMap((type) => ACTIONS.map((action) => [role, type, action] as const)),
  )

  it('covers every role, entity type and action', () => {
    expect(cases).toHaveLength(4 * 10 * 4)
  })

  it.each(cases)('%s / %s / %s', (role, type, action) => {
    expect(grantFor(role, type, action)).toBe(expectedGrant(role, type, action))
  })
})

describe('can: collector', () => {
  const collector = me('collector')

  it('creates, reads and updates its own collections', () => {
    for (const action of ['create', 'read', 'update'] as const) {
      expect(can(collector, 'collection', action, collector.id)).toBe(true)
    }
  })

  it("may not create, read or update another user's collections", () => {
    for (const action of ['create', 'read', 'update'] as const) {
      expect(can(collector, 'collection', action, OTHER)).toBe(false)
    }
  })

  it('a row with no owner (null) is not its own', () => {
    expect(can(collector, 'collection', 'update', null)).toBe(false)
  })

  it('without an owner given, answers whether the action is possible at all (to show or hide it)', () => {
    expect(can(collector, 'collection', 'create')).toBe(true)
    expect(can(collector, 'collection', 'update')).toBe(true)
    expect(can(collector, 'collection', 'delete')).toBe(false)
  })

  it('cannot delete collections, not even its own', () => {
    expect(can(collector, 'collection', 'delete', collector.id)).toBe(false)
    expect(can(collector, 'collection', 'delete', OTHER)).toBe(false)
  })

  it('cannot touch payments at all', () => {
    for (const action of ACTIONS) {
      expect(can(collector, 'payment', action, collector.id)).toBe(false)
      expect(can(collector, 'payment', action, OTHER)).toBe(false)
      expect(can(collector, 'payment', action)).toBe(false)
    }
  })

  it('reads master data; may register suppliers but not change or delete master data', () => {
    for (const type of MASTER_DATA) expect(can(collector, type, 'read')).toBe(true)
    expect(can(collector, 'supplier', 'create')).toBe(true)
    expect(can(collector, 'supplier', 'update')).toBe(false)
    expect(can(collector, 'supplier', 'delete')).toBe(false)
    for (const type of ['product', 'product_rate'] as const) {
      for (const action of ['create', 'update', 'delete'] as const) expect(can(collector, type, action)).toBe(false)
    }
  })
})

describe('can: finance', () => {
  const finance = me('finance')

  it('manages payments, its own and others', () => {
    for (const action of ACTIONS) {
      expect(can(finance, 'payment', action, finance.id)).toBe(true)
      expect(can(finance, 'payment', action, OTHER)).toBe(true)
    }
  })

  it('reads everything else but writes none of it', () => {
    for (const type of [
      'supplier',
      'product',
      'product_rate',
      'collection',
      'settlement_run',
      'settlement_line',
    ] as const) {
      expect(can(finance, type, 'read', OTHER)).toBe(true)
      for (const action of ['create', 'update', 'delete'] as const) {
        expect(can(finance, type, action, finance.id)).toBe(false)
        expect(can(finance, type, action, OTHER)).toBe(false)
      }
    }
  })
})

describe('can: admin and manager', () => {
  it.each(['admin', 'manager'] as const)('%s may do everything on every row the clients write', (role) => {
    const user = me(role)
    for (const type of ENTITY_TYPES.filter((t) => t !== 'settlement_run' && t !== 'settlement_line')) {
      for (const action of ACTIONS) {
        expect(can(user, type, action, OTHER)).toBe(true)
        expect(can(user, type, action, user.id)).toBe(true)
        expect(can(user, type, action, null)).toBe(true)
        expect(can(user, type, action)).toBe(true)
      }
    }
  })
})

describe('mayActForOthers', () => {
  it.each([
    ['admin', 'collection', true],
    ['manager', 'collection', true],
    ['finance', 'collection', false],
    ['collector', 'collection', false],
    ['admin', 'payment', true],
    ['manager', 'payment', true],
    ['finance', 'payment', true],
    ['collector', 'payment', false],
  ] as const)('%s on %s -> %s', (role, type, expected) => {
    expect(mayActForOthers(role, type)).toBe(expected)
  })

  it('is false for entity types without an owner', () => {
    for (const role of ROLES) for (const type of MASTER_DATA) expect(mayActForOthers(role, type)).toBe(false)
  })
})

describe('other capabilities', () => {
  it('statements and the all-suppliers report: everyone but collectors', () => {
    for (const report of ['supplier_statement', 'balances_report'] as const) {
      expect(ROLES.filter((role) => canReadReport(role, report))).toEqual(['admin', 'manager', 'finance'])
    }
  })

  it("any one supplier's balance: everyone, collectors included (they answer a supplier at the gate)", () => {
    expect(ROLES.every((role) => canReadReport(role, 'supplier_balance'))).toBe(true)
    expect(REPORTS).toEqual(['supplier_balance', 'supplier_statement', 'balances_report'])
  })

  it('user administration: admins only', () => {
    expect(ROLES.filter(canManageUsers)).toEqual(['admin'])
  })
})

describe('approvalRefusal', () => {
  it('a manager or admin approves a run someone else computed; nobody approves their own', () => {
    const run = { created_by: OTHER }
    expect(approvalRefusal(me('manager'), run)).toBeUndefined()
    expect(approvalRefusal(me('admin'), run)).toBeUndefined()
    expect(approvalRefusal(me('manager'), { created_by: 'user-me' })).toBe('SELF_APPROVAL')
    expect(approvalRefusal(me('finance'), run)).toBe('FORBIDDEN')
    expect(approvalRefusal(me('collector'), { created_by: 'user-me' })).toBe('FORBIDDEN')
  })
})
