/**
 * What each auth token is: a `session` (a bearer token from sign-in) or an
 * `sse_ticket` (opens one event stream, once), and for a ticket the session
 * that minted it (`parent_hash`), so the ticket dies with its session.
 * Before this, a ticket was told apart only by the prefix of its hashed
 * form, and the prefixed form itself worked as a bearer token.
 *
 * Tickets outstanding at the upgrade cannot be told from sessions by their
 * columns, only by their lifetime (60 s; sessions live hours or days): they
 * are marked as tickets and revoked, so none can act as a session. A client
 * whose ticket was revoked asks for a new one.
 */
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

/** The ticket lifetime of the code before this migration. */
const OLD_TICKET_TTL_MS = 60_000

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('auth_tokens')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('session'))
    .execute()
  await db.schema.alterTable('auth_tokens').addColumn('parent_hash', 'text').execute()
  const now = new Date().toISOString()
  const live = await db
    .selectFrom('auth_tokens')
    .select(['token_hash', 'created_at', 'expires_at'])
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .execute()
  const tickets = live
    .filter((t) => Date.parse(t.expires_at) - Date.parse(t.created_at) <= OLD_TICKET_TTL_MS)
    .map((t) => t.token_hash as string)
  for (let i = 0; i < tickets.length; i += 500) {
    await db
      .updateTable('auth_tokens')
      .set({ kind: 'sse_ticket', revoked_at: now })
      .where('token_hash', 'in', tickets.slice(i, i + 500))
      .execute()
  }
}

export async function down(db: AnyDb): Promise<void> {
  // Tickets would become sessions again: drop them (they live a minute) before the column goes.
  await db.deleteFrom('auth_tokens').where('kind', '=', 'sse_ticket').execute()
  await db.schema.alterTable('auth_tokens').dropColumn('parent_hash').execute()
  await db.schema.alterTable('auth_tokens').dropColumn('kind').execute()
}
