/**
 * A fresh, migrated database for one test file: a SQLite file in a temp
 * folder, or a PostgreSQL schema of its own (files run in parallel), in a
 * database copied from a migrated template (pg-template.ts).
 * TRACKVAULT_TEST_DB chooses; PostgreSQL that cannot be reached fails.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type DbHandle, openDatabase } from '../db/database'
import { migrateToLatest } from '../db/migrate'
import { copyTemplate, dropCopy, uniqueName } from './pg-template'

export const TEST_DIALECT = (process.env.TRACKVAULT_TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres'

export interface TestDb {
  handle: DbHandle
  /** Options that open the same database again (another process, a restart). */
  env: Record<string, string>
  drop(): Promise<void>
}

function pgUrl(): string {
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('TEST_DATABASE_URL is not set; the PostgreSQL suite needs a database')
  return url
}

/** Runs `statement` on the PostgreSQL test server as an administrator. */
export async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl() })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/**
 * A fresh database, migrated to the newest schema; to `upTo` (a migration's name: tests of a
 * migration over older data); or, with `migrate: false`, left empty (a test that migrates itself).
 */
export async function createTestDb(opts: { migrate?: boolean; upTo?: string } = {}): Promise<TestDb> {
  const migrate = opts.migrate ?? true
  if (TEST_DIALECT === 'postgres' && migrate && !opts.upTo) {
    // The common case: a copy of a migrated template database (pg-template.ts).
    const schema = uniqueName('t')
    const url = await copyTemplate(pgUrl(), schema)
    const handle = openDatabase({ databaseUrl: url, pgSchema: schema })
    return {
      handle,
      env: { DATABASE_URL: url, TRACKVAULT_PG_SCHEMA: schema },
      drop: async () => {
        await handle.close()
        await dropCopy(pgUrl(), schema)
      },
    }
  }
  if (TEST_DIALECT === 'postgres') {
    const schema = uniqueName('t')
    await pgAdmin(`CREATE SCHEMA ${schema}`)
    const url = pgUrl()
    const handle = openDatabase({ databaseUrl: url, pgSchema: schema })
    if (migrate) await migrateToLatest(handle.db, opts.upTo)
    return {
      handle,
      env: { DATABASE_URL: url, TRACKVAULT_PG_SCHEMA: schema },
      drop: async () => {
        await handle.close()
        await pgAdmin(`DROP SCHEMA ${schema} CASCADE`)
      },
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-test-'))
  const file = join(dir, 'test.db')
  const handle = openDatabase({ sqliteFile: file })
  if (migrate) await migrateToLatest(handle.db, opts.upTo)
  return {
    handle,
    env: { TRACKVAULT_DB: file },
    drop: async () => {
      await handle.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
