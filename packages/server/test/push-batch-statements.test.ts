/**
 * A pushed batch costs a fixed number of statements for what every operation would otherwise
 * repeat: the rows it names are loaded (and on PostgreSQL locked) with one statement per entity
 * type, and the server receipt numbers its collections need are taken with one counter statement.
 * The numbers stay consecutive however the batch goes: an operation that fails (also in a batch run
 * again with savepoints) hands its number to the next, and what is left over goes back.
 */
import { newId } from '@trackvault/core'
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createEntity, deleteEntity } from '../src/domain/entity-service'
import { type Actor, runWrite, type WriteWork } from '../src/domain/write-context'
import { type PushOperation, runPush } from '../src/sync/push'
import { createTestDb, type TestDb } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'

/** Records every statement as it is built; throws on the insert of the collection `failOn`. */
class Watch implements KyselyPlugin {
  statements: string[] = []
  failOn?: string
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const text = JSON.stringify(args.node)
    this.statements.push(text)
    const into = (args.node as { into?: { table: { identifier: { name: string } } } }).into
    const collection = args.node.kind === 'InsertQueryNode' && into?.table.identifier.name === 'collections'
    if (this.failOn && collection && text.includes(this.failOn)) {
      throw new Error('the disk said no') // a statement failing in the database: not an AppError
    }
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
  count(kind: string, ...words: string[]): number {
    return this.statements.filter((s) => s.includes(`"kind":"${kind}"`) && words.every((w) => s.includes(w))).length
  }
}

let db: TestDb
let manager: Actor
let collector: Actor
const basics = { supplier: '', product: '', others: [] as string[], deleted: '' }

beforeAll(async () => {
  db = await createTestDb()
  const m = await createUser(db.handle.db, { name: 'M', email: 'm@test.local', password: 'password1', role: 'manager' })
  const c = await createUser(db.handle.db, {
    name: 'C',
    email: 'c@test.local',
    password: 'password1',
    role: 'collector',
  })
  manager = { id: m.id, role: 'manager', name: 'M', deviceId: null }
  collector = { id: c.id, role: 'collector', name: 'C', deviceId: 'device-batch' }
  await runWrite(db.handle.db, db.handle.caps, manager, async (ctx) => {
    const product = await createEntity(ctx, 'product', { code: 'TEA', name: 'Tea', default_unit: 'kg' })
    await createEntity(ctx, 'product_rate', {
      product_id: product.id,
      unit: 'kg',
      rate: '120.00',
      effective_date: '2020-01-01',
    })
    const supplier = await createEntity(ctx, 'supplier', { code: 'S1', name: 'Kamau' })
    basics.product = product.id
    basics.supplier = supplier.id
    for (const code of ['S2', 'S3', 'S4'])
      basics.others.push((await createEntity(ctx, 'supplier', { code, name: code })).id)
    const gone = await createEntity(ctx, 'supplier', { code: 'S5', name: 'Gone' })
    await deleteEntity(ctx, 'supplier', gone.id, 1)
    basics.deleted = gone.id
  })
})
afterAll(() => db?.drop())

let seq = 0
function create(payload: Record<string, unknown> = {}): PushOperation {
  const id = newId()
  seq += 1
  return {
    local_id: `l-${id}`,
    seq,
    entity_type: 'collection',
    entity_id: id,
    operation_type: 'create',
    payload: {
      supplier_id: basics.supplier,
      product_id: basics.product,
      collection_date: '2026-03-01',
      quantity: '10.5',
      unit: 'kg',
      ...payload,
    },
  }
}
function update(id: string, baseVersion: number): PushOperation {
  seq += 1
  return {
    local_id: `l-u-${seq}`,
    seq,
    entity_type: 'collection',
    entity_id: id,
    operation_type: 'update',
    base_version: baseVersion,
    payload: { quantity: '11' },
  }
}

async function push(ops: PushOperation[], watch = new Watch()) {
  const faulty = db.handle.db.withPlugin(watch)
  const transact = <T>(work: WriteWork<T>) => runWrite(faulty, db.handle.caps, collector, work)
  const { result } = await runPush(transact, ops)
  return { result, watch }
}

const counter = async () =>
  Number(
    (
      await db.handle.db
        .selectFrom('counters')
        .select('value')
        .where('name', '=', 'receipt_server')
        .executeTakeFirstOrThrow()
    ).value,
  )
const numberOf = (r: { data: unknown }) =>
  Number(String((r.data as { receipt_number: string }).receipt_number).slice(2))

describe('a batch of operations', () => {
  test('loads its rows with one statement and takes its receipt numbers with one', async () => {
    const before = await counter()
    const ops = Array.from({ length: 10 }, () => create())
    const { result, watch } = await push(ops)
    expect(result.map((r) => r.status)).toEqual(Array(10).fill('success'))
    expect(watch.count('SelectQueryNode', '"collections"', '"id"')).toBe(1)
    expect(watch.count('UpdateQueryNode', '"counters"', 'receipt_server')).toBe(1)
    expect(result.map(numberOf)).toEqual(Array.from({ length: 10 }, (_, i) => before + 1 + i))
    expect(await counter()).toBe(before + 10)

    // Updates of those rows: one statement loads them all, one finds which a settlement run settled,
    // and no receipt number is taken.
    const updates = await push(result.map((r) => update(r.entity_id, 1)))
    expect(updates.result.map((r) => r.status)).toEqual(Array(10).fill('success'))
    expect(updates.watch.count('SelectQueryNode', '"collections"', '"id"')).toBe(1)
    expect(updates.watch.count('SelectQueryNode', '"settlement_items"')).toBe(1) // none settled: one look
    expect(updates.watch.count('UpdateQueryNode', '"counters"', 'receipt_server')).toBe(0)
    expect(await counter()).toBe(before + 10)
  })

  test('the receipt numbers devices printed are checked with one statement; a number taken twice is replaced', async () => {
    const before = await counter()
    const ops = Array.from({ length: 8 }, (_, i) => create({ receipt_number: `DA-${i + 1}` }))
    ops.push(create({ receipt_number: 'DA-4' })) // a broken device: the same number again in the batch
    const { result, watch } = await push(ops)
    expect(result.map((r) => r.status)).toEqual(Array(9).fill('success'))
    expect(watch.count('SelectQueryNode', '"collections"', '"receipt_number"')).toBe(1)
    const numbers = result.map((r) => (r.data as { receipt_number: string }).receipt_number)
    expect(numbers.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, i) => `DA-${i + 1}`))
    expect(numbers[8]).toBe(`S-${before + 1}`)
    expect((result[8].data as { sync_metadata: { receipt_printed: string } }).sync_metadata.receipt_printed).toBe(
      'DA-4',
    )
    // Taken in an earlier batch: found by the batch's one look too.
    const again = await push([create({ receipt_number: 'DA-1' }), create({ receipt_number: 'DA-9' })])
    expect(again.result.map((r) => (r.data as { receipt_number: string }).receipt_number)).toEqual([
      `S-${before + 2}`,
      'DA-9',
    ])
    expect(again.watch.count('SelectQueryNode', '"collections"', '"receipt_number"')).toBe(1)
  })

  test('the suppliers a batch names are looked up with one statement; a deleted or unknown one still fails alone', async () => {
    const names = [...basics.others, basics.supplier, basics.deleted, newId(), basics.others[0]]
    const { result, watch } = await push(names.map((supplier_id) => create({ supplier_id })))
    expect(result.map((r) => r.error?.code ?? r.status)).toEqual([
      'success',
      'success',
      'success',
      'success',
      'REFERENCE_NOT_FOUND',
      'REFERENCE_NOT_FOUND',
      'success',
    ])
    // One look for the batch, the two that are not live looked up again when their operation asks,
    // and one for the routes of the batch's changes (under the change counter's lock).
    expect(watch.count('SelectQueryNode', '"suppliers"')).toBe(4)
  })

  test('an operation that fails hands its receipt number on, and what is left goes back', async () => {
    const before = await counter()
    const bad = create({ supplier_id: newId() }) // names no supplier: refused by our checks
    const ops = [create(), bad, create(), create({ receipt_number: 'X-1' }), create()]
    const { result } = await push(ops)
    expect(result.map((r) => r.status)).toEqual(['success', 'failed', 'success', 'success', 'success'])
    expect([0, 2, 4].map((i) => numberOf(result[i]))).toEqual([before + 1, before + 2, before + 3])
    expect((result[3].data as { receipt_number: string }).receipt_number).toBe('X-1')
    // Four collections without a number were expected, three were numbered: one went back.
    expect(await counter()).toBe(before + 3)
  })

  test('a statement that fails in the database: the batch runs again with savepoints and the numbers stay consecutive', async () => {
    const before = await counter()
    const ops = Array.from({ length: 6 }, () => create())
    const watch = new Watch()
    watch.failOn = ops[2].entity_id
    const { result } = await push(ops, watch)
    expect(result.map((r) => r.status)).toEqual(['success', 'success', 'failed', 'success', 'success', 'success'])
    const numbers = result.filter((r) => r.status === 'success').map(numberOf)
    expect(numbers).toEqual([1, 2, 3, 4, 5].map((i) => before + i))
    expect(await counter()).toBe(before + 5)
    const stored = await db.handle.db
      .selectFrom('collections')
      .select('receipt_number')
      .where(
        'id',
        'in',
        ops.map((o) => o.entity_id),
      )
      .execute()
    expect(stored.map((r) => r.receipt_number).sort()).toEqual(numbers.map((n) => `S-${n}`).sort())
  })
})
