/** User administration: no public registration; admins create users. */
import { AppError, fieldProblem, newId, type Role, type User } from '@trackvault/core'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { DbCapabilities } from '../db/database'
import type { Database, UsersTable } from '../db/schema'
import { forUpdate } from '../db/sql-helpers'
import { hashPassword } from './passwords'
import { revokeUserTokens } from './tokens'

/** A user's name and sign-in email as every way of creating or changing a user checks them (API, command line). */
export const userNameSchema = z
  .string()
  .trim()
  .min(1, fieldProblem('required'))
  .max(200, fieldProblem('max_length', { max: 200 }))
export const userEmailSchema = z.email(fieldProblem('email')).max(200, fieldProblem('max_length', { max: 200 }))

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role as Role,
    is_active: Number(row.is_active) === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

export interface NewUser {
  name: string
  email: string
  password: string
  role: Role
  is_active?: boolean
}

/** `hash` makes the stored password hash (tests pass a cheaper one: `@trackvault/server/testing`). */
export async function createUser(db: Kysely<Database>, input: NewUser, hash = hashPassword): Promise<User> {
  const email = input.email.trim().toLowerCase()
  const clash = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  if (clash)
    throw new AppError('DUPLICATE', 'email is already used', { fields: { email: [fieldProblem('already_used')] } })
  const now = new Date().toISOString()
  const row: UsersTable = {
    id: newId(),
    name: input.name,
    email,
    password_hash: await hash(input.password),
    role: input.role,
    is_active: input.is_active === false ? 0 : 1,
    created_at: now,
    updated_at: now,
  }
  await db.insertInto('users').values(row).execute()
  return toUser(row)
}

export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
}

export async function getUser(db: Kysely<Database>, id: string): Promise<User> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new AppError('NOT_FOUND', `user ${id} does not exist`)
  return toUser(row)
}

/**
 * Changes a user. A change that would leave no active admin (the last one
 * demoted or deactivated, by themselves or by the other admin) is refused
 * with LAST_ADMIN. Race-free: such a change first locks every active admin
 * row, in id order (PostgreSQL; SQLite runs one write transaction at a
 * time), so two admins demoting each other at once are serialised and the
 * second sees that it would remove the last one.
 */
export async function updateUser(
  db: Kysely<Database>,
  caps: Pick<DbCapabilities, 'rowLocks'>,
  id: string,
  patch: { name?: string; role?: Role; is_active?: boolean },
): Promise<User> {
  const mayRemoveAdmin = (patch.role !== undefined && patch.role !== 'admin') || patch.is_active === false
  await db.transaction().execute(async (trx) => {
    let activeAdmins: { id: string }[] = []
    if (mayRemoveAdmin) {
      const query = trx
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .where('is_active', '=', 1)
        .orderBy('id')
      activeAdmins = await forUpdate(query, caps).execute()
    }
    const target = await trx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()
    if (!target) throw new AppError('NOT_FOUND', `user ${id} does not exist`)
    if (activeAdmins.some((a) => a.id === id) && activeAdmins.length === 1) {
      throw new AppError(
        'LAST_ADMIN',
        'This is the only active admin: make another user an admin before demoting or deactivating this one',
      )
    }
    const set: Partial<UsersTable> = { updated_at: new Date().toISOString() }
    if (patch.name !== undefined) set.name = patch.name
    if (patch.role !== undefined) set.role = patch.role
    if (patch.is_active !== undefined) set.is_active = patch.is_active ? 1 : 0
    await trx.updateTable('users').set(set).where('id', '=', id).execute()
    if (patch.is_active === false) await revokeUserTokens(trx, id)
  })
  return getUser(db, id)
}

export async function resetPassword(db: Kysely<Database>, id: string, password: string): Promise<void> {
  await getUser(db, id)
  await db
    .updateTable('users')
    .set({ password_hash: await hashPassword(password), updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .execute()
  await revokeUserTokens(db, id)
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst()
  return Number(r?.n ?? 0)
}
