/**
 * How each supplier is paid: cash at the centre (the default, what every
 * supplier had before), a bank transfer (bank and account), or mobile money
 * (a number; a payout file falls back to the supplier's phone). The payout
 * files of a settlement run (core's payout-file.ts) read them.
 */
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('suppliers')
    .addColumn('payout_method', 'text', (c) => c.notNull().defaultTo('cash'))
    .execute()
  await db.schema.alterTable('suppliers').addColumn('bank_name', 'text').execute()
  await db.schema.alterTable('suppliers').addColumn('bank_account', 'text').execute()
  await db.schema.alterTable('suppliers').addColumn('mobile_money_number', 'text').execute()
}

export async function down(db: AnyDb): Promise<void> {
  for (const column of ['mobile_money_number', 'bank_account', 'bank_name', 'payout_method']) {
    await db.schema.alterTable('suppliers').dropColumn(column).execute()
  }
}
