/**
 * Seeds many rows straight into a bench database the way the server stores
 * them (entity row, entity_history row with the full wire row, ledger row,
 * change_log entry with its seq from the counter row; lib/baseline.ts builds
 * and writes them), in large transactions. For the initial-pull workload,
 * where going through the domain write path would take minutes of setup.
 *
 * Every fifth row is a payment, the rest collections; all creates, owned by
 * `owner`, spread over the fixtures' suppliers.
 */
import { newId } from '@trackvault/core'
import type { PushOperation } from '@trackvault/server/testing'
import { RowBuilder, rawWriterFor } from './baseline'
import type { BenchDb, Fixtures } from './env'
import { COLLECTION_DATE } from './ops'

export interface Seeded {
  collections: number
  payments: number
}

export async function seedRows(
  db: BenchDb,
  fx: Fixtures,
  ownerId: string,
  count: number,
  batch = 1000,
): Promise<Seeded> {
  const writer = rawWriterFor(db, 1)
  const out: Seeded = { collections: 0, payments: 0 }
  const at = new Date().toISOString()
  let seq = 0
  try {
    while (seq < count) {
      const n = Math.min(batch, count - seq)
      const ops: PushOperation[] = []
      for (let i = 0; i < n; i++) {
        seq += 1
        const supplier_id = fx.supplierIds[seq % fx.supplierIds.length]
        const payment = seq % 5 === 0
        ops.push({
          local_id: `seed-${seq}`,
          seq,
          entity_type: payment ? 'payment' : 'collection',
          entity_id: newId(),
          operation_type: 'create',
          payload: payment
            ? {
                supplier_id,
                payment_date: COLLECTION_DATE,
                amount: `${500 + (seq % 500)}.00`,
                payment_type: 'advance',
                payment_method: 'cash',
              }
            : {
                supplier_id,
                product_id: fx.productId,
                collection_date: COLLECTION_DATE,
                quantity: `${10 + (seq % 40)}.500`,
                unit: 'kg',
              },
          client_timestamp: at,
        })
        if (payment) out.payments += 1
        else out.collections += 1
      }
      // A builder per batch: it only keeps rows for later updates, and these are all creates.
      const { set } = new RowBuilder(fx, 'bench-seed-device', ownerId).build(ops)
      await writer.write(set)
    }
  } finally {
    await writer.close()
  }
  return out
}
