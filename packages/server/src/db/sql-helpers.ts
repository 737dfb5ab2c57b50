/** Statements whose SQL depends on the database, written once. */
import { sql, type Transaction } from 'kysely'
import { runKeyedSql } from './compiled-statements'
import type { DbCapabilities } from './database'
import type { Database } from './schema'

/**
 * Locks the selected rows until commit where the database has row locks (PostgreSQL); SQLite runs
 * one writer at a time, so the plain select is already exclusive.
 */
export function forUpdate<Q extends { forUpdate(): Q }>(query: Q, caps: Pick<DbCapabilities, 'rowLocks'>): Q {
  return caps.rowLocks ? query.forUpdate() : query
}

/**
 * Runs `fn` inside a savepoint of `trx`: released on success, rolled back (and the error rethrown)
 * on failure, so the statements of `fn` are undone alone and the transaction goes on.
 */
export async function withSavepoint<T>(trx: Transaction<Database>, name: string, fn: () => Promise<T>): Promise<T> {
  await runKeyedSql(trx, `savepoint:${name}`, [], () => sql`savepoint ${sql.id(name)}`)
  try {
    const result = await fn()
    await runKeyedSql(trx, `savepoint-release:${name}`, [], () => sql`release savepoint ${sql.id(name)}`)
    return result
  } catch (err) {
    await runKeyedSql(trx, `savepoint-rollback:${name}`, [], () => sql`rollback to savepoint ${sql.id(name)}`)
    await runKeyedSql(trx, `savepoint-release:${name}`, [], () => sql`release savepoint ${sql.id(name)}`)
    throw err
  }
}

/**
 * Serialises the transactions that take the lock `name` until they commit, where there are other
 * writers (PostgreSQL: a transaction-scoped advisory lock); SQLite runs one writer at a time anyway.
 */
export async function lockNamed(
  trx: Transaction<Database>,
  caps: Pick<DbCapabilities, 'dialect'>,
  name: string,
): Promise<void> {
  if (caps.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx)
}
