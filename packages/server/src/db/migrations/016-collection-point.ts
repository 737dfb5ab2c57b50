/**
 * The collection point (docs/collection-point.md): where a collection's weight
 * came from (a scale, which one, or typed by hand: the anti-tamper view), and
 * a supplier's text-message choices (opted out; the messages' language).
 */
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('collections')
    .addColumn('weight_source', 'text', (c) => c.notNull().defaultTo('typed'))
    .execute()
  await db.schema.alterTable('collections').addColumn('scale_id', 'text').execute()
  await db.schema
    .alterTable('suppliers')
    .addColumn('sms_opt_out', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('suppliers').addColumn('language', 'text').execute()
}

export async function down(db: AnyDb): Promise<void> {
  for (const column of ['language', 'sms_opt_out']) await db.schema.alterTable('suppliers').dropColumn(column).execute()
  for (const column of ['scale_id', 'weight_source'])
    await db.schema.alterTable('collections').dropColumn(column).execute()
}
