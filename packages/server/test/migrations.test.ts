/** Migrations over data written by an older schema: nothing lost, the new rules hold afterwards. */
import { newId } from '@trackvault/core'
import { afterAll, describe, expect, test } from 'vitest'
import { migrateToLatest } from '../src/db/migrate'
import { createTestDb, type TestDb } from '../src/testing/test-db'

const dbs: TestDb[] = []
afterAll(async () => {
  for (const db of dbs) await db.drop()
})

describe('005-ledger-per-user', () => {
  test('keeps every ledger row, keys it per user, and takes device ids out of stored rows', async () => {
    const t = await createTestDb({ upTo: '004-auth-token-kind' })
    dbs.push(t)
    // biome-ignore lint/suspicious/noExplicitAny: the tables as they were before the migration
    const db = t.handle.db as any
    const now = '2026-11-01T10:00:00.000Z'
    const userA = newId()
    const userB = newId()
    for (const id of [userA, userB]) {
      await db
        .insertInto('users')
        .values({
          id,
          name: id,
          email: `${id}@m.test`,
          password_hash: 'x',
          role: 'collector',
          is_active: 1,
          created_at: now,
          updated_at: now,
        })
        .execute()
    }
    const supplier = newId()
    const resolved = { resolved: { resolution: 'force', local_id: 'op-1', device_id: 'phone-a', at: now } }
    const row = { id: supplier, version: 2, name: 'Kamau', device_id: 'phone-a', sync_metadata: resolved }
    await db
      .insertInto('suppliers')
      .values({
        id: supplier,
        version: 2,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        created_by: userA,
        updated_by: userA,
        device_id: 'phone-a',
        sync_metadata: JSON.stringify(resolved),
        code: 'S-1',
        name: 'Kamau',
        phone: null,
        email: null,
        address: null,
        is_active: 1,
      })
      .execute()
    await db
      .insertInto('entity_history')
      .values({
        entity_type: 'supplier',
        entity_id: supplier,
        version: 2,
        operation: 'update',
        data: JSON.stringify(row),
        user_id: userA,
        device_id: 'phone-a',
        sync_operation_id: null,
        created_at: now,
      })
      .execute()
    const ledgerRow = (local_id: string, user_id: string) => ({
      id: newId(),
      device_id: 'phone-a',
      local_id,
      user_id,
      seq: 1,
      entity_type: 'supplier',
      entity_id: supplier,
      operation_type: 'update',
      base_version: 1,
      payload: '{"name":"Kamau"}',
      client_timestamp: null,
      status: 'conflict',
      result_version: null,
      error_code: null,
      error_message: null,
      conflict_data: JSON.stringify({ server_version: 2, base: row, server: row, client: {}, fields: ['name'] }),
      resolution: null,
      attempted_at: now,
      completed_at: null,
    })
    await db
      .insertInto('sync_operations')
      .values([ledgerRow('op-1', userA), ledgerRow('op-2', userA)])
      .execute()

    expect(await migrateToLatest(t.handle.db)).toContain('005-ledger-per-user')

    const ledger = await db.selectFrom('sync_operations').selectAll().orderBy('local_id').execute()
    expect(ledger.map((r: { local_id: string }) => r.local_id)).toEqual(['op-1', 'op-2'])
    const conflict = JSON.parse(ledger[0].conflict_data)
    expect(conflict.server).not.toHaveProperty('device_id')
    expect(conflict.server.name).toBe('Kamau')
    // The same local_id is now free for another user of the device, still unique per user.
    await db.insertInto('sync_operations').values(ledgerRow('op-1', userB)).execute()
    await expect(db.insertInto('sync_operations').values(ledgerRow('op-1', userB)).execute()).rejects.toThrow()

    const history = await db.selectFrom('entity_history').select('data').executeTakeFirstOrThrow()
    const data = JSON.parse(history.data)
    expect(data).not.toHaveProperty('device_id')
    expect(data.sync_metadata.resolved).toEqual({ resolution: 'force', local_id: 'op-1', at: now })
    const stored = await db.selectFrom('suppliers').select(['device_id', 'sync_metadata']).executeTakeFirstOrThrow()
    expect(stored.device_id).toBe('phone-a') // kept in the table for audit
    expect(JSON.parse(stored.sync_metadata).resolved).not.toHaveProperty('device_id')
  })
})
