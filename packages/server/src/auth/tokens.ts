/**
 * Bearer tokens: 256 random bits shown once to the client, stored only as a
 * SHA-256 hash, expiring, revoked by logout.
 */
import { createHash, randomBytes } from 'node:crypto'
import { AppError, type Role } from '@trackvault/core'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { Actor } from '../domain/write-context'

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export interface IssuedToken {
  token: string
  expires_at: string
}

/** Issues a token for a user (and the device it signed in on). */
export async function issueToken(
  db: Kysely<Database>,
  userId: string,
  deviceId: string | null,
  ttlMs: number,
): Promise<IssuedToken> {
  const token = randomBytes(32).toString('base64url')
  const now = new Date()
  const expires_at = new Date(now.getTime() + ttlMs).toISOString()
  await db
    .insertInto('auth_tokens')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      device_id: deviceId,
      created_at: now.toISOString(),
      expires_at,
      revoked_at: null,
    })
    .execute()
  return { token, expires_at }
}

/** The actor a token belongs to; UNAUTHENTICATED if unknown, expired, revoked or the user is inactive. */
export async function authenticate(db: Kysely<Database>, token: string): Promise<Actor & { tokenHash: string }> {
  const tokenHash = hashToken(token)
  const row = await db
    .selectFrom('auth_tokens')
    .innerJoin('users', 'users.id', 'auth_tokens.user_id')
    .select([
      'users.id',
      'users.name',
      'users.role',
      'users.is_active',
      'auth_tokens.device_id',
      'auth_tokens.expires_at',
      'auth_tokens.revoked_at',
    ])
    .where('auth_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst()
  if (!row || row.revoked_at || row.expires_at <= new Date().toISOString() || !Number(row.is_active)) {
    throw new AppError('UNAUTHENTICATED', 'The session is invalid or has expired; sign in again')
  }
  return { id: row.id, name: row.name, role: row.role as Role, deviceId: row.device_id, tokenHash }
}

/** Revokes one token. */
export async function revokeToken(db: Kysely<Database>, tokenHash: string): Promise<void> {
  await db
    .updateTable('auth_tokens')
    .set({ revoked_at: new Date().toISOString() })
    .where('token_hash', '=', tokenHash)
    .execute()
}

/** Revokes every token of a user (deactivation, password reset). */
export async function revokeUserTokens(db: Kysely<Database>, userId: string): Promise<void> {
  await db
    .updateTable('auth_tokens')
    .set({ revoked_at: new Date().toISOString() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute()
}
