/**
 * First start: create the admin named by the environment, and in demo mode
 * one account per role plus demo master data and records. Demo mode is the
 * only place with known passwords, and it prints them.
 */
import { newId, type Role } from '@trackvault/core'
import type { Kysely } from 'kysely'
import { countUsers, createUser } from '../auth/users'
import type { DbCapabilities } from '../db/database'
import type { Database } from '../db/schema'
import { createEntity } from '../domain/entity-service'
import { type Actor, runWrite } from '../domain/write-context'

export const DEMO_PASSWORD = 'trackvault-demo'
export const DEMO_ACCOUNTS: { role: Role; name: string; email: string }[] = [
  { role: 'admin', name: 'Ada Admin', email: 'admin@demo.trackvault.local' },
  { role: 'manager', name: 'Mina Manager', email: 'manager@demo.trackvault.local' },
  { role: 'finance', name: 'Femi Finance', email: 'finance@demo.trackvault.local' },
  { role: 'collector', name: 'Cole Collector', email: 'collector@demo.trackvault.local' },
]

/** Creates the configured admin if there are no users yet. Returns true if it did. */
export async function ensureAdmin(db: Kysely<Database>, email?: string, password?: string): Promise<boolean> {
  if (!email || !password || (await countUsers(db)) > 0) return false
  await createUser(db, { name: 'Administrator', email, password, role: 'admin' })
  return true
}

const isoDay = (offset: number) => {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() + offset)
  return d.toISOString().slice(0, 10)
}

/** Seeds demo accounts and data into an empty database. Returns false if there was data already. */
export async function seedDemo(db: Kysely<Database>, caps: DbCapabilities): Promise<boolean> {
  const existing = await db.selectFrom('suppliers').select('id').limit(1).executeTakeFirst()
  if (existing) return false
  const users: Record<string, string> = {}
  for (const account of DEMO_ACCOUNTS) {
    const found = await db.selectFrom('users').select('id').where('email', '=', account.email).executeTakeFirst()
    users[account.role] = found?.id ?? (await createUser(db, { ...account, password: DEMO_PASSWORD })).id
  }
  const as = (role: Role): Actor => ({ id: users[role], role, name: role, deviceId: 'demo-seed' })

  await runWrite(db, caps, as('manager'), async (ctx) => {
    const tea = newId()
    const milk = newId()
    await createEntity(ctx, 'product', { code: 'TEA', name: 'Green tea leaf', default_unit: 'kg' }, tea)
    await createEntity(ctx, 'product', { code: 'MILK', name: 'Raw milk', default_unit: 'l' }, milk)
    await createEntity(ctx, 'product_rate', {
      product_id: tea,
      unit: 'kg',
      rate: '110.00',
      effective_date: isoDay(-90),
      end_date: isoDay(-31),
    })
    await createEntity(ctx, 'product_rate', {
      product_id: tea,
      unit: 'kg',
      rate: '120.00',
      effective_date: isoDay(-30),
    })
    await createEntity(ctx, 'product_rate', { product_id: milk, unit: 'l', rate: '55.50', effective_date: isoDay(-90) })
    const names = ['Kamau Farm', 'Njeri Estate', 'Otieno Growers', 'Wanjiru Dairy', 'Hill View Co-op', 'Mwangi & Sons']
    const suppliers: string[] = []
    for (const [i, name] of names.entries()) {
      const id = newId()
      suppliers.push(id)
      await createEntity(
        ctx,
        'supplier',
        { code: `SUP-${String(i + 1).padStart(3, '0')}`, name, phone: `+2547000000${i}`, address: 'Kericho' },
        id,
      )
    }
    for (let day = -20; day <= 0; day++) {
      for (const [i, supplier] of suppliers.entries()) {
        if ((i + day) % 3 === 0) continue
        const dairy = i === 3
        await createEntity(ctx, 'collection', {
          supplier_id: supplier,
          product_id: dairy ? milk : tea,
          user_id: users.collector,
          collection_date: isoDay(day),
          quantity: `${20 + ((i * 7 - day * 3) % 30)}.${String((i * 125) % 1000).padStart(3, '0')}`,
          unit: dairy ? 'l' : 'kg',
        })
      }
    }
    for (const [i, supplier] of suppliers.entries()) {
      await createEntity(ctx, 'payment', {
        supplier_id: supplier,
        payment_date: isoDay(-10),
        amount: `${5000 + i * 750}.00`,
        payment_type: 'advance',
        payment_method: i % 2 ? 'mobile_payment' : 'cash',
      })
    }
  })
  return true
}
