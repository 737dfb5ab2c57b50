/**
 * Directory lookups (sync-scope.ts): a collector meeting a supplier of another route finds it
 * online (`GET /api/suppliers?search=`) and adds it to its devices. A pin puts the supplier, its
 * deductions and settlement lines in the user's scope wherever the supplier's route is; pinning or
 * unpinning changes the scope's stamp, so the devices pull their scope again.
 */
import { AppError, hasRouteScope } from '@trackvault/core'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { MAX_PINS } from './sync-scope'
import type { Actor } from './write-types'

export interface Pin {
  supplier_id: string
  created_at: string
}

function assertScoped(actor: Actor): void {
  if (!hasRouteScope(actor.role)) {
    throw new AppError('FORBIDDEN', `A ${actor.role}'s devices hold every supplier already`)
  }
}

/** The suppliers `actor` added to its devices, oldest first. */
export async function listPins(db: Kysely<Database>, actor: Actor): Promise<Pin[]> {
  assertScoped(actor)
  return db
    .selectFrom('scope_pins')
    .select(['supplier_id', 'created_at'])
    .where('user_id', '=', actor.id)
    .orderBy('created_at')
    .orderBy('supplier_id')
    .execute()
}

/** Adds a live supplier to `actor`'s devices (again: the same pin). */
export async function pinSupplier(db: Kysely<Database>, actor: Actor, supplierId: string): Promise<Pin> {
  assertScoped(actor)
  return db.transaction().execute(async (trx) => {
    const supplier = await trx
      .selectFrom('suppliers')
      .select(['id', 'deleted_at'])
      .where('id', '=', supplierId)
      .executeTakeFirst()
    if (!supplier || supplier.deleted_at) throw new AppError('NOT_FOUND', `supplier ${supplierId} does not exist`)
    const existing = await trx
      .selectFrom('scope_pins')
      .select(['supplier_id', 'created_at'])
      .where('user_id', '=', actor.id)
      .where('supplier_id', '=', supplierId)
      .executeTakeFirst()
    if (existing) return existing
    const { n } = await trx
      .selectFrom('scope_pins')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', actor.id)
      .executeTakeFirstOrThrow()
    if (Number(n) >= MAX_PINS) {
      throw new AppError('VALIDATION_FAILED', undefined, {
        fields: { supplier_id: [`at most ${MAX_PINS} suppliers may be added beyond your routes`] },
      })
    }
    const pin = { supplier_id: supplierId, created_at: new Date().toISOString() }
    await trx
      .insertInto('scope_pins')
      .values({ user_id: actor.id, ...pin })
      .onConflict((oc) => oc.columns(['user_id', 'supplier_id']).doNothing())
      .execute()
    return pin
  })
}

/** Takes a supplier off `actor`'s devices (if it was pinned); its routes' suppliers stay. */
export async function unpinSupplier(db: Kysely<Database>, actor: Actor, supplierId: string): Promise<void> {
  assertScoped(actor)
  await db.deleteFrom('scope_pins').where('user_id', '=', actor.id).where('supplier_id', '=', supplierId).execute()
}
