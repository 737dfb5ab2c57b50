/**
 * The rows a push batch's operations name, loaded (and on PostgreSQL locked until commit) with one
 * statement per entity type before the batch runs, instead of one statement per operation: on
 * PostgreSQL each statement is a round trip, and that lookup was a third of a batch's statements.
 *
 * Each row is handed out once: the operation that takes it may write it, so a later operation of
 * the batch on the same row loads it again. Rates are left out (their lock order, after their
 * product, is `loadRow`'s), and so is a type only one row of the batch has (one statement either way).
 */
import type { EntityType } from '@trackvault/core'
import { settledRuns } from '../domain/entity-service'
import { loadRows } from '../domain/rows'
import type { WriteContext } from '../domain/write-context'

type Loose = Record<string, unknown>

/** A row as loaded before the batch (null: there was none) and, for a collection or payment, the run that settled it. */
export interface Prefetched {
  row: Loose | null
  settledBy?: string | null
}

export class RowPrefetch {
  private constructor(private readonly rows: Map<string, Prefetched>) {}

  /** Loads the rows of `ops` (their entity type and id), as `loadRow` with the write's locks would. */
  static async load(ctx: WriteContext, ops: readonly { entity_type: EntityType; entity_id: string }[]) {
    const byType = new Map<Exclude<EntityType, 'product_rate'>, Set<string>>()
    for (const op of ops) {
      if (op.entity_type === 'product_rate') continue
      const ids = byType.get(op.entity_type) ?? new Set()
      ids.add(op.entity_id)
      byType.set(op.entity_type, ids)
    }
    const rows = new Map<string, Prefetched>()
    for (const [type, ids] of byType) {
      if (ids.size < 2) continue
      const found = await loadRows(ctx.trx, type, [...ids], ctx.caps)
      // Which of them a settlement run settled, read once they are locked (as checkNotSettled would).
      const settled =
        type === 'collection' || type === 'payment' ? await settledRuns(ctx, type, [...found.keys()]) : undefined
      for (const id of ids) {
        const row = (found.get(id) as Loose | undefined) ?? null
        rows.set(`${type}/${id}`, settled ? { row, settledBy: row ? (settled.get(id) ?? null) : null } : { row })
      }
    }
    return new RowPrefetch(rows)
  }

  /**
   * The row `type/id` as loaded before the batch, handed out once; undefined if it was not loaded or
   * was taken already (the caller loads it).
   */
  take(type: EntityType, id: string): Prefetched | undefined {
    const key = `${type}/${id}`
    const row = this.rows.get(key)
    this.rows.delete(key)
    return row
  }
}
