/**
 * A PostgreSQL connection that dies while checked out of the pool (the
 * database restarting between two statements of a transaction) must not
 * crash the server: pg emits 'error' on that client, and an 'error' event
 * without a listener is an uncaught exception. The transaction fails as
 * transient (503) and the pool replaces the connection.
 * Found by tests/e2e/server-crash.test.ts (PostgreSQL restarted mid-load).
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isTransientDbError } from '../src/db/db-errors'
import { openPostgres } from '../src/db/postgres/postgres-dialect'
import { createTestDb, pgAdmin, TEST_DIALECT, type TestDb } from '../src/testing/test-db'

describe.skipIf(TEST_DIALECT !== 'postgres')('a PostgreSQL connection lost while checked out', () => {
  let tdb: TestDb
  beforeAll(async () => {
    tdb = await createTestDb()
  })
  afterAll(async () => {
    await tdb?.drop()
  })

  test('is not an uncaught error; the next statement fails as transient and the pool recovers', async () => {
    const { pool, end } = openPostgres(tdb.env.DATABASE_URL, tdb.env.TRACKVAULT_PG_SCHEMA, 2)
    const client = await pool.connect()
    let released = false
    try {
      // Without a listener, the 'error' below would be thrown out of the socket handler.
      expect(client.listenerCount('error')).toBeGreaterThan(0)
      await client.query('begin')
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
      const ended = new Promise((resolve) => client.once('end', resolve))
      // What a fast shutdown does to every backend: FATAL 57P01 to an idle-in-transaction client.
      await pgAdmin(`select pg_terminate_backend(${rows[0].pid})`)
      await ended
      const err = await client.query('select 1').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Error)
      expect(isTransientDbError(err)).toBe(true)
      client.release()
      released = true
      // The dead client was discarded; a fresh one answers.
      const again = await pool.query<{ one: number }>('select 1 as one')
      expect(again.rows[0].one).toBe(1)
      expect(pool.totalCount).toBeLessThanOrEqual(1)
    } finally {
      if (!released) client.release(true)
      await end()
    }
  })

  test('through Kysely: the transaction rejects as transient instead of crashing', async () => {
    const db = tdb.handle.db
    const err = await db
      .transaction()
      .execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)
        await pgAdmin(`select pg_terminate_backend(${rows[0].pid})`)
        await new Promise((r) => setTimeout(r, 200))
        await sql`select 1`.execute(trx)
      })
      .catch((e: unknown) => e)
    expect(isTransientDbError(err)).toBe(true)
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db)
    expect(rows[0].one).toBe(1)
  })
})
