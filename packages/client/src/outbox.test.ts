import { describe, expect, test } from 'vitest'
import { LocalDb } from './local-db'
import { Outbox } from './outbox'
import { enqueue, listOps, putOp, type QueuedOp } from './queue'
import { QueueIndex } from './queue-index'
import { createMemoryStore } from './storage/memory-store'

const change = (entity_id: string, operation_type: QueuedOp['operation_type'], payload: QueuedOp['payload'] = {}) => ({
  user_id: 'u1',
  entity_type: 'supplier' as const,
  entity_id,
  operation_type,
  base_version: null,
  payload,
})

describe('Outbox.requeue', () => {
  // Found by the fault simulation (sim/): a retried operation went to the end of the queue and the
  // later change of its row, still waiting without a base_version, went out first and failed.
  test('a change re-sent under a new identity takes the later changes of its row along, in order', async () => {
    const db = new LocalDb(createMemoryStore())
    const outbox = new Outbox(db)
    await db.write(async (tx) => {
      const a = await enqueue(tx, change('r1', 'create', { code: 'A', name: 'a' }))
      await enqueue(tx, change('r1', 'update', { name: 'b' }))
      await enqueue(tx, change('r2', 'create', { code: 'C', name: 'c' }))
      putOp(tx, { ...a, status: 'failed', recorded: true, error: { code: 'NO_RATE', message: 'no rate' } })
    })
    const before = await db.read(listOps)
    await db.write(async (tx) => {
      await outbox.requeue(tx, before[0])
    })
    const ops = await db.read(listOps)
    expect(ops.map((o) => `${o.entity_id} ${o.operation_type}`)).toEqual(['r2 create', 'r1 create', 'r1 update'])
    expect(ops[1].local_id).not.toBe(before[0].local_id)
    expect(ops[2].local_id).toBe(before[1].local_id) // never sent: keeps its identity
    const batch = QueueIndex.fromOps(ops).nextBatch('u1', 10)
    expect(
      batch.map((seq) => ops.find((o) => o.seq === seq)).map((o) => `${o?.entity_id} ${o?.operation_type}`),
    ).toEqual(['r2 create', 'r1 create'])
  })

  // Found by the fault simulation: an edited retry of an operation whose answer was lost kept its
  // local_id; the server answered with the stored first outcome and the edit was silently dropped.
  test('newIdentity sends an operation the server never recorded under a new local_id and seq', async () => {
    const db = new LocalDb(createMemoryStore())
    const outbox = new Outbox(db)
    const op = await db.write((tx) => enqueue(tx, change('r1', 'create', { code: 'A', name: 'a' })))
    const again = await db.write((tx) =>
      outbox.requeue(tx, op, { payload: { code: 'A', name: 'edited' } }, { newIdentity: true }),
    )
    expect(again.local_id).not.toBe(op.local_id)
    expect(again.seq).toBeGreaterThan(op.seq)
    expect(await db.read(listOps)).toEqual([again])
    const same = await db.write((tx) => outbox.requeue(tx, again))
    expect(same.local_id).toBe(again.local_id) // not recorded, not edited: the same identity
  })
})
