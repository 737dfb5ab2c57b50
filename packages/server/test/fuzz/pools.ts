/**
 * The rows and users the fuzzer aims at: a supplier and product to refer to,
 * six victims of every entity type (one collection owned by the collector,
 * the rest by the manager), two victim users, the test users' emails (a
 * login may succeed), and eight of the admin's operations parked in conflict
 * on device-admin (a resolve may succeed).
 */
import { ENTITY_TYPES, type EntityType, newId } from '@trackvault/core'
import { expect } from 'vitest'
import { TestDevice } from '../helpers/sync-client'
import { seedBasics, type TestServer } from '../helpers/test-server'
import { type Pools, ROLES } from './arbitraries'

export async function seedPools(s: TestServer): Promise<Pools> {
  const base = await seedBasics(s.as.admin)
  const victims = {} as Record<EntityType, string[]>
  for (const type of ENTITY_TYPES) victims[type] = []
  for (let i = 0; i < 6; i++) {
    const supplier = await s.as.admin.post('/api/suppliers', { code: `V-S${i}`, name: `Victim ${i}` })
    victims.supplier.push(supplier.body.id)
    const product = await s.as.admin.post('/api/products', { code: `V-P${i}`, name: `Victim ${i}`, default_unit: 'kg' })
    victims.product.push(product.body.id)
    const rate = await s.as.admin.post('/api/product-rates', {
      product_id: product.body.id,
      unit: 'kg',
      rate: '10.00',
      effective_date: '2020-01-01',
    })
    victims.product_rate.push(rate.body.id)
    const owner = i === 0 ? s.users.collector.id : s.users.manager.id
    const collection = await s.as.admin.post('/api/collections', {
      supplier_id: base.supplierId,
      product_id: base.productId,
      user_id: owner,
      collection_date: `2026-01-0${i + 1}`,
      quantity: '5',
      unit: 'kg',
    })
    victims.collection.push(collection.body.id)
    const payment = await s.as.admin.post('/api/payments', {
      supplier_id: base.supplierId,
      payment_date: '2026-01-05',
      amount: '7.50',
      payment_type: 'advance',
    })
    victims.payment.push(payment.body.id)
    const deduction = await s.as.admin.post('/api/deductions', {
      supplier_id: base.supplierId,
      kind: 'per_quantity',
      description: `Transport ${i}`,
      rate: '2.50',
      unit: 'kg',
      effective_date: '2026-01-01',
    })
    victims.deduction.push(deduction.body.id)
  }
  for (let i = 0; i < 6; i++) {
    const route = await s.as.admin.post('/api/routes', { code: `V-R${i}`, name: `Victim route ${i}` })
    victims.route.push(route.body.id)
    const assignment = await s.as.admin.post('/api/route-assignments', {
      route_id: route.body.id,
      user_id: i === 0 ? s.users.collector.id : s.users.manager.id,
      valid_from: '2026-01-01',
    })
    victims.route_assignment.push(assignment.body.id)
  }
  // Settlement runs and lines are written by the settlement routes only: ids that name no row here.
  victims.settlement_run.push(newId())
  victims.settlement_line.push(newId())
  for (const list of Object.values(victims)) for (const id of list) expect(id).toBeTruthy()
  const victimUsers: string[] = []
  for (let i = 0; i < 2; i++) {
    const u = await s.as.admin.post('/api/users', {
      name: `Victim ${i}`,
      email: `victim${i}@fuzz.test`,
      password: 'fuzz-password-1',
      role: 'collector',
    })
    victimUsers.push(u.body.id)
  }
  // Conflicts for the resolve endpoint: stale updates from the admin's device.
  const adminDevice = new TestDevice(s.as.admin, 'device-admin')
  const stale = []
  for (let i = 0; i < 8; i++) {
    const row = await s.as.admin.post('/api/suppliers', { code: `C-S${i}`, name: `Conflicted ${i}` })
    await s.as.admin.patch(`/api/suppliers/${row.body.id}`, { name: 'Server side', version: 1 })
    stale.push(adminDevice.op('supplier', 'update', row.body.id, { name: 'Device side' }, 1))
  }
  const parked = await adminDevice.push(stale)
  expect(parked.body.results.map((r: { status: string }) => r.status)).toEqual(Array(8).fill('conflict'))
  const conflicts = stale.map((op) => op.local_id)
  return {
    supplier: [base.supplierId],
    product: [base.productId],
    victims,
    users: ROLES.map((r) => s.users[r].id),
    victimUsers,
    emails: ROLES.map((r) => s.users[r].email),
    conflicts,
  }
}
