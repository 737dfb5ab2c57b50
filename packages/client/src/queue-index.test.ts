import type { EntityType } from '@trackvault/core'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { LocalDb, type LocalDbOptions, LocalTx } from './local-db'
import { Outbox } from './outbox'
import { deleteOp, enqueue, listOps, putOp, type QueuedOp } from './queue'
import { QueueIndex } from './queue-index'
import { findOp, nextBatchOps, opsOf, parkedOps, queueCounts } from './queue-reader'
import { createMemoryStore } from './storage/memory-store'

/**
 * The batch rule written over the whole queue, as a test oracle for
 * `QueueIndex.nextBatch` (the one rule the engine uses): pending operations
 * in seq order, stopping before a second operation on the same row.
 */
function oracleBatch(ops: QueuedOp[], userId: string, size: number): QueuedOp[] {
  const waiting = new Set<string>()
  const inBatch = new Set<string>()
  const batch: QueuedOp[] = []
  for (const op of ops) {
    if (op.user_id !== userId) continue
    const row = `${op.entity_type}/${op.entity_id}`
    if (op.status !== 'pending') {
      waiting.add(row) // later changes of this row wait until a person settles this one
      continue
    }
    if (waiting.has(row)) continue
    if (inBatch.has(row) || batch.length >= size) break
    inBatch.add(row)
    batch.push(op)
  }
  return batch
}

let seq = 0
const op = (entity_id: string, status: QueuedOp['status'] = 'pending', user_id = 'u1'): QueuedOp => ({
  local_id: `l${++seq}`,
  seq,
  user_id,
  entity_type: 'supplier',
  entity_id,
  operation_type: 'update',
  base_version: 1,
  payload: {},
  client_timestamp: '2026-01-01T00:00:00Z',
  status,
  attempts: 0,
  recorded: false,
})
const batchOf = (ops: QueuedOp[], size: number) =>
  QueueIndex.fromOps(ops)
    .nextBatch('u1', size)
    .map((s) => ops.find((o) => o.seq === s)?.entity_id)

describe('the batch rule (QueueIndex.nextBatch)', () => {
  test('takes pending operations in order, up to the batch size', () => {
    expect(batchOf([op('a'), op('b'), op('c')], 2)).toEqual(['a', 'b'])
  })

  test('stops before a second operation on the same row (it needs the version the first produces)', () => {
    expect(batchOf([op('a'), op('b'), op('a'), op('c')], 10)).toEqual(['a', 'b'])
  })

  test("skips rows parked on a conflict or failure, and other users' operations", () => {
    const ops = [op('a', 'conflict'), op('a'), op('b', 'pending', 'u2'), op('c', 'failed'), op('d')]
    expect(batchOf(ops, 10)).toEqual(['d'])
  })
})

const USERS = ['u1', 'u2']
const ROWS = ['r1', 'r2', 'r3', 'r4']
const PARKED: QueuedOp['status'][] = ['conflict', 'failed', 'review_later']

type Action =
  | { kind: 'enqueue'; user: number; row: number; type: 'create' | 'update' | 'delete' }
  | { kind: 'park'; pick: number; status: number; recorded: boolean }
  | { kind: 'succeed'; pick: number }
  | { kind: 'requeue'; pick: number; newIdentity: boolean }
  | { kind: 'discard'; pick: number }

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('enqueue' as const),
    user: fc.nat(1),
    row: fc.nat(3),
    type: fc.constantFrom('create' as const, 'update' as const, 'delete' as const),
  }),
  fc.record({ kind: fc.constant('park' as const), pick: fc.nat(), status: fc.nat(2), recorded: fc.boolean() }),
  fc.record({ kind: fc.constant('succeed' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('requeue' as const), pick: fc.nat(), newIdentity: fc.boolean() }),
  fc.record({ kind: fc.constant('discard' as const), pick: fc.nat() }),
)

async function apply(db: LocalDb, steps: Action[]): Promise<void> {
  const outbox = new Outbox(db)
  await db.write(async (tx) => {
    for (const a of steps) {
      const ops = await listOps(tx)
      const op = ops.length > 0 && 'pick' in a ? ops[a.pick % ops.length] : undefined
      if (a.kind === 'enqueue') {
        await enqueue(tx, {
          user_id: USERS[a.user],
          entity_type: 'supplier',
          entity_id: ROWS[a.row],
          operation_type: a.type,
          base_version: null,
          payload: { name: 'x' },
        })
      } else if (!op) {
      } else if (a.kind === 'park') {
        putOp(tx, { ...op, status: PARKED[a.status], recorded: a.recorded })
      } else if (a.kind === 'succeed') {
        await outbox.settleSuccess(tx, op, { version: 7 })
      } else if (a.kind === 'requeue') {
        await outbox.requeue(tx, op, {}, { newIdentity: a.newIdentity })
      } else {
        deleteOp(tx, op)
      }
    }
  })
}

/**
 * The index agrees with the queue read from storage, on every question the
 * engine asks it; the queue reader answers the same with the index and
 * without it (a transaction of no database: the storage path).
 */
async function expectAgrees(db: LocalDb) {
  const index = QueueIndex.of(db)
  expect(await index.ready()).toBe(true)
  const ops = await db.read(listOps)
  const unindexed = () => new LocalTx(db.store)
  for (const user of USERS) {
    for (const size of [1, 2, 3, 10]) {
      const expected = oracleBatch(ops, user, size)
      expect(index.nextBatch(user, size), `${user} batch of ${size}`).toEqual(expected.map((o) => o.seq))
      expect(await db.read((tx) => nextBatchOps(tx, user, size))).toEqual(expected)
      expect(await nextBatchOps(unindexed(), user, size)).toEqual(expected)
    }
    expect(await queueCounts(unindexed(), user)).toEqual(index.counts(user))
    const parked = ops.filter((o) => o.user_id === user && o.status !== 'pending')
    expect(await db.read((tx) => parkedOps(tx, user))).toEqual(parked)
    expect(await parkedOps(unindexed(), user)).toEqual(parked)
    const mine = ops.filter((o) => o.user_id === user)
    expect(index.counts(user)).toEqual({
      pending: mine.filter((o) => o.status === 'pending').length,
      conflict: mine.filter((o) => o.status === 'conflict').length,
      failed: mine.filter((o) => o.status === 'failed').length,
      review_later: mine.filter((o) => o.status === 'review_later').length,
    })
    expect(index.parkedSeqs(user)).toEqual(mine.filter((o) => o.status !== 'pending').map((o) => o.seq))
  }
  for (const row of ROWS) {
    const expected = ops.filter((o) => o.entity_id === row)
    expect(await db.read((tx) => opsOf(tx, 'supplier', row))).toEqual(expected)
    // the storage path (no index) says the same
    expect(await opsOf(new LocalTx(db.store), 'supplier' as EntityType, row)).toEqual(expected)
  }
  for (const op of ops) {
    expect(index.seqOf(op.local_id)).toBe(op.seq)
    expect(await db.read((tx) => findOp(tx, op.local_id))).toEqual(op)
    expect(await findOp(unindexed(), op.local_id)).toEqual(op)
  }
}

/** Two LocalDbs over one store, each hearing the other's commits (two tabs). */
function twoTabs() {
  const store = createMemoryStore()
  type Channel = NonNullable<LocalDbOptions['channel']>
  const a: Channel = { postMessage: (keys) => b.onmessage?.({ data: keys }), onmessage: null, close() {} }
  const b: Channel = { postMessage: (keys) => a.onmessage?.({ data: keys }), onmessage: null, close() {} }
  return [new LocalDb(store, { channel: a }), new LocalDb(store, { channel: b })] as const
}

describe('QueueIndex', () => {
  test('agrees with the stored queue after any sequence of queue changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(action, { minLength: 1, maxLength: 4 }), { maxLength: 25 }), async (txs) => {
        const db = new LocalDb(createMemoryStore())
        await QueueIndex.of(db).ready() // loaded while empty, then kept up to date by commits only
        for (const steps of txs) {
          await apply(db, steps)
          await expectAgrees(db)
        }
      }),
      { numRuns: 120 },
    )
  })

  test("follows another tab's changes to the shared store", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), action), { maxLength: 30 }), async (steps) => {
        const [one, two] = twoTabs()
        await QueueIndex.of(one).ready()
        await QueueIndex.of(two).ready()
        for (const [first, a] of steps) {
          await apply(first ? one : two, [a])
          await expectAgrees(one)
          await expectAgrees(two)
        }
      }),
      { numRuns: 60 },
    )
  })

  test('a failed commit makes it reload from storage', async () => {
    const store = createMemoryStore()
    let fail = false
    const db = new LocalDb({
      get: (k) => store.get(k),
      getMany: (k) => store.getMany(k),
      scan: (p) => store.scan(p),
      commit: async (batch) => {
        await store.commit(batch) // applied, then reported as failed: the index cannot know
        if (fail) throw new Error('lost answer')
      },
      close: () => store.close(),
    })
    await apply(db, [{ kind: 'enqueue', user: 0, row: 0, type: 'create' }])
    await expectAgrees(db)
    fail = true
    await expect(apply(db, [{ kind: 'enqueue', user: 0, row: 1, type: 'create' }])).rejects.toThrow('lost answer')
    fail = false
    await expectAgrees(db)
    expect(QueueIndex.of(db).counts('u1').pending).toBe(2)
  })
})
