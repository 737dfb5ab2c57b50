/**
 * Transient database errors stop a batch where they happen: what came
 * before commits, the rest gets no result and is applied in order when the
 * device sends it again. The fault is injected with a Kysely plugin on the
 * real database, failing the Nth write of a table as a deadlock would.
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
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runWrite } from '../src/domain/write-context'
import { toAppError } from '../src/plugins/error-handler'
import { type PushOperation, processPush } from '../src/sync/push'
import { createTestDb, type TestDb } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'

/** Throws a deadlock error (PostgreSQL code 40P01) on inserts into `table` while armed. */
class DeadlockOn implements KyselyPlugin {
  armed = true
  constructor(readonly table: string) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as { kind: string; into?: { table: { identifier: { name: string } } } }
    if (this.armed && node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === this.table) {
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' })
    }
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

let db: TestDb
let actor: { id: string; role: 'manager'; name: string; deviceId: string }
beforeAll(async () => {
  db = await createTestDb()
  const user = await createUser(db.handle.db, {
    name: 'M',
    email: 'm@test.local',
    password: 'password1',
    role: 'manager',
  })
  actor = { id: user.id, role: 'manager', name: 'M', deviceId: 'device-faults' }
})
afterAll(() => db?.drop())

let seq = 0
const supplierOp = (): PushOperation => {
  const id = newId()
  seq += 1
  return {
    local_id: `l-${id}`,
    seq,
    entity_type: 'supplier',
    entity_id: id,
    operation_type: 'create',
    payload: { code: id.slice(-10), name: 'S' },
  }
}
const productOp = (): PushOperation => {
  const id = newId()
  seq += 1
  return {
    local_id: `l-${id}`,
    seq,
    entity_type: 'product',
    entity_id: id,
    operation_type: 'create',
    payload: { code: id.slice(-10), name: 'P', default_unit: 'kg' },
  }
}

test('a transient error mid-batch commits what came before and leaves the rest unprocessed', async () => {
  const fault = new DeadlockOn('products')
  const faulty = db.handle.db.withPlugin(fault)
  const ops = [supplierOp(), supplierOp(), productOp(), supplierOp()]
  const { result } = await runWrite(faulty, db.handle.caps, actor, (ctx) => processPush(ctx, ops))
  expect(result.map((r) => r.status)).toEqual(['success', 'success'])
  const ledger = await db.handle.db.selectFrom('sync_operations').select('local_id').execute()
  expect(ledger.map((r) => r.local_id).sort()).toEqual([ops[0].local_id, ops[1].local_id].sort())

  // The device sends the rest again, in order, once the database recovers.
  fault.armed = false
  const again = await runWrite(db.handle.db, db.handle.caps, actor, (ctx) => processPush(ctx, ops))
  expect(again.result.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'success', 'success'])
  const products = await db.handle.db.selectFrom('products').select('id').execute()
  expect(products.map((p) => p.id)).toEqual([ops[2].entity_id])
})

test('a transient error on the first operation fails the request as 503 UNAVAILABLE and writes nothing', async () => {
  const faulty = db.handle.db.withPlugin(new DeadlockOn('suppliers'))
  const before = await db.handle.db
    .selectFrom('sync_operations')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  const err = await runWrite(faulty, db.handle.caps, actor, (ctx) => processPush(ctx, [supplierOp()])).catch((e) => e)
  expect(toAppError(err)).toMatchObject({ code: 'UNAVAILABLE', status: 503 })
  const after = await db.handle.db
    .selectFrom('sync_operations')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  expect(Number(after.n)).toBe(Number(before.n))
})

test('a permanent error is recorded as failed and the batch goes on', async () => {
  const bad = { ...supplierOp(), payload: { code: '', name: '' } }
  const { result } = await runWrite(db.handle.db, db.handle.caps, actor, (ctx) => processPush(ctx, [bad, supplierOp()]))
  expect(result.map((r) => r.status)).toEqual(['failed', 'success'])
  expect(result[0].error?.code).toBe('VALIDATION_FAILED')
})
