/**
 * Net weight: a collection keeps its gross quantity, the tare of its containers and a deduction in
 * percent, and the net quantity (what is paid) the server computes from them. Rows from before are
 * their own net: no tare, no deduction.
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('collections')
    .addColumn('tare_milli', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('collections')
    .addColumn('containers', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('collections')
    .addColumn('deduction_hundredths', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('collections').addColumn('net_milli', 'bigint').execute()
  await sql`update collections set net_milli = quantity_milli`.execute(db)
}

export async function down(db: AnyDb): Promise<void> {
  for (const column of ['net_milli', 'deduction_hundredths', 'containers', 'tare_milli']) {
    await db.schema.alterTable('collections').dropColumn(column).execute()
  }
}
