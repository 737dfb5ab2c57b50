/**
 * The business's settings (core's settings.ts): one JSON document, read by
 * every write that checks dates and limits, changed by admins. And receipt
 * prefixes: each device and user gets a unique one, so receipt numbers made
 * offline never collide.
 */
import {
  AppError,
  type BusinessSettings,
  businessSettingsSchema,
  DEFAULT_SETTINGS,
  parseOrThrow,
  receiptPrefix,
} from '@trackvault/core'
import { type Kysely, sql, type Transaction } from 'kysely'
import { firstKeyed } from '../db/compiled-statements'
import type { Database } from '../db/schema'

const NAME = 'business'

/** The business's settings (the defaults until an admin sets them). */
export async function loadSettings(db: Kysely<Database> | Transaction<Database>): Promise<BusinessSettings> {
  const row = await firstKeyed(db, 'settings:load', [NAME], () =>
    db.selectFrom('settings').select('value').where('name', '=', NAME),
  )
  return row ? businessSettingsSchema.parse({ ...DEFAULT_SETTINGS, ...JSON.parse(row.value) }) : DEFAULT_SETTINGS
}

/** Replaces the given settings (the others keep their values); VALIDATION_FAILED naming bad fields. */
export async function saveSettings(
  db: Kysely<Database>,
  userId: string,
  patch: Record<string, unknown>,
): Promise<BusinessSettings> {
  return db.transaction().execute(async (trx) => {
    const current = await loadSettings(trx)
    const next = parseOrThrow(businessSettingsSchema, { ...current, ...patch })
    const row = { name: NAME, value: JSON.stringify(next), updated_at: new Date().toISOString(), updated_by: userId }
    await trx
      .insertInto('settings')
      .values(row)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: userId }),
      )
      .execute()
    return next
  })
}

/** Takes the next value of a counter row (its own short write; the counter is never rolled back to). */
async function nextOf(db: Kysely<Database> | Transaction<Database>, name: string): Promise<number> {
  const row = await firstKeyed(db, 'counters:next', [name], () =>
    db.updateTable('counters').set({ value: sql`value + 1` }).where('name', '=', name).returning('value'),
  )
  if (!row) throw new Error(`no counter ${name}`)
  return Number(row.value)
}

/** The receipt prefix of `deviceId` for `userId`, given on first asking and then always the same. */
export async function receiptPrefixFor(db: Kysely<Database>, deviceId: string, userId: string): Promise<string> {
  const find = () =>
    db
      .selectFrom('receipt_prefixes')
      .select('prefix')
      .where('device_id', '=', deviceId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
  const known = await find()
  if (known) return known.prefix
  const n = await nextOf(db, 'receipt_prefix')
  await db
    .insertInto('receipt_prefixes')
    .values({
      device_id: deviceId,
      user_id: userId,
      prefix: receiptPrefix(n - 1),
      created_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.columns(['device_id', 'user_id']).doNothing())
    .execute()
  const made = await find()
  if (!made) throw new AppError('INTERNAL', 'no receipt prefix could be stored')
  return made.prefix // two sign-ins at once: whichever stored first (the other number stays unused)
}
