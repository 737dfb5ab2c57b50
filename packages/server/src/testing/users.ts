/**
 * Users for tests, stored with a cheap scrypt cost (N=1024, a few
 * milliseconds): the hash format carries its parameters, so signing in stays
 * the real code path, but a suite that makes four users per test server and
 * signs each in no longer spends about 0.5 s of CPU per server on hashing.
 * Users made through the API keep the production cost.
 */
import { randomBytes, scrypt as scryptCb } from 'node:crypto'
import { promisify } from 'node:util'
import type { User } from '@trackvault/core'
import type { Kysely } from 'kysely'
import { createUser as createUserWith, type NewUser } from '../auth/users'
import type { Database } from '../db/schema'

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>
const COST = { N: 1024, r: 8, p: 1 }

/** A password hash in the server's format with the cheap test cost. */
export async function cheapPasswordHash(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, 32, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

/** `createUser` with the cheap test hash. */
export function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  return createUserWith(db, input, cheapPasswordHash)
}
