/**
 * Bearer tokens: 256 random bits shown once to the client, stored only as a
 * SHA-256 hash, expiring, revoked by logout. Two kinds share the table
 * (migration 004): `session`, the bearer token from sign-in, and
 * `sse_ticket`, which opens one event stream once and nothing else, and is
 * only as good as the session that minted it (`parent_hash`).
 */
import { createHash, randomBytes } from 'node:crypto'
import { AppError, type Role } from '@trackvault/core'
import type { Kysely } from 'kysely'
import { firstKeyed } from '../db/compiled-statements'
import type { Database } from '../db/schema'
import type { Actor } from '../domain/write-context'

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export type TokenKind = 'session' | 'sse_ticket'

/** How long an event-stream ticket can wait to be used. */
export const TICKET_TTL_MS = 60_000

/**
 * A ticket is stored under the hash of this prefixed form: a ticket and a
 * session never share a hash, whichever string a client sends as which. The
 * `kind` column is what keeps a ticket from being a bearer token.
 */
const ticketKey = (ticket: string) => `sse-ticket:${ticket}`

/** The signed-in user of a session, and the session's hash (what a stream or a ticket is tied to). */
export type Session = Actor & { tokenHash: string }

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
      kind: 'session',
      parent_hash: null,
    })
    .execute()
  return { token, expires_at }
}

/** Issues a single-use event-stream ticket for `session`; it dies with the session. */
export async function issueTicket(
  db: Kysely<Database>,
  session: Session,
): Promise<{ ticket: string; expires_at: string }> {
  const ticket = randomBytes(32).toString('base64url')
  const now = new Date()
  const expires_at = new Date(now.getTime() + TICKET_TTL_MS).toISOString()
  await db
    .insertInto('auth_tokens')
    .values({
      token_hash: hashToken(ticketKey(ticket)),
      user_id: session.id,
      device_id: session.deviceId,
      created_at: now.toISOString(),
      expires_at,
      revoked_at: null,
      kind: 'sse_ticket',
      parent_hash: session.tokenHash,
    })
    .execute()
  return { ticket, expires_at }
}

/**
 * Uses up a ticket and returns the session that minted it. Single use, also
 * when two requests race with one ticket: only the one whose update revokes
 * it gets in. UNAUTHENTICATED if unknown, used, expired, or its session has
 * ended (logout, expiry, deactivation, password reset).
 */
export async function consumeTicket(db: Kysely<Database>, ticket: string): Promise<Session> {
  const now = new Date().toISOString()
  const used = await db
    .updateTable('auth_tokens')
    .set({ revoked_at: now })
    .where('token_hash', '=', hashToken(ticketKey(ticket)))
    .where('kind', '=', 'sse_ticket')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('parent_hash')
    .executeTakeFirst()
  if (!used?.parent_hash) throw new AppError('UNAUTHENTICATED', 'The ticket is unknown, expired or already used')
  return sessionByHash(db, used.parent_hash)
}

/**
 * Checks that `session` may push for `deviceId`: a session is bound to the device it signed in on;
 * one that signed in without a device (the original app) is bound to the first device it syncs.
 * Sets `session.deviceId` on binding; FORBIDDEN for any other device.
 */
export async function bindDevice(db: Kysely<Database>, session: Session, deviceId: string): Promise<void> {
  if (session.deviceId === null) {
    await db
      .updateTable('auth_tokens')
      .set({ device_id: deviceId })
      .where('token_hash', '=', session.tokenHash)
      .where('device_id', 'is', null)
      .execute()
    // Two first pushes racing: whichever bound the session wins; read what was stored.
    session.deviceId = (await sessionByHash(db, session.tokenHash)).deviceId
  }
  if (session.deviceId !== deviceId) {
    throw new AppError('FORBIDDEN', 'device_id is not the device this session signed in on')
  }
}

/** The actor a bearer token belongs to; UNAUTHENTICATED unless it is a live session of an active user. */
export async function authenticate(db: Kysely<Database>, token: string): Promise<Session> {
  return sessionByHash(db, hashToken(token))
}

async function sessionByHash(db: Kysely<Database>, tokenHash: string): Promise<Session> {
  const row = await firstKeyed(db, 'auth:session', [tokenHash, 'session'], () =>
    db
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
      .where('auth_tokens.kind', '=', 'session'),
  )
  if (!row || row.revoked_at || row.expires_at <= new Date().toISOString() || !Number(row.is_active)) {
    throw new AppError('UNAUTHENTICATED', 'The session is invalid or has expired; sign in again')
  }
  return { id: row.id, name: row.name, role: row.role as Role, deviceId: row.device_id, tokenHash }
}

/**
 * Of the sessions `tokenHashes`, those still live (not revoked, not expired,
 * user active), with their user's current role. Open event streams are
 * re-checked with it (plugins/live.ts).
 */
export async function liveSessions(db: Kysely<Database>, tokenHashes: string[]): Promise<Map<string, Role>> {
  const live = new Map<string, Role>()
  const now = new Date().toISOString()
  for (let i = 0; i < tokenHashes.length; i += 500) {
    const rows = await db
      .selectFrom('auth_tokens')
      .innerJoin('users', 'users.id', 'auth_tokens.user_id')
      .select(['auth_tokens.token_hash', 'users.role'])
      .where('auth_tokens.token_hash', 'in', tokenHashes.slice(i, i + 500))
      .where('auth_tokens.kind', '=', 'session')
      .where('auth_tokens.revoked_at', 'is', null)
      .where('auth_tokens.expires_at', '>', now)
      .where('users.is_active', '=', 1)
      .execute()
    for (const r of rows) live.set(r.token_hash, r.role as Role)
  }
  return live
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
