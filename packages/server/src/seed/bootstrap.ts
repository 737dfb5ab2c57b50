/**
 * First start: create the admin named by the environment, and in demo mode
 * one account per role plus demo master data and records. Demo mode is the
 * only place with known passwords, and it prints them. Each step is safe
 * when two processes start at once on an empty database: the one that loses
 * the race finds what the other made.
 */
import { AppError, newId, type Role } from '@trackvault/core'
import type { Kysely } from 'kysely'
import { countUsers, createUser, findUserByEmail, updateUser } from '../auth/users'
import type { DbCapabilities } from '../db/database'
import { isUniqueViolation } from '../db/db-errors'
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

/** A lost race on a unique key: the row is there, made by someone else. */
const lostRace = (err: unknown) => isUniqueViolation(err) || (err instanceof AppError && err.code === 'DUPLICATE')

/**
 * Creates the configured admin if there are no users yet. Returns true if it
 * did, false if it was not needed or another process starting at the same
 * time created it.
 */
export async function ensureAdmin(db: Kysely<Database>, email?: string, password?: string): Promise<boolean> {
  if (!email || !password || (await countUsers(db)) > 0) return false
  try {
    await createUser(db, { name: 'Administrator', email, password, role: 'admin' })
    return true
  } catch (err) {
    if (lostRace(err)) return false
    throw err
  }
}

/** The demo accounts that can still sign in (active), by email. */
export async function activeDemoAccounts(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('email')
    .where(
      'email',
      'in',
      DEMO_ACCOUNTS.map((a) => a.email),
    )
    .where('is_active', '=', 1)
    .orderBy('email')
    .execute()
  return rows.map((r) => r.email)
}

/**
 * Deactivates every demo account (their sessions end, as when an admin
 * deactivates a user); LAST_ADMIN if the demo admin is the only admin.
 * Their records stay, so the accounts are kept, inactive. Returns the emails.
 */
export async function retireDemoAccounts(db: Kysely<Database>, caps: DbCapabilities): Promise<string[]> {
  const emails = await activeDemoAccounts(db)
  // The demo admin last: LAST_ADMIN then names the only thing left to fix.
  const ordered = [...emails].sort(
    (a, b) => Number(a === DEMO_ACCOUNTS[0].email) - Number(b === DEMO_ACCOUNTS[0].email),
  )
  for (const email of ordered) {
    const user = await findUserByEmail(db, email)
    if (user) await updateUser(db, caps, user.id, { is_active: false })
  }
  return emails
}

/** The demo account's id, created if missing (or found, if another process created it first). */
async function demoUser(db: Kysely<Database>, account: (typeof DEMO_ACCOUNTS)[number]): Promise<string> {
  const found = await findUserByEmail(db, account.email)
  if (found) return found.id
  try {
    return (await createUser(db, { ...account, password: DEMO_PASSWORD })).id
  } catch (err) {
    const raced = lostRace(err) ? await findUserByEmail(db, account.email) : undefined
    if (raced) return raced.id
    throw err
  }
}

const isoDay = (offset: number) => {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() + offset)
  return d.toISOString().slice(0, 10)
}

const hasSuppliers = async (db: Kysely<Database>) =>
  (await db.selectFrom('suppliers').select('id').limit(1).executeTakeFirst()) !== undefined

/**
 * Seeds demo accounts and data into a database without suppliers. Returns
 * false if there was data already, or another process seeded it meanwhile
 * (its write wins; ours fails on the unique codes or the SQLite write lock
 * and is rolled back whole).
 */
export async function seedDemo(db: Kysely<Database>, caps: DbCapabilities): Promise<boolean> {
  if (await hasSuppliers(db)) return false
  const users: Record<string, string> = {}
  for (const account of DEMO_ACCOUNTS) users[account.role] = await demoUser(db, account)
  const as = (role: Role): Actor => ({ id: users[role], role, name: role, deviceId: 'demo-seed' })

  try {
    await seedDemoData(db, caps, as, users)
  } catch (err) {
    if (await hasSuppliers(db)) return false
    throw err
  }
  return true
}

async function seedDemoData(
  db: Kysely<Database>,
  caps: DbCapabilities,
  as: (role: Role) => Actor,
  users: Record<string, string>,
): Promise<void> {
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
}
