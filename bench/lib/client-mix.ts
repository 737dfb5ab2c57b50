/**
 * The same operation mix as lib/ops.ts, written through a real SyncClient's
 * entity API (so it lands in the device's queue the way an app writes it).
 * Collectors may not write payments: for them every payment slot becomes a
 * collection.
 */
import type { SyncClient } from '@trackvault/client'
import type { Fixtures } from './env'
import { COLLECTION_DATE } from './ops'

export type Kind = 'collection' | 'payment'
/** The push mix (lib/ops.ts), per 20 operations. */
export const PATTERN: Array<[Kind, 'create' | 'update']> = [
  ...Array.from({ length: 8 }, () => ['collection', 'create'] as [Kind, 'create']),
  ...Array.from({ length: 4 }, () => ['payment', 'create'] as [Kind, 'create']),
  ...Array.from({ length: 5 }, () => ['collection', 'update'] as [Kind, 'update']),
  ...Array.from({ length: 3 }, () => ['payment', 'update'] as [Kind, 'update']),
]

export class ClientMix {
  private n = 0
  private readonly ids: Record<Kind, string[]> = { collection: [], payment: [] }
  private readonly next: Record<Kind, number> = { collection: 0, payment: 0 }
  /** Creates and updates written, by kind. */
  readonly counts = { collection: 0, payment: 0, creates: 0, updates: 0 }

  constructor(
    private readonly client: SyncClient,
    private readonly fx: Fixtures,
    private readonly payments = true,
  ) {}

  /** Writes the next operation of the mix. */
  async step(): Promise<void> {
    let [kind, action] = PATTERN[this.n++ % PATTERN.length]
    if (kind === 'payment' && !this.payments) kind = 'collection'
    const n = this.n
    const ids = this.ids[kind]
    if (action === 'update' && ids.length > 0) {
      const id = ids[this.next[kind]++ % ids.length]
      if (kind === 'collection') await this.client.collections.update(id, { quantity: `${10 + (n % 90)}.250` })
      else await this.client.payments.update(id, { amount: `${100 + (n % 900)}.00` })
      this.counts.updates += 1
    } else {
      const supplier_id = this.fx.supplierIds[n % this.fx.supplierIds.length]
      const row =
        kind === 'collection'
          ? await this.client.collections.create({
              supplier_id,
              product_id: this.fx.productId,
              collection_date: COLLECTION_DATE,
              quantity: `${10 + (n % 40)}.500`,
              unit: 'kg',
            })
          : await this.client.payments.create({
              supplier_id,
              payment_date: COLLECTION_DATE,
              amount: `${500 + (n % 500)}.00`,
              payment_type: 'advance',
            })
      ids.push(row.id as string)
      this.counts.creates += 1
    }
    this.counts[kind] += 1
  }
}
