/**
 * The server said this device's sync scope changed (SCOPE_CHANGED: its user's routes, or a
 * route's suppliers): the device pulls its scope again from the beginning, and at the end drops the
 * rows it was not sent (rows that left its routes). Its queue stays as it is: a queued change of a
 * row that left still syncs, and stays shown until it settles (docs/sync-protocol.md).
 */
import { ApiError } from './http'
import { META } from './keys'
import type { LocalDb } from './local-db'

/** Thrown inside a sync to start it again with a full re-pull. */
export class ScopeChanged extends Error {
  constructor() {
    super("the server changed this device's scope")
  }
}

/** True if `err` is the server's SCOPE_CHANGED. */
export function scopeChangedBy(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'SCOPE_CHANGED'
}

/** A full re-pull is due: the cursor is dropped, the flag kept until the re-pull ends. */
export function beginRescope(db: LocalDb): Promise<void> {
  return db.write(async (tx) => {
    tx.del(META.cursor)
    tx.put(META.rescope, true)
  })
}

/** Whether a re-pull for a new scope is due (and has not finished). */
export async function rescopeDue(db: LocalDb): Promise<boolean> {
  return (await db.read((tx) => tx.get<boolean>(META.rescope))) === true
}
