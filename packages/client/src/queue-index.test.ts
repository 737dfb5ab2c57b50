import type { EntityType } from '@trackvault/core'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { LocalDb, type LocalDbOptions, LocalTx } from './local-db'
import { deleteOp, enqueue, listOps, opsOf, putOp, type QueuedOp, rebaseSuccessor, requeue } from './queue'
import { QueueIndex, SeqSet } from './queue-index'
import { createMemoryStore } from './storage/memory-store'
import { nextBatch } from './sync-engine'

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
        deleteOp(tx, op)
        await rebaseSuccessor(tx, op, 7)
      } else if (a.kind === 'requeue') {
        await requeue(tx, op, {}, { newIdentity: a.newIdentity })
      } else {
        deleteOp(tx, op)
      }
    }
  })
}

/** The index agrees with the queue read from storage, on every question the engine asks it. */
async function expectAgrees(db: LocalDb) {
  const index = QueueIndex.of(db)
  expect(await index.ready()).toBe(true)
  const ops = await db.read(listOps)
  for (const user of USERS) {
    for (const size of [1, 2, 3, 10]) {
      expect(index.nextBatch(user, size), `${user} batch of ${size}`).toEqual(
        nextBatch(ops, user, size).map((o) => o.seq),
      )
    }
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
  for (const op of ops) expect(index.seqOf(op.local_id)).toBe(op.seq)
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

describe('SeqSet', () => {
  test('iterates live seqs in order under adds and deletes in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(200)), { maxLength: 400 }), (steps) => {
        const set = new SeqSet()
        const model = new Set<number>()
        for (const [add, n] of steps) {
          if (add) {
            set.add(n)
            model.add(n)
          } else {
            set.delete(n)
            model.delete(n)
          }
          const seen: number[] = []
          set.until((s) => {
            seen.push(s)
            return true
          })
          expect(seen).toEqual([...model].sort((a, b) => a - b))
          expect(set.size).toBe(model.size)
        }
      }),
      { numRuns: 100 },
    )
  })
})
